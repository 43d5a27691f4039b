"""Claiming authorship of papers and moderators' decisions (the mail approved authors get about comments:
notices.py).

A claim is per paper: it names one paper and one of its author entries. Approving it makes the user a verified
author of that paper only, never of every paper by the same name (two people may share one Author row: see
docs/architecture.md, "Papers"); each of their other papers is claimed on its own.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from paperhub.community import notices
from paperhub.community.models import AuthorClaim
from paperhub.core import caps, mail
from paperhub.core.permissions import NotAllowed, User, require_user
from paperhub.papers.models import Author, Paper


def claim(user: User, paper: Paper, author_id: int) -> AuthorClaim:
    """Claim to be one author of a paper; the claim waits for a moderator. Asking again returns the same claim."""
    user_id = require_user(user)
    author = Author.objects.filter(pk=author_id, authorships__paper=paper).first()
    if author is None:
        raise NotAllowed("That name is not among this paper's authors.")
    existing = AuthorClaim.objects.filter(user_id=user_id, paper=paper, author=author).first()
    if existing is not None:
        return existing
    if AuthorClaim.objects.filter(paper=paper, author=author, status=AuthorClaim.APPROVED).exists():
        raise NotAllowed(f"{author.name} on this paper is already claimed by a verified author.")
    most = settings.PAPERHUB_CLAIM_PENDING_MAX
    try:
        with caps.owner_locked(get_user_model(), user_id):
            # Under the lock: two claims at once of two authors of one paper would both pass it, and the second
            # would meet the (user, paper) constraint with no claim of its author to return.
            if AuthorClaim.objects.filter(user_id=user_id, paper=paper).exclude(status=AuthorClaim.REJECTED).exists():
                raise NotAllowed("You have already claimed another author of this paper.")
            if AuthorClaim.objects.filter(user_id=user_id, status=AuthorClaim.PENDING).count() >= most:
                raise NotAllowed(f"You have {most} claims waiting for a moderator, the limit; try again once they "
                                 f"are decided.")
            return AuthorClaim.objects.create(user_id=user_id, paper=paper, author=author)
    except IntegrityError:  # the same form sent twice at once
        return AuthorClaim.objects.get(user_id=user_id, paper=paper, author=author)


def decide(claims: QuerySet[AuthorClaim], approve: bool, moderator: User) -> tuple[int, int]:
    """Approve or reject pending claims (the admin's actions); returns (decided, skipped). A claim for an entry
    that another claim already holds is skipped and stays pending."""
    decided = skipped = 0
    status = AuthorClaim.APPROVED if approve else AuthorClaim.REJECTED
    for pk in claims.filter(status=AuthorClaim.PENDING).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                decided += AuthorClaim.objects.filter(pk=pk, status=AuthorClaim.PENDING).update(
                    status=status, decided_at=timezone.now(), decided_by=moderator)
        except IntegrityError:  # one approved claim per author entry
            skipped += 1
    return decided, skipped


@task(**mail.TASK)
def mail_authors(comment_id: int, attempt: int = 1) -> dict[str, Any]:
    """A comment's mail as queued before replies and mentions were mailed too: sent as notices.mail_comment."""
    return notices.mail_comment.call(comment_id, attempt=attempt)
