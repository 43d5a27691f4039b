"""Reads of community data, shared by the HTML and JSON front doors."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from paperhub.community.models import Collection, Comment, Submission, Upvote
from paperhub.papers.models import Paper


@dataclass
class Thread:
    """A comment and its replies, oldest first."""

    comment: Comment
    replies: list["Thread"] = field(default_factory=list)


def threads(paper: Paper) -> list[Thread]:
    """A paper's comments as threads, in two levels or more; hidden ones and their replies left out."""
    comments = list(Comment.objects.filter(paper=paper, hidden=False).select_related("user")
                    .order_by("created_at", "id"))
    nodes = {c.pk: Thread(c) for c in comments}
    roots = []
    for comment in comments:
        node = nodes[comment.pk]
        if comment.parent_id is None:
            roots.append(node)
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].replies.append(node)
    return roots


def comment_counts(paper_ids: Sequence[int]) -> dict[int, int]:
    """Visible comments per paper, for a page of papers in one query."""
    rows = (Comment.objects.filter(paper_id__in=list(paper_ids), hidden=False, deleted=False)
            .values("paper_id").annotate(n=Count("id")).values_list("paper_id", "n"))
    return dict(rows)


def upvoted_ids(user: AbstractBaseUser | AnonymousUser, paper_ids: Sequence[int]) -> set[int]:
    """Which of these papers the user has upvoted."""
    if not user.is_authenticated:
        return set()
    return set(Upvote.objects.filter(user_id=user.pk, paper_id__in=list(paper_ids))
               .values_list("paper_id", flat=True))


def visible_collections(viewer: AbstractBaseUser | AnonymousUser) -> QuerySet[Collection]:
    """Collections the viewer may see: public ones and their own."""
    if viewer.is_authenticated:
        return Collection.objects.filter(Q(public=True) | Q(owner_id=viewer.pk))
    return Collection.objects.filter(public=True)


def collections_holding(paper: Paper, viewer: AbstractBaseUser | AnonymousUser) -> list[Collection]:
    """The collections holding a paper that the viewer may see."""
    return list(visible_collections(viewer).filter(items__paper=paper).select_related("owner")
                .order_by("-created_at"))


def submissions_of(user: AbstractBaseUser | AnonymousUser, limit: int = 20) -> list[Submission]:
    """The user's latest submissions, newest first, with their papers."""
    if not user.is_authenticated:
        return []
    return list(Submission.objects.filter(user_id=user.pk).select_related("paper").order_by("-created_at", "-id")
                [:limit])
