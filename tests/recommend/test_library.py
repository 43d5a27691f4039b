"""Reading BibTeX and CSL JSON exports, and importing them into a user's seeds."""

import json

from paperhub.recommend import queries, services
from paperhub.recommend.library import parse_bibtex, parse_csl_json, parse_library
from paperhub.recommend.models import Seed

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


def test_import_matches_by_id_doi_title_and_keeps_the_rest_as_text(topics, reader):
    from paperhub.papers.models import Paper

    Paper.objects.filter(uid="2606.20000").update(doi="10.1234/abc.5")
    bib = BIB + "@article{bytitle, title={Enzyme design at scale: a proteins study}}\n"
    report = services.import_library(reader, bib)
    assert report.matched == 4  # arXiv id, arXiv URL, DOI, title
    assert report.added_as_text == 1 and len(report.errors) == 2
    seeds = Seed.objects.filter(user=reader)
    assert {s.paper.uid for s in seeds if s.paper} == {"2606.00000", "2606.10001", "2606.20000", "2606.00003"}
    assert services.import_library(reader, bib).already == 5  # idempotent
    assert seeds.count() == 5
    picks = queries.for_you(reader, limit=10)
    assert picks and any("you imported" in r for p in picks for r in p.reasons)
