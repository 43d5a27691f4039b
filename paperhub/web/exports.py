"""BibTeX downloads of a paper, a collection or a search."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound

from paperhub import search as search_api
from paperhub.community import queries as community
from paperhub.core.media import PLAIN
from paperhub.papers import queries
from paperhub.papers.bibtex import bibliography
from paperhub.papers.models import Paper
from paperhub.web.missing import missing_text

MAX_SEARCH = 200


def _bib(papers: list[Paper], filename: str) -> HttpResponse:
    text = bibliography(papers, queries.author_names_by_paper([p.pk for p in papers]))
    response = HttpResponse(text, content_type="application/x-bibtex; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.bib"'
    return response


def paper_bib(request: HttpRequest, uid: str) -> HttpResponse:
    """/papers/<id>.bib"""
    paper = queries.paper_by_uid(uid)
    if paper is None:  # text, as the BibTeX would have been
        return missing_text(uid)
    return _bib([paper], paper.uid.replace("/", "_"))


def collection_bib(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """/collections/<user>/<slug>.bib (a private collection only for its owner)."""
    collection = community.collection(request.user, username, slug)
    if collection is None:  # text, as the BibTeX would have been
        return HttpResponseNotFound("no such collection", content_type=PLAIN)
    return _bib(community.collection_papers(collection), slug)


def search_bib(request: HttpRequest) -> HttpResponse:
    """/papers/search.bib?q=...: the first 200 results of a search, with the search page's filters."""
    q = request.GET.get("q", "")[:500]
    try:  # since=2026-06 or cat=cs.XX: said, as the search feeds say it (not an empty file, forever)
        filters = search_api.Filters.from_params(request.GET, strict=True)
    except search_api.BadFilter as exc:
        return HttpResponseBadRequest(str(exc), content_type=PLAIN)
    if not q.strip() and filters == search_api.Filters():
        return HttpResponseNotFound(f"search for something first: the BibTeX of a search needs "
                                    f"{search_api.Filters.ASKED}", content_type=PLAIN)  # as the search feeds
    sort = request.GET.get("sort", "relevance")
    results = search_api.first_results(q, MAX_SEARCH, filters, sort if sort in ("relevance", "newest", "upvotes")
                                       else "relevance")
    if results.query.problem:  # since:/until: that is no date: said, as the search feeds say it
        return HttpResponseBadRequest(results.query.problem, content_type=PLAIN)
    return _bib(queries.papers_in_order([h.id for h in results.hits]), "search")
