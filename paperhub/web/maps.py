"""/map: the topic map page, its points (binary, for the canvas script) and the titles shown on hover."""

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from paperhub import search as search_api
from paperhub.papers import queries
from paperhub.papers.tex import plain_text, render_tex
from paperhub.recommend import queries as recommend
from paperhub.topicmap import store
from paperhub.web.search import did_you_mean, searched_query, typed_url

OVERVIEW = 40_000  # points drawn before zooming in
IN_VIEW = 25_000  # points sent for a zoomed-in view
HIGHLIGHTS = 300
SEARCH_MARKS = 200  # a search's best results ringed on the map
SIMILAR_MARKS = 20  # ?paper=: its most similar papers ringed beside it


def _float(request: HttpRequest, name: str, default: float) -> float:
    try:
        value = float(request.GET.get(name, default))
    except ValueError:
        return default
    return min(max(value, -1.0), 2.0)


def highlights(built: store.TopicMap, q: str, user: User | None, exact: bool = False
               ) -> tuple[dict[str, list[tuple[int, float, float]]], "search_api.Results | None"]:
    """Where a search's best results (its correction's where the search page would show them, unless `exact`) and a
    user's liked papers lie on the map, and the search's results."""
    found: dict[str, list[tuple[int, float, float]]] = {"search": [], "mine": []}
    results = search_api.first_results(q, SEARCH_MARKS, correct=not exact) if q.strip() else None
    if results is not None:
        found["search"] = built.positions([h.id for h in results.hits])
    if user is not None and user.is_authenticated:
        liked = [s.paper_id for s in recommend.signals(user).liked if s.paper_id is not None]
        found["mine"] = built.positions(liked[:HIGHLIGHTS])
    return found, results


def map_page(request: HttpRequest) -> HttpResponse:
    """The map, with ?q= results, ?paper= one paper and its similar papers, and the visitor's interests marked."""
    built = store.current()
    q = request.GET.get("q", "")[:500]
    focus = queries.paper_by_uid(request.GET.get("paper", "")[:100]) if request.GET.get("paper") else None
    if built is None:
        return render(request, "web/map.html", {"built": None, "q": q})
    exact = request.GET.get("exact") == "1"  # the query as typed, not its spelling's correction
    marks, results = highlights(built, q, request.user, exact)  # type: ignore[arg-type]
    total = results.total if results is not None else 0
    suggestion = results.suggestion if results is not None else None
    # a paper's page links here: the paper itself (the view starts on it) and its similar papers
    marks["paper"] = built.positions([focus.pk]) if focus is not None else []
    marks["similar"] = built.positions([h.id for h in search_api.similar(focus.pk, SIMILAR_MARKS)]) if focus else []
    top = sorted((c for c in built.meta["clusters"] if c["level"] == "top"), key=lambda c: -c["size"])
    data = {"clusters": built.meta["clusters"], "search": marks["search"], "mine": marks["mine"],
            "paper": marks["paper"], "similar": marks["similar"],
            "papers": len(built), "overview": min(OVERVIEW, len(built)),
            # where the script fetches points and a paper's title (the route for paper 0 less its 0: + id)
            "urls": {"points": reverse("map_points"), "paper": reverse("map_paper", args=[0])[:-1]}}
    return render(request, "web/map.html", {"built": built, "q": q, "top": top, "data": data, "focus": focus,
                                            "focus_title": render_tex(focus.title) if focus else "",
                                            "marks": {k: len(v) for k, v in marks.items()}, "total": total,
                                            "best": min(total, SEARCH_MARKS), "results": results,
                                            "searched": searched_query(q, results),
                                            "did_you_mean": did_you_mean(request, suggestion, "map"),
                                            "typed_url": typed_url(request, q, results, "map"), "exact": exact},
                  status=400 if results is not None and results.query.problem else 200)  # a date that is no date


@require_GET
def map_points(request: HttpRequest) -> HttpResponse:
    """Points for the canvas: the overview sample, or (with x0, y0, x1, y1) a sample of one view."""
    built = store.current()
    if built is None:
        raise Http404("no map yet")
    if "x0" in request.GET:
        indices = built.in_view(_float(request, "x0", 0), _float(request, "y0", 0), _float(request, "x1", 1),
                                _float(request, "y1", 1), IN_VIEW)
    else:
        indices = built.in_view(0, 0, 1, 1, OVERVIEW)
    response = HttpResponse(built.pack(indices), content_type="application/octet-stream")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def map_paper(request: HttpRequest, paper_id: int) -> JsonResponse:
    """What the map shows for a point under the pointer."""
    paper = queries.paper_brief(paper_id)
    if paper is None:
        raise Http404("no such paper")
    return JsonResponse({"uid": paper["uid"], "url": reverse("paper", args=[paper["uid"]]),
                         "title": plain_text(paper["title"]),
                         "year": paper["published"].year if paper["published"] else None})

