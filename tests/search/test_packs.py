"""Vector packs: exported from one hub, imported into another (other row ids, other papers), used by search and
similar papers there; a pack of another model refused; a damaged file refused with nothing imported."""

import json
import zipfile

import numpy as np
import pytest
from django.db import connection

from paperhub.papers.loading import keys_checked_in_bulk
from paperhub.papers.models import Paper, SuspendedForeignKey
from paperhub.papers.services import upsert_papers
from paperhub.search.models import PaperVector
from paperhub.search.stored import store_vectors
from tests.factories import record, snapshot_object

TOPICS = ["protein folding with diffusion models", "speech recognition for low-resource languages",
          "graph neural networks for molecules", "retrieval augmented generation for question answering",
          "reinforcement learning for robot grasping", "machine translation with large language models"]


def _papers(start: int, count: int) -> list[dict]:
    return [snapshot_object(f"2504.{i:05d}", title=f"A study of {TOPICS[i % len(TOPICS)]} ({i})",
                            abstract=f"We study {TOPICS[i % len(TOPICS)]} and report results on benchmark {i}.")
            for i in range(start, start + count)]


@pytest.fixture(scope="module")
def exported_pack(module_hub, tmp_path_factory):
    """MiniLM vectors of 36 papers exported from a hub of their own, and what the export said (shared: embedding
    them takes most of this module's time)."""
    module_hub.ingest("a.jsonl", _papers(0, 36))
    module_hub.run("index", "embed", "--model", "dense")
    path = tmp_path_factory.mktemp("pack") / "minilm.zip"
    exported = module_hub.run("vectors", "export", str(path))
    return path, exported.stdout


def _count(hub, model: str = "minilm") -> int:
    code = f"from paperhub.search.models import PaperVector as V; print(V.objects.filter(model={model!r}).count())"
    return int(hub.run("shell", "-v0", "-c", code).stdout)


def test_a_pack_moves_vectors_to_another_hub_where_search_and_similar_use_them(exported_pack, hub):
    pack, exported = exported_pack
    second = hub
    assert "36 vectors of the transformer model minilm" in exported
    with zipfile.ZipFile(pack) as opened:
        assert sorted(opened.namelist()) == ["pack.json", "uids.txt", "vectors.npy"]
        meta = json.loads(opened.read("pack.json"))
    assert meta["count"] == 36 and meta["model"]["dim"] == 384 and meta["model"]["max_tokens"] == 256
    assert len(meta["model"]["sha256"]) == 64

    second.ingest("b.jsonl", _papers(30, 12))  # other papers first: other row ids; six in common with the pack
    second.ingest("c.jsonl", _papers(0, 30))
    imported = second.run("vectors", "import", str(pack))
    assert "36 added, 0 already there, 0 of papers" in imported.stdout  # every paper of the pack is here
    assert _count(second) == 36
    again = second.run("vectors", "import", str(pack))
    assert "0 added, 36 already there" in again.stdout and _count(second) == 36  # idempotent

    second.run("index", "update")
    found = json.loads(second.run("search", "folding proteins by denoising", "--mode", "semantic", "--json").stdout)
    assert found["results"] and "protein folding" in found["results"][0]["title"]
    similar = json.loads(second.run("similar", "2504.00000", "--json").stdout)
    assert similar["similar"] and all("protein folding" in hit["title"] for hit in similar["similar"][:3])
    assert any(reason["signal"] == "meaning" for hit in similar["similar"] for reason in hit["reasons"])


def test_a_pack_of_another_model_or_a_damaged_file_is_refused(exported_pack, hub, tmp_path):
    pack, _ = exported_pack
    second = hub
    second.ingest("a.jsonl", _papers(0, 4))
    second.env["PAPERHUB_EMBED_MAX_TOKENS"] = "128"  # the same weights reading less text: other vectors
    refused = second.run("vectors", "import", str(pack), check=False)
    assert refused.returncode != 0 and "256 tokens" in refused.stderr and "128 tokens" in refused.stderr
    assert "nothing was imported" in refused.stderr and _count(second) == 0
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(pack.read_bytes()[:300])
    broken = second.run("vectors", "import", str(damaged), check=False)
    assert broken.returncode != 0 and "cannot read" in broken.stderr and _count(second) == 0
    empty = second.run("vectors", "export", str(tmp_path / "none.zip"), check=False)
    assert empty.returncode != 0 and "nothing to export" in empty.stderr
    nowhere = second.run("vectors", "export", str(tmp_path / "no" / "such.zip"), check=False)  # was a traceback
    assert nowhere.returncode != 0 and "no such folder for the pack" in nowhere.stderr and "Traceback" not in nowhere.stderr


def _vector_key_checked() -> bool:
    """Whether the vectors' key to their papers is in force: validated on PostgreSQL, switched on in SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys")
            return bool(cursor.fetchone()[0])
        cursor.execute("SELECT bool_and(convalidated) FROM pg_constraint WHERE contype = 'f' "
                       "AND conrelid = 'search_papervector'::regclass")
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_an_import_checks_the_vectors_key_once_and_deletes_vectors_pointing_nowhere():
    """An import lands its vectors with their key to papers unchecked (PostgreSQL: dropped and recorded; SQLite:
    off for its connection), and checks them in bulk: a vector whose paper went meanwhile is deleted."""
    upsert_papers([record("2501.00001")])
    paper = Paper.objects.get()
    with keys_checked_in_bulk([PaperVector._meta.db_table]) as check_keys:
        assert not _vector_key_checked()
        assert SuspendedForeignKey.objects.count() == (1 if connection.vendor == "postgresql" else 0)
        store_vectors("minilm", [paper.id], np.ones((1, 4), dtype=np.float32) / 2)
        with connection.cursor() as cursor:  # a vector whose paper was deleted during the import, say
            cursor.execute("INSERT INTO search_papervector (paper_id, model, vector) VALUES (999999999, 'minilm', %s)",
                           [b"\0" * 8])
        check_keys()  # as after each batch
    assert _vector_key_checked()
    assert list(PaperVector.objects.values_list("paper_id", flat=True)) == [paper.id]
    assert SuspendedForeignKey.objects.count() == 0
