"""Reads of community data, shared by the HTML and JSON front doors."""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone

from paperhub import search
from paperhub.accounts import names
from paperhub.community.curation import curated_by, may_curate, visible_to
from paperhub.community.markdown import parse_comment, render_parsed
from paperhub.community.models import (
    AuthorClaim,
    Collection,
    CollectionItem,
    Comment,
    Submission,
    Upvote,
    item_order,
)
from paperhub.community.named import people_named, users_named
from paperhub.community.services import COMMENT_MAX_DEPTH
from paperhub.core.addresses import link
from paperhub.core.converters import asked_number
from paperhub.papers import trends
from paperhub.papers.markdown import PaperSheet, Similar
from paperhub.papers.models import FeedEntry, Paper, PaperAuthor
from paperhub.papers.queries import author_names
from paperhub.papers.records import has_controls, possible_arxiv_id
from paperhub.papers.summary import one_line


@dataclass(frozen=True)
class Entry:
    """A comment in a paper's discussion and its depth: 0 for a comment on the paper, 1 for a reply to one..."""

    comment: Comment
    depth: int

    @property
    def indent(self) -> int:
        """How far the page indents it: by depth, but no further than the deepest level replies can reach now
        (chains made before the cap, services.COMMENT_MAX_DEPTH, still show, flat past it)."""
        return min(self.depth, COMMENT_MAX_DEPTH - 1)


def paper_comments(paper: Paper, offset: int = 0, limit: int | None = None) -> list[Comment]:
    """A paper's comments as pages show them (all but hidden ones), oldest first, with their authors."""
    shown = Comment.objects.shown(paper.pk).select_related("user").order_by("created_at", "id")
    return with_people(list(shown[offset:offset + limit] if limit is not None else shown[offset:]))


def with_people(comments: list[Comment]) -> list[Comment]:
    """The comments, each rendered (Comment.html) with its @mentions of existing users linked: one Markdown parse
    each, and one look-up of the names they all may name."""
    parsed = [parse_comment(comment.body) for comment in comments]
    people = frozenset(users_named(name for one in parsed for name in one.names))
    for comment, one in zip(comments, parsed, strict=True):
        comment.html = render_parsed(one, people)  # the page's people: it links only a comment's own first mentions
    return comments


def discussion(paper: Paper) -> list[Entry]:
    """A paper's comments in reading order, each after its parent, replies oldest first; hidden ones and their
    replies left out. Walked without recursion, so a reply chain of any depth cannot exhaust the stack."""
    replies: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in paper_comments(paper):
        replies[comment.parent_id].append(comment)
    entries = []
    stack = [(comment, 0) for comment in reversed(replies[None])]
    while stack:
        comment, depth = stack.pop()
        entries.append(Entry(comment, depth))
        stack.extend((reply, depth + 1) for reply in reversed(replies[comment.pk]))
    return entries


def comment_counts(paper_ids: Sequence[int]) -> dict[int, int]:
    """Visible comments per paper, for a page of papers in one query."""
    if not paper_ids:
        return {}  # visible() of no papers is the whole hub's
    rows = (Comment.objects.visible(*paper_ids)
            .values("paper_id").annotate(n=Count("id")).values_list("paper_id", "n"))
    return dict(rows)


def upvoted_ids(user: AbstractBaseUser | AnonymousUser, paper_ids: Sequence[int]) -> set[int]:
    """Which of these papers the user has upvoted."""
    if not user.is_authenticated:
        return set()
    return set(Upvote.objects.filter(user_id=user.pk, paper_id__in=list(paper_ids))
               .values_list("paper_id", flat=True))


def collection(viewer: AbstractBaseUser | AnonymousUser, owner: str, slug: str) -> Collection | None:
    """A collection by its owner's name and its slug, if the viewer may see it (a private one: only its owner and
    collaborators); None for a name with a control character (a NUL in a query is an error on PostgreSQL)."""
    if has_controls(owner) or has_controls(slug):
        return None
    return visible_to(viewer).select_related("owner").filter(owner__username=owner, slug=slug).first()


def curated(user: AbstractBaseUser | AnonymousUser, owner: str, slug: str) -> Collection | None:
    """A collection by its owner's name and its slug if the user may change its papers (its owner or a
    collaborator), else None, as for one that does not exist (so a private one's existence shows to nobody)."""
    found = collection(user, owner, slug)
    return found if found is not None and may_curate(user, found) else None


def own_collections(user: AbstractBaseUser | AnonymousUser, limit: int,
                    offset: int = 0) -> tuple[list[Collection], int]:
    """`limit` of the user's collections and those shared with them from `offset`, by title, with their owners and
    each one's `size` (its papers) counted in the same query, and how many there are (none for a visitor)."""
    curated = curated_by(user)
    page = curated.select_related("owner").annotate(size=Count("items")).order_by("title", "pk")[offset:offset + limit]
    return list(page), curated.count()


def curated_collection(user: AbstractBaseUser | AnonymousUser, collection_id: str) -> Collection | None:
    """A collection the user curates by its id as a form sends it (None: not a number, none, or not theirs)."""
    pk = asked_number(collection_id)
    return curated_by(user).filter(pk=pk).first() if pk is not None else None


def collections_of(owner: AbstractBaseUser, viewer: AbstractBaseUser | AnonymousUser, limit: int,
                   offset: int = 0) -> list[Collection]:
    """`limit` of the owner's collections that the viewer may see from `offset`, by title, with their owner."""
    found = visible_to(viewer).filter(owner_id=owner.pk).select_related("owner").order_by("title", "pk")
    return list(found[offset:offset + limit])


def public_collection(username: str, slug: str) -> Collection | None:
    """A public collection by its owner's name and its slug, with its owner."""
    return (Collection.objects.filter(owner__username=username, slug=slug, public=True).select_related("owner")
            .first())


def collection_papers(collection: Collection, limit: int | None = None, offset: int = 0) -> list[Paper]:
    """A collection's papers in its order (models.item_order: the latest added first until someone reorders it;
    `limit` of them from `offset`, else all), each with the time it was added as `collected_at`, its `note` and
    who added it (`added_by`, a username or None)."""
    ordered = (Paper.objects.filter(collection_items__collection=collection)
               .annotate(collected_at=F("collection_items__added_at"), note=F("collection_items__note"),
                         added_by=F("collection_items__added_by__username"))
               .order_by(*item_order("collection_items__")))
    return list(ordered[offset:offset + limit] if limit is not None else ordered[offset:])


def note_people(papers: Iterable[Paper], description: str = "") -> frozenset[str]:
    """The users the notes of collection_papers' papers and the collection's description may @mention, in one query
    (their links; notes and descriptions mail no one)."""
    return people_named([description, *(getattr(paper, "note", "") or "" for paper in papers)])


def collection_size(collection: Collection) -> int:
    """How many papers a collection holds."""
    return collection.items.count()


#: How listed_collections can order collections: latest change first; most papers added in the trending window
#: (PAPERHUB_TRENDING_DAYS) first; most papers first. Collections have no upvotes or views to rank them by.
COLLECTION_ORDERS = {
    "changed": ["-updated_at", "-id"],
    "recent": ["-recent", "-updated_at", "-id"],
    "size": ["-size", "-updated_at", "-id"],
}


def listed_collections(viewer: AbstractBaseUser | AnonymousUser, owners: Sequence[str] = (),
                       paper_ids: Sequence[int] = (), order: str = "changed", offset: int = 0,
                       limit: int = 100, curated: bool = False) -> list[Collection]:
    """The collections the viewer may see (`curated`: only their own and those shared with them), of any of these
    active owners (none named: anyone's) holding every one of these papers, with their owners; each with `size`
    (its papers); "changed" orders them by their last change (`updated_at`)."""
    since = timezone.now() - timedelta(days=settings.PAPERHUB_TRENDING_DAYS)
    found = (curated_by(viewer) if curated else visible_to(viewer)).filter(owner__is_active=True) \
        .select_related("owner")  # as profile()
    if owners:
        found = found.filter(owner__username__in=list(owners))
    for paper_id in paper_ids:  # Exists, not a join: the counts below stay one row per item
        found = found.filter(Exists(CollectionItem.objects.filter(collection_id=OuterRef("pk"), paper_id=paper_id)))
    found = found.annotate(size=Count("items"), recent=Count("items", filter=Q(items__added_at__gte=since)))
    return list(found.order_by(*COLLECTION_ORDERS[order])[offset:offset + limit])


def collection_items(collection_ids: Sequence[int], most: int | None = None) -> dict[int, list[CollectionItem]]:
    """The items of collections by collection, in each one's order (the first `most` of each, else all), with their
    notes, who added them and their papers' id, title, date and upvotes, in one query."""
    items = (CollectionItem.objects.filter(collection_id__in=list(collection_ids)).select_related("paper", "added_by")
             .only("collection_id", "added_at", "note", "added_by__username", "paper__uid", "paper__title",
                   "paper__published", "paper__upvotes"))
    if most is None:
        items = items.order_by("collection_id", *item_order())
    else:
        items = (items.annotate(place=Window(RowNumber(), partition_by=[F("collection_id")],
                                             order_by=item_order()))
                 .filter(place__lte=most).order_by("collection_id", "place"))
    found: dict[int, list[CollectionItem]] = defaultdict(list)
    for item in items:
        found[item.collection_id].append(item)
    return dict(found)


def collection_position(collection: Collection, viewer: AbstractBaseUser | AnonymousUser) -> int:
    """Where a collection stands among its owner's that the viewer may see, by title as the profile lists them."""
    before = Q(title__lt=collection.title) | Q(title=collection.title, pk__lt=collection.pk)
    return visible_to(viewer).filter(before, owner_id=collection.owner_id).count()


def upvoted_papers(user: AbstractBaseUser, limit: int = 30) -> list[Paper]:
    """The papers the user upvoted, the latest upvote first."""
    return list(Paper.objects.filter(upvote_rows__user_id=user.pk).order_by("-upvote_rows__created_at")[:limit])


def comments_by(user: AbstractBaseUser, limit: int = 30) -> list[Comment]:
    """The user's visible comments, newest first, with their papers."""
    return with_people(list(Comment.objects.filter(user_id=user.pk).visible_chosen().select_related("paper")
                            .order_by("-created_at")[:limit]))


def comment_by_id(comment_id: str) -> Comment | None:
    """A comment by its id as a form sends it (not a number: None)."""
    pk = asked_number(comment_id)
    return Comment.objects.filter(pk=pk).first() if pk is not None else None


@dataclass(frozen=True)
class Profile:
    """What a user's page shows: the papers they upvoted, their comments, the collections the viewer may see."""

    person: AbstractBaseUser
    upvoted: list[Paper]
    comments: list[Comment]
    collections: list[Collection]
    authored: list[Paper]
    collections_total: int  # all the collections the viewer may see, of which `collections` is a page


#: The collections a profile shows at once (its page and its JSON are paged: an account may hold hundreds).
PROFILE_COLLECTIONS = 50


def profile(username: str, viewer: AbstractBaseUser | AnonymousUser, limit: int = 30,
            collections_page: int = 0) -> Profile | None:
    """An active user's profile as the viewer may see it, the newest `limit` upvotes and comments, and page
    `collections_page` (from 0) of their collections (no such user, a banned one, or a name no user may have:
    None)."""
    if not re.fullmatch(names.CHARACTERS, username):  # a NUL is an error in a PostgreSQL query: refused before one
        return None
    person = get_user_model().objects.filter(username=username, is_active=True).first()
    if person is None:
        return None
    shown = collections_of(person, viewer, PROFILE_COLLECTIONS, offset=collections_page * PROFILE_COLLECTIONS)
    total = visible_to(viewer).filter(owner_id=person.pk).count()
    return Profile(person, upvoted_papers(person, limit), comments_by(person, limit), shown,
                   authored_papers(person, limit), total)


def submissions_of(user: AbstractBaseUser | AnonymousUser, limit: int = 20) -> list[Submission]:
    """The user's latest submissions, newest first, with their papers; placed: whether the user's submission put
    its paper into a feed (else, done, it came onto the hub only)."""
    if not user.is_authenticated:
        return []
    placed = FeedEntry.objects.filter(paper_id=OuterRef("paper_id"), source="submission",
                                      submitted_by=user.get_username())
    return list(Submission.objects.filter(user_id=user.pk).select_related("paper").annotate(placed=Exists(placed))
                .order_by("-created_at", "-id")[:limit])


def upvote_history(paper: Paper) -> tuple[list[date], list[int]]:
    """The paper's upvotes as a running total per day, from its first upvote to today (none yet: empty)."""
    if not paper.upvotes:  # most papers: no query
        return [], []
    return trends.cumulative(upvotes_by_day(paper), timezone.localdate())


def upvotes_by_day(paper: Paper) -> list[tuple[date, int]]:
    """New upvotes of a paper per day (days without any left out), oldest first."""
    rows = (Upvote.objects.filter(paper=paper).annotate(day=TruncDate("created_at")).values("day")
            .annotate(n=Count("id")).order_by("day").values_list("day", "n"))
    return [(day, n) for day, n in rows]


@dataclass(frozen=True)
class Verified:
    """An author entry of a paper that a user claimed and a moderator approved."""

    position: int
    author_id: int
    username: str
    since: datetime | None


def _approved() -> QuerySet[AuthorClaim]:
    return AuthorClaim.objects.filter(status=AuthorClaim.APPROVED)


def verified_authors(paper_ids: Sequence[int]) -> dict[int, list[Verified]]:
    """The verified author entries of papers, by paper, in one query."""
    rows = (PaperAuthor.objects.filter(paper_id__in=list(paper_ids), author__claims__status=AuthorClaim.APPROVED,
                                       author__claims__paper_id=F("paper_id"))
            .order_by("paper_id", "position")
            .values_list("paper_id", "position", "author_id", "author__claims__user__username",
                         "author__claims__decided_at"))
    found: dict[int, list[Verified]] = defaultdict(list)
    for paper_id, position, author_id, username, since in rows:
        found[paper_id].append(Verified(position, author_id, username, since))
    return dict(found)


def author_user_ids(paper: Paper) -> set[int]:
    """The users who are verified authors of a paper (their comments on it carry the author mark)."""
    return set(_approved().filter(paper=paper).values_list("user_id", flat=True))


def author_participation(paper_ids: Sequence[int]) -> set[int]:
    """Which of these papers a verified author of theirs has commented on (Hugging Face's isAuthorParticipating)."""
    if not paper_ids:
        return set()  # visible() of no papers is the whole hub's
    by_author = _approved().filter(paper_id=OuterRef("paper_id"), user_id=OuterRef("user_id"))
    return set(Comment.objects.visible(*paper_ids).filter(Exists(by_author))
               .values_list("paper_id", flat=True).distinct())


def authored_papers(user: AbstractBaseUser, limit: int = 30) -> list[Paper]:
    """The papers the user is a verified author of, newest first."""
    return list(Paper.objects.filter(author_claims__user_id=user.pk, author_claims__status=AuthorClaim.APPROVED)
                .order_by("-published", "-id")[:limit])


def claims_on(user: AbstractBaseUser | AnonymousUser, paper: Paper) -> list[AuthorClaim]:
    """The user's claims on a paper's author entries (none for a visitor), with the authors."""
    if not user.is_authenticated:
        return []
    return list(AuthorClaim.objects.filter(user_id=user.pk, paper=paper).select_related("author"))


def claims_of(user: AbstractBaseUser | AnonymousUser) -> list[AuthorClaim]:
    """All the user's authorship claims, newest first, with their papers and authors."""
    if not user.is_authenticated:
        return []
    return list(AuthorClaim.objects.filter(user_id=user.pk).select_related("paper", "author")
                .order_by("-created_at", "-id"))


def similar_hits(paper: Paper, limit: int = 8) -> "list[search.Hit]":
    """The papers most similar to a paper, straight from the search index (no database query); none when the
    index is missing or broken."""
    try:
        return search.similar(paper.pk, limit=limit)
    except Exception:  # noqa: BLE001 (search indexes are derived: a missing or broken one must not break a page)
        return []


def paper_sheet(paper: Paper, base_url: str, similar: int = 8) -> PaperSheet:
    """Everything a paper's Markdown shows (papers.markdown.render), its links on the hub under base_url."""
    hits = similar_hits(paper, similar)
    return PaperSheet(
        uid=paper.uid, title=paper.title, url=link(base_url, "paper", paper.uid),
        authors=author_names(paper), published=paper.published.date() if paper.published else None,
        updated=paper.updated.date() if paper.updated else None, version=paper.version,
        categories=[pc.category.code for pc in paper.paper_categories.all()], abs_url=paper.abs_url,
        pdf_url=paper.pdf_url, doi_url=f"https://doi.org/{paper.doi}" if paper.doi and paper.arxiv_id else "",
        code_url=paper.code_url, project_url=paper.project_url, upvotes=paper.upvotes,
        keywords=search.keywords_of([paper.pk]).get(paper.pk, []), summary=one_line(paper.abstract),
        abstract=paper.abstract,
        similar=[Similar(h.uid, h.title, link(base_url, "paper", h.uid), h.published) for h in hits],
    )


def not_here(paper_id: str) -> str:
    """What every door says of a paper not on this hub (the API's 404, the Markdown, MCP): for an id arXiv may have
    given, how to submit it."""
    possible = possible_arxiv_id(paper_id)
    if possible is None:
        return f"no paper {paper_id!r} on this hub (ids look like 2501.01234 or its arXiv address)"
    uid = possible[0]
    return (f"no paper {uid!r} on this hub: it has not been submitted here yet. Submit it with POST "
            f"{reverse('api:submit')} {{\"paper\": \"{uid}\"}} and an API token, or on the page {submit_path(uid)}")


def submit_path(uid: str) -> str:
    """The submit page's address with an arXiv id filled in."""
    return f"{reverse('submit')}?{urlencode({'paper': uid})}"
