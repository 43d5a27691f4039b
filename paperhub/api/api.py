"""The JSON API under /api: Hugging Face-compatible paper endpoints, and our own beside them.

OpenAPI at /api/openapi.json, interactive docs at /api/docs. Reads are open; writes take a personal API token
(`Authorization: Bearer ph_...`, made on /accounts/tokens/). Every call but /health counts against a rate limit per
token, or per IP address without one (PAPERHUB_API_RATE_TOKEN / PAPERHUB_API_RATE_ANON): over it, 429 with
Retry-After.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import P, Query, QueryEx
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.responses import Status

from paperhub import search as search_api
from paperhub.api import answers, archive, collections, hf, zotero
from paperhub.api.access import HubThrottle, TokenAuth, refusal_of_token, token_user, viewer
from paperhub.api.errors import unwrapped
from paperhub.api.openapi import OPTIONAL_TOKEN, HubAPI
from paperhub.api.schemas import (
    AuthorPage,
    CategoryTrends,
    CommentIn,
    CommentOut,
    DailyItem,
    DailyQuery,
    Detail,
    Health,
    NotInterestedIn,
    NotInterestedOut,
    PaperOut,
    Pick,
    ProfileOut,
    SearchItem,
    SearchPage,
    SearchQuery,
    SearchRefused,
    SimilarPaper,
    SubmissionOut,
    SubmitIn,
    UpvoteHistory,
    UpvoteIn,
    UpvoteOut,
    VolumeOut,
    VolumeQuery,
    WhoAmI,
)
from paperhub.community import queries as community
from paperhub.community import services
from paperhub.community.models import Comment, Submission
from paperhub.core import health as health_checks
from paperhub.core.permissions import NotAllowed
from paperhub.papers import categories, feeds, periods, queries, trends
from paperhub.papers.models import Paper
from paperhub.recommend import queries as recommend
from paperhub.recommend import services as recommend_services
from paperhub.recommend.space import NotReady

api = HubAPI(title="paperhub API", version="1", description=__doc__ or "", throttle=[HubThrottle()],
               urls_namespace="api")


@api.exception_handler(NotAllowed)
def not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with each invalid field where the client put it: `body.kind`, not ninja's `body.body.kind` (the view's
    parameter's name, which the client never sees)."""
    return api.create_response(request, {"detail": [unwrapped(error) for error in exc.errors]}, status=422)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """401 saying what is wrong (no token, or one that is not valid), as MCP says it; ninja said "Unauthorized"."""
    response = api.create_response(request, {"detail": refusal_of_token(request)}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """429, with Retry-After when the wait is known (a route's own limit, such as Zotero's writes)."""
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    if exc.wait:
        response["Retry-After"] = str(exc.wait)
    return response


class TooMany(Throttled):
    """A route's own limit, with its reason (ninja's Throttled says only "Too many requests.")."""

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(wait)
        self.message = message


api.add_router("/zotero", zotero.router, auth=TokenAuth(), url_name_prefix="zotero")
api.add_router("/collections", collections.router)
api.add_router("/archive", archive.router)


#: How each `sort` of /api/daily_papers orders papers (feeds.ORDERS); without one, most upvoted first.
DAILY_ORDERS = {"publishedAt": "newest", "trending": "trending"}


def _daily_period(query: DailyQuery) -> periods.Period | None:
    """The day, week or month a daily papers query names, else the newest day with papers (None: no feed has any)."""
    texts = {"date": query.date.isoformat() if query.date else "", "week": query.week or "", "month": query.month or ""}
    named = [name for name, text in texts.items() if text]
    if len(named) > 1:  # one wins silently otherwise, and the caller reads the wrong period's papers
        raise HttpError(400, f"give one of date, week and month, not {', '.join(named[:-1])} and {named[-1]}")
    name = named[0] if named else "date"
    try:
        return feeds.named_period("day" if name == "date" else name, texts[name])
    except periods.PeriodError as exc:
        raise HttpError(400, str(exc)) from None


@api.get("/daily_papers", response={200: list[DailyItem], 400: Detail}, by_alias=True, exclude_unset=True,
         tags=["Hugging Face compatible"])
def daily_papers(request: HttpRequest, query: Query[DailyQuery]) -> list[dict[str, Any]]:
    """The daily papers, as huggingface.co/api/daily_papers: by day, week or month, submitter, or trending."""
    period = _daily_period(query)
    chosen = bool(query.date or query.week or query.month)
    offset = query.p * query.limit
    if query.sort == "trending" and not chosen and not query.submitter:
        papers = feeds.trending(limit=offset + query.limit)[offset:]
    elif query.submitter:  # in the period named, else in every feed; newest first unless sorted otherwise
        papers, _ = feeds.period_papers(period if chosen else None, offset, query.limit, submitter=query.submitter,
                                        order=DAILY_ORDERS.get(query.sort or "", "votes" if chosen else "newest"))
    elif period is None:
        papers = []
    else:
        papers, _ = feeds.period_papers(period, offset, query.limit, order=DAILY_ORDERS.get(query.sort or "", "votes"))
    names, comments, stars, keywords = answers.counts(papers)
    participating = community.author_participation([p.pk for p in papers])
    return [hf.daily_item(p, names.get(p.pk, []), getattr(p, "votes", p.upvotes), comments.get(p.pk, 0),
                          keywords.get(p.pk, []), answers.entry(p), stars.get(p.pk), p.pk in participating)
            for p in papers]


def _refuse_unknown_categories(q: str, filters: "search_api.Filters") -> None:
    """A 400 with the reason for a category that is no arXiv category (cat=cs.XX), as the search feeds refuse it:
    not an empty answer, forever."""
    if problem := search_api.category_problem(search_api.parse(q), filters):
        raise HttpError(400, problem)


def _search_filters(query: SearchQuery) -> "search_api.Filters":
    return search_api.Filters.from_text(query.since, query.until, query.cat, query.author, query.code)


def _run_search(query: SearchQuery, explain: bool = True) -> "search_api.Results":
    filters = _search_filters(query)
    _refuse_unknown_categories(query.q, filters)
    results = search_api.search(query.q, filters=filters, sort=query.sort, limit=query.limit, offset=query.offset,
                                mode=query.mode, correct=not query.exact, explain=explain)
    if results.query.problem:  # since:/until: that is no date
        raise HttpError(400, results.query.problem)
    return results


@api.api_operation(["GET", "HEAD"], "/health", response={200: Health, 503: Health}, throttle=[], tags=["paperhub"])
def health(request: HttpRequest) -> Status[dict[str, Any]] | HttpResponse:
    """Whether this node serves: 200 when its database answers, else 503 (for a load balancer or a monitor; no rate
    limit, which would itself ask the database). HEAD, which many monitors send, answers the same status, no body."""
    answers = health_checks.database_answers()
    status = 200 if answers else 503
    if request.method == "HEAD":
        return HttpResponse(status=status, content_type="application/json")
    return Status(status, {"status": "ok" if answers else "unavailable", "database": answers})


@api.get("/whoami-v2", response={200: WhoAmI, 401: Detail}, exclude_unset=True, auth=TokenAuth(),
         tags=["Hugging Face compatible"])
def whoami(request: HttpRequest) -> dict[str, Any]:
    """Whose the token is, as huggingface.co/api/whoami-v2 answers (huggingface_hub's whoami(), and create_collection
    without a namespace): only what the hub knows, no organisations."""
    user = token_user(request)
    named = {"fullname": user.get_full_name()} if user.get_full_name() else {}
    return {"type": "user", "id": str(user.pk), "name": user.get_username(), "orgs": [], **named}


@api.get("/papers/search", response={200: list[SearchItem], 400: Detail}, by_alias=True, exclude_unset=True,
         tags=["Hugging Face compatible"])
def papers_search(request: HttpRequest, q: QueryEx[str, P(max_length=500)] = "",
                  limit: QueryEx[int, P(ge=1, le=100)] = 20) -> list[dict[str, Any]]:
    """Search, as huggingface.co/api/papers/search (the hub's hybrid search behind it): the query as typed, never
    its spelling's correction (this answer has no field to say it was corrected), and no account of an empty one."""
    results = _run_search(SearchQuery.model_validate({"q": q, "limit": limit, "exact": True}), explain=False)
    papers = queries.papers_in_order([h.id for h in results.hits])
    return [hf.search_item(p, shaped) for p, shaped in zip(papers, answers.papers(papers), strict=True)]


def _beyond(query: SearchQuery, results: "search_api.Results") -> tuple[str, str | None]:
    """What an answer says past the last offset served: the cap in a sentence ("" before it), and the address of
    the search that goes on (date order), else None."""
    searched = results.suggestion.query if results.corrected and results.suggestion else query.q
    beyond = search_api.beyond(searched, results, _search_filters(query), query.sort, query.offset, query.limit,
                               query.mode)
    if beyond is None:
        if query.offset <= search_api.MAX_OFFSET:
            return "", None
        if results.total <= search_api.MAX_OFFSET:
            return f"offset is at most {search_api.MAX_OFFSET}; these {results.total} results end before it", None
        cap = search_api.MAX_OFFSET
        return f"offset is at most {cap}, which reaches the last of these {results.total} results", None
    said = f"offset is at most {search_api.MAX_OFFSET}: the first {beyond.listed} of {results.total} results are served"
    if beyond.then is None:
        return f"{said}, best first; narrow the search (since, until, cat) to reach the others", None
    settings = {"mode": "" if query.mode == "hybrid" else query.mode, "limit": query.limit,
                "exact": "true" if query.exact else ""}
    extra = "".join(f"&{name}={value}" for name, value in settings.items() if value)
    then = f"{reverse('api:search')}?{search_api.url_query(searched, beyond.then, query.sort)}{extra}"
    day = beyond.then.until.isoformat() if beyond.then.until else ""
    return f"{said}, newest first; next: the same search until {day}, from offset 0", then


@api.get("/search", response={200: SearchPage, 400: SearchRefused}, tags=["paperhub"])
def search(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any] | Status[dict[str, Any]]:
    """Hybrid search with the filters, sorts and highlights the HF endpoint lacks."""
    results = _run_search(query)
    cap, following = _beyond(query, results)
    if query.offset > search_api.MAX_OFFSET:
        return Status(400, {"detail": cap, "next": following})
    votes = dict(Paper.objects.filter(pk__in=[h.id for h in results.hits]).values_list("id", "upvotes"))
    hits = [{"id": h.uid, "title": h.title, "title_html": str(h.title_html), "snippet_html": str(h.snippet_html),
             "authors": h.authors, "categories": h.categories,
             "published": h.published.isoformat() if h.published else None,
             "upvotes": votes.get(h.id, 0), "score": h.score} for h in results.hits]
    models = [search_api.signal_name(kind) for kind in results.semantic_models]
    here = reverse("api:search")
    return {"total": results.total, "hits": hits, "semantic_models": models,
            "suggestion": results.suggestion.query if results.suggestion else None, "corrected": results.corrected,
            "found_as_typed": results.found_as_typed, "semantic_pending": results.semantic_pending,
            "left_out": list(results.query.left_out),
            "emptied_by": [{"reason": part.reason, "part": part.words, "held": part.held, "without": part.without,
                            "unknown": list(part.unknown),
                            "search": f"{here}?{search_api.url_query(part.q, part.filters, query.sort)}"}
                           for part in results.why], "next": following}


@api.get("/search/volume", response={200: VolumeOut, 400: Detail}, tags=["paperhub"])
def search_volume(request: HttpRequest, query: Query[VolumeQuery]) -> dict[str, Any]:
    """How many papers hold all of the query's words, per month (per year over spans of more than 4 years)."""
    filters = search_api.Filters.from_text(query.since, query.until, query.cat, query.author, has_code=query.code)
    _refuse_unknown_categories(query.q, filters)
    volume = search_api.volume(query.q, filters)
    if volume.problem:  # since:/until: that is no date
        raise HttpError(400, volume.problem)
    return {"unit": volume.unit, "periods": volume.labels, "counts": volume.counts, "total": volume.total}


@api.get("/trends/categories", response={200: CategoryTrends, 400: Detail}, tags=["paperhub"])
def category_trends(request: HttpRequest, cat: QueryEx[str, P(max_length=200)] = "",
                    weeks: QueryEx[int, P(ge=1, le=trends.MAX_WEEKS)] = 26) -> dict[str, Any]:
    """Papers per ISO week in the given categories (up to 8), or in the busiest six, ending with the newest paper;
    codes no paper on the hub is in are left out and listed in `unknown`."""
    if len(trends.codes_in(cat)) > trends.MAX_CATEGORIES:
        raise HttpError(400, f"at most {trends.MAX_CATEGORIES} categories")
    known = trends.parse_categories(cat)
    data = trends.category_weeks(known or None, weeks)
    return {"weeks": data.labels, "counts": data.counts, "names": {c: categories.category_name(c) for c in data.counts},
            "unknown": trends.unknown_categories(cat, known)}


@api.post("/papers/submit", response={202: SubmissionOut, 400: Detail, 401: Detail}, auth=TokenAuth(),
          tags=["writes"])
def submit(request: HttpRequest, body: SubmitIn) -> Status[dict[str, Any]]:
    """Ask for a paper in today's feed (the same rules as the web page); a worker fetches it from arXiv.

    Answers 202 at once with the submission's status; read it again at its `url` until it is done or failed.
    """
    return Status(202, answers.submission(services.submit(token_user(request), body.paper)))


@api.get("/submissions/{int:submission_id}", response={200: SubmissionOut, 401: Detail, 404: Detail},
         auth=TokenAuth(), tags=["paperhub"])
def submission(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    """One of your submissions: pending, fetching, done or failed (with its message)."""
    found = Submission.objects.filter(pk=submission_id, user_id=token_user(request).pk).first()
    if found is None:
        raise HttpError(404, f"you have no submission {submission_id}")
    return answers.submission(found)


@api.get("/papers/{path:paper_id}/comments", response={200: list[CommentOut], 404: Detail}, by_alias=True,
         tags=["Hugging Face compatible"])
def paper_comments(request: HttpRequest, paper_id: str,
                   p: QueryEx[int, P(ge=0, le=10_000, description="page, from 0")] = 0,
                   limit: QueryEx[int, P(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    """A paper's visible comments, oldest first, `limit` a page; replies carry their parent's id."""
    paper = answers.paper_or_404(paper_id)
    return [answers.comment(c) for c in community.paper_comments(paper, offset=p * limit, limit=limit)]


@api.post("/papers/{path:paper_id}/comments",
          response={200: CommentOut, 400: Detail, 401: Detail, 404: Detail, 429: Detail},
          by_alias=True, auth=TokenAuth(), tags=["writes"])
def add_comment(request: HttpRequest, paper_id: str, body: CommentIn) -> dict[str, Any]:
    """Comment on a paper, or reply to one of its comments (parentId)."""
    paper = answers.paper_or_404(paper_id)
    parent = Comment.objects.filter(pk=body.parentId).first() if body.parentId else None
    if body.parentId and parent is None:
        raise HttpError(400, "no such parent comment")
    try:
        added = services.add_comment(token_user(request), paper, body.comment, parent, request=request)
        return answers.comment(community.with_people([added])[0])
    except services.TooManyComments as exc:
        raise TooMany(str(exc), exc.wait) from exc


@api.post("/papers/{path:paper_id}/upvote", response={200: UpvoteOut, 401: Detail, 404: Detail}, auth=TokenAuth(),
          tags=["writes"])
def upvote(request: HttpRequest, paper_id: str, body: UpvoteIn) -> dict[str, Any]:
    """Upvote a paper (one per user), take it back, or toggle."""
    state, count = services.upvote(token_user(request), answers.paper_or_404(paper_id), on=body.on)
    return {"upvoted": state, "upvotes": count}


@api.post("/papers/{path:paper_id}/not-interested", response={200: NotInterestedOut, 401: Detail, 404: Detail},
          auth=TokenAuth(), tags=["writes"])
def not_interested(request: HttpRequest, paper_id: str, body: NotInterestedIn) -> dict[str, Any]:
    """Mark a paper "not interested" (a downvote for your recommendations), take it back, or toggle."""
    paper = answers.paper_or_404(paper_id)
    return {"not_interested": recommend_services.not_interested(token_user(request), paper, on=body.on)}


@api.get("/recommendations", response={200: list[Pick], 401: Detail, 503: Detail}, by_alias=True,
         exclude_unset=True, auth=TokenAuth(), tags=["paperhub"])
def recommendations(request: HttpRequest, limit: QueryEx[int, P(ge=1, le=100)] = 20,
                    offset: QueryEx[int, P(ge=0, le=1000)] = 0) -> list[dict[str, Any]]:
    """Your "For you" picks among the newest papers, best first, each with the reasons it was picked.

    Empty until you upvote, save, pick or import papers (or follow authors)."""
    try:
        # the page's order; only the page records what it showed (a script's polls are no visit)
        picks = recommend.for_you(token_user(request), limit=limit, offset=offset, today=timezone.localdate())
    except NotReady as exc:
        raise HttpError(503, str(exc)) from exc  # (its build is queued: space.PREPARING)
    return [{**shaped, "score": round(p.score, 4), "reasons": p.reasons,
             "shown_on": p.shown_on.isoformat() if p.shown_on else None}
            for p, shaped in zip(picks, answers.papers([p.paper for p in picks]), strict=True)]


@api.get("/papers/{path:paper_id}/upvotes", response={200: UpvoteHistory, 404: Detail}, tags=["paperhub"])
def upvote_history(request: HttpRequest, paper_id: str) -> dict[str, Any]:
    """The paper's upvotes on this hub as a running total per day, from its first upvote to today."""
    paper = answers.paper_or_404(paper_id)
    days, totals = community.upvote_history(paper)
    return {"days": [d.isoformat() for d in days], "totals": totals}


@api.get("/papers/{path:paper_id}/similar", response={200: list[SimilarPaper], 404: Detail}, by_alias=True,
         exclude_unset=True, tags=["paperhub"])
def similar(request: HttpRequest, paper_id: str, limit: QueryEx[int, P(ge=1, le=50)] = 10) -> list[dict[str, Any]]:
    """The papers most like a paper (key terms, meaning, authors, categories), in the paper shape, each with
    `similarity`: its fused score and the signals that brought it."""
    hits = search_api.similar(answers.paper_or_404(paper_id).pk, limit=limit)
    by_id = {h.id: h for h in hits}
    papers = queries.papers_in_order(list(by_id))
    return [{**shaped, "similarity": {"score": round(by_id[p.pk].score, 4),
                                      "reasons": [r.as_dict() for r in by_id[p.pk].reasons]}}
            for p, shaped in zip(papers, answers.papers(papers), strict=True)]


@api.get("/papers/{path:paper_id}", response={200: PaperOut, 404: Detail}, by_alias=True, exclude_unset=True,
         tags=["Hugging Face compatible"])
def paper_info(request: HttpRequest, paper_id: str) -> dict[str, Any]:
    """One paper, as huggingface.co/api/papers/{id}."""
    return answers.papers([answers.paper_or_404(paper_id)])[0]


@api.get("/authors/{slug}", response={200: AuthorPage, 404: Detail}, by_alias=True, exclude_unset=True,
         tags=["paperhub"])
def author(request: HttpRequest, slug: str, p: QueryEx[int, P(ge=0, le=10_000, description="page, from 0")] = 0,
           limit: QueryEx[int, P(ge=1, le=100)] = 30) -> dict[str, Any]:
    """An author's papers in this hub, newest first, in the paper shape (the JSON of /authors/<slug>)."""
    found = queries.author_by_slug(slug)
    if found is None:
        raise HttpError(404, "no such author")
    papers, total = queries.author_papers(found.pk, offset=p * limit, limit=limit)
    return {"id": found.pk, "name": found.name, "slug": found.slug, "total": total, "papers": answers.papers(papers)}


@api.get("/users/{username}", response={200: ProfileOut, 404: Detail}, by_alias=True, exclude_unset=True,
         tags=["paperhub"], openapi_extra=OPTIONAL_TOKEN)
def profile(request: HttpRequest, username: str,
            p: QueryEx[int, P(ge=0, le=10_000, description="page of their collections, from 0")] = 0) -> dict[str, Any]:
    """A user's collections (their private ones only with their token; a page of them), latest upvoted papers and
    comments, and the papers they are a verified author of (the JSON of /users/<name>)."""
    found = community.profile(username, viewer(request), collections_page=p)
    if found is None:
        raise HttpError(404, "no such user")
    return {"username": found.person.get_username(), "collections": [answers.collection(c) for c in found.collections],
            "collectionsTotal": found.collections_total,
            "upvoted": answers.papers(found.upvoted), "authored": answers.papers(found.authored),
            "comments": [{**answers.comment(c), "paper": {"id": c.paper.uid, "title": c.paper.title}}
                         for c in found.comments]}
