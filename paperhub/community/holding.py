"""A paper and the collections: which hold it (how many, and which the viewer may see), and which of the reader's
lack it ("Save to")."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from paperhub.community.curation import curated_by, visible_to
from paperhub.community.models import Collection, CollectionItem
from paperhub.community.queries import COLLECTION_ORDERS
from paperhub.papers.models import Paper


def _holding(paper: Paper, viewer: AbstractBaseUser | AnonymousUser) -> QuerySet[Collection]:
    # a banned owner's left out, as /api/collections (the page's JSON twin) and their profile leave them out
    return visible_to(viewer).filter(items__paper=paper, owner__is_active=True)


def collections_holding(paper: Paper, viewer: AbstractBaseUser | AnonymousUser, limit: int,
                        offset: int = 0) -> list[Collection]:
    """`limit` of the collections holding a paper that the viewer may see from `offset`, the latest changed first,
    with their owners."""
    found = _holding(paper, viewer).select_related("owner").order_by(*COLLECTION_ORDERS["changed"])
    return list(found[offset:offset + limit])


def holding_count(paper: Paper, viewer: AbstractBaseUser | AnonymousUser) -> int:
    """How many collections holding a paper the viewer may see."""
    return _holding(paper, viewer).count()


def latest_holding(paper: Paper, viewer: AbstractBaseUser | AnonymousUser,
                   limit: int) -> tuple[list[Collection], int]:
    """The `limit` latest changed collections holding a paper that the viewer may see, and how many there are in
    all: counted only when there are more (one more row read tells)."""
    found = collections_holding(paper, viewer, limit + 1)
    return found[:limit], holding_count(paper, viewer) if len(found) > limit else len(found)


def holding_of(paper: Paper, collection_ids: Sequence[int]) -> set[int]:
    """Which of these collections hold the paper, in one query."""
    return set(CollectionItem.objects.filter(paper_id=paper.pk, collection_id__in=list(collection_ids))
               .values_list("collection_id", flat=True))


def collections_lacking(user: AbstractBaseUser | AnonymousUser, paper: Paper,
                        limit: int) -> tuple[list[Collection], bool]:
    """`limit` of the collections the user curates that do not hold the paper yet, the latest changed first (the
    one they saved to last leads), with their owners: where "Save to" can put it; and whether there are more (one
    more row read, not a count of them all)."""
    found = list(curated_by(user).select_related("owner").exclude(items__paper=paper)
                 .order_by(*COLLECTION_ORDERS["changed"])[:limit + 1])
    return found[:limit], len(found) > limit
