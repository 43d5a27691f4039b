"""similar(): every signal fused, from the keyword index alone onwards, each hit with its reasons."""

import json
import re
from collections import Counter

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import strip_tags

from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search import analysis, related, similar, terms, wording
from paperhub.search.indexing import vector_name
from paperhub.search.stored import store_vectors
from paperhub.search.vector_files import follow_vectors
from tests.factories import record


def test_term_weights_are_unit_tf_idf_without_function_words_or_singletons():
    counts = terms.paper_counts("Graph attention", "We propose graph attention for the molecules of 2024.")
    assert counts["graph"] == 3 and counts["attent"] == 3  # the title counts twice
    assert "we" not in counts and "propos" not in counts and "2024" not in counts
    doc_freq = {"graph": 10, "attent": 40, "molecul": 1}
    vector = terms.weights(counts, lambda t: terms.idf(doc_freq.get(t, 0), n_docs=100))
    assert set(vector) == {"graph", "attent"}  # 'molecul' is in one paper only
    assert vector["graph"] > vector["attent"]  # rarer counts more
    assert sum(w * w for w in vector.values()) == pytest.approx(1.0)
    assert terms.weights(counts, lambda t: terms.idf(90, n_docs=100)) == {}  # all in over half the papers
    linked = terms.paper_counts("Graphs", "Code at https://github.com/ada/graphs and github.io/x, or www.x.org/y.")
    assert not {"http", "https", "github", "com", "io", "www", "ada", "org"} & set(linked) and linked["graph"] == 2
    shouted = terms.paper_counts("Graphs", "See GitHub.com/Ada/graphs, HTTPS://Bob.org/x or WWW.Cy.net/y.")
    assert not {"https", "github", "com", "www", "ada", "bob", "org", "cy", "net"} & set(shouted)


def test_a_hyphenated_word_and_its_closed_form_are_one_key_term():
    """Key terms read words as the index does: "fine-tuning" is finetuning (one term, as the index holds either
    spelling), "C++" is a word (it was "c", too short to count); each shown as the paper writes it."""
    hyphenated = terms.paper_counts("Instruction fine-tuning", "We study the fine-tuning of C++ models.")
    closed = terms.paper_counts("Finetuning for code", "Finetuning C++ compilers.")
    assert hyphenated["finetun"] == 3 == closed["finetun"] and not {"fine", "tune"} & set(hyphenated)
    assert hyphenated["cplusplus"] == 1 == closed["cplusplus"] and "c" not in hyphenated
    a, b = (terms.weights(counts, lambda term: 1.0) for counts in (hyphenated, closed))
    assert terms.shared(a, b, 2) == ["finetun", "cplusplus"]
    forms = terms.surface_forms(["Instruction fine-tuning", "Fine-tuning C++ models, C#, GPT-4."])
    assert (forms["finetun"], forms["cplusplus"], forms["csharp"], forms["gpt4"]) == (
        "fine-tuning", "c++", "c#", "gpt-4")
    boilerplate = terms.paper_counts("A state-of-the-art parser", "A well-known, so-called task, up-to-date.")
    assert set(boilerplate) == {"parser", "task"}  # hyphenated boilerplate is no key term


def test_latex_commands_never_become_terms():
    counts = terms.paper_counts(r"\textsc{DiARC}: \textit{Reasoning}", r"We \emph{reason}~\cite{smith2020deep} in "
                                r"{\bf graphs} at 5\% with $\mathcal{O}(n)$ and \ours{} \url{https://a.org/x}, "
                                r"as \citet{jones2021} and \citeauthor{lee_kim} do.")
    keys = {"jones2021", "lee_kim", "lee", "kim", "citet", "citeauthor"}
    assert not {"textsc", "textit", "emph", "cite", "bf", "mathcal", "our", "smith2020deep", "url", *keys} & set(counts)
    assert counts["diarc"] == 2 and counts["reason"] == 3 and counts["graph"] == 1
    assert terms.surface_forms([r"\textsc{DiARC}: \textit{Reasoning}"]) == {"diarc": "diarc", "reason": "reasoning"}


WRITTEN = [  # (title, abstract) as arXiv gives them: TeX, hyphens, addresses, accents, signs, nothing at all
    (r"\textsc{DiARC}: $\mathcal{O}(n)$ \emph{fine-tuning}", r"We \cite{a2020} reach 5\% with $x^{2}_i$ and R^2BD."),
    ("State-of-the-art C++ and C# for GPT-4", "Fine‑tuning of well-known LLMs; see https://github.com/a/b."),
    ("Schrödinger bridges", "A Schrodinger bridge, naïve Bayes and Gödel's theorem at www.x.org/y or gitlab.io."),
    ("Graph graph GRAPH", "graph: graphs, graphing; 2024 and 3D in 10 steps."),
    ("", ""), ("The", "We propose a method."),
]


def test_stored_term_counts_are_paper_counts_exactly():
    """What the keyword index stores of a paper's terms reads back as paper_counts() itself, term for term, count
    for count and in the same order (a tf-idf norm sums in that order), on varied texts and the bundled sample."""
    from itertools import islice

    from paperhub.ingest.bundled import sample_records

    texts = WRITTEN + [(r.title, r.abstract) for r in islice(sample_records(), 500)]
    for title, abstract in texts:
        counts = terms.paper_counts(title, abstract)
        back = terms.stored_counts(terms.counts_text(counts))
        assert back == counts and list(back.items()) == list(counts.items()), title
    assert terms.counts_text(terms.paper_counts("", "")) == ""
    odd = Counter({"a:b": 1, "graph": 3, "c:": 2, "x": 1})  # a colon is never in a term today; still read back
    assert list(terms.stored_counts(terms.counts_text(odd)).items()) == list(odd.items())
    assert terms.counts_text(terms.paper_counts("Graph attention", "Graph attention for molecules.")) == \
        "graph:3 attent:3 molecul"


def test_the_index_stores_each_papers_term_counts_and_an_older_index_reads_them_from_the_text(hub_papers):
    """A hit read back from the index carries the paper's term counts as paper_counts() makes them; a document of
    an index written before they were stored falls back to its title and abstract: the same counts either way."""
    from paperhub.search.keyword_files import keyword_index
    from paperhub.search.keyword_queries import with_ids
    from paperhub.search.keyword_schema import IndexedPaper

    index = keyword_index()
    assert index is not None
    _, docs = index.search(with_ids(list(hub_papers.values())), limit=10)
    assert len(docs) == len(PAPERS)
    for _, doc in docs:
        paper = IndexedPaper.from_stored(doc)
        assert paper.counts is not None and paper.term_counts() == terms.paper_counts(paper.title, paper.abstract)
        older = IndexedPaper.from_stored({k: v for k, v in doc.items() if k != "terms"})
        assert older.counts is None and older.term_counts() == paper.term_counts()


def _served_older_index(hub_papers, monkeypatch, counts_tokenizer: str | None) -> None:
    """Serve a keyword index written as an older version did: without the term counts' field (None), or with one of
    another counts version; check similar()'s lists are today's meanwhile and again once update() has rebuilt it."""
    import tantivy

    from paperhub.search import keyword_files, keyword_schema, update

    def lists() -> list[list[tuple[str, float]]]:
        return [[(hit.uid, hit.score) for hit in similar(paper_id, limit=10)] for paper_id in hub_papers.values()]

    today = lists()
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name, tokenizer in keyword_schema.TOKENIZERS.items():
        builder.add_text_field(name, stored=name != "cats", tokenizer_name=tokenizer)
    builder.add_integer_field("day", stored=True, indexed=True, fast=True)
    builder.add_integer_field("upvotes", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("code", stored=False, indexed=True)
    if counts_tokenizer:
        builder.add_text_field("terms", stored=True, tokenizer_name=counts_tokenizer, index_option="basic")
    old = keyword_files.generations().path("g-older")
    old.mkdir()
    index = tantivy.Index(builder.build(), path=str(old))
    index.register_tokenizer(analysis.TEXT_TOKENIZER, analysis.STEMMED)
    index.register_tokenizer(analysis.NAME_TOKENIZER, analysis.PLAIN)
    if counts_tokenizer:
        index.register_tokenizer(counts_tokenizer, analysis.PLAIN)
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    with monkeypatch.context() as patched:
        patched.setattr(terms, "counts_text", lambda counts: "stale:9 count:7")  # what an older version counted
        for paper in keyword_files.indexed_papers(list(Paper.objects.values(*keyword_files._COLUMNS))):
            writer.add_document(keyword_schema.document(paper))  # (tantivy drops a field its schema lacks)
    writer.commit()
    del writer
    assert keyword_schema.stored_fields(old) == keyword_schema.FIELDS[:None if counts_tokenizer else -1]
    keyword_files.generations().serve("g-older")
    served = keyword_files.keyword_index()
    assert served is not None and served.outdated
    assert lists() == today
    assert update(embed_new=False) == len(PAPERS)  # rebuilt with today's counts stored
    assert not keyword_files.keyword_index().outdated and lists() == today


def test_an_index_from_before_stored_term_counts_gives_the_same_lists(hub_papers, monkeypatch):
    """An index written before papers' term counts were stored (today's fields but the last) is served as it is
    until rebuilt: similar() reads its papers' terms from their text, and its lists and scores are the same."""
    _served_older_index(hub_papers, monkeypatch, None)


def test_an_index_of_another_counts_version_reads_terms_from_the_text_until_rebuilt(hub_papers, monkeypatch):
    """Counts stored by another paper_counts() (another terms.COUNTS_VERSION) make the index an older one: similar()
    reads its papers' terms from their text, never the stale counts, and the watcher's update rebuilds it."""
    _served_older_index(hub_papers, monkeypatch, "term_counts_v0")


def test_cosine_key_terms_shared_and_surface_forms():
    a, b = {"graph": 0.8, "attent": 0.6}, {"graph": 0.6, "protein": 0.8}
    assert terms.cosine(a, b) == pytest.approx(0.48) == terms.cosine(b, a)
    assert terms.key_terms(a, 1) == [("graph", 0.8)]
    assert terms.shared(a, b) == ["graph"]
    assert terms.surface_forms(["Recognition of activities"])["recognit"] == "recognition"


def test_shared_terms_are_those_heavy_in_both_papers_and_rare_before_common():
    """Labels named a term heavy in one paper and light in the other (its product was largest), or a word of many
    papers ("loss") where a rarer one was shared."""
    a, b = {"loss": 0.9, "graph": 0.4}, {"loss": 0.2, "graph": 0.4}
    assert terms.shared(a, b) == ["graph", "loss"]  # 0.4 in both before 0.9 and 0.2 (its product, 0.18, was first)
    assert terms.shared(a, b, common=lambda term: term == "loss") == ["graph"]
    assert terms.shared(a, b, common=lambda term: True) == ["graph", "loss"]  # only common ones shared: shown
    assert terms.shared(a, {"protein": 1.0}) == []
    assert terms.idf(50, 1000) >= terms.label_floor(1000) > terms.idf(51, 1000)  # common: in over 5% of the hub


def test_spelt_terms_keep_one_form_per_stem_as_the_paper_writes_it():
    title, abstract = "Routing experts in MoE models", "A MoE router sends each token to experts; an expert is an MLP."
    assert wording.spelt_terms(["experts", "expert", "moe", "router", "models"], title, abstract, 3) == [
        "experts", "MoE", "router"]
    assert wording.spelt_terms(["moe", "experts", "moe experts", "tokens"], title, abstract, 3) == [
        "MoE", "experts", "token"]  # a phrase of words already said adds nothing; the paper writes "token"
    assert wording.spelt_terms(["schrodinger", "galaxies"], "Schrödinger bridges", "", 3) == [
        "schrödinger", "galaxies"]  # a word the paper does not hold stays as it is
    assert wording.spelt_terms(["inherently", "fundamental", "dynamics", "despite noise", "llm", "llms"],
                               title, abstract, 3) == ["dynamics", "llm"]  # no filler, and one of "llm" and "llms"


def test_fusion_standardises_each_signal_and_stands_in_for_missing_vectors():
    z = {"terms": {1: 2.0, 2: 0.0, 3: 1.0}, "dense": {1: 0.0}, "static": {1: 0.0, 2: 3.0, 3: 1.0}}
    fused = related.fuse(z, {"terms": 0.5, "dense": 0.5}, [1, 2, 3], {}, {})
    # 2 and 3 have no transformer vector: their static score stands in for it
    assert [(s.id, s.score) for s in fused] == [(2, 1.5), (1, 1.0), (3, 1.0)]
    bonus = related.fuse(z, {"terms": 0.5, "dense": 0.5}, [1, 2, 3], {3: 5}, {3: 0.5})
    assert bonus[0].id == 3 and bonus[0].contributions["authors"] == related.AUTHOR_BONUS * related.AUTHOR_CAP
    assert related.standardised({1: 3.0, 2: 1.0}, [1.0, 3.0]) == {1: 1.0, 2: -1.0}
    # far below one signal's tight top list is only "not its neighbour": it does not bury what another finds
    buried = related.fuse({"terms": {1: 0.0, 2: 2.0}, "static": {1: 0.5, 2: -15.0}}, {"terms": 0.6, "static": 0.4},
                          [1, 2], {}, {})
    assert buried[0].id == 2 and buried[0].contributions["static"] == 0.4 * related.FLOOR


def test_reasons_name_the_signals_that_rank_a_hit_high():
    hit = related.Scored(7, 1.0, {"terms": 0.2, "static": 0.9})
    ranks = {"terms": {7: 3}, "static": {7: 50}}
    found = related.reasons(hit, ranks, ["driver", "activity"], ["Ada Lovelace", "Alan Turing"])
    assert [str(r) for r in found] == ["same key terms: driver, activity",
                                       "shares 2 authors: Ada Lovelace, Alan Turing"]
    alone = related.reasons(related.Scored(8, 0.5, {"terms": 0.1, "static": 0.4}), {}, [], [])
    assert [r.label for r in alone] == ["close in meaning"]  # none ranks it high: the one adding most
    # "same key terms" always names them: a hit the terms rank high through a stand-in, sharing none, is not one
    nothing_shared = related.reasons(related.Scored(9, 0.5, {"terms": 0.4, "static": 0.1}), {"terms": {9: 2}}, [], [])
    assert [str(r) for r in nothing_shared] == ["close in meaning"]


PAPERS = [
    record("2501.10001", title="Video-based driver activity recognition under noisy labels",
           abstract="Driver monitoring: recognising driver activity in videos from the cabin, robust to noisy labels.",
           authors=("Ada Lovelace", "Charles Babbage"), categories=("cs.CV",)),
    record("2501.10002", title="Driver activity recognition with multi-view cabin cameras",
           abstract="We recognise distracted driver activity from cabin videos recorded by several cameras.",
           authors=("Grace Hopper",), categories=("cs.CV",)),
    record("2501.10003", title="Learning with noisy labels in image classification",
           abstract="Noisy labels hurt classifiers; a robust loss corrects the labels of images.",
           authors=("Alan Turing",), categories=("cs.LG",)),
    record("2501.10004", title="A theory of distributed ledgers",
           abstract="Consensus protocols for ledgers, proved safe under partial synchrony.",
           authors=("Ada Lovelace", "Charles Babbage"), categories=("cs.DC",)),
    record("2501.10005", title="Protein folding with diffusion",
           abstract="A diffusion model predicts protein structure from sequences.",
           authors=("Rosalind Franklin",), categories=("q-bio.BM",)),
    record("2501.10006", title="Sign language recognition from videos",
           abstract="Recognising signs in videos with a transformer over hand keypoints.",
           authors=("Barbara Liskov",), categories=("cs.CV",)),
]


@pytest.fixture
def hub_papers(db, search_dir):
    upsert_papers(PAPERS)
    from paperhub.search import rebuild

    rebuild()
    return {p.uid: p.id for p in Paper.objects.all()}


def test_a_hub_without_vectors_gets_a_full_list_from_terms_and_authors(hub_papers):
    hits = similar(hub_papers["2501.10001"], limit=10)
    uids = [h.uid for h in hits]
    assert uids[0] == "2501.10002"  # same key terms (driver activity recognition, videos)
    assert set(uids) >= {"2501.10002", "2501.10003", "2501.10004"}  # 10004 only by its authors
    labels = {h.uid: [str(r) for r in h.reasons] for h in hits}
    assert labels["2501.10002"][0].startswith("same key terms: ")
    assert "driver" in labels["2501.10002"][0] and "activity" in labels["2501.10002"][0]
    assert "shares 2 authors: Ada Lovelace, Charles Babbage" in labels["2501.10004"]
    assert "2501.10001" not in uids


def test_asking_for_fewer_gives_the_first_of_the_same_order(hub_papers):
    everything = [h.uid for h in similar(hub_papers["2501.10001"], limit=100)]
    assert [h.uid for h in similar(hub_papers["2501.10001"], limit=2)] == everything[:2]


def test_vectors_add_meaning_where_papers_have_them(hub_papers):
    ids = [hub_papers[u] for u in ("2501.10001", "2501.10006", "2501.10005")]
    store_vectors(vector_name("static"), ids, np.array([[1, 0.1, 0], [0.9, 0.2, 0], [0, 0, 1]], dtype=np.float32))
    follow_vectors(vector_name("static"))
    hits = {h.uid: h for h in similar(hub_papers["2501.10001"], limit=10)}
    assert "close in meaning" in [r.label for r in hits["2501.10006"].reasons]
    assert hits["2501.10006"].score > hits["2501.10005"].score


def test_a_paper_without_words_or_vectors_is_matched_by_its_authors(hub_papers):
    upsert_papers([record("2501.10009", title="The", abstract="", authors=("Grace Hopper",), categories=("cs.CV",))])
    from paperhub.search import update

    update(embed_new=False)
    hits = similar(Paper.objects.get(uid="2501.10009").id)
    assert [h.uid for h in hits] == ["2501.10002"] and str(hits[0].reasons[0]) == "shares 1 author: Grace Hopper"


def test_a_paper_not_indexed_yet_has_no_list(db, search_dir):
    upsert_papers(PAPERS[:1])
    assert similar(Paper.objects.get().id) == []


def test_command_and_api_carry_the_reasons(hub_papers, client, capsys):
    with pytest.raises(CommandError, match="name a paper"):
        call_command("similar", " ")
    with pytest.raises(CommandError, match="no paper '2501.99999' in the hub"):
        call_command("similar", "2501.99999")
    with pytest.raises(CommandError, match="out of range"):
        call_command("similar", "2501.10001", "--limit", "-1")
    call_command("similar", "2501.10001", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["similar"][0]["id"] == "2501.10002"
    assert out["similar"][0]["reasons"][0]["label"] == "same key terms"
    call_command("similar", "2501.10001")
    text = capsys.readouterr().out
    assert "same key terms: " in text and "shares 2 authors: Ada Lovelace, Charles Babbage" in text
    answer = client.get("/api/papers/2501.10001/similar?limit=3").json()
    assert answer[0]["id"] == "2501.10002" and answer[0]["similarity"]["reasons"][0]["signal"] == "terms"
    page = client.get("/papers/2501.10001").content.decode()
    assert "same key terms: " in page and "shares 2 authors" in page
    # each reason on its hit's date line, after " · " (they began their own lines with a stray "· ")
    hits = [strip_tags(hit) for hit in re.findall(r'<p class="similar">.*?</p>', page, re.S)]
    assert hits and all(re.search(r"\d{4} · (same key terms|shares \d authors)", hit) for hit in hits), hits


@pytest.mark.parametrize("first, second, written", [
    # "same key terms: educational, llms, ask": the words came lower-cased
    (("Asking LLMs for tutoring", "We ask LLMs to tutor students."), ("LLMs as tutors", "Tutoring students with LLMs."),
     "LLMs"),
    # "same key terms: swe, agents": a part of "SWE-bench" came lower-cased
    (("Agents on SWE-bench", "Coding agents solve SWE-bench issues."),
     ("SWE-bench agents", "Patching issues of SWE-bench by agents."), "SWE"),
])
def test_shared_key_terms_are_named_as_the_paper_writes_them(db, search_dir, first, second, written):
    from paperhub.search import rebuild

    upsert_papers([record("2501.20001", title=first[0], abstract=first[1]),
                   record("2501.20002", title=second[0], abstract=second[1])])
    rebuild()
    ids = {p.uid: p.id for p in Paper.objects.all()}
    [hit] = similar(ids["2501.20001"], limit=10)
    assert written in str(hit.reasons[0]) and written.lower() not in str(hit.reasons[0])


def test_a_word_of_many_papers_is_no_label_while_a_rarer_one_is_shared(db, search_dir):
    """"same key terms: models, graph": "models", in 5 of the hub's 45 papers, came first (heaviest in both)."""
    from paperhub.search import rebuild

    upsert_papers([record("2501.30001", title="Graph models", abstract="Graph models of molecules: models, models."),
                   record("2501.30002", title="Graph models for proteins", abstract="Models of graph nodes, models."),
                   *[record(f"2501.3{i:04d}", title=f"Models of ledgers {i}", abstract="Consensus models.")
                     for i in range(3, 6)],
                   *[record(f"2501.3{i:04d}", title=f"Ledgers {i}", abstract="Consensus protocols for ledgers.")
                     for i in range(6, 46)]])
    rebuild()
    ids = {p.uid: p.id for p in Paper.objects.all()}
    hits = {h.uid: h for h in similar(ids["2501.30001"], limit=10)}
    assert str(hits["2501.30002"].reasons[0]) == "same key terms: graph"


def test_labels_name_topic_words_not_filler_and_each_idea_once(db, search_dir):
    """"same key terms: salient, various, powerful", "Mamba, mamba-based, alternative": filler the two papers share
    (rarer than a topic word here) came before their topic, and a word beside its hyphenated compound."""
    from paperhub.search import rebuild

    filler = "Thereby, various powerful alternative designs, thereby various powerful alternatives."
    upsert_papers([record("2501.40001", title="Salient Mamba", abstract=f"Salient objects by a Mamba-based scan. {filler}"),
                   record("2501.40002", title="Mamba for salient cues", abstract=f"A Mamba-based salient cue. {filler}"),
                   *[record(f"2501.4{i:04d}", title=f"Ledgers {i}", abstract="Consensus protocols for ledgers.")
                     for i in range(3, 45)]])
    rebuild()
    ids = {p.uid: p.id for p in Paper.objects.all()}
    hits = {h.uid: h for h in similar(ids["2501.40001"], limit=10)}
    assert str(hits["2501.40002"].reasons[0]) == "same key terms: salient, mamba"


def test_shown_terms_skip_filler_and_a_word_said_twice():
    a, b = {"therebi": 0.9, "graph": 0.3, "loss": 0.5}, {"therebi": 0.9, "graph": 0.3, "loss": 0.5}
    assert terms.shared(a, b, shown=lambda term: term != "therebi") == ["loss", "graph"]
    assert terms.shared(a, b, None, lambda t: t == "loss", lambda t: t == "loss") == ["loss"]  # common, but shown
    assert wording.one_idea_each(["Mamba", "mamba-based", "LLM", "LLMs", "graphs", "graph-based", "class"], 9) == [
        "Mamba", "LLM", "graphs", "class"]
    assert wording.one_idea_each(["GNN-based", "GNNs", "graph", "nodes"], 2) == ["GNN-based", "graph"]
    assert not wording.same_idea("graph", "graphene") and not wording.same_idea("class", "clas")
