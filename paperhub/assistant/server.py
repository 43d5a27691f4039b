"""The hub's MCP server: tools over the same queries and services as the JSON API, and `paper://{id}`."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, ToolAnnotations
from pydantic import Field, ValidationError

from paperhub import search as search_api
from paperhub.accounts import names
from paperhub.assistant import schemas
from paperhub.assistant.access import admit, hub_call
from paperhub.community import curation, named, services
from paperhub.community import queries as community
from paperhub.community.models import Collection
from paperhub.core.addresses import link
from paperhub.papers import feeds, queries
from paperhub.papers.models import Paper
from paperhub.recommend import queries as recommend
from paperhub.recommend.space import NotReady

PaperId = Annotated[str, Field(min_length=1, max_length=200, description="2501.01234, hep-th/9901001, scheme:id, or "
                                                                         "the paper's arXiv or Hugging Face address")]
Limit = Annotated[int, Field(ge=1, le=50)]
Whose = Annotated[str, Field(max_length=150, pattern=names.CHARACTERS,
                              description="a user name; empty: yours, private ones too (needs an API token)")]
CollectionSlug = Annotated[str, Field(min_length=1, max_length=400, pattern="^[^\x00-\x1f\x7f-\x9f]+$",
                                      description="the slug of one of your collections, "
                                      "or owner/slug of one shared with you")]
READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, idempotent_hint=True, open_world_hint=False)

#: The line pydantic ends each of its validation errors with: a link for the server's developer, noise to a model.


def invalid_arguments(tool: str, error: ValidationError) -> str:
    """A tool's invalid arguments in one line, each as `argument: what is wrong` (pydantic's own text echoes the
    value sent, its type and a link to its documentation, on several lines)."""
    parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" if e["loc"] else e["msg"] for e in error.errors()]
    return f"invalid arguments for {tool}: {'; '.join(parts)}"


class HubServer(MCPServer):
    """The SDK's server, its argument errors told in one line each, as the API tells them."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if type(exc) is not ToolError or not isinstance(exc.__cause__, ValidationError):
                raise
            raise ToolError(invalid_arguments(name, exc.__cause__)) from exc.__cause__

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None,
                         context: Context[Any, Any] | None = None) -> Any:
        """The SDK's, but a required argument missing is invalid params, said as a tool's are (the SDK answers it
        as an internal error)."""
        # read through the public list_prompts, not the SDK's private prompt manager (mcp 2.3.0 has no public
        # lookup of one prompt by name)
        prompt = next((p for p in await self.list_prompts() if p.name == name), None)
        missing = [arg.name for arg in (prompt.arguments or []) if arg.required and arg.name not in (arguments or {})
                   ] if prompt else []
        if missing:
            raise MCPError(INVALID_PARAMS, f"invalid arguments for {name}: " + "; ".join(
                f"{arg}: Field required" for arg in missing))
        return await super().get_prompt(name, arguments, context)


hub = HubServer(
    "paperhub",
    instructions="Research papers from this hub: search them, read one, find similar "
    "ones, browse a day's, week's or month's papers and what is trending. With an API token: your "
    "For-you picks, upvotes and collections. Every result links back to the hub.",
)


def _day(paper: Paper) -> str | None:
    return paper.published.date().isoformat() if paper.published else None


def _cards(papers: list[Paper], root: str) -> list[dict[str, Any]]:
    """The PaperCard fields of papers, their authors read in one query."""
    names = queries.author_names_by_paper([p.pk for p in papers])
    return [
        {
            "id": p.uid,
            "title": p.title,
            "authors": names.get(p.pk, []),
            "published": _day(p),
            "upvotes": getattr(p, "votes", p.upvotes),
            "url": link(root, "paper", p.uid),
        }
        for p in papers
    ]


def _paper(paper_id: str) -> Paper:
    found = queries.paper_by_uid(paper_id)
    if found is None:
        raise ToolError(community.not_here(paper_id[:64]))
    return found


def _full(paper: Paper, root: str) -> schemas.Paper:
    [card] = _cards([paper], root)
    return schemas.Paper(
        **card,
        abstract=paper.abstract,
        keywords=search_api.keywords_of([paper.pk]).get(paper.pk, []),
        categories=list(paper.categories.order_by("code").values_list("code", flat=True)),
        comments=community.comment_counts([paper.pk]).get(paper.pk, 0),
        arxiv_url=paper.abs_url if paper.arxiv_id else None,
        code_url=paper.code_url or None,
        project_url=paper.project_url or None,
        similar_url=link(root, "api:similar", paper.uid),
    )


@hub.tool(annotations=READ)
@hub_call
def search_papers(
    ctx: Context[Any, Any],
    query: Annotated[
        str,
        Field(
            max_length=500,
            description='words, "phrases", author:, cat:, has:code, since:/until: YYYY-MM-DD, -exclusions '
                        '(as the hub\'s search box)',
        ),
    ] = "",
    since: date | None = None,
    until: date | None = None,
    categories: Annotated[str, Field(max_length=200, description="any of, e.g. cs.CL cs.LG")] = "",
    authors: Annotated[str, Field(max_length=300, description="any of, comma-separated")] = "",
    has_code: bool = False,
    sort: Literal["relevance", "newest", "upvotes"] = "relevance",
    limit: Limit = 10,
    offset: Annotated[int, Field(ge=0, le=10_000)] = 0,
    exact: Annotated[bool, Field(description="the query as typed, never its spelling's correction")] = False,
) -> schemas.SearchResults:
    """Search the hub's papers (keyword and semantic, fused), with the filters of /api/search."""
    caller = admit(ctx)
    filters = search_api.Filters.from_text(since, until, categories, authors, has_code)
    results = search_api.search(query, filters=filters, sort=sort, limit=limit, offset=offset, correct=not exact,
                                explain=True)
    if results.query.problem:  # since:/until: that is no date: said, as the page and /api/search say it
        raise ToolError(results.query.problem)
    by_id = {p.pk: p for p in queries.papers_in_order([h.id for h in results.hits])}
    cards = {c["id"]: c for c in _cards(list(by_id.values()), caller.root)}
    return schemas.SearchResults(
        total=results.total,
        url=f"{link(caller.root, 'search')}?{search_api.url_query(query, filters, sort)}",  # as the page links it
        suggestion=results.suggestion.query if results.suggestion else None, corrected=results.corrected,
        emptied_by=[f"{part.reason}; {part.without} without it: {link(caller.root, 'search')}?"
                    f"{search_api.url_query(part.q, part.filters, sort)}" if part.without else part.reason
                    for part in results.why],
        papers=[
            schemas.SearchHit(**cards[h.uid], categories=h.categories, score=round(h.score, 4))
            for h in results.hits
            if h.uid in cards
        ],
    )


@hub.tool(annotations=READ)
@hub_call
def get_paper(ctx: Context[Any, Any], paper_id: PaperId) -> schemas.Paper:
    """One paper: title, authors, abstract, categories, keywords, links."""
    caller = admit(ctx)
    return _full(_paper(paper_id), caller.root)


@hub.tool(annotations=READ)
@hub_call
def similar_papers(ctx: Context[Any, Any], paper_id: PaperId, limit: Limit = 10) -> schemas.SimilarPapers:
    """The papers most like a paper (key terms, meaning, authors, categories), with what they share."""
    caller = admit(ctx)
    paper = _paper(paper_id)
    hits = {h.id: h for h in search_api.similar(paper.pk, limit=limit)}
    papers = queries.papers_in_order(list(hits))
    return schemas.SimilarPapers(
        paper=paper.uid,
        papers=[
            schemas.SimilarPaper(
                **card, similarity=round(hits[p.pk].score, 4), reasons=search_api.reasons_text(hits[p.pk].reasons)
            )
            for p, card in zip(papers, _cards(papers, caller.root), strict=True)
        ],
    )


@hub.tool(annotations=READ)
@hub_call
def period_papers(
    ctx: Context[Any, Any],
    kind: Annotated[Literal["", "day", "week", "month"],
                    Field(description="empty: the kind `period` is written as (a day when it is empty too)")] = "",
    period: Annotated[str, Field(max_length=10, description="a day 2026-11-24 (YYYY-MM-DD only), a week 2026-W48 "
                                                            "or a month 2026-11; empty: the newest")] = "",
    limit: Limit = 20,
    offset: Annotated[int, Field(ge=0, le=10_000)] = 0,
) -> schemas.PeriodPapers:
    """A day's, week's or month's papers on the hub, most upvoted first."""
    caller = admit(ctx)
    chosen = feeds.named_period(kind, period)
    if chosen is None:
        raise ToolError("the hub's feeds have no papers yet")
    papers, total = feeds.period_papers(chosen, offset=offset, limit=limit)
    return schemas.PeriodPapers(
        period=chosen.key,
        label=chosen.label,
        total=total,
        papers=[schemas.PaperCard(**c) for c in _cards(papers, caller.root)],
        url=link(caller.root, chosen.kind, chosen.key),
    )


@hub.tool(annotations=READ)
@hub_call
def trending_papers(ctx: Context[Any, Any], limit: Limit = 20) -> schemas.TrendingPapers:
    """What is trending on the hub: recent papers by upvotes weighed by age."""
    caller = admit(ctx)
    papers = feeds.trending(limit=limit)
    return schemas.TrendingPapers(
        url=link(caller.root, "trending"),
        papers=[
            schemas.TrendingPaper(**card, trending=getattr(p, "trending", 0.0))
            for p, card in zip(papers, _cards(papers, caller.root), strict=True)
        ],
    )


@hub.tool(annotations=READ)
@hub_call
def my_picks(
    ctx: Context[Any, Any], limit: Limit = 20, offset: Annotated[int, Field(ge=0, le=1000)] = 0
) -> schemas.Picks:
    """Your For-you picks among the newest papers, each with why (needs an API token)."""
    caller = admit(ctx)
    user = caller.require_user()
    try:
        # (in the page's order, unseen first; it records nothing: a tool call is not someone reading the page)
        picks = recommend.for_you(user, limit=limit, offset=offset, today=timezone.localdate())  # type: ignore[arg-type]
    except NotReady as exc:
        raise ToolError(str(exc)) from exc  # (its build is queued: space.PREPARING)
    cards = _cards([p.paper for p in picks], caller.root)
    return schemas.Picks(
        url=link(caller.root, "for_you"),
        papers=[
            schemas.Pick(**card, score=round(p.score, 4), reasons=p.reasons,
                         shown_on=p.shown_on.isoformat() if p.shown_on else None)
            for p, card in zip(picks, cards, strict=True)
        ],
    )


def _curated_collection(user: AbstractBaseUser, slug: str) -> Collection:
    """A collection the user owns (by its slug) or collaborates on (by owner/slug); a clear error when they curate
    none by that name (the same for one that exists but is not shared with them)."""
    owner, _, own_slug = slug.rpartition("/")
    found = community.curated(user, owner or user.get_username(), own_slug)
    if found is None:
        raise ToolError(f"you have no collection {slug!r} (list_collections names yours)")
    return found


@hub.tool(annotations=READ)
@hub_call
def list_collections(
    ctx: Context[Any, Any],
    user: Whose = "",
    limit: Limit = 50,
    offset: Annotated[int, Field(ge=0, le=10_000)] = 0,
) -> schemas.Collections:
    """Your collections and those shared with you, or another user's public ones, the latest changed first, with
    how many papers each holds."""
    caller = admit(ctx)
    seen_by = caller.user or AnonymousUser()
    if user and not named.users_named([user]):  # as /api/users/<name>: not an empty list linking to a 404
        raise ToolError(f"no user {user!r}")
    owner = user or caller.require_user().get_username()
    found = community.listed_collections(seen_by, [user] if user else [], offset=offset, limit=limit,
                                         curated=not user)
    return schemas.Collections(
        user=owner,
        url=link(caller.root, "profile", owner),
        collections=[
            schemas.CollectionCard(
                slug=c.slug if c.owner.pk == seen_by.pk else f"{c.owner.get_username()}/{c.slug}", title=c.title,
                description=c.description, public=c.public,
                papers=c.size, updated=c.updated_at.isoformat(),  # type: ignore[attr-defined]
                url=link(caller.root, "collection", c.owner.get_username(), c.slug),
            )
            for c in found
        ],
    )


@hub.tool(annotations=WRITE)
@hub_call
def create_collection(
    ctx: Context[Any, Any],
    title: Annotated[str, Field(min_length=1, max_length=curation.COLLECTION_TITLE_MAX_CHARS)],
    description: Annotated[str, Field(max_length=curation.COLLECTION_DESCRIPTION_MAX_CHARS,
                                      description="Markdown, shown on its page")] = "",
    public: Annotated[bool, Field(description="false: only you and those you share it with see it")] = True,
) -> schemas.Created:
    """Make a collection of yours (as the collections page does); one of yours with that title already is answered,
    not made twice (needs an API token)."""
    caller = admit(ctx)
    user = caller.require_user()
    try:
        made, created = curation.create_collection(user, title, description, public=public), True
    except curation.TitleTaken as taken:
        made, created = taken.collection, False
    return schemas.Created(collection=made.slug, title=made.title, public=made.public, created=created,
                           url=link(caller.root, "collection", made.owner.get_username(), made.slug))


@hub.tool(annotations=WRITE)
@hub_call
def add_to_collection(ctx: Context[Any, Any], paper_id: PaperId, collection: CollectionSlug) -> schemas.Added:
    """Add a paper to one of your collections or one shared with you (needs an API token)."""
    added, uid, url = _change_collection(ctx, paper_id, collection, curation.add_to_collection)
    return schemas.Added(collection=collection, paper=uid, added=added, url=url)


@hub.tool(annotations=WRITE)
@hub_call
def remove_from_collection(ctx: Context[Any, Any], paper_id: PaperId, collection: CollectionSlug) -> schemas.Removed:
    """Take a paper out of one of your collections or one shared with you (needs an API token)."""
    removed, uid, url = _change_collection(ctx, paper_id, collection, curation.remove_from_collection)
    return schemas.Removed(collection=collection, paper=uid, removed=removed, url=url)


def _change_collection(ctx: Context[Any, Any], paper_id: str, collection: str,
                       change: Callable[[Any, Collection, Paper], bool]) -> tuple[bool, str, str]:
    """What adding and removing share: the caller's curated collection and the paper found, the change made;
    whether it changed anything, the paper's id and the collection's page."""
    caller = admit(ctx)
    user = caller.require_user()
    found = _curated_collection(user, collection)
    paper = _paper(paper_id)
    changed = change(user, found, paper)
    return changed, paper.uid, link(caller.root, "collection", found.owner.get_username(), found.slug)


@hub.tool(annotations=WRITE)
@hub_call
def upvote(
    ctx: Context[Any, Any],
    paper_id: PaperId,
    on: Annotated[bool | None, Field(description="true: upvote, false: take it back, null: toggle")] = True,
) -> schemas.Upvoted:
    """Upvote a paper (one per user), or take the upvote back (needs an API token)."""
    caller = admit(ctx)
    user = caller.require_user()
    paper = _paper(paper_id)
    state, count = services.upvote(user, paper, on=on)
    return schemas.Upvoted(paper=paper.uid, upvoted=state, upvotes=count, url=link(caller.root, "paper", paper.uid))


# {+paper_id}: reserved expansion, so the slash of an old-style arXiv id (hep-th/9901001) stays in the id.
@hub.resource("paper://{+paper_id}", mime_type="application/json")
@hub_call
def paper_resource(paper_id: str, ctx: Context[Any, Any]) -> str:
    """A paper as JSON (the get_paper tool's answer)."""
    try:
        caller = admit(ctx)
    except ToolError as exc:
        raise ResourceError(str(exc)) from exc
    found = queries.paper_by_uid(paper_id[:64])
    if found is None:
        raise ResourceNotFoundError(community.not_here(paper_id[:64]))
    return _full(found, caller.root).model_dump_json()


@hub.prompt(title="What's new in a topic this week")
def whats_new(topic: Annotated[str, Field(description="e.g. sparse attention (at most 200 characters)")]) -> str:
    """What the hub's papers of the last seven days say about a topic: which tools to call, and what to write."""
    # its length checked here, not by pydantic: the SDK answers a prompt's validation error as an internal error
    # (a missing topic: HubServer.get_prompt)
    if not topic.strip() or len(topic) > 200:
        raise MCPError(INVALID_PARAMS, "topic must be 1 to 200 characters")
    since = feeds.today() - timedelta(days=7)
    return (
        f"What is new this week on this paper hub about {topic!r}? Find out with its tools:\n"
        f"1. search_papers with query={topic!r}, since={since.isoformat()!r}, sort='newest' and limit=20: the "
        f"week's papers on the topic (try a synonym or a broader query if it finds few; the search box's syntax "
        f"works: \"phrases\", author:, cat:).\n"
        f"2. search_papers again with the same query and since, sort='upvotes': which of them readers upvoted.\n"
        f"3. trending_papers: whether any of them is trending on the whole hub.\n"
        f"4. get_paper for the three to five that matter most, to read their abstracts.\n"
        f"Then write a short digest: the themes of the week, each with its papers (title, first author, link to "
        f"the hub from the answers' url), what each one claims in a sentence, and which are upvoted or trending. "
        f"Say plainly when the week holds nothing on the topic, and give the search's url to follow it."
    )
