"""Topics: latent semantic analysis of the hub's key terms, and similar() reading it as a signal of its own."""

import random
from collections import Counter

import numpy as np
import pytest

from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search import embed, related, similar, topics
from paperhub.search.indexing import vector_name
from paperhub.search.stored import store_vectors
from paperhub.search.vector_files import follow_vectors
from tests.factories import record
from tests.search.test_similar import PAPERS

#: Two fields, each with words that go together in its papers but that no two papers need to share.
FIELDS = {
    "driving": ["driver", "cabin", "distraction", "seat", "steering", "drowsy", "dashboard", "pedal"],
    "astronomy": ["galaxy", "redshift", "telescope", "nebula", "quasar", "stellar", "comet", "orbit"],
}
#: Words of every paper, of both fields (they tell nothing apart).
COMMON = ["method", "result", "data"]


def field_papers(count: int, seed: int = 3) -> list[Counter[str]]:
    """`count` papers' term counts, half of each field, each paper four of its field's words and a common one."""
    rng = random.Random(seed)
    papers = []
    for at in range(count):
        words = FIELDS["driving" if at % 2 else "astronomy"]
        papers.append(Counter(rng.sample(words, 4) + [rng.choice(COMMON)]))
    return papers


def unit(counts: dict[str, int], table: topics.Topics) -> np.ndarray:
    vector = table.vector({term: float(n) for term, n in counts.items()})
    assert vector is not None
    return vector


def test_papers_of_one_field_are_close_though_they_share_no_word():
    table = topics.fit(field_papers(80), dims=4)
    assert table is not None and table.table.shape[1] == 4
    cabin = unit({"driver": 1, "cabin": 1}, table)
    drowsy = unit({"drowsy": 1, "pedal": 1}, table)  # not a word in common with `cabin`
    quasar = unit({"quasar": 1, "nebula": 1}, table)
    assert cabin @ drowsy > 0.8 and abs(cabin @ quasar) < 0.3
    assert np.isclose(np.linalg.norm(cabin), 1.0)
    assert table.vector({"unheard": 1.0}) is None  # no term it knows: no vector, no score


def test_too_few_papers_or_terms_teach_no_topics():
    assert topics.fit(field_papers(topics.MIN_PAPERS - 1)) is None
    assert topics.fit([Counter({"alone": 1})] * topics.MIN_PAPERS) is None  # a term in every paper says nothing


def test_saved_topics_load_the_same_and_are_named_by_their_content(tmp_path):
    table = topics.fit(field_papers(60), dims=3)
    assert table is not None
    topics.save(table, tmp_path)
    loaded = topics.load(tmp_path)
    assert loaded is not None and loaded.terms == table.terms
    assert np.allclose(loaded.table, table.table, atol=1e-3)  # saved in half precision
    assert loaded.digest() == table.digest()
    other = topics.fit(field_papers(60, seed=4), dims=3)
    assert other is not None and other.digest() != table.digest()
    assert topics.load(tmp_path / "missing") is None


@pytest.fixture
def hub_with_topics(db, search_dir, settings, tmp_path):
    """The similar-papers hub, its current static model one with topics learnt from many field papers and its own."""
    settings.DATA_DIR = tmp_path
    upsert_papers(PAPERS)
    from paperhub.search import rebuild, terms

    rebuild()
    own = [terms.paper_counts(p.title, p.abstract) for p in PAPERS]
    table = topics.fit(own * 10 + field_papers(60), dims=6)
    assert table is not None
    model = embed.models_dir() / "static-topics"
    model.mkdir(parents=True)
    topics.save(table, model)
    (embed.models_dir() / "STATIC").write_text(model.name)
    return {p.uid: p.id for p in Paper.objects.all()}


def test_similar_reads_topics_where_the_model_has_them(hub_with_topics):
    paper = hub_with_topics["2501.10001"]
    found = related.signals(paper)
    assert found is not None and related.TOPICS in found.scores
    assert set(related.profile(set(found.scores))) == {related.TERMS, related.TOPICS}
    assert [h.uid for h in similar(paper, limit=100)][0] == "2501.10002"
    ids = [hub_with_topics[u] for u in ("2501.10001", "2501.10006", "2501.10005")]
    store_vectors(vector_name("static"), ids, np.array([[1, 0.1, 0], [0.9, 0.2, 0], [0, 0, 1]], dtype=np.float32))
    follow_vectors(vector_name("static"))
    with_vectors = related.signals(paper)
    assert with_vectors is not None
    assert set(related.profile(set(with_vectors.scores))) == {related.TERMS, related.STATIC, related.TOPICS}


def test_topics_score_only_the_other_signals_best_so_asking_for_more_keeps_the_order(hub_with_topics, monkeypatch):
    upsert_papers([record(f"2502.{i:05d}", title=f"Driver {word} in the cabin", abstract=f"Drivers and {word}.")
                   for i, word in enumerate(FIELDS["driving"], start=1)])
    from paperhub.search import update

    update(embed_new=False)
    monkeypatch.setattr(related, "DEPTH", 2)  # (each list's best 2 papers)
    paper = hub_with_topics["2501.10001"]
    deep = related.signals(paper, 100)
    assert deep is not None and related.TOPICS in deep.scores
    # a paper drawn past the other lists' best (here key terms' and authors' 2) takes its term score in the topics'
    # place: it cannot overtake one of them
    assert len(deep.scores[related.TOPICS]) <= 4 < len(deep.candidates)
    everything = [h.uid for h in similar(paper, limit=100)]
    assert [h.uid for h in similar(paper, limit=1)] == everything[:1]
    assert [h.uid for h in similar(paper, limit=3)] == everything[:3]


def test_a_paper_near_by_its_topics_alone_is_close_in_meaning():
    hit = related.Scored(9, 0.5, {"terms": 0.1, "topics": 0.4})
    assert [str(r) for r in related.reasons(hit, {"topics": {9: 1}, "terms": {9: 30}}, ["cabin"], [])] == [
        "close in meaning"]
    assert [str(r) for r in related.reasons(hit, {}, [], [])] == ["close in meaning"]  # the one adding most


def test_a_model_without_topics_leaves_the_signal_out(hub_papers_without_topics):
    found = related.signals(hub_papers_without_topics["2501.10001"])
    assert found is not None and related.TOPICS not in found.scores
    assert set(related.profile(set(found.scores))) == {related.TERMS}


@pytest.fixture
def hub_papers_without_topics(db, search_dir, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    upsert_papers(PAPERS)
    from paperhub.search import rebuild

    rebuild()
    model = embed.models_dir() / "static-older"
    model.mkdir(parents=True)
    (embed.models_dir() / "STATIC").write_text(model.name)
    return {p.uid: p.id for p in Paper.objects.all()}
