"""The search page (/papers/search): result cards, filters, the volume chart, corrections and why a search found
nothing; what the map's page shares with it."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from paperhub import search as search_api
from paperhub.papers import queries
from paperhub.papers.categories import category_name
from paperhub.recommend import queries as recommend
from paperhub.web import charts
from paperhub.web.cards import Card, cards, page_number, pager
from paperhub.web.drawn import map_drawn
from paperhub.web.missing import named_paper_page
from paperhub.web.twins import search_twin

SEARCH_PAGE = 20


def search_filters(request: HttpRequest) -> search_api.Filters:
    """The search filters of a request's query string, as the search page reads them (lenient: it explains)."""
    return search_api.Filters.from_params(request.GET)


def volume_caption(parsed: search_api.ParsedQuery, unit: str, filters: search_api.Filters) -> str:
    """The search volume chart's title: the query's words, and its syntax (has:code or the ticked box, cat:,
    author:, exclusions, dates) said in words: "Papers in cs.CL per month", not "all of “cat:cs.CL”"."""
    code = search_api.wants_code(parsed, filters)
    # the words in one pair of quotes, each phrase in its own ("all of “diffusion” and “video generation”"): a
    # phrase's own quotes inside them read “"large language models"”
    quoted = [f"“{words}”" for words in (" ".join(parsed.terms), *(" ".join(p) for p in parsed.phrases)) if words]
    head = f"with {'code and ' if code else ''}all of {' and '.join(quoted)}" if quoted else "with code" if code else ""
    return " ".join(["Papers", ", ".join(part for part in (head, *search_api.parts_in_words(parsed)) if part),
                     f"per {unit}"])


@dataclass(frozen=True)
class DidYouMean:
    """A corrected query as the search page offers it: its link, and its text in pieces, the corrected ones marked."""

    url: str
    pieces: list[tuple[str, bool]]


def did_you_mean(request: HttpRequest, suggestion: "search_api.Suggestion | None",
                 page: str = "search") -> DidYouMean | None:
    """The link to the corrected query on a page (search's keeps its sort and filters); None when nothing is
    misspelt."""
    if suggestion is None:
        return None
    query = urlencode({"q": suggestion.query, **(search_settings(request) if page == "search" else {})})
    return DidYouMean(f"{reverse(page)}?{query}", suggestion.pieces())


def searched_query(q: str, results: "search_api.Results | None") -> str:
    """The query whose papers are shown: the correction where the query as typed found nothing."""
    return results.suggestion.query if results is not None and results.corrected and results.suggestion else q


def typed_url(request: HttpRequest, q: str, results: "search_api.Results | None", route: str = "search") -> str:
    """Where the query as typed is searched without its correction ("Search instead for"), on the search page or
    the map (`route`), when it found papers of its own; "" otherwise."""
    if results is None or not results.found_as_typed:
        return ""
    return f"{reverse(route)}?{urlencode({'q': q, **search_settings(request), 'exact': '1'})}"


def emptied_by(results: "search_api.Results | None", sort: str) -> list[tuple[str, int, bool, str]]:
    """What emptied a search that found nothing, as the page says it: each part's reason, how many results the
    search has without it (at least, where that is its keyword matches alone), and its link."""
    if results is None:
        return []
    return [(part.reason, part.without, part.by_words,
             f"{reverse('search')}?{search_api.url_query(part.q, part.filters, sort)}")
            for part in results.why]


def search_settings(request: HttpRequest) -> dict[str, str]:
    """The search page's sort and filters in a request's query string (what its links to other pages keep)."""
    return {k: str(request.GET[k]) for k in ("sort", "since", "until", "cat", "author", "code") if k in request.GET}


def missing_papers(q: str, results: "search_api.Results | None", filters: search_api.Filters) -> list[str]:
    """The arXiv ids a search named that are not on this hub (the page offers to submit each)."""
    if results is None:
        return []
    named = search_api.named_papers(q)
    if not named or filters != search_api.Filters():  # ids beside filters are words: their papers may be filtered out
        return []
    if not results.total:
        return list(named)
    if not results.hits:  # a page past them: the first page says which are missing
        return []
    found = {hit.uid for hit in results.hits}
    return [uid for uid in named if uid not in found]


def search_page(request: HttpRequest) -> HttpResponse:
    """/papers/search?q=: result cards with highlights, filters, sorts and pages."""
    q = request.GET.get("q", "")[:500]
    sort = request.GET.get("sort", "relevance")
    sort = sort if sort in ("relevance", "newest", "upvotes") else "relevance"
    page = page_number(request)
    filters = search_filters(request)
    filter_problem = search_api.filter_problem(request.GET)  # a filter it cannot read: its reason, not every paper
    if not filter_problem and (paper_page := named_paper_page(q, filters)):
        return redirect(paper_page)  # a pasted id or address: its paper, as arXiv's own search box does
    exact = request.GET.get("exact") == "1"  # the query as typed, not its spelling's correction
    results = None
    found: list[Card] = []
    if (q.strip() or filters != search_api.Filters()) and not filter_problem:
        results = search_api.search(q, filters=filters, sort=sort, limit=SEARCH_PAGE,
                                    offset=(page - 1) * SEARCH_PAGE, correct=not exact, explain=True)
        hits = {h.id: h for h in results.hits}
        parsed = results.query
        found = cards(request, queries.papers_in_order(list(hits)), hits,
                      named=lambda authors: search_api.named_authors(authors, parsed, filters))
    # the query whose papers are shown: the one typed, or its correction where the typed one found nothing
    searched = searched_query(q, results)
    chart = None
    if results is not None and q.strip() and page == 1:
        volume = search_api.volume(searched, filters)
        if charts.worth_drawing(volume.counts):  # (the query as search() parsed it: not parsed again)
            chart = charts.bar_chart(volume_caption(results.query, volume.unit, filters), volume.labels,
                                     volume.counts)
    save_query, save_left_out = search_api.in_syntax(searched, filters)  # what "Save this search" keeps
    beyond = search_api.beyond(searched, results, filters, sort, (page - 1) * SEARCH_PAGE, SEARCH_PAGE) \
        if results is not None and not results.query.problem else None
    return render(request, "web/search.html", {
        "json_url": search_twin(q, filters, sort, (page - 1) * SEARCH_PAGE, SEARCH_PAGE) if results is not None else "",
        "q": q, "searched": searched, "sort": sort, "cards": found, "results": results, "chart": chart,
        "map_built": page == 1 and map_drawn(request),
        # a search by category alone lists the category: its name heads the page (only a name the hub knows: any
        # other text in ?cat= would be a heading of the sender's choosing)
        "listed_categories": () if q.strip() else tuple(c for c in filters.categories if category_name(c) != c),
        "filters": {"since": request.GET.get("since", ""), "until": request.GET.get("until", ""),
                    "cat": request.GET.get("cat", ""), "author": request.GET.get("author", ""),
                    "code": filters.has_code},
        **pager(page, min(results.total, search_api.MAX_OFFSET + 1) if results is not None else 0, SEARCH_PAGE),
        "missing_ids": missing_papers(q, results, filters),
        "did_you_mean": did_you_mean(request, results.suggestion) if results is not None else None,
        "typed_url": typed_url(request, q, results), "why": emptied_by(results, sort), "exact": exact,
        "extra": urlencode({**search_settings(request), **({"exact": "1"} if exact else {})}),
        # its feeds (newest first: no sort) and BibTeX: the papers shown, filters and all
        "follow_query": search_api.url_query(searched, filters),
        "follow_title": search_api.described(searched, filters),
        "bib_query": search_api.url_query(searched, filters, sort),
        "save_query": save_query, "save_left_out": save_left_out,
        "saved": recommend.saved_search(request.user, save_query),  # type: ignore[arg-type]
        "filter_problem": filter_problem, "beyond": beyond,
        "beyond_url": f"{reverse('search')}?{search_api.url_query(searched, beyond.then, sort)}"
        + ("&exact=1" if exact else "") if beyond and beyond.then else "",
    }, status=400 if filter_problem or results is not None and results.query.problem else 200)  # a date that is no date
