import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperhub.papers import periods
from paperhub.search.described import described, parts_in_words, url_query
from paperhub.search.named import named_authors, named_doi, named_paper, named_papers
from paperhub.search.query import (
    MAX_CLAUSES,
    MAX_NAMED,
    BadFilter,
    Filters,
    filter_problem,
    in_syntax,
    parse,
    units,
    wants_code,
    window,
)


def test_words_phrases_fields_and_exclusions():
    q = parse('graph "neural network" author:"Ada Lovelace" author:babbage cat:cs.LG -survey -"large language" '
              "-author:smith -cat:stat")
    assert q.terms == ("graph",)
    assert q.phrases == (("neural", "network"),)
    assert q.authors == ("Ada Lovelace", "babbage")
    assert q.categories == ("cs.LG",)
    assert q.not_terms == ("survey",)
    assert q.not_phrases == (("large", "language"),)
    assert q.not_authors == ("smith",)
    assert q.not_categories == ("stat",)
    assert q.text == "graph neural network"


def test_field_names_are_case_insensitive_and_values_kept():
    assert parse("AUTHOR:Hinton Cat:cs.CV").authors == ("Hinton",)
    assert parse("AUTHOR:Hinton Cat:cs.CV").categories == ("cs.CV",)


@pytest.mark.parametrize(("raw", "terms"), [
    ('unclosed "quote here', ("unclosed", "quote", "here")),
    ("cat:<script>alert(1)</script>", ("script", "alert", "1")),
    ("title:foo AND (bar OR baz)", ("foo", "bar", "baz")),  # arXiv's and Scholar's syntax, read as far as it can be
    ("C++ and C# and GPT-4o", ("C++", "and", "C#", "GPT-4o")),
    ("'; DROP TABLE papers; --", ("DROP", "TABLE", "papers")),
    ("-", ()),
    ("---", ()),
    ('""', ()),
    ("author:", ()),  # an empty field: no word, its reason in `problem` (test_an_empty_field_is_said_...)
    ("\x00\x01\x02", ()),
])
def test_broken_syntax_falls_back_to_words(raw, terms):
    assert parse(raw).terms == terms


def test_single_word_phrase_is_a_term_and_duplicates_collapse():
    q = parse('"transformer" transformer transformer')
    assert q.terms == ("transformer",) and q.phrases == ()


def test_limits():
    q = parse(" ".join(f"w{i}" for i in range(500)))
    assert len(q.terms) == MAX_CLAUSES
    assert parse("x" * 100_000).terms[0] == "x" * 64


def test_empty_and_exclusion_only():
    assert parse("").is_empty and parse(None).is_empty
    q = parse("-survey")
    assert q.is_empty and q.not_terms == ("survey",) and q.text == ""


@given(st.text(max_size=300))
def test_no_input_raises(raw):
    q = parse(raw)
    assert isinstance(q.text, str)
    assert all(isinstance(t, str) and t for t in q.terms)


def test_filters_from_form_text():
    from datetime import date

    from paperhub.search import Filters

    filters = Filters.from_text("2026-01-02", "not a date", "cs.CL, cs.LG  stat.ML", "Ada Lovelace, , Alan Turing")
    assert filters == Filters(since=date(2026, 1, 2), until=None, categories=("cs.CL", "cs.LG", "stat.ML"),
                              authors=("Ada Lovelace", "Alan Turing"))
    assert Filters.from_text() == Filters() and len(Filters.from_text(categories=" ".join("x" * 20)).categories) == 10


def test_filters_from_a_query_string_and_back():
    """The search page's links to its feeds and BibTeX are url_query's: read back, they are the page's filters."""
    from datetime import date
    from urllib.parse import parse_qsl

    params = {"q": "diffusion", "since": "2026-06-30", "until": "nope", "cat": "cs.CV,cs.LG", "author": "Ada, Al",
              "code": "1"}
    filters = Filters.from_params(params)
    assert filters == Filters(since=date(2026, 6, 30), categories=("cs.CV", "cs.LG"), authors=("Ada", "Al"),
                              has_code=True)
    link = url_query("diffusion", filters, "newest")
    assert link == "q=diffusion&since=2026-06-30&cat=cs.CV%20cs.LG&author=Ada%2C%20Al&code=1&sort=newest"
    assert Filters.from_params(dict(parse_qsl(link))) == filters
    assert url_query("", Filters()) == "" and url_query("", Filters(categories=("cs.GT",))) == "cat=cs.GT"
    assert Filters.from_params({"code": "maybe"}) == Filters()  # the page ignores what it cannot read ...
    for bad in ({"since": "nope"}, {"until": "2026-02-30"}, {"code": "maybe"}, {"cat": "cs.XX"}, {"q": "cat:cs.XX"}):
        with pytest.raises(BadFilter):  # ... and a feed says so
            Filters.from_params(bad, strict=True)
    assert Filters.from_params({"since": "", "code": ""}, strict=True) == Filters()
    for said in ("1", "true", "YES", "on"):  # as the API's booleans
        assert Filters.from_params({"code": said}, strict=True) == Filters(has_code=True), said
    for said in ("0", "false", "no", "off"):
        assert Filters.from_params({"code": said}, strict=True) == Filters(), said


@given(st.text(max_size=30), st.lists(st.sampled_from(["cs.CL", "cs", "q-bio.BM", "MATH.AG"]), max_size=4),
       st.lists(st.text(max_size=12), max_size=4), st.dates(), st.booleans())
def test_url_query_reads_back_as_the_same_search(q, categories, authors, since, code):
    """(categories of arXiv's: a feed refuses any other, category_problem)"""
    from urllib.parse import parse_qsl

    filters = Filters.from_text(since, None, " ".join(categories), ", ".join(authors), code)
    read = dict(parse_qsl(url_query(q, filters), keep_blank_values=True))
    assert Filters.from_params(read, strict=True) == filters and read.get("q", "") == q


def test_a_search_said_in_words():
    from datetime import date

    assert described("diffusion", Filters()) == "diffusion"
    assert described("", Filters(categories=("cs.GT",))) == "papers in cs.GT"
    assert described(" x ", Filters(since=date(2026, 1, 2), until=date(2026, 2, 3), authors=("Ada", "Al"),
                                   has_code=True)) == "x, by Ada or Al, from 2026-01-02, to 2026-02-03, with code"


def test_a_search_in_the_query_syntax_alone():
    """What "Save this search" keeps (a saved search holds a query, no filters): the filters the syntax says
    exactly, and the names of those it cannot."""
    from datetime import date

    assert in_syntax("diffusion", Filters(categories=("cs.CV", "cs"))) == ("diffusion cat:cs.CV cat:cs", ())
    assert in_syntax("", Filters(categories=("cs.GT",))) == ("cat:cs.GT", ())
    assert in_syntax("x", Filters(authors=("Ada  Lovelace",), has_code=True, since=date(2026, 1, 1))) == (
        'x author:"Ada Lovelace" has:code since:2026-01-01', ())
    assert in_syntax("x has:code", Filters(has_code=True)) == ("x has:code", ())
    # the filter's several names are any of them, author:s all of them: not said; one name is, beside author:s too
    assert in_syntax("x", Filters(authors=("Ada", "Al"))) == ("x", ("author",))
    assert in_syntax("x author:bo", Filters(authors=("Ada",))) == ('x author:bo author:"Ada"', ())
    assert in_syntax("x cat:cs.CL", Filters(categories=("cs.LG",))) == ("x cat:cs.CL", ("category",))  # both
    assert in_syntax("x", Filters(categories=("not a code!",))) == ("x", ("category",))
    assert in_syntax("", Filters(until=date(2026, 1, 1))) == ("until:2026-01-01", ())
    # beside the query's own since:, the filter's is said too: the later one holds, as on the page
    said, _ = in_syntax("x since:2026-03-01", Filters(since=date(2026, 1, 1), until=date(2026, 6, 30)))
    assert (parse(said).since, parse(said).until) == (date(2026, 3, 1), date(2026, 6, 30))
    said, _ = in_syntax('"unclosed quote', Filters(authors=("Ada",)))
    assert parse(said).authors == ("Ada",) and parse(said).terms == ("unclosed", "quote")
    filters = Filters(categories=("cs.LG",), authors=("Al Ng",), has_code=True, since=date(2025, 1, 1),
                      until=date(2025, 6, 30))
    parsed = parse(in_syntax('"sparse attention" -survey', filters)[0])
    assert (parsed.phrases, parsed.not_terms, parsed.categories, parsed.authors, parsed.has_code) == (
        (("sparse", "attention"),), ("survey",), ("cs.LG",), ("Al Ng",), True)
    assert window(parsed, Filters()) == (filters.since, filters.until)


def test_dates_in_the_syntax():
    from datetime import date

    parsed = parse("graph since:2025-01-01 UNTIL:2025-06-30")
    assert (parsed.terms, parsed.since, parsed.until, parsed.problem) == (
        ("graph",), date(2025, 1, 1), date(2025, 6, 30), "")
    assert parsed.constraints.since == date(2025, 1, 1)  # a filter, not a scored word
    # several bounds each hold: the latest since:, the earliest until:; the filter's beside them too
    parsed = parse("since:2025-01-01 since:2025-03-01 until:2025-09-01 until:2025-06-30")
    assert (parsed.since, parsed.until) == (date(2025, 3, 1), date(2025, 6, 30))
    assert window(parsed, Filters(since=date(2025, 2, 1), until=date(2025, 5, 1))) == (
        date(2025, 3, 1), date(2025, 5, 1))
    assert window(parse("x"), Filters(until=date(2025, 5, 1))) == (None, date(2025, 5, 1))
    for other_form in ("20250101", "2025-W01", "2025-W01-1", "2025-1-1"):  # what the message says, alone
        assert parse(f"since:{other_form}").problem == "since: must be a date, YYYY-MM-DD", other_form
        assert Filters.from_text(since=other_form).since is None


@pytest.mark.parametrize("written", ["2026-06-30", "2026-02-30", "20260630", "2026-W26", "2026-6-30",
                                     "\uff12\uff10\uff12\uff16-\uff10\uff16-\uff13\uff10", ""])
def test_the_query_reads_a_day_as_the_feeds_and_the_api_do(written):
    """One day reader for the hub: since:, the filter beside the query and a day parameter agree on each form."""
    try:
        day = periods.parse_day(written)
    except periods.PeriodError:
        day = None
    assert parse(f"x since:{written}").since == day
    assert Filters.from_text(since=written).since == day
    assert bool(filter_problem({"since": written})) == (written != "" and day is None)


@pytest.mark.parametrize(("raw", "said"), [
    ("x since:2025-13-01", "since: must be a date, YYYY-MM-DD"),
    ("until:yesterday", "until: must be a date, YYYY-MM-DD"),
    ("since:99999999-01-01", "since: must be a date"),
    ("since:" + "9" * 900, "since: must be a date"),
    (" ".join(["until:<script>"] * 200), "until: must be a date"),  # said once, and not what was sent
    ("x -since:2025-01-01", "-since: means nothing"),
])
def test_a_date_that_is_no_date_is_said(raw, said):
    parsed = parse(raw)
    assert said in parsed.problem and parsed.since is None and parsed.until is None
    assert len(parsed.problem) < 100 and "<" not in parsed.problem
    with pytest.raises(BadFilter, match="must be a date|means nothing"):
        Filters.from_params({"q": raw}, strict=True)


@pytest.mark.parametrize(("raw", "example"), [
    ("author:", 'author:"Ada Lovelace"'), ("x AU:", "au:Lovelace"), ('cat:""', "cat:cs.CL"), ("since:", "since:2025-"),
    ("x since:", "since:2025-"),
    ("-until:", "until:2025-"), ("ti:", "ti:word"), ('abstract:""', "abstract:word"), ("has:", "has:code"),
])
def test_an_empty_field_is_said_not_searched_as_its_name(raw, example):
    parsed = parse(raw)
    assert "is empty: write what it takes after the colon, as in " in parsed.problem and example in parsed.problem
    assert parsed.terms == (("x",) if raw.startswith("x ") else ()) and not parsed.authors and not parsed.categories
    assert parse("author:Lovelace").problem == "" and parse('"author:"').terms == ("author",)  # a quoted word is one


def test_an_empty_words_field_beside_words_is_a_pasted_label_left_out():
    pasted = parse("Abstract: We propose sparse attention")
    assert pasted.problem == "" and pasted.terms == ("We", "propose", "sparse", "attention")
    assert parse("TITLE: sparse").terms == ("sparse",) and "title: is empty" in parse("TITLE:").problem


@pytest.mark.parametrize(("raw", "said"), [
    ("abs: abs:", ("abs:",)), ("title: author:", ("title:", "author:")), ("abs:abs:", ("abs:",)),
    ("ti:author:", ("author:",)), ('abs:"" AND -ti:', ("abs:", "ti:")),
])
def test_empty_fields_alone_are_each_said_not_taken_for_pasted_labels(raw, said):
    parsed = parse(raw)
    assert parsed.problem == "; ".join(f"{name} is empty: write what it takes after the colon, as in "
                                       f"{_example(name)}" for name in said)
    assert parsed.is_empty and not parsed.in_fields


def _example(name: str) -> str:
    return 'author:Lovelace or author:"Ada Lovelace"' if name == "author:" else f"{name}word"


def test_several_authors_capped():
    parsed = parse(" ".join(f"author:a{i}" for i in range(500)))
    assert parsed.authors == tuple(f"a{i}" for i in range(MAX_NAMED))
    assert Filters.from_text(authors=", ".join(f"a{i}" for i in range(50))).authors == parsed.authors
    assert parse("author:0001-01-01 since:0001-01-01 until:9999-12-31").since.year == 1  # extremes are dates


def test_has_code_asked_either_way():
    assert parse('author:"ada has:code"').authors == ("ada has code",) and not parse('author:"ada has:code"').has_code
    assert wants_code(parse("x has:code"), Filters()) and wants_code(parse("x"), Filters(has_code=True))
    assert not wants_code(parse("x"), Filters())


def test_has_code_is_a_filter_not_a_word():
    parsed = parse('sparse HAS:code author:"Ada Lovelace"')
    assert parsed.has_code and parsed.terms == ("sparse",) and parsed.text == "sparse"
    assert not parse("has:codes").has_code and parse("has:codes").terms == ("has", "codes")
    assert Filters.from_text(has_code=True).has_code and not Filters.from_text().has_code


def test_named_paper():
    assert named_paper("2501.01234") == named_paper(" arXiv:2501.01234v3 ") == "2501.01234"
    assert named_paper("https://arxiv.org/abs/hep-th/9901001v2") == "hep-th/9901001"
    for not_one in ("2501.01234 graphs", "graphs", "", "2501", "x" * 500, None, 2501.01234):
        assert named_paper(not_one) is None, not_one


@pytest.mark.parametrize("pasted", [
    "arXiv: 2601.08929", "arXiv 2601.08929", "arXiv:2601.08929v2 [cs.IT] 15 Jan 2026", "arXiv:2601.08929 [cs.IT]",
    "https://arxiv.org/abs/2601.08929?context=cs", "https://huggingface.co/papers/2601.08929#community",
    "[2601.08929]", "2601.08929.", "(arXiv:2601.08929);", "doi:10.48550/arXiv.2601.08929",
    "doi: 10.48550/arXiv.2601.08929", "https://arxiv.org/pdf/2601.08929v2.pdf",
])
def test_an_id_pasted_with_what_surrounds_it_names_its_paper(pasted):
    assert named_papers(pasted) == ("2601.08929",)


def test_old_ids_and_several_ids():
    for pasted in ("cs.AI/9902027", "https://arxiv.org/abs/cs.AI/9902027", "arXiv:cs/9902027v1 [cs.AI] 24 Feb 1999"):
        assert named_papers(pasted) == ("cs/9902027",), pasted  # the subject class is no part of the id
    assert named_papers("2601.08929, 2501.01234 and arXiv:2601.08929v2") == ("2601.08929", "2501.01234")
    assert named_paper("2601.08929 2501.01234") == "2601.08929"
    assert len(named_papers(" ".join(f"2501.{n:05d}" for n in range(1, 30)))) == 10


@pytest.mark.parametrize("query", ["resnet 1512.03385", "1706.03762 attention", "top 10 2023", "2023", "may 2020",
                                   "arXiv", "[cs.IT]", "cs.IT 2601.08929", "2601.08929 graphs", "", "x" * 600])
def test_a_query_with_a_number_among_words_names_no_paper(query):
    assert named_papers(query) == () and named_paper(query) is None


def test_a_journal_doi_is_named_alone():
    assert named_doi("doi: 10.1103/PhysRevE.52.895.") == "10.1103/PhysRevE.52.895"
    assert named_doi("https://doi.org/10.1145/3292500.3330701") == "10.1145/3292500.3330701"
    for words in ("10.1103/PhysRevE.52.895 chaos", "the 10.5 release", "10.1103", "10.1234/x\x00y", "", None):
        assert named_doi(words) == "", words


def test_not_and_or_as_arxiv_and_scholar_write_them():
    q = parse("diffusion NOT video AND image OR audio ANDNOT author:smith")
    assert q.terms == ("diffusion", "image", "audio") and q.not_terms == ("video",) and q.not_authors == ("smith",)
    assert q.text == "diffusion image audio"
    assert parse('diffusion NOT "video generation" NOT').not_phrases == (("video", "generation"),)
    assert parse("not or and").terms == ("not", "or", "and")  # in lower case: words
    assert parse("x NOT since:2025-01-01").problem  # excluding a date means nothing, however it is said
    assert "cannot be excluded" in parse("diffusion NOT has:code").problem  # (it read as "with code")
    for query in ("NOT has:code", "NOT HAS:CODE diffusion", "Why NOT has:code", "the NOT has:code"):  # alone too
        assert parse(query).problem == parse("diffusion NOT has:code").problem, query  # (read as "NOT", with code)
    assert named_papers("2301.00001 OR 2302.00002") == ("2301.00001", "2302.00002")  # as "and" and "&"


def test_not_is_an_operator_only_between_two_words_and_not_in_a_pasted_title():
    assert parse("NOT graph").terms == ("NOT", "graph") and parse("graph NOT").terms == ("graph", "NOT")
    assert parse("Why NOT Transformers").terms == ("Why", "NOT", "Transformers")  # after a filler word
    assert parse("Attention is NOT All You Need").not_terms == ()
    assert parse("Diffusion NOT Video").not_terms == ()  # two capitalised words: a title's
    assert parse("diffusion NOT Video").not_terms == ("Video",) and parse("LLM NOT GPT").not_terms == ("GPT",)
    assert parse("graph NOT AND x").terms == ("graph", "NOT", "x")
    # "a AND NOT b" is arXiv's ANDNOT written out: AND joins, NOT excludes (review: NOT read as a required word)
    assert parse("transformers AND NOT vision").not_terms == ("vision",)
    # the units a search's parts are dropped by (why a search found nothing) group a NOT only where it excludes
    assert units('transformers AND NOT vision "a b') == ["transformers", "AND", "NOT vision", "a", "b"]
    assert units("Why NOT Transformers") == ["Why", "NOT", "Transformers"]


def test_arxiv_field_names():
    assert parse("au:hinton -au:lecun").authors == ("hinton",) and parse("-au:lecun").not_authors == ("lecun",)
    q = parse('ti:diffusion abs:"score matching" title:video -abstract:survey all:graph')
    assert q.terms == ("diffusion", "video", "graph") and q.phrases == (("score", "matching"),)
    # ti: and abs: words are required in their field (and scored as words); excluded, only from their field
    assert q.in_fields == (("title", ("diffusion",)), ("abstract", ("score", "matching")), ("title", ("video",)))
    assert q.not_terms == () and q.not_in_fields == (("abstract", ("survey",)),)
    assert q.constraints.in_fields == q.in_fields and q.constraints.not_in_fields == q.not_in_fields
    assert parts_in_words(q) == ("“diffusion”, “video” in the title", "“score matching” in the abstract",
                                 "without “survey” in the abstract")
    assert parse('ti:"" all:x').in_fields == () and parse("ti:a,b").in_fields == (("title", ("a",)), ("title", ("b",)))


def test_what_a_query_asks_beside_its_words_in_words():
    parsed = parse('graph author:"Ada Lovelace" au:babbage cat:cs.CL cat:cs.LG -survey NOT "large language" '
                   "-author:smith -cat:stat since:2025-01-01 until:2025-06-30 has:code")
    assert parts_in_words(parsed) == (
        "by Ada Lovelace and babbage", "in cs.CL or cs.LG", "without “survey”, “large language”", "not by smith",
        "not in stat", "from 2025-01-01", "to 2025-06-30")
    assert parts_in_words(parse("graph has:code")) == ()


def test_the_authors_a_search_named():
    authors = ["Ada Lovelace", "Charles Babbage", "Grace Brewster Hopper", "Al Ng"]
    assert named_authors(authors, parse("author:lovelace graph")) == ["Ada Lovelace"]
    assert named_authors(authors, parse('author:"hopper grace"')) == ["Grace Brewster Hopper"]  # any order
    assert named_authors(authors, parse("babbage engines")) == ["Charles Babbage"]  # a word of the query
    assert named_authors(authors, parse('"brewster hopper" "grace hopper"')) == ["Grace Brewster Hopper"]
    assert named_authors(authors, parse("graph"), Filters.from_text(authors="ng, lovelace")) == ["Ada Lovelace", "Al Ng"]
    # a short word names no one ("al" is in "Al Ng" by chance), nor does part of a name or a word excluded
    assert named_authors(authors, parse("al love -babbage")) == []
    # as the index finds them: an initial, accents folded either way
    assert named_authors(["Yoshua Bengio", "Bernhard Schölkopf"], parse('author:"Y. Bengio" author:scholkopf')) == [
        "Yoshua Bengio", "Bernhard Schölkopf"]
    assert named_authors(["Bernhard Scholkopf"], parse("schölkopf kernels")) == ["Bernhard Scholkopf"]
