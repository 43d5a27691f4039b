import pickle
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperhub.papers.records import (
    MAX_NAME,
    ArxivIdError,
    arxiv_abs_url,
    arxiv_ids_in,
    author_key,
    clean_abstract,
    clean_name,
    has_controls,
    latex_to_unicode,
    possible_arxiv_id,
    printable,
    split_arxiv_id,
    still_to_come,
    strip_controls,
)
from tests.factories import record


@pytest.mark.parametrize(("raw", "expected"), [
    ("2501.01234", ("2501.01234", None)),
    ("2501.01234v3", ("2501.01234", 3)),
    ("arXiv:2501.01234v2", ("2501.01234", 2)),
    ("https://arxiv.org/abs/2501.01234v2", ("2501.01234", 2)),
    ("http://arxiv.org/pdf/2501.01234.pdf", ("2501.01234", None)),
    ("https://export.arxiv.org/abs/0704.0001", ("0704.0001", None)),
    ("hep-th/9901001v1", ("hep-th/9901001", 1)),
    ("math.GT/0309136", ("math/0309136", None)),  # the subject class is no part of the id
    ("https://arxiv.org/abs/cs.AI/9902027v1", ("cs/9902027", 1)),
    ("https://arxiv.org/abs/2501.01234v2?context=cs", ("2501.01234", 2)),
    ("https://huggingface.co/papers/2501.01234#community", ("2501.01234", None)),
    ("doi:10.48550/arXiv.2501.01234", ("2501.01234", None)),
    (" 1501.00001 ", ("1501.00001", None)),
    ("https://huggingface.co/papers/2501.01234", ("2501.01234", None)),
    ("https://arxiv.org/html/2501.01234v1", ("2501.01234", 1)),
    ("https://www.alphaxiv.org/abs/2501.01234", ("2501.01234", None)),
    ("https://doi.org/10.48550/arXiv.2501.01234", ("2501.01234", None)),
    ("10.48550/ARXIV.2501.01234", ("2501.01234", None)),
])
def test_split_arxiv_id(raw, expected):
    assert split_arxiv_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "hello", "2501.123", "12345.67890", "https://example.org/abs/2501.01234",
                                 "2501.01234; DROP TABLE", "../../etc/passwd", "9999.99999", "2500.01234"])
def test_split_arxiv_id_rejects(raw):
    with pytest.raises(ValueError, match="not an arXiv id"):
        split_arxiv_id(raw)


@pytest.mark.parametrize(("raw", "reason"), [
    ("9999.99999", "9999 is not a year and month arXiv has used"),  # the audit's 500s
    ("2513.00001", "2513 is not a year and month arXiv has used"),
    ("0000.00000", "0000 is not a year and month"),
    ("https://arxiv.org/abs/2500.01234v2", "no month 00"),
    ("0612.1234", "start in April 2007"),
    ("1412.12345", "before 2015 have four digits"),
    ("1501.1234", "since January 2015 have five digits"),
    ("foo/9901001", "foo is not one of the arXiv archives"),
    ("hep-th/9913001", "no month 13"),
    ("hep-th/0801001", "run from 1991 to March 2007"),
    ("cs.XX/9902027", "cs.XX is not an arXiv subject class"),
    ("2501.01234\x00", "not an id of arXiv's forms"),
    ("2" * 5000, "5,000 characters, longer than any"),
])
def test_split_arxiv_id_says_why_an_id_is_none_arxiv_gave(raw, reason):
    with pytest.raises(ValueError, match="not an arXiv id") as refused:
        split_arxiv_id(raw)
    assert reason in refused.value.reason and len(str(refused.value)) < 300


def test_an_id_of_a_month_to_come_is_read_whatever_the_clock_and_only_typed_ids_are_told():
    """A machine whose clock is behind must still ingest and show newer papers (review): the month is checked only
    where a person types an id to fetch (community.services.arxiv_id_from)."""
    assert split_arxiv_id("9912.12345") == ("9912.12345", None)
    assert still_to_come("9912.12345") == "9912 is a month still to come"
    assert still_to_come("2501.01234") == "" and still_to_come("hep-th/9901001") == ""


def test_ids_of_this_month_and_the_next_are_arxiv_ids():
    """A paper sent in late on a month's last day in New York may be numbered in the next month already."""
    now = datetime.now(UTC)
    this = f"{now:%y%m}.00001"
    after = now.replace(day=1) + timedelta(days=32)
    assert split_arxiv_id(this)[0] == this and split_arxiv_id(f"{after:%y%m}.00001")[0] == f"{after:%y%m}.00001"
    assert still_to_come(this) == still_to_come(f"{after:%y%m}.00001") == ""
    assert "still to come" in still_to_come(f"{after.replace(day=1) + timedelta(days=32):%y%m}.00001")


def test_a_possible_arxiv_id_and_its_page_on_arxiv():
    """What a page of a paper not on the hub links to: only an id arXiv may have given, to the version asked."""
    assert possible_arxiv_id("cs.AI/9902027v2") == ("cs/9902027", 2) and possible_arxiv_id("2611.09999\x00")
    assert possible_arxiv_id("2513.00001") is possible_arxiv_id("9912.12345") is possible_arxiv_id("x:y") is None
    assert arxiv_abs_url("cs/9902027", 2) == "https://arxiv.org/abs/cs/9902027v2"
    assert arxiv_abs_url("2611.09999") == "https://arxiv.org/abs/2611.09999"


@pytest.mark.parametrize(("text", "expected"), [
    ("arXiv:2401.12345v2 [cs.CL] 3 Jan 2024", ["2401.12345"]),  # the stamp in a PDF's margin
    ("Vaswani et al. Attention is all you need. arXiv preprint arXiv:1706.03762, 2017.", ["1706.03762"]),
    ("see https://huggingface.co/papers/2401.12345 for the demo", ["2401.12345"]),
    ("(https://www.alphaxiv.org/abs/2401.12345v3)", ["2401.12345"]),
    ("Read it: https://arxiv.org/abs/hep-th/9901001v2.", ["hep-th/9901001"]),
    ("https://arxiv.org/pdf/2401.12345v1.pdf", ["2401.12345"]),
    ("doi: https://doi.org/10.48550/arXiv.2401.12345 (2024)", ["2401.12345"]),
    ("In: cs.AI/9902027, 1999", ["cs/9902027"]),
    ("2401.12345 and its v3, arXiv:2401.12345v3", ["2401.12345"]),  # one paper, written twice
    ("2401.12345 versus 1706.03762v1", ["2401.12345", "1706.03762"]),
    ("Phys. Rev. 52, 1234.56789 pp. 2401.12345", ["2401.12345"]),  # id-shaped numbers arXiv never gave: no ids
])
def test_arxiv_ids_in_pasted_text(text, expected):
    assert arxiv_ids_in(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("see 2513.00001 there", "2513 is not a year and month arXiv has used"),  # the reason of the id-shaped one
    ("doi 10.1145/3292500.3330701 and 20240.12345 or 2401.123456", "not an id of arXiv's forms"),
    ("https://example.org/foo/1234567 and x2401.12345", "not an id of arXiv's forms"),
    ("arXiv:2401.12345 " + "x" * 300, "longer than any arXiv id"),  # the cap holds for pasted text too
    ("2401.12345\x00", "not an id of arXiv's forms"),  # control bytes: a probe, not pasted text
])
def test_arxiv_ids_in_text_without_one_says_why(text, reason):
    with pytest.raises(ArxivIdError) as refused:
        arxiv_ids_in(text)
    assert reason in refused.value.reason


@pytest.mark.parametrize(("latex", "text"), [
    ('M{\\"u}ller', "Müller"),
    ('M\\"uller', "Müller"),
    ("Erd\\H{o}s", "Erdős"),
    ("P\\'al", "Pál"),
    ("Fran\\c{c}ois", "François"),
    ("\\v{S}koda", "Škoda"),
    ("Gr\\o{}nbech", "Grønbech"),
    ("Stra\\ss e", "Straße"),
    ("Nothing to do", "Nothing to do"),
    ("$\\alpha$-stable", "$\\alpha$-stable"),
])
def test_latex_to_unicode(latex, text):
    assert latex_to_unicode(latex) == text


def test_names_normalise_to_one_key():
    assert clean_name("  J\\\"urgen   M{\\\"u}ller ") == "Jürgen Müller"
    assert author_key("Jürgen Müller") == author_key('J{\\"u}rgen M\\"uller') == author_key("JÜRGEN  MÜLLER")
    assert author_key("J. Smith") == author_key("J.Smith") == author_key("j.  smith")
    assert author_key("Müller") != author_key("Muller")  # different people may differ only by an accent


def test_clean_abstract_keeps_latex_and_paragraphs():
    raw = "  We show $O(\\sqrt{n})$\nregret.\n  A second paragraph\nwraps here.\n"
    assert clean_abstract(raw) == "We show $O(\\sqrt{n})$ regret.\n\nA second paragraph wraps here."
    assert clean_abstract("One   line  ") == "One line"
    assert clean_abstract(None) == ""


def test_record_cleans_authors_and_keys_them():
    r = record(authors=(" Ada  Lovelace", "", 'G{\\"o}del'))
    assert r.authors == ("Ada Lovelace", "Gödel")
    assert r.author_keys == ("ada lovelace", "gödel")


def test_a_record_keeps_arxiv_categories_and_drops_acm_and_msc_classes():
    # As arXiv's listings and API give them: classes mixed in among the categories.
    r = record(categories=("eess.IV", "cs.AI", "cond-mat.mes-hall", "hep-th", "68T01,", "68P30", "I.4.2;", "E.4",
                           "physics.atom-ph", "q-bio.BM", "x" * 65, ""))
    assert r.categories == ("eess.IV", "cs.AI", "cond-mat.mes-hall", "hep-th", "physics.atom-ph", "q-bio.BM")


def test_a_record_crosses_processes_whole():
    # records go from the parsing process to the writer by pickle: the fields made in __post_init__ come along
    r = record(authors=("Ada Lovelace",), abstract="Code: https://github.com/ada/engine.")
    back = pickle.loads(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == r
    assert back.author_keys == ("ada lovelace",) and back.found_links.code_url == "https://github.com/ada/engine"


@given(st.text(alphabet=st.characters(codec=None, max_codepoint=0x3000) | st.sampled_from("\x00\t\n\x1f\x7f\x85\ufffe")))
def test_printable_is_str_isprintable(text):
    assert printable(text) == text.isprintable()
    assert has_controls(text) == (strip_controls(text) != text)


def test_a_control_character_anywhere_in_a_record_is_dropped():
    r = record(title="Title\x00", abstract="ascii \x1b abstract", authors=("Ada\x7f Lovelace",), comments="é\x85")
    assert (r.title, r.abstract, r.authors, r.comments) == ("Title", "ascii  abstract", ("Ada Lovelace",), "é")


_NAME_PARTS = st.sampled_from(["Ada", "B.", ".", " ", "  ", "\t", "\n", "\r", "\x00", "\x1c", "de", "x" * 160, "é",
                               "{", "\\", "-"])


@given(st.lists(st.lists(_NAME_PARTS, max_size=6).map("".join), max_size=6))
def test_a_records_authors_are_each_name_cleaned_and_keyed(authors):
    # (a list of plain ASCII names is cleaned whole: it must come out as each name would on its own)
    names = [name[:MAX_NAME] for name in map(clean_name, map(strip_controls, authors)) if name]
    keys = list(map(author_key, names))
    first = {key: i for i, key in reversed(list(enumerate(keys)))}
    r = record(authors=tuple(authors))
    assert r.authors == tuple(name for i, name in enumerate(names) if first[keys[i]] == i)
    assert r.author_keys == tuple(dict.fromkeys(keys))


def test_the_migration_drops_class_codes_stored_as_categories(db):
    import importlib

    from django.apps import apps

    from paperhub.papers.models import Category, PaperCategory
    from paperhub.papers.services import upsert_papers

    upsert_papers([record("2501.00001", categories=("cs.CV", "cs.AI"))])
    paper = PaperCategory.objects.get(category__code="cs.CV").paper
    for code in ("I.4", "68U10,"):  # as stored before records left them out
        PaperCategory.objects.create(paper=paper, category=Category.objects.create(code=code))
    migration = importlib.import_module("paperhub.papers.migrations.0007_drop_class_codes")
    before = paper.changed_at
    migration.drop_class_codes(apps, None)
    paper.refresh_from_db()
    assert paper.changed_at > before  # the search index, which stores its categories, takes it again
    migration.drop_class_codes(apps, None)  # a rerun changes nothing
    assert sorted(Category.objects.values_list("code", flat=True)) == ["cs.AI", "cs.CV"]
    assert sorted(paper.paper_categories.values_list("category__code", flat=True)) == ["cs.AI", "cs.CV"]
