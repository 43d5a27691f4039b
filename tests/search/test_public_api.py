"""search's public API (paperhub/search/__init__.py): what other packages use instead of its private modules."""

import os
import subprocess
import sys

import numpy as np

from paperhub import search
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import record


def test_the_package_imports_before_django_is_set_up_without_its_heavy_modules():
    code = ("import sys, paperhub.search as s; "
            "heavy = {'tantivy', 'usearch', 'torch', 'paperhub.search.indexing', 'paperhub.search.queries'}; "
            "print(sorted(heavy & set(sys.modules)), s.Filters.from_text(categories='cs.CL').categories)")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["[]", "('cs.CL',)"]


def test_stored_vectors_are_read_back_for_the_papers_that_have_one(db):
    upsert_papers([record(f"2501.{i:05d}") for i in range(1, 4)])
    ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
    assert search.missing_papers("m", limit=5) == sorted(ids, reverse=True)  # newest first (same day: by id)
    embedder = Fixed()
    assert search.embed_papers("m", embedder, ids[:2]) == 2
    found = search.stored_vectors("m", ids)
    assert sorted(found) == ids[:2] and found[ids[0]].dtype == np.float32
    assert np.allclose(found[ids[0]], embedder.vector, atol=1e-3)  # stored as float16
    assert search.stored_count("m", ids) == 2 and search.stored_count("other", ids) == 0
    assert search.missing_papers("m", limit=5) == [ids[2]]


def test_static_vectors_are_this_nodes_index_by_paper_id(db, search_dir):
    assert search.static_vector_count() == 0
    ids, vectors = search.static_vectors()
    assert ids.shape == (0,) and vectors.shape == (0, 0)
    upsert_papers([record(f"2501.{i:05d}") for i in range(1, 4)])
    papers = list(Paper.objects.order_by("-id").values_list("id", flat=True))  # stored out of order
    embedder = Fixed()
    assert search.embed_missing(search.LEGACY_STATIC, embedder) == 3  # no static model: vectors under "static"
    assert search.static_vector_count() == 3
    ids, vectors = search.static_vectors()
    assert ids.tolist() == sorted(papers) and ids.dtype == np.int64
    assert vectors.shape == (3, 4) and np.allclose(vectors, embedder.vector, atol=1e-3)


class Fixed:
    """An embedder that gives every text the same unit vector."""

    name, dim = "fixed", 4
    vector = np.array([0.5, 0.5, 0.5, 0.5], dtype=np.float32)

    def encode(self, texts):
        return np.tile(self.vector, (len(texts), 1))
