"""Semantic search with the real bundled all-MiniLM-L6-v2 (a few papers, so it stays quick)."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from paperhub.papers.models import Paper
from paperhub.search import embed, queries, search, similar, update
from paperhub.search.indexing import coverage, embed_missing
from paperhub.search.keyword import KeywordIndex
from paperhub.search.models import PaperVector
from paperhub.search.vector_files import rebuild_vectors, vector_path
from tests.search.conftest import PAPERS


@pytest.fixture(scope="module")
def minilm():
    return embed.TransformerEmbedder(embed.BUNDLED)


@pytest.fixture
def embedded(indexed, minilm, monkeypatch):
    monkeypatch.setattr(embed, "transformer", lambda: minilm)
    assert embed_missing(minilm.name, minilm) == len(indexed)
    return minilm


def test_bundled_weights_are_verified(monkeypatch):
    assert embed.sha256_of(embed.bundled_minilm() / "model.safetensors") == embed.MINILM_SHA256
    monkeypatch.setattr(embed, "MINILM_SHA256", "0" * 64)
    with pytest.raises(embed.ModelError, match="refusing to load"):
        embed.bundled_minilm()


def test_any_model_by_path(settings):
    path = str(embed.bundled_minilm())
    model = embed.TransformerEmbedder(path, max_tokens=64)
    vectors = model.encode(["graph neural networks", "protein folding"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    with pytest.raises(embed.ModelError):
        embed.TransformerEmbedder("/nonexistent/model")
    # Past MiniLM's 512 positions: refused as it loads, naming the setting (it was torch's "The size of tensor a
    # (1000) must match the size of tensor b (512)").
    with pytest.raises(embed.ModelError) as refused:
        embed.TransformerEmbedder(path, max_tokens=1000)
    assert str(refused.value) == f"PAPERHUB_EMBED_MAX_TOKENS is 1,000: the model {path!r} takes at most 512 tokens"


def test_longest_first_batching_keeps_input_order(minilm):
    texts = ["short", "a much longer text about graph neural networks and attention " * 5, "medium length text"]
    together = minilm.encode(texts)
    alone = np.vstack([minilm.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-3)


def test_direct_tokenizer_gives_the_models_own_vectors(minilm):
    texts = ["Graph Neural Networks", "Zürich: naïve Bayes über alles", "attention is all you need " * 100, "x",
             "a [SEP] b [CLS]", ""]
    assert minilm.direct is not None
    ours = minilm.encode(texts)
    theirs = minilm.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(minilm.direct.embed(minilm.model, texts, 3), minilm.direct.embed(minilm.model, texts, 1),
                       atol=1e-5)  # batches of any size, the last one short


def test_a_direct_tokenizer_that_disagrees_is_not_used(minilm):
    # truncating at 16 tokens where the model reads 256: the long probe comes out different
    assert embed._DirectTokenizer.checked(minilm.model, max_tokens=16) is None
    assert embed._DirectTokenizer.checked(minilm.model, max_tokens=minilm.max_tokens) is not None


def test_a_model_that_cannot_embed_its_token_limit_fails_at_load(minilm):
    minilm.model.max_seq_length = 600  # past MiniLM's 512 positions: a long abstract would fail at its first batch
    try:
        with pytest.raises(embed.ModelError, match="cannot embed a text of 600 tokens"):
            embed._DirectTokenizer.checked(minilm.model, max_tokens=600)
    finally:
        minilm.model.max_seq_length = minilm.max_tokens


def test_semantic_search_finds_meaning_not_words(embedded):
    results = search("predicting chemical properties of compounds", mode="semantic")
    assert results.hits[0].uid == "2501.00005"
    assert results.semantic_models == ["dense"]
    answer = Client().get(reverse("api:search"), {"q": "predicting chemical properties of compounds"}).json()
    assert answer["semantic_models"] == ["transformer"]  # as the docs and the CLI name it


def test_hybrid_fuses_both(embedded):
    results = search("graph attention")
    assert {"2501.00001", "2501.00005"} == {h.uid for h in results.hits[:2]}
    top = results.hits[0]
    assert set(top.ranks) == {"keyword", "dense"}
    # The command names the model as the docs and --model do ("keyword + semantic: dense" before).
    out = StringIO()
    call_command("search", "graph attention", stdout=out)
    assert out.getvalue().splitlines()[0].endswith(" results (keyword + semantic: transformer)"), out.getvalue()


def test_whether_a_query_names_a_person_is_worked_out_once_a_search(embedded, monkeypatch):
    """The keyword query and the scores of papers found by meaning alone (fuse) read one answer: it was worked out
    twice in hybrid search (three times, had the keyword path run too)."""
    asked = []
    may_name_person = KeywordIndex.may_name_person
    monkeypatch.setattr(KeywordIndex, "may_name_person", lambda self, parsed: asked.append(parsed.text)
                        or may_name_person(self, parsed))
    results = search("protein folding")
    assert {"keyword", "dense"} <= {kind for hit in results.hits for kind in hit.ranks}  # found both ways
    assert len(results.hits) > 1 and asked == ["protein folding"]


def test_semantic_hits_respect_filters(embedded):
    results = search("neural networks cat:cs.CL", mode="semantic")
    assert [h.uid for h in results.hits] == ["2501.00003"]
    results = search("molecules -author:lovelace", mode="semantic")
    assert all(h.uid not in ("2501.00001", "2501.00005") for h in results.hits)
    Paper.objects.filter(uid="2501.00002").update(code_url="https://github.com/x/y", changed_at=timezone.now())
    update()  # the index learns which paper has code
    for mode in ("semantic", "hybrid"):
        assert [h.uid for h in search("molecules has:code", mode=mode).hits] == ["2501.00002"], mode


def test_a_search_emptied_by_a_filter_counts_the_search_without_it_as_that_search_finds_papers(embedded, client,
                                                                                                monkeypatch):
    """The link's search also finds papers by meaning: its own total is the count, not its keyword matches (2 of
    the 5 papers hold "graph"), and counting it embeds nothing new (the search's embedding is reused)."""
    assert search("graph").total == 5 and search("graph", mode="keyword").total == 2
    search("graph cat:cs.XX")  # (its embedding made, as the page's search makes it)
    encode, embedded_texts = embedded.encode, []
    monkeypatch.setattr(embedded, "encode", lambda texts: embedded_texts.extend(texts) or encode(texts))
    why = search("graph cat:cs.XX", explain=True).why
    assert [(p.words, p.without, p.by_words) for p in why] == [("in cs.XX", 5, False)]
    assert [(p.without, p.by_words) for p in search("graph cat:cs.XX", mode="semantic", explain=True).why] == \
        [(search("graph", mode="semantic").total, False)]
    assert embedded_texts == []
    assert [(p.without, p.by_words) for p in search("graph cat:cs.XX", mode="keyword", explain=True).why] == [(2, False)]
    # without a quoted phrase no paper holds the text differs: its keyword matches, which its search may top up
    why = search('graph "zebra crossing"', explain=True).why
    assert [(p.words, p.without, p.by_words) for p in why] == [("holding “zebra crossing”", 2, True)]
    page = client.get("/papers/search", {"q": 'graph "zebra crossing"'}).content.decode()
    assert '<a href="/papers/search?q=graph">at least 2 results without it</a>' in page


@pytest.mark.parametrize("head", [1, 2, 100])
def test_hybrid_pages_are_one_list_with_an_exact_total(embedded, monkeypatch, head):
    """The fused head is the same on every page, then come the other keyword matches: no page repeats or skips a
    paper, every keyword match is reached, and the total counts exactly what the pages hold."""
    monkeypatch.setattr(queries, "CANDIDATES", head)
    for query in ("models", "graph attention", "language models cat:cs.CL"):
        matches = {h.uid for h in search(query, mode="keyword").hits}
        pages = [search(query, limit=1, offset=offset) for offset in range(len(PAPERS) + 2)]
        uids = [h.uid for page in pages for h in page.hits]
        assert len(uids) == len(set(uids)) == pages[0].total, (query, uids)
        assert {page.total for page in pages} == {pages[0].total}
        assert matches <= set(uids) and matches
        whole = search(query, limit=len(PAPERS)).hits
        assert [h.uid for h in whole] == uids  # one page or many: one list
        scores = [h.score for h in whole]
        assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)  # falling past the head
        assert [h.ranks for h in whole] == [h.ranks for page in pages for h in page.hits]  # whatever the page size
    monkeypatch.setattr(queries, "SEMANTIC_DEPTH", 3)
    pages = [search("molecules", mode="semantic", limit=2, offset=offset).total for offset in (0, 2, 4)]
    assert pages == [3, 3, 3]


def test_similar_papers(embedded):
    paper = Paper.objects.get(uid="2501.00001")
    hits = similar(paper.id, limit=3)
    assert hits[0].uid == "2501.00005" and paper.uid not in [h.uid for h in hits]


def test_vectors_rebuild_from_the_database_without_embedding(embedded, monkeypatch):
    vector_path(embedded.name).unlink()
    monkeypatch.setattr(embedded, "encode", lambda texts: pytest.fail("re-embedded"))
    assert rebuild_vectors(embedded.name) == 5
    assert coverage().vectors == {"minilm": 5}
    assert PaperVector.objects.count() == 5
    stored = PaperVector.objects.first().as_array()
    assert stored.shape == (384,)


@pytest.mark.parametrize("query", ["zzzzqqq", "asdfgh qwerty", "the zzzzqqq of xkcdq"])
def test_a_query_of_no_word_the_hub_knows_finds_nothing(embedded, query):
    """Every vector has nearest neighbours: without the rule, gibberish got every paper by meaning alone."""
    for mode in ("hybrid", "semantic"):
        results = search(query, mode=mode)
        assert (results.hits, results.total, results.semantic_models) == ([], 0, []), mode


def test_the_front_doors_say_gibberish_matches_nothing(embedded, client):
    page = client.get("/papers/search", {"q": "zzzzqqq"}).content.decode()
    assert "No papers match." in page and "2501.0000" not in page
    assert client.get("/api/search", {"q": "zzzzqqq"}).json() == {"total": 0, "hits": [], "semantic_models": [], "suggestion": None, "corrected": False, "semantic_pending": False, "found_as_typed": False, "emptied_by": [], "left_out": [], "next": None}
    out = StringIO()
    call_command("search", "zzzzqqq", stdout=out)
    assert out.getvalue() == "0 results\n"


def test_a_paraphrase_in_the_hubs_words_still_finds_papers_by_meaning(embedded):
    # "protein" and "structures" are the hub's words (2501.00002 holds both), the molecules paper holds neither
    for mode in ("hybrid", "semantic"):
        hits = search("protein structures", mode=mode).hits
        assert [h.uid for h in hits[:2]] == ["2501.00002", "2501.00005"], mode
        assert "keyword" not in hits[1].ranks and hits[1].ranks["dense"] == 2, mode


def test_a_known_word_beside_gibberish_is_searched_as_before(embedded):
    results = search("protein zzzzqqq")
    assert results.hits[0].uid == "2501.00002" and results.semantic_models == ["dense"]
    assert set(results.hits[0].ranks) == {"keyword", "dense"} and len(results.hits) == len(PAPERS)


def test_a_quoted_phrase_is_required_of_every_result(embedded):
    """Papers found by meaning alone came in beside it: a phrase no paper holds gave a page of papers."""
    for mode in ("hybrid", "semantic", "keyword"):
        assert [h.uid for h in search('"diffusion model" protein', mode=mode).hits] == ["2501.00002"], mode
        assert search('"sparse protein folding" graph', mode=mode).hits == [], mode
    assert {h.uid for h in search("graph attention").hits} >= {"2501.00001", "2501.00005", "2501.00002"}


def test_a_name_alone_is_searched_by_its_papers_not_by_meaning(embedded):
    """"Ghosh" by relevance listed 12 papers of hers and 100 by meaning, under a chart of 12."""
    results = search("lovelace")
    assert {h.uid for h in results.hits} == {"2501.00001", "2501.00005"} and results.semantic_models == []
    assert search("lovelace molecules").semantic_models == ["dense"]  # a topic beside the name: by meaning too


def test_before_any_vector_the_front_doors_say_the_ranking_is_by_words_alone(indexed, client, minilm, monkeypatch):
    """A new hub's first minutes: keyword results only, and the page, the API and the CLI say so."""
    monkeypatch.setattr(embed, "transformer", lambda: minilm)
    results = search("protein")
    assert results.semantic_pending and results.semantic_models == [] and results.hits
    assert not search("lovelace").semantic_pending  # a name is searched by words in any case
    page = client.get("/papers/search", {"q": "protein"}).content.decode()
    assert "by words alone for now: ranking by meaning starts once the papers' vectors are built" in page
    assert client.get("/api/search", {"q": "protein"}).json()["semantic_pending"] is True
    out = StringIO()
    call_command("search", "protein", stdout=out)
    assert out.getvalue().startswith("1 result (by words alone until the papers' vectors are built)\n")
    embed_missing(minilm.name, minilm)
    assert not search("protein").semantic_pending
    assert "by words alone" not in client.get("/papers/search", {"q": "protein"}).content.decode()


def test_a_lone_typo_gets_its_corrections_papers_not_papers_near_it_in_meaning(indexed, minilm, monkeypatch, client):
    """"protien" alone gave 100 papers found by meaning (the typo is a letter from a known word), none holding it,
    and no correction: the page promised "No papers match “protien”. Showing results for protein."."""
    from paperhub.papers.services import upsert_papers
    from paperhub.search import rebuild
    from tests.factories import record

    monkeypatch.setattr(embed, "transformer", lambda: minilm)
    upsert_papers([record(f"2502.0001{n}", title="Protein folding", abstract="Protein structures from sequences.")
                   for n in range(3)])
    rebuild()
    embed_missing(minilm.name, minilm)
    assert search("protien").total  # as typed (feeds, digests): the papers near it in meaning, as before
    found = search("protien", correct=True)
    assert found.corrected and found.suggestion.query == "protein"
    assert {h.uid for h in found.hits[:4]} == {"2501.00002", "2502.00010", "2502.00011", "2502.00012"}
    page = client.get("/papers/search", {"q": "protien"}).content.decode()
    assert "No papers match “protien”. Showing results for" in page
    found = search("protien structures", correct=True)  # a word of it finds papers, none holds both: taken
    assert found.corrected and found.found_as_typed and found.suggestion.query == "protein structures"


def test_a_roberta_models_token_limit_is_its_positions_less_those_it_keeps_back():
    """RoBERTa-like models have 514 positions and take 512 tokens (their positions start after the padding's id)."""
    from types import SimpleNamespace

    def model(positions: int, model_type: str) -> list[SimpleNamespace]:
        config = SimpleNamespace(max_position_embeddings=positions, model_type=model_type, pad_token_id=1)
        return [SimpleNamespace(auto_model=SimpleNamespace(config=config))]

    assert embed._positions(model(514, "xlm-roberta")) == 512
    assert embed._positions(model(512, "bert")) == 512
    assert embed._positions([]) is None
