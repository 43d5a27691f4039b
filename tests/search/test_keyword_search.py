import json
import re
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search import Filters, coverage, first_results, search, update, volume
from tests.factories import record


def uids(results):
    return [h.uid for h in results.hits]


def test_words_rank_matching_papers(indexed):
    results = search("graph transformers", mode="keyword")
    assert set(uids(results)[:2]) == {"2501.00001", "2501.00005"}
    assert results.total >= 2


def test_phrase_author_category_and_exclusion(indexed):
    assert uids(search('"in-context learning"', mode="keyword")) == ["2501.00003"]
    assert uids(search("author:lovelace", mode="keyword", sort="newest")) == ["2501.00005", "2501.00001"]
    assert uids(search('author:"Ada Lovelace" graph -molecules', mode="keyword")) == ["2501.00001"]
    assert set(uids(search("cat:cs.LG", mode="keyword"))) == {"2501.00001", "2501.00002", "2501.00005"}
    assert set(uids(search("cat:q-bio", mode="keyword"))) == {"2501.00002"}
    assert "2501.00002" not in uids(search("diffusion OR graph -cat:q-bio", mode="keyword"))


def test_the_syntax_says_every_filter_as_the_filters_do(indexed):
    """Several author:s are all of them (papers they wrote together), the author filter any of its names;
    since:/until: bound the dates, as the date filters, and beside them each holds."""
    assert uids(search("author:lovelace author:babbage", sort="newest")) == ["2501.00001"]
    assert uids(search("author:turing author:franklin", sort="newest")) == []  # no paper of both
    assert uids(search("", Filters(authors=("turing", "franklin")), sort="newest")) == ["2501.00003", "2501.00002"]
    assert uids(search("author:lovelace", Filters(authors=("babbage", "turing")), sort="newest")) == ["2501.00001"]
    in_window = Filters(since=date(2025, 2, 1), until=date(2025, 4, 30))
    for query, filters in (("since:2025-02-01 until:2025-04-30", Filters()), ("", in_window),
                           ("since:2025-01-01 until:2025-04-30", Filters(since=date(2025, 2, 1))),
                           ("since:2025-02-01 until:2025-12-31", in_window)):
        assert uids(search(query, filters)) == ["2501.00004", "2501.00003", "2501.00002"], (query, filters)
    assert uids(search("graph until:2025-03-01", mode="keyword")) == ["2501.00001"]
    assert search("graph until:2025-03-01").total == 1  # hybrid too: papers near in meaning keep to the dates
    assert search("since:2025-05-01 until:2025-01-01").total == 0  # an empty window, no error
    assert search("graph since:2025-02-30").total == 0  # no date: nothing rather than every date
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="since: must be a date"):  # and the command says why
        call_command("search", "graph since:2025-02-30", stdout=StringIO())


def test_date_and_vote_order_list_papers_holding_every_word(indexed):
    from paperhub.search import volume

    """Newest first nothing puts the best matches on top: "graph diffusion" listed papers holding either word (a
    search feed, newest first, filled with loose matches); function words are not required."""
    assert set(uids(search("graph diffusion", mode="keyword"))) == {"2501.00001", "2501.00002", "2501.00005"}
    assert uids(search("graph diffusion", sort="newest")) == []
    assert uids(search("graph attention", sort="newest")) == ["2501.00005", "2501.00001"]
    assert uids(search("attention to molecules", sort="upvotes")) == ["2501.00005"]  # which has no "to"
    assert uids(search("lovelace sparse", sort="newest")) == ["2501.00005"]  # a word may be an author's name
    # a quoted name is a phrase an author's name may hold too
    assert uids(search('"ada lovelace"', sort="newest")) == ["2501.00005", "2501.00001"]
    assert uids(search('"Ada Lovelace" graph', mode="keyword")) == ["2501.00005", "2501.00001"]
    assert volume('"ada lovelace"').total == 2 and uids(search('"lovelace ada"', mode="keyword")) == []
    assert volume("lovelace sparse").total == 1 and volume("lovelace").total == 2  # the chart counts the same papers
    assert search("graph attention", sort="newest").total == 2
    # only filler words are let off: "based" or "one" is a topic ("knowledge base", "one shot"); a query of
    # fillers alone needs them all
    assert uids(search("sparse one", sort="newest")) == []
    assert search("the", sort="newest").total < len(indexed)


def test_filters_sort_and_pages(indexed):
    f = Filters(since=date(2025, 2, 1), until=date(2025, 4, 30))
    assert uids(search("", f)) == ["2501.00004", "2501.00003", "2501.00002"]
    assert uids(search("", Filters(categories=("cs.LG",)), limit=2)) == ["2501.00005", "2501.00002"]
    assert uids(search("", Filters(categories=("cs.LG",)), limit=2, offset=2)) == ["2501.00001"]
    assert uids(search("", Filters(authors=("Grace Hopper",)))) == ["2501.00004"]


def test_highlights_are_escaped(indexed):
    hit = search("script renderers", mode="keyword").hits[0]
    assert "<script>" not in hit.title_html and "&lt;<mark>script</mark>&gt;" in hit.title_html
    assert "<b>" not in hit.snippet_html and "&lt;b&gt;" in hit.snippet_html


def test_filler_words_are_not_marked(indexed):
    """"RL for robots" marked "for" 33 times a page: a word the search does not score is not marked, in a phrase
    neither."""
    hit = search("graph transformers for molecules", mode="keyword").hits[0]
    assert hit.title_html == "Sparse <mark>Graph</mark> <mark>Transformers</mark> for <mark>Molecules</mark>"
    hit = search('"attention to message passing on graphs"', mode="keyword").hits[0]
    assert "<mark>to</mark>" not in hit.snippet_html and "<mark>on</mark>" not in hit.snippet_html
    assert "<mark>message</mark> <mark>passing</mark>" in hit.snippet_html
    newest = search("graph transformers for molecules", sort="newest").hits  # (date order marks its own hits)
    assert [h.title_html for h in newest] == ["Sparse <mark>Graph</mark> <mark>Transformers</mark> for "
                                               "<mark>Molecules</mark>"]


def test_an_arxiv_id_finds_its_paper(indexed):
    for pasted in ("2501.00003", " arXiv:2501.00003v2 ", "https://arxiv.org/abs/2501.00003", "arxiv.org/pdf/2501.00003v1"):
        for mode, sort in (("hybrid", "relevance"), ("keyword", "relevance"), ("semantic", "newest")):
            results = search(pasted, mode=mode, sort=sort)
            assert (uids(results), results.total) == (["2501.00003"], 1), (pasted, mode)
    assert (uids(search("2501.00003", offset=20)), search("2501.00003", offset=20).total) == ([], 1)
    for mode in ("keyword", "hybrid"):  # not on the hub: nothing (not the papers nearest to a number)
        assert (uids(search("2501.09999", mode=mode)), search("2501.09999", mode=mode).total) == ([], 0)
    assert uids(search("https://huggingface.co/papers/2501.00003")) == ["2501.00003"]
    assert "2501.00003" not in uids(search("2501.00003 graph", mode="keyword"))  # an id among words is a word
    # filters stay filters (a saved search runs with a date window): the id is then a word like any other
    assert uids(search("2501.00003", Filters(since=date(2025, 6, 1)))) == []


def test_ids_pasted_with_their_surroundings_find_their_papers(indexed):
    """What a researcher pastes (a PDF's margin stamp, an address with its ?query, a DOI) is the paper; two ids are
    both papers, in their order, one not on the hub left out."""
    for pasted in ("arXiv:2501.00003v2 [cs.CL] 10 Mar 2025", "[2501.00003]", "2501.00003.", "doi:10.48550/arXiv.2501.00003",
                   "https://arxiv.org/abs/2501.00003?context=cs"):
        assert uids(search(pasted)) == ["2501.00003"], pasted
    both = search("2501.00005, 2501.09999 and arXiv:2501.00001", limit=1)
    assert (uids(both), both.total) == (["2501.00005"], 2)
    assert uids(search("2501.00005 2501.00001", offset=1)) == ["2501.00001"]


def test_a_journal_doi_finds_its_paper_and_nothing_else(indexed):
    """`10.1103/PhysRevE.52.895`, the DOI a paper's journal version has, found nothing; as a doi.org address, thousands
    of papers holding its digits."""
    Paper.objects.filter(uid="2501.00003").update(doi="10.1103/PhysRevE.52.895")
    for pasted in ("10.1103/PhysRevE.52.895", "doi:10.1103/PhysRevE.52.895", "https://doi.org/10.1103/PhysRevE.52.895",
                   "https://dx.doi.org/10.1103/PhysRevE.52.895."):
        results = search(pasted)
        assert (uids(results), results.total, results.suggestion) == (["2501.00003"], 1, None), pasted
    Paper.objects.filter(uid="2501.00005").update(doi="10.1145/abc.def")  # stored in lower case, pasted in upper
    assert uids(search("10.1145/ABC.DEF")) == ["2501.00005"]
    assert (uids(search("10.1103/PhysRevE.99.999")), search("10.1103/PhysRevE.99.999").total) == ([], 0)
    assert uids(search("10.1103/PhysRevE.52.895", Filters(since=date(2030, 1, 1)))) == []  # filters stay filters


def test_a_query_of_filler_words_alone_is_told_to_add_a_word(indexed):
    """"the of and" as words matched nearly every paper, topped by authors named "The"."""
    for query in ("the of and", "the", "a", "The Of"):
        results = search(query)
        assert (results.hits, results.total) == ([], 0) and "add a word" in results.query.problem, query
    assert "add a word" in volume("the of").problem
    # a word, a phrase, a field, a filler word in capitals (an acronym: the WHO, IT): searched
    for query in ("the graph", '"the of"', "author:the", "cat:cs.LG the", "WHO", "IT"):
        assert not search(query).query.problem, query
    assert uids(search("the sparse", mode="keyword")) == ["2501.00005"]


def test_a_word_too_long_to_be_indexed_finds_nothing_and_says_why(indexed):
    """The index drops words of 40 letters or more: such a word alone was no words, and listed every paper."""
    long = "pneumonoultramicroscopicsilicovolcanoconiosis"  # 45 letters
    for query in (long, f"{long} {long[:-1]}", f'"{long} graph"', f"ti:{long}", f"abs:{long} graph", f"author:{long}",
                  f"{long} has:code", f"{long} -graph", f"{long} !!!", "é" * 20):
        results = search(query)
        assert (results.hits, results.total) == ([], 0) and "not indexed" in results.query.problem, query
        assert "not indexed" in volume(query).problem and not results.left_out_note
    assert not search(long[:39]).query.problem  # 39 letters: indexed, and searched (nothing holds it)
    assert search(long[:39]).total == 0


def test_a_word_too_long_to_be_indexed_beside_words_is_left_out_and_said(indexed):
    """Beside words the index reads (or a filter), such a word is left out, as a word of signs is, and said: the
    rest is searched rather than the whole query refused."""
    long = "pneumonoultramicroscopicsilicovolcanoconiosis"
    results = search(f"sparse {long}", mode="keyword")
    assert (uids(results), results.query.problem, results.query.left_out) == (["2501.00005"], "", (long,))
    assert results.query.text == "sparse" and results.left_out_note.startswith(f"Left out: “{long}”; words of 40 letters")
    assert uids(search(f"{long} cat:cs.CR")) == ["2501.00004"]  # beside a filter: the filter lists
    assert volume(f"sparse {long}").total == volume("sparse").total == 1
    assert search("sparse").left_out_note == ""


def test_a_query_of_signs_alone_finds_nothing_and_says_why(indexed):
    """"!!!" or "___" has no word the index holds: read as no words, it listed every paper."""
    for query in ("!!!", "___", "+++ ---", "'{}'", "\x01\x02", "\\", "}{", "\\" * 500, "$" * 500):
        results = search(query)
        assert (results.hits, results.total) == ([], 0) and "no word to search for" in results.query.problem, query
    assert uids(search("___ sparse", mode="keyword")) == ["2501.00005"]  # beside a word: left out
    assert uids(search("___ cat:cs.CR")) == ["2501.00004"]  # beside a filter: the filter lists
    assert search("").total == 5  # nothing typed: every paper, newest first, as before


def test_a_query_without_words_lists_newest_first(indexed):
    """author: or cat: alone, or exclusions alone, rank nothing: newest first, as a filter alone lists them."""
    assert uids(search("author:lovelace")) == ["2501.00005", "2501.00001"]
    assert uids(search("cat:cs.LG")) == ["2501.00005", "2501.00002", "2501.00001"]
    assert uids(search("-graph")) == ["2501.00004", "2501.00003", "2501.00002"]


def test_first_results_page_through_search(indexed, monkeypatch):
    from paperhub.search import queries

    asked = []
    real = queries.search
    monkeypatch.setattr(queries, "search", lambda *a: asked.append(a[3:5]) or real(*a))
    every = first_results("", 250)  # five papers: one page asked for 100, and the short answer ends it
    assert asked == [(100, 0)] and [h.uid for h in every.hits] == uids(search("", limit=100))
    assert every.total == 5
    monkeypatch.setattr(queries, "search", lambda q, f, s, limit, offset, *rest: real(q, f, s, min(limit, 2), offset,
                                                                                     *rest))
    paged = first_results("", 5)  # a page shorter than asked is the last: no more are asked for
    assert [h.uid for h in paged.hits] == uids(search("", limit=100))[:2]


def test_pages_stop_at_the_last_offset(indexed):
    past = search("graph", offset=10_001)
    assert past.hits == [] and past.total == search("graph").total > 0


def test_the_search_command_prints_results_people_read(indexed):
    out = StringIO()
    call_command("search", "graph", "--mode", "keyword", stdout=out)
    assert out.getvalue().startswith("2 results\n") and "Ada Lovelace · 2025-05-10 · cs.LG" in out.getvalue()
    out = StringIO()
    call_command("search", "2501.00003", "--json", stdout=out)
    found = json.loads(out.getvalue())
    assert (found["total"], found["results"][0]["published"]) == (1, "2025-03-10")


@pytest.mark.parametrize("argv, message", [
    (["--limit", "0"], "0 is out of range: from 1 to 100"), (["--limit", "100000"], "out of range"),
    (["--offset", "-3"], "-3 is out of range: from 0 to 10,000"), (["--limit", "ten"], "not a whole number: 'ten'"),
    (["--since", "2025-13-01"], "not a date (YYYY-MM-DD)"),
])
def test_the_search_command_refuses_what_it_cannot_do(indexed, argv, message):
    """`--offset -3` numbered results -2., -1., 0.; `--limit 0` and `--limit -5` answered one result."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("search", "graph", *argv, stdout=StringIO())


@pytest.mark.parametrize("hostile", ['"', "(((", "AND OR NOT", "title:", "*", "-", "cat:", "author:\"", "\\",
                                     "' OR 1=1 --", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃", "a" * 5000, "\x00"])
def test_no_query_raises(indexed, hostile):
    search(hostile)
    search(hostile, mode="keyword", sort="newest")


def test_new_paper_is_searchable_after_update(indexed):
    assert search("quantum error correction", mode="keyword").total == 0
    upsert_papers([record("2501.00099", title="Quantum Error Correction with Surface Codes")])
    assert update() == 1
    assert uids(search("quantum error correction", mode="keyword"))[0] == "2501.00099"
    # a changed paper is re-indexed, not duplicated
    upsert_papers([record("2501.00099", title="Quantum Error Correction Revisited", version=2,
                          updated=datetime(2025, 9, 1, tzinfo=UTC))])
    update()
    assert uids(search("revisited", mode="keyword")) == ["2501.00099"]
    assert search("quantum", mode="keyword").total == 1
    assert coverage().keyword == Paper.objects.count() == 6


def test_a_killed_rebuild_leaves_the_old_index_serving_and_resumes(indexed, monkeypatch):
    from paperhub.search import keyword_files

    served = keyword_files.generations().current()
    upsert_papers([record(f"2502.{i:05d}", title=f"Extra paper number {i}") for i in range(1, 12)])

    class Killed(Exception):
        pass

    def die_after_first_batch(count):
        raise Killed

    with pytest.raises(Killed):
        keyword_files.rebuild_keyword(batch=5, progress=die_after_first_batch)
    assert keyword_files.generations().current() == served  # still serving the old one
    assert search("extra paper", mode="keyword").total == 0
    assert (keyword_files.generations().root / "BUILDING").exists()
    done = keyword_files.rebuild_keyword(batch=5)
    assert done == 16 - 5  # resumed after the committed batch
    assert keyword_files.generations().current() != served
    assert search("extra paper", mode="keyword").total == 11
    assert coverage().keyword == 16


def test_an_index_of_an_older_schema_is_rebuilt_by_update(indexed):
    import tantivy

    from paperhub.search import keyword_files

    old = keyword_files.generations().path("g-old")
    old.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    tantivy.Index(builder.build(), path=str(old))
    keyword_files.generations().serve("g-old")
    assert search("graph").hits == []  # unusable, but no error
    assert update() == 5  # rebuilt with the current schema
    assert search("graph", mode="keyword").total == 2


def test_an_index_from_before_code_links_is_searched_while_its_rebuild_runs(indexed):
    """An index of an older schema (all but the last two fields, the analyzers of before accents were folded, the
    authors in one value) keeps answering, has:code with nothing rather than with papers that have no code, until
    update() rebuilds it."""
    import shutil

    import tantivy

    from paperhub.search import analysis, keyword_files, keyword_schema, volume

    current = keyword_files.generations()
    assert keyword_schema.stored_fields(current.path(current.current() or "")) == keyword_schema.FIELDS  # FIELDS is the schema's
    Paper.objects.filter(uid="2501.00005").update(code_url="https://github.com/x/y")
    old = keyword_files.generations().path("g-before-code")
    old.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in ("uid", "title", "abstract", "authors", "cats", "categories"):
        builder.add_text_field(name, stored=name != "cats",
                               tokenizer_name={"title": "en_stem", "abstract": "en_stem", "authors": "default"}
                               .get(name, "raw"))
    builder.add_integer_field("day", stored=True, indexed=True, fast=True)
    builder.add_integer_field("upvotes", stored=True, indexed=True, fast=True)
    schema = builder.build()
    writer = tantivy.Index(schema, path=str(old)).writer(heap_size=15_000_000, num_threads=1)
    for paper in keyword_files.indexed_papers(list(Paper.objects.values(*keyword_files._COLUMNS))):
        writer.add_document(tantivy.Document.from_dict({
            "id": paper.id, "uid": paper.uid, "title": paper.title, "abstract": paper.abstract,
            "authors": "; ".join(paper.authors), "cats": keyword_schema.category_tokens(paper.categories),
            "categories": list(paper.categories), "day": paper.day, "upvotes": paper.upvotes}, schema))
    writer.commit()
    del writer
    assert keyword_schema.stored_fields(old) == keyword_schema.FIELDS[:-2] and keyword_schema.is_older(keyword_schema.stored_shape(old))
    assert keyword_schema.is_older(keyword_schema.SHAPE[:-1])
    assert not keyword_schema.is_older(keyword_schema.SHAPE) and not keyword_schema.is_older((("title", "en_stem"),))
    assert not keyword_schema.is_older(())
    older_analyzers = tuple((name, "default" if tokenizer == analysis.NAME_TOKENIZER else tokenizer)
                            for name, tokenizer in keyword_schema.SHAPE)  # every field today's, the names' analyzer older
    assert keyword_schema.is_older(older_analyzers)
    keyword_files.generations().serve("g-before-code")
    unfinished = keyword_files.generations().path("g-unfinished")  # a rebuild the older version left half done
    shutil.copytree(old, unfinished)
    (keyword_files.generations().root / "BUILDING").write_text("g-unfinished")

    assert uids(search("graph transformers", mode="keyword")) == ["2501.00005", "2501.00001"]
    by_ada = search('author:"Ada Lovelace"', mode="keyword").hits  # found as a phrase, read back from one value
    assert sorted(list(hit.authors) for hit in by_ada) == [["Ada Lovelace"], ["Ada Lovelace", "Charles Babbage"]]
    assert search("graph has:code", mode="keyword").total == 0 == search("graph", Filters(has_code=True)).total
    assert volume("graph has:code").total == 0 and volume("graph").total == 2
    assert update() == 5  # rebuilt with the current schema, from scratch
    assert keyword_files.generations().current() not in ("g-before-code", "g-unfinished")
    assert uids(search("graph has:code", mode="keyword")) == ["2501.00005"]
    assert update() == 0 and not unfinished.exists()


def test_vocabulary_terms_are_the_words_as_indexed_fillers_aside():
    from paperhub.search.keyword_queries import query_words, vocabulary_terms
    from paperhub.search.query import parse

    assert vocabulary_terms(parse('the Graphs "protein folding" author:turing -survey')) == [
        ("title", "graph"), ("abstract", "graph"), ("title", "protein"), ("abstract", "protein"),
        ("title", "fold"), ("abstract", "fold")]
    assert vocabulary_terms(parse("the who")) == [  # nothing but fillers: they are the query
        ("title", "the"), ("abstract", "the"), ("title", "who"), ("abstract", "who")]
    assert vocabulary_terms(parse("cat:cs.CL")) == []
    # in capitals, a filler word is an acronym: the topic ("the WHO", "IT and the WHO")
    assert vocabulary_terms(parse("the WHO")) == [("title", "who"), ("abstract", "who")]
    assert query_words(parse("IT and the WHO")) == ["IT", "WHO"]


def test_the_index_knows_a_query_by_any_of_its_words(indexed):
    from paperhub.search.keyword_files import keyword_index
    from paperhub.search.query import parse

    index = keyword_index()
    assert index is not None
    for known in ("folding", "Folded proteins", "zzzzqqq graph", '"sparse qwerty"', "with the", "protien",
                  "difusion"):  # typos: a letter away
        assert index.knows_any(parse(known)), known
    for unknown in ("zzzzqqq", "asdfgh qwerty", "the zzzzqqq", "cat:cs.CL", "-graph", "foldnig zzz", "folx",
                    "lovelace", "Ada Lovelace"):  # a name alone: no topic to search by meaning
        assert not index.knows_any(parse(unknown)), unknown


def test_a_name_some_abstract_mentions_is_still_a_name(db, search_dir):
    """ "Wang" alone found 550 papers, 83 of them by meaning alone: a few abstracts say "Wang et al."."""
    from paperhub.search import rebuild
    from paperhub.search.keyword_files import keyword_index
    from paperhub.search.query import parse

    upsert_papers([record(f"2504.0000{n}", title=f"Paper {n}", abstract="Graph models.", authors=("Li Wang", "Ann Ghosh"))
                   for n in range(3)] + [record("2504.00009", abstract="As Wang et al. show, the ghost graph.")])
    rebuild()
    index = keyword_index()
    assert not index.knows_any(parse("Wang")) and not index.knows_any(parse("Ghosh"))  # not a letter from "ghost"
    assert index.knows_any(parse("Wang graph")) and index.knows_any(parse("ghost"))
    assert not index.knows_any(parse("Lovelace"))
