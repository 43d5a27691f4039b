"""Collections as Hugging Face's API answers them, so that huggingface_hub's `get_collection(slug)` and
`list_collections(owner=, item=, sort=, limit=)` read the hub's unchanged; mounted at /api/collections (api.py).

A collection's Hugging Face slug is owner/slug (hf.collection_slug), so GET /api/collections/{owner}/{slug} is
both Hugging Face's get_collection and the JSON of the collection's page. A private collection is there only with
its owner's token, else a 404 like a collection that does not exist.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import P, Query, QueryEx, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from paperhub.api import answers, hf
from paperhub.api.access import TokenAuth, token_user, viewer
from paperhub.api.collection_schemas import (
    COLLECTIONS_PAGE,
    CollectionIn,
    CollectionPage,
    CollectionsQuery,
    Existing,
    HfCollection,
)
from paperhub.api.openapi import OPTIONAL_TOKEN
from paperhub.api.schemas import Detail
from paperhub.community import curation
from paperhub.community import queries as community
from paperhub.community.models import Collection, CollectionItem
from paperhub.core.addresses import absolute
from paperhub.core.converters import asked_number
from paperhub.papers import queries
from paperhub.papers.records import strip_controls

router = Router(tags=["Hugging Face compatible"])

#: Hugging Face's sorts and the hub's orders for them (community.COLLECTION_ORDERS): collections have no upvotes
#: of their own here, so `upvotes` orders them by size and `trending` by the papers added lately.
SORTS = {"lastModified": "changed", "trending": "recent", "upvotes": "size"}
#: The items each listed collection shows, as Hugging Face lists them (get_collection has them all).
LISTED_ITEMS = 4
#: The other kinds of item Hugging Face's collections hold: none is on the hub, so no collection holds one.
OTHER_KINDS = frozenset({"models", "datasets", "spaces", "collections", "buckets"})
MAX_PAGE = 10_000


def _papers_named(items: list[str]) -> list[int] | None:
    """The ids of the papers `item=papers/<id>` filters name; None when one names no paper on the hub or an item
    of another kind (no collection here holds it)."""
    found = []
    for text in items:
        kind, _, name = text.partition("/")
        if kind not in OTHER_KINDS | {"papers"} or not name:
            raise HttpError(400, f"item {text[:100]!r} is not papers/<id> (as papers/2501.01234)")
        paper = queries.paper_by_uid(name[:64]) if kind == "papers" else None
        if paper is None:
            return None
        found.append(paper.pk)
    return found


@router.get("", response={200: list[HfCollection], 400: Detail}, by_alias=True, url_name="collections",
            openapi_extra=OPTIONAL_TOKEN)
def collections(request: HttpRequest, response: HttpResponse, query: Query[CollectionsQuery]) -> list[dict[str, Any]]:
    """Collections, as huggingface.co/api/collections: public ones (and your private ones, with your token), of
    any of the `owner`s, holding every `item`; each with its first items. More than a page: a Link to the next."""
    paper_ids = _papers_named(query.item)
    if paper_ids is None:
        return []
    size = min(query.limit, COLLECTIONS_PAGE)
    found = community.listed_collections(viewer(request), query.owner, paper_ids, SORTS[query.sort],
                                         offset=query.p * size, limit=size + 1)
    if len(found) > size and query.p < MAX_PAGE:  # huggingface_hub follows it until it has its `limit`
        following = {"owner": query.owner, "item": query.item, "sort": query.sort, "limit": size, "p": query.p + 1}
        response["Link"] = f'<{absolute(reverse("api:collections"), request)}?{urlencode(following, doseq=True)}>; ' \
                           'rel="next"'
    found = found[:size]
    items = community.collection_items([c.pk for c in found], most=LISTED_ITEMS)
    curated = set(curation.curated_by(viewer(request)).filter(pk__in=[c.pk for c in found])
                  .values_list("pk", flat=True))
    return [hf.collection(c, items.get(c.pk, []), c.size, c.pk in curated)  # type: ignore[attr-defined]
            for c in found]


@router.post("", response={200: CollectionPage, 400: Detail, 401: Detail, 403: Detail, 409: Existing},
             by_alias=True, exclude_unset=True, auth=TokenAuth(), tags=["writes"])
def create(request: HttpRequest, body: CollectionIn) -> Any:
    """Make a collection of yours, as huggingface_hub's create_collection asks (`namespace`: your user name), with the
    web form's rules (community.curation.create_collection); 409 with its `slug` when one of that title is yours."""
    user = token_user(request)
    if body.namespace is not None and body.namespace != user.get_username():
        raise HttpError(403, f"you may make collections under your own name only ({user.get_username()!r}), "
                             f"not {body.namespace[:150]!r}")
    try:
        made = curation.create_collection(user, body.title, body.description or "", public=not body.private)
    except curation.TitleTaken as taken:
        return Status(409, {"detail": f"you have a collection titled {taken.collection.title!r} already",
                            "slug": hf.collection_slug(taken.collection)})
    return _shown(made, user)


@router.get("/{username}/{slug}", response={200: CollectionPage, 404: Detail}, by_alias=True, exclude_unset=True,
            url_name="collection", openapi_extra=OPTIONAL_TOKEN)
def collection(request: HttpRequest, username: str, slug: str,
               p: QueryEx[int, P(ge=0, le=MAX_PAGE, description="page, from 0")] = 0,
               limit: QueryEx[int, P(ge=1, le=100)] = 30) -> dict[str, Any]:
    """One collection, as huggingface.co/api/collections/{slug} (`items`: every paper in it) and as its page shows
    it (`papers`: a page of them in full, in its order: the latest added first until someone reorders it); a private
    one only with its owner's or a collaborator's token."""
    seen_by = viewer(request)
    found = community.collection(seen_by, username, slug)
    if found is None:
        raise HttpError(404, "no such collection")
    return _shown(found, seen_by, p, limit)


def _shown(found: Collection, seen_by: AbstractBaseUser | AnonymousUser, p: int = 0, limit: int = 30) -> dict[str, Any]:
    """A collection as GET /api/collections/{owner}/{slug} answers it."""
    items = community.collection_items([found.pk]).get(found.pk, [])
    papers = community.collection_papers(found, limit=limit, offset=p * limit)
    curator = curation.may_curate(seen_by, found)
    people = community.note_people(papers)
    return {**hf.collection(found, items, len(items), curator), "public": found.public,
            "position": community.collection_position(found, seen_by),
            "papers": [{**shaped, "note": hf.note(paper.note, people)}  # type: ignore[attr-defined]
                       for paper, shaped in zip(papers, answers.papers(papers), strict=True)]}


# The writes, as huggingface_hub's add_collection_item, update_collection_item and delete_collection_item send
# them; each by the collection's owner or a collaborator (community.curation), a 404 for anyone else, as for no
# collection at all.

class ItemRef(Schema):
    type: str = Field(..., max_length=20, description="paper: the only kind of item on this hub")
    id: str = Field(..., max_length=64, description="the paper's arXiv id")


class ItemIn(Schema):
    item: ItemRef
    note: str | None = Field(None, max_length=curation.NOTE_MAX_CHARS, description="Markdown, shown with the paper")


class ItemChange(Schema):
    note: str | None = Field(None, max_length=curation.NOTE_MAX_CHARS, description="Markdown; empty: no note")
    position: int | None = Field(None, ge=0, le=100_000, description="its place in the collection, from 0")


def _curated(request: HttpRequest, username: str, slug: str) -> Collection:
    """The collection if the token's user curates it, else the 404 of a collection that does not exist."""
    found = community.curated(token_user(request), username, slug)
    if found is None:
        raise HttpError(404, "no such collection")
    return found


def _item(found: Collection, item_id: str) -> CollectionItem:
    """One of the collection's items by its `_id`, or by its paper's arXiv id."""
    items = CollectionItem.objects.filter(collection=found).select_related("paper")
    # controls dropped: a NUL in a query is an error on PostgreSQL
    pk = asked_number(item_id)
    chosen = items.filter(pk=pk) if pk is not None else items.filter(paper__uid=strip_controls(item_id))
    item = chosen.first()
    if item is None:
        raise HttpError(404, "no such item in this collection")
    return item


@router.post("/{username}/{slug}/items", response={200: CollectionPage, 400: Detail, 401: Detail, 404: Detail,
                                                   409: Detail},
             by_alias=True, exclude_unset=True, auth=TokenAuth(), tags=["writes"], url_name="collection_items")
def add_item(request: HttpRequest, username: str, slug: str, body: ItemIn) -> Any:
    """Add a paper (with its note) to a collection you own or collaborate on; 409 when it is there already."""
    found = _curated(request, username, slug)
    if body.item.type != "paper":
        raise HttpError(400, "this hub's collections hold papers only")
    paper = answers.paper_or_404(body.item.id)
    user = token_user(request)
    if not curation.add_to_collection(user, found, paper):
        return Status(409, {"detail": "the paper is in this collection already"})
    if body.note:
        curation.set_note(user, found, paper, body.note)
    return _shown(found, user)


@router.patch("/{username}/{slug}/items/{item_id}", response={204: None, 400: Detail, 401: Detail, 404: Detail},
              auth=TokenAuth(), tags=["writes"], url_name="collection_item")
def change_item(request: HttpRequest, username: str, slug: str, item_id: str, body: ItemChange) -> Status[None]:
    """Write an item's note, or move it to `position` (0: the first), in a collection you own or collaborate on."""
    found = _curated(request, username, slug)
    item = _item(found, item_id)
    if body.note is not None:
        curation.set_note(token_user(request), found, item.paper, body.note)
    if body.position is not None:
        curation.place_item(token_user(request), found, item.paper, lambda _: body.position or 0)
    return Status(204, None)


@router.delete("/{username}/{slug}/items/{item_id}", response={204: None, 401: Detail, 404: Detail},
               auth=TokenAuth(), tags=["writes"])
def delete_item(request: HttpRequest, username: str, slug: str, item_id: str) -> Status[None]:
    """Take an item out of a collection you own or collaborate on."""
    found = _curated(request, username, slug)
    curation.remove_from_collection(token_user(request), found, _item(found, item_id).paper)
    return Status(204, None)
