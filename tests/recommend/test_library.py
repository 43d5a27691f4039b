"""Reading BibTeX and CSL JSON exports, and importing them into a user's seeds."""

import json

import pytest
from django.core.files.base import ContentFile

from paperhub.community.services import NotAllowed
from paperhub.recommend import queries, services
from paperhub.recommend.library import (
    MAX_DEPTH,
    json_depth,
    parse_bibtex,
    parse_csl_json,
    parse_library,
    zotero_reference,
)
from paperhub.recommend.models import ImportJob, Seed
from tests.factories import record

BIB = """@article{franklin2026,
  title = {{Protein folding} at scale: a proteins study},
  author = {Franklin, Rosalind},
  eprint = {2606.00000v2}, archivePrefix = {arXiv}
}
@misc{broken, title = {never closed
@inproceedings{byurl, title={Anything}, url={https://arxiv.org/abs/2606.10001}}
@article{bydoi, title={Some journal paper}, doi={https://doi.org/10.1234/ABC.5}}
@book{notitle, author={Nobody}}
@article{elsewhere, title={Quasar variability in radio surveys of distant galaxies},
  abstract={We monitor quasars with radio telescopes over ten years.}}
"""


def test_bibtex_entries_and_errors_with_lines():
    library = parse_bibtex(BIB)
    by_title = {r.title: r for r in library.references}
    assert by_title["Protein folding at scale: a proteins study"].arxiv_id == "2606.00000"
    assert by_title["Anything"].arxiv_id == "2606.10001"
    assert by_title["Some journal paper"].doi == "10.1234/abc.5"
    assert by_title["Quasar variability in radio surveys of distant galaxies"].abstract.startswith("We monitor")
    assert any(e.startswith("line 6:") for e in library.errors), library.errors  # the unclosed entry
    assert any("'notitle' has no title" in e for e in library.errors)


def test_bibtex_tex_is_read_as_the_hub_shows_it_and_unreadable_entries_say_why():
    library = parse_bibtex(r"""@article{knuth, title={Literate Programming \& {TeX}: M\"uller's $\alpha$ approach},
  abstract={Over 50\% of {\"O}zt{\"u}rk's \emph{programs} -- read.}}
@misc{broken, title = {never closed
@article{nokey title={x}}
""")
    [knuth] = library.references
    assert knuth.title == "Literate Programming & TeX: Müller's α approach"  # was the TeX as written
    assert knuth.abstract == "Over 50% of Öztürk's programs – read."
    assert library.errors == [  # were "could not read this entry (ParsingFailedBlock)"
        "line 3: could not read this entry: Unexpected block start: `@article`. Was still looking for field-value "
        "closing `}`",
        "line 4: could not read this entry: Expected comma after entry key, but found =",
    ]


def test_a_tex_title_finds_the_hubs_paper_by_its_title(db, search_dir):
    from paperhub import search
    from paperhub.papers.services import upsert_papers

    upsert_papers([record("2606.30000", title=r"M\"uller's $\alpha$ approach to literate programming")])
    search.rebuild()
    [read] = parse_bibtex(r"""@article{m, title={M{\"u}ller's $\alpha$ approach to {Literate} Programming}}""").references
    found = services.find_paper(read)  # the hub's title shown as text, as the entry's is read
    assert found is not None and found.uid == "2606.30000"


def test_a_tex_title_finds_the_hubs_paper_without_a_keyword_index(db, search_dir):
    """The database's fallback compared the entry's title read as text ("Müller's α") with the stored TeX."""
    from paperhub.papers.services import upsert_papers

    upsert_papers([record("2606.30000", title=r"M\"uller's $\alpha$ approach to literate programming")])
    [read] = parse_bibtex(r"""@article{m, title={M{\"u}ller's $\alpha$ approach to {Literate} Programming}}""").references
    found = services.find_paper(read)
    assert found is not None and found.uid == "2606.30000"


def test_csl_json_from_zotero():
    items = [{"type": "article", "title": "In-context learning at scale: a language study",
              "URL": "http://arxiv.org/abs/2606.10000v1", "number": "arXiv:2606.10000"},
             {"type": "article-journal", "title": "A DOI paper", "DOI": "10.5555/XYZ"},
             {"type": "article", "note": "no title"}]
    library = parse_csl_json(json.dumps(items))
    assert [r.arxiv_id for r in library.references] == ["2606.10000", ""]
    assert library.references[1].doi == "10.5555/xyz"
    assert library.errors == ["item 3: no title"]
    assert parse_library(json.dumps(items)).references == library.references  # detected as JSON
    assert parse_csl_json("[{").errors[0].startswith("line 1: not valid JSON")


def test_import_matches_by_id_doi_title_and_keeps_the_rest_as_text(topics, reader, run_tasks):
    from paperhub.papers.models import Paper

    Paper.objects.filter(uid="2606.20000").update(doi="10.1234/abc.5")
    bib = BIB + "@article{bytitle, title={Enzyme design at scale: a proteins study}}\n"
    job = services.import_library(reader, ContentFile(bib.encode(), name="lib.bib"))
    run_tasks()
    job.refresh_from_db()
    assert job.status == "done" and job.entries == job.done == 5 and not job.text
    assert job.matched == 4  # arXiv id, arXiv URL, DOI, title
    assert job.added_as_text == 1 and len(job.errors) == 2
    seeds = Seed.objects.filter(user=reader)
    assert {s.paper.uid for s in seeds if s.paper} == {"2606.00000", "2606.10001", "2606.20000", "2606.00003"}
    again = services.import_library(reader, ContentFile(bib.encode(), name="lib.bib"))
    run_tasks()
    again.refresh_from_db()
    assert again.already == 5  # idempotent
    assert services.run_import.call(again.pk)["status"] == "done"  # a finished import run again: left alone
    assert seeds.count() == 5
    picks = queries.for_you(reader, limit=10)
    assert picks and any("you imported" in r for p in picks for r in p.reasons)


def test_deeply_nested_json_is_refused_with_a_clear_error():
    library = parse_library("[" * 200_000)  # json.loads raised RecursionError: the import answered 500
    assert library.references == []
    assert library.errors == [f"line 1: the JSON nests deeper than {MAX_DEPTH} levels; this is not a CSL JSON export"]
    assert json_depth('[{"title": "a [[[ \\" {{ title", "author": [{"family": "X"}]}]') == 4  # strings skipped
    assert parse_csl_json("[" * MAX_DEPTH + "]" * MAX_DEPTH).errors == ["item 1: no title"]  # deep enough: read


def test_an_import_over_the_size_cap_is_refused(reader, settings):
    settings.PAPERHUB_IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(NotAllowed, match="over 1 MB"):
        services.import_library(reader, ContentFile(b"@misc{a, title={b}}\n" * 60_000, name="big.bib"))
    with pytest.raises(NotAllowed, match="Choose a BibTeX"):
        services.import_library(reader, ContentFile(b" \n", name="empty.bib"))
    assert not ImportJob.objects.exists()


def test_imports_run_one_at_a_time_and_a_few_a_day(reader, settings):
    settings.PAPERHUB_IMPORT_DAILY_QUOTA = 2
    library = b"@misc{a, title={Quasars in radio surveys}}\n"
    first = services.import_library(reader, ContentFile(library, name="a.bib"))
    with pytest.raises(NotAllowed, match="still running"):
        services.import_library(reader, ContentFile(library, name="b.bib"))
    ImportJob.objects.filter(pk=first.pk).update(status=ImportJob.FAILED)  # failed ones count too
    services.import_library(reader, ContentFile(library, name="c.bib"))
    ImportJob.objects.update(status=ImportJob.DONE)
    with pytest.raises(NotAllowed, match="2 files a day"):
        services.import_library(reader, ContentFile(library, name="d.bib"))
    assert ImportJob.objects.count() == 2


def test_zotero_items_as_references():
    def item(**data):
        return {"key": "ABCD2345", "data": {"itemType": "journalArticle", "title": "A title", **data}}

    assert zotero_reference(item(itemType="preprint", archiveID="arXiv:2606.10000")).arxiv_id == "2606.10000"
    assert zotero_reference(item(url="https://arxiv.org/abs/2606.10001v2")).arxiv_id == "2606.10001"
    assert zotero_reference(item(extra="arXiv: 2606.10002")).arxiv_id == "2606.10002"
    assert zotero_reference(item(repository="arXiv", number="2606.10003")).arxiv_id == "2606.10003"
    found = zotero_reference(item(DOI="https://doi.org/10.1234/ABC.5", abstractNote="We {show} it."))
    assert (found.doi, found.arxiv_id, found.abstract) == ("10.1234/abc.5", "", "We {show} it.")
    assert zotero_reference(item(itemType="attachment")) is None and zotero_reference(item(itemType="note")) is None
    assert zotero_reference(item(title="  ")) is None and zotero_reference({"key": "X"}) is None
