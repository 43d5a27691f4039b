"""The collections API's requests and answers (api/collections.py), in Hugging Face's shapes where
huggingface_hub reads them; the conventions are api/schemas.py's."""
# ruff: noqa: N815 (Hugging Face's field names)

from typing import Annotated, Literal

from ninja import Field, Schema

from paperhub.accounts.names import CHARACTERS
from paperhub.api.schemas import PaperOut
from paperhub.community.curation import COLLECTION_DESCRIPTION_MAX_CHARS, COLLECTION_TITLE_MAX_CHARS

#: The most collections GET /api/collections answers at once.
COLLECTIONS_PAGE = 100


class CollectionIn(Schema):
    """POST /api/collections, as huggingface_hub's create_collection sends it."""

    title: str = Field(..., max_length=COLLECTION_TITLE_MAX_CHARS)
    namespace: str | None = Field(None, max_length=150, description="your user name (the only one you may use); "
                                                                    "default: yours")
    private: bool = False
    description: str | None = Field(None, max_length=COLLECTION_DESCRIPTION_MAX_CHARS)


class Existing(Schema):
    """409: a collection of that title is yours already; `slug` names it (create_collection(exists_ok=True) reads
    it)."""

    detail: str
    slug: str


class HfNote(Schema):
    """An item's note as Hugging Face gives it: the Markdown written (all huggingface_hub reads)."""

    text: str


class RenderedNote(HfNote):
    """A note with it rendered too (the comments' safe subset), on a page's papers only."""

    html: str


class HfCollectionItem(Schema):
    """A paper in a collection, as Hugging Face lists a collection's items."""

    id_: str = Field(..., alias="_id", description="the item's own id")
    id: str = Field(..., description="the paper's id")
    type: Literal["paper"]
    position: int = Field(..., description="from 0, in the collection's order (the latest added first until "
                                           "someone reorders it)")
    title: str
    publishedAt: str | None
    upvotes: int
    addedAt: str
    addedBy: str | None = Field(None, description="who added it, for its curators only (null: anyone else, or a "
                                                   "deleted account)")
    note: HfNote | None = Field(None, description="its note in the collection, if any")


class HfCollection(Schema):
    """A collection as GET /api/collections lists it: Hugging Face's shape, its first items only."""

    slug: str = Field(..., description="owner/slug: its address under /collections/ and /api/collections/")
    title: str
    description: str
    owner: str
    private: bool
    theme: str
    upvotes: int = Field(..., description="always 0: collections have no upvotes on this hub")
    lastUpdated: str = Field(..., description="its last change: papers added or removed, notes, order, title, privacy")
    createdAt: str
    total: int = Field(..., description="all the papers in the collection")
    items: list[HfCollectionItem]


class CollectedPaper(PaperOut):
    """A paper as a collection's page shows it: with its note, rendered."""

    note: RenderedNote | None = Field(None, description="its note in the collection, if any")


class CollectionPage(HfCollection):
    """What /collections/<user>/<slug> shows, as Hugging Face's GET /api/collections/{slug} (every item) too."""

    position: int = Field(..., description="its place among the owner's collections, by title")
    public: bool
    papers: list[CollectedPaper] = Field(..., description="a page of the papers in full, in the collection's "
                                                          "order")


class CollectionsQuery(Schema):
    owner: list[Annotated[str, Field(max_length=150, pattern=CHARACTERS)]] = Field([], max_length=20,
                                                                                   description="any of these users")
    item: list[Annotated[str, Field(max_length=300)]] = Field([], max_length=20, description="holding every one of "
                                                              "these: papers/2501.01234")
    sort: Literal["lastModified", "trending", "upvotes"] = "lastModified"
    limit: int = Field(COLLECTIONS_PAGE, ge=1, description=f"a page: above {COLLECTIONS_PAGE}, {COLLECTIONS_PAGE} "
                                                           "and a Link header to the next page")
    p: int = Field(0, ge=0, le=10_000, description="page, from 0")
