"""The static model: taught by the transformer on the hub's papers, named by its checksum, the same on every node."""

import io

import numpy as np
import pytest
from django.core.management import call_command

from paperhub import search
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search import embed, related, static, topics
from paperhub.search.indexing import coverage, drop_stale_static, vector_name
from paperhub.search.models import PaperVector, StaticModelFile
from paperhub.search.stored import store_vectors
from tests.factories import record


def test_training_learns_the_teachers_map():
    """Bags of tokens whose teacher vectors come from a hidden table: training gets closer to the teacher."""
    rng = np.random.default_rng(0)
    hidden = rng.normal(size=(60, 8)).astype(np.float32)
    start = rng.normal(size=(60, 8)).astype(np.float32)
    bags = [rng.integers(0, 60, size=rng.integers(3, 12)) for _ in range(400)]
    targets = np.stack([hidden[b].mean(axis=0) for b in bags])

    def agreement(table: np.ndarray, weights: np.ndarray) -> float:
        made = np.stack([(table[b] * weights[b, None]).sum(axis=0) for b in bags])
        made /= np.linalg.norm(made, axis=1, keepdims=True)
        goal = targets / np.linalg.norm(targets, axis=1, keepdims=True)
        return float(np.mean(np.sum(made * goal, axis=1)))

    ones = np.ones(60, dtype=np.float32)
    table, weights = static.train(start, ones, bags, targets, max_epochs=40, learning_rate=0.05, batch=32, patience=5)
    assert agreement(start, ones) < 0.3 < 0.9 < agreement(table, weights)


def test_reduce_projects_on_principal_directions_and_weights():
    rng = np.random.default_rng(1)
    table = rng.normal(size=(50, 10)) * np.arange(1, 11)
    reduced, projection = static.reduce(table, np.full(50, 2.0), dims=4)
    assert reduced.shape == (50, 4) and projection.shape == (10, 4)
    assert np.allclose(projection.T @ projection, np.eye(4), atol=1e-5)
    assert np.allclose(reduced, table @ projection * 2.0, atol=1e-4)  # the teacher's vectors project the same way
    spread = (table @ projection).var(axis=0)
    assert list(spread) == sorted(spread, reverse=True)  # the widest directions first


def test_sif_weights_fall_with_frequency():
    weights = static.sif_weights(np.array([0, 10, 1000, 100000], dtype=float))
    assert list(weights) == sorted(weights, reverse=True) and weights[0] <= 1.0


TOPICS = {
    "graphs": "Graph neural networks pass messages between the nodes of a graph to learn node representations.",
    "proteins": "Protein structures are predicted from amino acid sequences with deep learning models.",
    "speech": "Speech recognition turns recorded audio of spoken language into text with acoustic models.",
    "markets": "Stock market prices are forecast from trading volumes and news with time series models.",
}


class Terminal(io.StringIO):
    """stderr as a terminal, where `index distill` shows its steps."""

    def isatty(self) -> bool:
        return True


@pytest.mark.django_db(transaction=True)
def test_build_names_stores_serves_and_shares_the_model(search_dir, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "node-a"
    monkeypatch.setattr(topics, "MIN_PAPERS", 20)  # (a hub of 40 papers learns topics too)
    upsert_papers([record(f"2501.{i:05d}", title=f"{topic.title()} study {i}", abstract=text)
                   for i, (topic, text) in enumerate(list(TOPICS.items()) * 10, start=1)])
    search.rebuild()
    store_vectors(embed.LEGACY_STATIC, [Paper.objects.first().id], np.ones((1, 4), dtype=np.float32))

    summary, terminal = io.StringIO(), Terminal()
    call_command("index", "distill", "--papers", "30", stdout=summary, stderr=terminal)
    name = embed.static_name()
    # Its steps on the terminal's one line, ended before the summary, which is stdout's one line (it was written
    # onto the line of the last step).
    assert terminal.getvalue().startswith("\r") and terminal.getvalue().endswith("\n")
    assert summary.getvalue().startswith(f"static model {name}: learnt from 30 papers")
    assert summary.getvalue().count("\n") == 1
    assert name is not None and name.startswith("static-") and vector_name("static") == name
    assert StaticModelFile.objects.filter(name=name).exists()
    assert PaperVector.objects.filter(model=embed.BUNDLED).count() == 30  # the teacher's vectors, kept
    status = io.StringIO()
    call_command("index", "status", stdout=status)  # the new model has its line before its first vector
    assert f"  {name:<16} [{'.' * 30}]   0.0%  0  (the static model)" in status.getvalue()
    assert "in progress" not in status.getvalue()  # the distill said it had ended
    model = embed.static()
    assert model.name == name and model.dim == static.DIMS
    vectors = model.encode([TOPICS["graphs"], "message passing on graphs", TOPICS["markets"]])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]

    assert model.teacher == embed.BUNDLED and model.projection is not None
    learnt_topics = related.current_topics()  # learnt beside it, from the same hub's key terms
    assert learnt_topics is not None and "graph" in learnt_topics.terms
    search.update()
    assert coverage().vectors[name] == 40
    results = search.search("message passing on graphs", mode="semantic")
    assert results.semantic_models == ["static", "dense"] and "Graphs" in results.hits[0].title
    assert drop_stale_static() == 1 and not PaperVector.objects.filter(model=embed.LEGACY_STATIC).exists()

    settings.DATA_DIR = tmp_path / "node-b"  # another node of the same hub: the same model, from the database
    assert embed.static_name() is None
    assert static.sync() == name and embed.static_name() == name
    assert np.allclose(embed.static().encode([TOPICS["speech"]]), model.encode([TOPICS["speech"]]))
    shared_topics = related.current_topics()
    assert shared_topics is not None and shared_topics.digest() == learnt_topics.digest()


def test_a_model_is_due_once_the_hub_has_papers_to_learn_from_and_again_when_it_has_grown(db, settings, tmp_path,
                                                                                          monkeypatch):
    settings.DATA_DIR = tmp_path
    upsert_papers([record(f"2501.{i:05d}") for i in range(1, static.MIN_TEACHER_PAPERS)])
    assert not static.due()  # too few papers to learn from: similar papers and search work without it
    upsert_papers([record("2502.00001")])
    assert static.due()
    StaticModelFile.objects.create(name="static-00000001", archive=b"", papers=500, teacher_papers=500)
    assert not static.due()
    upsert_papers([record(f"2503.{i:05d}") for i in range(1, 501)])
    assert static.due()  # twice the papers it learnt from: built again
    StaticModelFile.objects.create(name="static-00000002", archive=b"", papers=1000,
                                   teacher_papers=static.TEACHER_PAPERS)
    upsert_papers([record(f"2504.{i:05d}") for i in range(1, 1200)])
    assert static.due()  # a full teacher sample, but the topics learnt from all of 1,000 papers: the hub doubled
    monkeypatch.setattr(static, "TEACHER_PAPERS", 1000)  # (samples of 1,000 stand in for full ones: no 100,000
    monkeypatch.setattr(static, "FREQUENCY_PAPERS", 1000)  # papers in a test)
    StaticModelFile.objects.create(name="static-00000003", archive=b"", papers=1400, teacher_papers=1000)
    assert not static.due()  # both samples full, and the hub not yet twice the size it was built at
    upsert_papers([record(f"2505.{i:05d}") for i in range(1, 1401)])
    assert static.due()  # twice as big: the papers since hold words and fields the model does not know
    StaticModelFile.objects.create(name="static-00000004", archive=b"", papers=2800, teacher_papers=1000)
    assert not static.due()
    current = embed.models_dir() / "static-00000004"
    current.mkdir(parents=True)
    (current / "model.safetensors").write_bytes(b"")
    (embed.models_dir() / "STATIC").write_text(current.name)
    assert static.due()  # built before models learnt topics: once more, for them
    topics.save(topics.NONE, current)  # (what a build that found too little to learn them from saves)
    assert not static.due() and topics.load(current) is None
