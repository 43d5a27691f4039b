"""The API's requests and answers as django-ninja schemas: what /api/openapi.json documents and what every
response is validated against.

Field names follow Hugging Face's (camelCase, `_id`) wherever huggingface_hub reads them (api/hf.py builds
those shapes); routes answering them set `by_alias=True` (for `_id`) and `exclude_unset=True` (keys Hugging Face
leaves out, such as `organization`, stay out rather than becoming null).
"""
# ruff: noqa: N815 (Hugging Face's field names)

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator
from pydantic.json_schema import SkipJsonSchema

from paperhub.accounts.names import CHARACTERS
from paperhub.papers import periods
from paperhub.search import MAX_OFFSET

#: An optional key that is absent rather than null (documented as its type, not required).
Absent = SkipJsonSchema[None]


def _written_day(value: object) -> object:
    """A day parameter as the feeds read one, YYYY-MM-DD only (pydantic alone also takes 1782777600 and
    2026-06-30T00:00 for a date)."""
    return periods.parse_day(value) if isinstance(value, str) else value


#: A date parameter: YYYY-MM-DD, else a 422 naming the form.
Day = Annotated[dt.date, BeforeValidator(_written_day)]


class Health(Schema):
    """GET /api/health: whether this node serves."""

    status: Literal["ok", "unavailable"]
    database: bool = Field(description="the database answers a trivial query")


class WhoAmI(Schema):
    """GET /api/whoami-v2, as huggingface_hub's whoami() reads it: only what the hub knows of the token's user."""

    type: Literal["user"] = "user"
    id: str
    name: str
    fullname: str | Absent = Field(None, description="the name the user gave; absent when they gave none")
    orgs: list[dict[str, str]] = Field(description="always empty: the hub has no organisations")


class Detail(Schema):
    """An error: 400 refused, 401 no valid token, 404 not found, 429 over the rate limit, 503 not ready yet."""

    detail: str


class SearchRefused(Detail):
    """A search refused: its reason, and past the last offset served, the search that goes on (`next`)."""

    next: str | None = Field(None, description="offset past the last served: the same search until the last listed "
                                               "paper's day, from offset 0 (date order only)")


class InvalidField(Schema):
    """One parameter or body field that did not validate: where (`["query", "limit"]`), what is wrong, its kind."""

    loc: list[str | int]
    msg: str
    type: str


class Invalid(Schema):
    """422: the parameters or body did not validate, each field that did not listed."""

    detail: list[InvalidField]


# --- Hugging Face's shapes ---------------------------------------------------------------------------------


class HfUser(Schema):
    """A hub user where Hugging Face puts one of its users."""

    id_: str = Field(..., alias="_id")
    user: str
    name: str
    fullname: str
    avatarUrl: str
    isPro: bool
    type: Literal["user"]


class HfAuthor(Schema):
    id_: str = Field(..., alias="_id")
    name: str
    hidden: bool
    user: HfUser | Absent = Field(None, description="only for an author entry a user claimed (and a moderator "
                                                    "approved)")
    status: Literal["claimed_verified"] | Absent = Field(None, description="only with user")
    statusLastChangedAt: str | None | Absent = Field(None, description="when the claim was approved; only with user")


class HfOrganization(Schema):
    id_: str = Field(..., alias="_id")
    name: str
    fullname: str
    avatar: str


class RankBadge(Schema):
    """paperhub's "#N Paper of the day / week / month" (Hugging Face's API has no such field)."""

    position: int = Field(..., description="N: 1 for the most upvoted")
    period: Literal["day", "week", "month"]
    key: str = Field(..., description="the period as its page names it: 2026-11-24, 2026-W48, 2026-11")
    label: str


class PaperOut(Schema):
    """A paper as GET /api/papers/{id} answers."""

    id: str
    authors: list[HfAuthor]
    publishedAt: str | None
    title: str
    summary: str
    upvotes: int
    discussionId: str
    numComments: int
    githubRepo: str | None
    githubStars: int | Absent = Field(None, description="the code repository's GitHub stars, once GitHub told them")
    projectPage: str | None
    ai_keywords: list[str] = Field(description="the paper's keywords, made offline from its text (may be empty)")
    ai_summary: str = Field(description="the abstract's sentence stating the contribution, extracted verbatim")
    organization: HfOrganization | Absent = Field(None, description="only when the paper has one")
    submittedOnDailyAt: str | Absent = Field(None, description="only when the paper is in a feed")
    submittedOnDailyBy: HfUser | Absent = Field(None, description="only when a user submitted it")
    rank: RankBadge | Absent = Field(None, description="paperhub's own: only when the paper was among the top "
                                                         "of a finished day, week or month, by the votes cast "
                                                         "before it ended")


class DailyItem(Schema):
    """One element of GET /api/daily_papers."""

    paper: PaperOut
    publishedAt: str | None
    title: str
    summary: str
    thumbnail: str
    numComments: int
    isAuthorParticipating: bool
    submittedBy: HfUser | Absent = Field(None, description="only when a user submitted it")


class SearchItem(Schema):
    """One element of GET /api/papers/search."""

    paper: PaperOut
    publishedAt: str | None
    title: str
    summary: str
    numComments: int


class CommentOut(Schema):
    id: int
    parentId: int | None
    author: HfUser | None = Field(description="who wrote it; null once it is deleted or hidden")
    content: str
    html: str
    createdAt: str
    editedAt: str | None
    deleted: bool
    hidden: bool = Field(description="a banned user's, kept (as the page's \"[hidden]\") while replies hang from it")


# --- our own -----------------------------------------------------------------------------------------------


class Reason(Schema):
    signal: str = Field(..., description="terms, meaning or authors")
    label: str
    shared: list[str]


class Similarity(Schema):
    score: float
    reasons: list[Reason]


class SimilarPaper(PaperOut):
    similarity: Similarity


class Pick(PaperOut):
    score: float
    reasons: list[str]
    shown_on: str | None = Field(None, description="the day /for-you first showed you this pick (null: never); "
                                 "picks it showed on an earlier day come after the 40 best it never showed")


class SearchHit(Schema):
    id: str
    title: str
    title_html: str
    snippet_html: str
    authors: list[str]
    categories: list[str]
    published: str | None
    upvotes: int
    score: float


class EmptiedBy(Schema):
    reason: str = Field(..., description='the part in a sentence: "No papers in cs.XX on this hub (cs.XX: not an '
                                         'arXiv category)"')
    part: str = Field(..., description='the part in words: "in cs.XX", "by Ada Lovelace", "from 2030-01-01", '
                                       '"with code"')
    held: bool = Field(..., description="some paper on the hub has it (false: none, which alone emptied the search)")
    without: int = Field(..., description="papers the search finds without it (0: none, or nothing left to search); "
                                          "without a phrase or the words, that search ranks other text by meaning: "
                                          "its keyword matches alone")
    unknown: list[str] = Field(..., description="its category codes that are no arXiv category")
    search: str = Field(..., description="the search without it, at this endpoint (its query and filters)")


class SearchPage(Schema):
    total: int
    hits: list[SearchHit]
    semantic_models: list[str]
    suggestion: str | None = Field(None, description='"did you mean": the query with its misspelt words corrected')
    corrected: bool = Field(False, description="the hits are the suggestion's: the query as typed found nothing, or "
                                               "far fewer papers holding all its words (exact=true: never)")
    found_as_typed: bool = Field(False, description="corrected, and the query as typed found papers too: exact=true "
                                                    "searches it as typed")
    emptied_by: list[EmptiedBy] = Field([], description="a search that found nothing: the parts that emptied it")
    semantic_pending: bool = Field(False, description="ranked by words alone for now: no semantic index has vectors "
                                                     "yet (a new hub's first minutes)")
    left_out: list[str] = Field([], description="the query's words of 40 letters or more, beside words it searched: "
                                                "words this long are not indexed, so they were left out of the search")
    next: str | None = Field(None, description="the last offset served (MAX_OFFSET) and results past it, newest first: "
                                               "the same search until the last listed paper's day, from offset 0")


class VolumeOut(Schema):
    unit: Literal["month", "year"]
    periods: list[str]
    counts: list[int]
    total: int


class CategoryTrends(Schema):
    weeks: list[str] = Field(..., description="ISO weeks, YYYY-Www, oldest first")
    counts: dict[str, list[int]] = Field(..., description="papers per week of each category")
    names: dict[str, str] = Field(..., description="each category's name (cs.CL: Computation and Language); "
                                                   "a code without one is its own name")
    unknown: list[str] = Field(..., description="codes asked for that no paper on the hub is in: left out (with "
                                                "none left, the busiest six are counted)")


class UpvoteHistory(Schema):
    days: list[str]
    totals: list[int]


class SubmissionOut(Schema):
    id: int
    paper: str = Field(..., description="the arXiv id")
    status: Literal["pending", "fetching", "done", "failed"]
    message: str = Field(..., description="why it failed, or, once done, where the paper is: on the hub "
                         "and in today's feed, or on the hub only (too old for the feed)")
    url: str = Field(..., description="where to read its status")
    createdAt: str
    finishedAt: str | None


class UpvoteOut(Schema):
    upvoted: bool
    upvotes: int


class NotInterestedOut(Schema):
    not_interested: bool


class AuthorPage(Schema):
    """What /authors/<slug> shows."""

    id: int
    name: str
    slug: str = Field(..., description="the author's address: /authors/<slug>, /api/authors/<slug>")
    total: int = Field(..., description="all their papers in this hub")
    papers: list[PaperOut]


class CollectionOut(Schema):
    owner: str
    slug: str
    title: str
    description: str
    public: bool
    createdAt: str
    updatedAt: str = Field(..., description="its last change: papers added or removed, notes, order, title, privacy")


class PaperRef(Schema):
    id: str
    title: str


class UserComment(CommentOut):
    paper: PaperRef


class ProfileOut(Schema):
    """What /users/<name> shows."""

    username: str
    collections: list[CollectionOut] = Field(..., description="a page of them (`p`), 50 at most, by title")
    collectionsTotal: int = Field(..., description="all their collections you may see")
    upvoted: list[PaperOut]
    comments: list[UserComment]
    authored: list[PaperOut] = Field(..., description="papers they are a verified author of, newest first")


# --- requests ----------------------------------------------------------------------------------------------


class DailyQuery(Schema):
    p: int = Field(0, ge=0, le=10_000, description="page, from 0")
    limit: int = Field(50, ge=1, le=100)
    date: Day | None = Field(None, description="a day, YYYY-MM-DD (default: the newest day with papers)")
    week: str | None = Field(None, pattern=r"^\d{4}-W\d{1,2}$", description="an ISO week, YYYY-Www")
    month: str | None = Field(None, pattern=r"^\d{4}-\d{1,2}$", description="a month, YYYY-MM")
    submitter: str | None = Field(None, max_length=150, pattern=CHARACTERS,
                                  description="only papers this user submitted")
    sort: Literal["publishedAt", "trending"] | None = None


class SearchQuery(Schema):
    q: str = Field("", max_length=500)
    since: Day | None = None
    until: Day | None = None
    cat: str = Field("", max_length=200, description="categories, space- or comma-separated (any of)")
    author: str = Field("", max_length=300, description="authors, comma-separated (any of)")
    code: bool = Field(False, description="only papers that link to their code (as has:code in q)")
    sort: Literal["relevance", "newest", "upvotes"] = "relevance"
    mode: Literal["hybrid", "keyword", "semantic"] = "hybrid"
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, description=f"at most {MAX_OFFSET:,}: past it a 400 with the way on (`next`)")
    exact: bool = Field(False, description="the query as typed, never its spelling's correction")


class VolumeQuery(Schema):
    q: str = Field(..., min_length=1, max_length=500)
    since: Day | None = None
    until: Day | None = None
    cat: str = Field("", max_length=200)
    author: str = Field("", max_length=300)
    code: bool = Field(False, description="only papers that link to their code (as has:code in q)")


class SubmitIn(Schema):
    paper: str = Field(..., max_length=300, description="an arXiv id or arXiv URL")


class CommentIn(Schema):
    comment: str = Field(..., max_length=10_000)
    parentId: int | None = None


class UpvoteIn(Schema):
    on: bool | None = Field(None, description="true: upvote, false: take it back, absent: toggle")


class NotInterestedIn(Schema):
    on: bool | None = None


class ZoteroIn(Schema):
    kind: Literal["users", "groups"] = Field("users", description="your own library, or a group's")
    library: str = Field(..., max_length=20, description="your user ID on zotero.org/settings/keys, or the number "
                                                         "in a group's address")
    key: str = Field(..., max_length=64, description="an API key made on zotero.org/settings/keys (stored sealed, "
                                                     "never shown again)")


class ZoteroOut(Schema):
    """Your Zotero connection: never its key, only the key's last characters."""

    connected: bool = Field(..., description="false: the key was refused or became unreadable (message says "
                                             "why); connect again")
    kind: Literal["users", "groups"]
    library: str
    keyEnd: str = Field(..., description="the key's last four characters")
    version: int = Field(..., description="the library version the last finished sync saw")
    items: int = Field(..., description="library items the syncs have seen")
    busy: bool = Field(..., description="a sync or push is queued or running")
    busySince: str | None = Field(..., description="when that sync or push was queued")
    message: str = Field(..., description="what the last sync or push did, or why it failed")
    syncedAt: str | None = Field(..., description="when the last sync or push ended")
