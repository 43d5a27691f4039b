"""What the MCP tools answer: typed, so a client gets structured content beside the text, and every result
carries its link back to the hub (absolute, under PAPERHUB_BASE_URL when set, else the address called)."""

from pydantic import BaseModel, Field


class PaperCard(BaseModel):
    """A paper in a list."""

    id: str = Field(description="the hub's id: an arXiv id such as 2501.01234, or scheme:id")
    title: str
    authors: list[str]
    published: str | None = Field(description="the first version's date, YYYY-MM-DD")
    upvotes: int
    url: str = Field(description="the paper's page on the hub")


class Paper(PaperCard):
    """One paper in full."""

    abstract: str
    categories: list[str]
    keywords: list[str]
    comments: int = Field(description="comments on the hub")
    arxiv_url: str | None
    code_url: str | None
    project_url: str | None
    similar_url: str = Field(description="the similar_papers tool's answer as JSON from the hub's API")


class SearchHit(PaperCard):
    categories: list[str]
    score: float


class SearchResults(BaseModel):
    total: int = Field(description="how many papers match in all")
    papers: list[SearchHit]
    url: str = Field(description="the same search on the hub")
    suggestion: str | None = Field(default=None, description="the query with its misspelt words corrected, if any")
    corrected: bool = Field(default=False, description="the papers are the suggestion's: the query found none, or "
                                                       "far fewer papers holding all its words (exact: never)")
    emptied_by: list[str] = Field(default_factory=list, description="found nothing: which parts of the search emptied "
                                  "it, each with how many papers the search finds without it")


class SimilarPaper(PaperCard):
    similarity: float
    reasons: str = Field(description="what the two papers share")


class SimilarPapers(BaseModel):
    paper: str
    papers: list[SimilarPaper]


class PeriodPapers(BaseModel):
    period: str = Field(description="the day, week or month: 2026-11-24, 2026-W48 or 2026-11")
    label: str
    total: int
    papers: list[PaperCard]
    url: str = Field(description="the period's page on the hub")


class TrendingPaper(PaperCard):
    trending: float = Field(description="upvotes weighed by age")


class TrendingPapers(BaseModel):
    papers: list[TrendingPaper]
    url: str


class Pick(PaperCard):
    score: float
    reasons: list[str]
    shown_on: str | None = Field(None, description="the day the hub's For you page first showed you this pick "
                                 "(null: never); picks it showed on an earlier day come after the 40 best it never "
                                 "showed")


class Picks(BaseModel):
    papers: list[Pick]
    url: str = Field(description="For you on the hub")


class Added(BaseModel):
    collection: str
    paper: str
    added: bool = Field(description="false when it was there already")
    url: str = Field(description="the collection's page on the hub")


class Removed(BaseModel):
    collection: str
    paper: str
    removed: bool = Field(description="false when it was not there")
    url: str = Field(description="the collection's page on the hub")


class Created(BaseModel):
    collection: str = Field(description="its slug, as add_to_collection takes it")
    title: str = Field(description="as stored: control characters dropped, cut at 200 characters")
    public: bool
    created: bool = Field(description="false when a collection of yours had that title already (it is the one named)")
    url: str = Field(description="the collection's page on the hub")


class CollectionCard(BaseModel):
    """A collection in a list."""

    slug: str = Field(description="what add_to_collection and remove_from_collection take: the slug of one of "
                                  "yours, owner/slug of another user's")
    title: str
    description: str
    public: bool
    papers: int = Field(description="how many papers it holds")
    updated: str = Field(description="its last change (papers, notes, order, title): YYYY-MM-DDTHH:MM:SS+00:00")
    url: str = Field(description="the collection's page on the hub")


class Collections(BaseModel):
    user: str
    collections: list[CollectionCard]
    url: str = Field(description="the user's page on the hub")


class Upvoted(BaseModel):
    paper: str
    upvoted: bool
    upvotes: int
    url: str
