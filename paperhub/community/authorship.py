"""Claiming authorship of papers, moderators' decisions, and the mail approved authors get about comments.

A claim is per paper: it names one paper and one of its author entries. Approving it makes the user a verified
author of that paper only, never of every paper by the same name (two people may share one Author row: see
docs/architecture.md, "Papers"); each of their other papers is claimed on its own.
"""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from paperhub.accounts import services as accounts
from paperhub.community.models import AuthorClaim, AuthorSettings, Comment, CommentNotice
from paperhub.core import mail
from paperhub.core.addresses import hub_root, link
from paperhub.core.permissions import NotAllowed, User, require_user
from paperhub.papers.models import Author, Paper

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "paperhub.community.comment-mail"
MAIL_COMMENTS = 20  # comments a mail quotes; it counts the rest


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
    if AuthorClaim.objects.filter(user_id=user_id, paper=paper).exclude(status=AuthorClaim.REJECTED).exists():
        raise NotAllowed("You have already claimed another author of this paper.")
    most = settings.PAPERHUB_CLAIM_PENDING_MAX
    if AuthorClaim.objects.filter(user_id=user_id, status=AuthorClaim.PENDING).count() >= most:
        raise NotAllowed(f"You have {most} claims waiting for a moderator, the limit; try again once they are "
                         f"decided.")
    try:
        with transaction.atomic():
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


def comment_mail_on(user_id: int) -> bool:
    """Whether the user wants mail about comments on their papers (the default: yes)."""
    return AuthorSettings.objects.filter(user_id=user_id).values_list("comment_mail", flat=True).first() is not False


def set_comment_mail(user: User, on: bool) -> None:
    """Turn mail about comments on one's papers on or off."""
    _store_comment_mail(require_user(user), on)


def _store_comment_mail(user_id: int, on: bool) -> None:
    AuthorSettings.objects.update_or_create(user_id=user_id, defaults={"comment_mail": on})


def unsubscribe_token(user_id: int) -> str:
    """The secret part of the unsubscribe link in a comment mail."""
    return signing.dumps({"id": user_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe(token: str) -> None:
    """Turn comment mail off for the user an unsubscribe link names; NotAllowed when the link is not valid."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)["id"]
    except (signing.BadSignature, KeyError, TypeError):
        raise NotAllowed("This link is not valid.") from None
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise NotAllowed("This link is for an account that no longer exists.")
    _store_comment_mail(user_id, False)


def queue_comment_mail(comment: Comment) -> None:
    """Queue the mail to the paper's verified authors about a new comment (nothing to queue: no task)."""
    claims = AuthorClaim.objects.filter(paper_id=comment.paper_id, status=AuthorClaim.APPROVED)
    if claims.exclude(user_id=comment.user_id).exists():
        mail_authors.enqueue(comment.pk)


def _recipients(comment: Comment) -> list[Any]:
    """The paper's verified authors who want the mail and proved their address, the commenter left out."""
    users = (get_user_model().objects.filter(author_claims__paper_id=comment.paper_id, is_active=True,
                                             author_claims__status=AuthorClaim.APPROVED)
             .exclude(pk=comment.user_id).distinct())
    return [u for u in users if comment_mail_on(u.pk) and accounts.is_verified(u)]


def _message(comments: list[Comment], user: Any) -> EmailMultiAlternatives:
    """One mail about the comments gathered for an author, the first of them linked."""
    base, first, paper = hub_root(), comments[0], comments[0].paper
    context = {"comments": comments[:MAIL_COMMENTS], "more": max(0, len(comments) - MAIL_COMMENTS), "user": user,
               "paper": paper, "every": settings.PAPERHUB_COMMENT_MAIL_MINUTES,
               "link": link(base, "paper", paper.uid) + first.place,
               "unsubscribe": link(base, "comment_mail_unsubscribe", unsubscribe_token(user.pk)),
               "settings_link": link(base, "author_settings")}
    body = render_to_string("community/comment_mail.txt", context)
    what = "New comment" if len(comments) == 1 else f"{len(comments)} new comments"
    subject = f"{what} on your paper: {paper.title[:80]}"
    return mail.message(subject, body, [user.email], headers={"List-Unsubscribe": f"<{context['unsubscribe']}>"})


#: After another run claimed some of a batch's comments first, this task runs again so long after for the rest.
RACED_RETRY = timedelta(seconds=30)


@task(**mail.TASK)
def mail_authors(comment_id: int, attempt: int = 1) -> dict[str, Any]:
    """Mail the paper's verified authors about a comment (what an unreachable mail server stopped is tried again
    later, core/mail.py)."""
    return mail.send_or_retry(lambda: _mail_authors(comment_id), mail_authors, comment_id, attempt=attempt)


def _mail_authors(comment_id: int) -> dict[str, Any]:
    """Mail each recipient about the comment and the others on the paper not yet mailed to them, at most once per
    PAPERHUB_COMMENT_MAIL_MINUTES per paper: a comment within that time of the last mail waits (this task queued
    again for the time's end) and comes with the rest then.

    Each (comment, author) is claimed by inserting its CommentNotice before sending and confirmed (sent_at) once
    sent, so a rerun never sends a confirmed one again; a failed send gives its claims back for the retry, and a
    claim left unconfirmed past mail.CLAIM_LEASE (its run killed) is taken again by a rerun and sent. A run killed
    after the send but before the confirmation committed is the one case that sends a mail twice."""
    # visible(): nor a comment below a hidden one (a moderator hid its thread before this ran)
    comment = Comment.objects.visible().select_related("paper", "user").filter(pk=comment_id).first()
    if comment is None:
        return {"sent": 0}
    every = timedelta(minutes=settings.PAPERHUB_COMMENT_MAIL_MINUTES)
    sent, later = 0, None
    for user in _recipients(comment):
        now = timezone.now()
        # confirmed, or claimed by a run that may be sending them now; the rest are a dead run's, to take again
        held = CommentNotice.objects.filter(Q(sent_at__isnull=False) | Q(claimed_at__gte=now - mail.CLAIM_LEASE),
                                            user=user, comment__paper_id=comment.paper_id)
        own = held.filter(comment=comment).first()
        if own is not None:  # sent by an earlier run, or with another comment
            if own.sent_at is None:  # being sent: look again once its lease is over, in case that run died
                later = max(later or now, own.claimed_at + mail.CLAIM_LEASE)
            continue
        last = held.aggregate(last=Max("claimed_at"))["last"]
        if last is not None and now < last + every:
            later = max(later or now, last + every)
            continue
        # not from the last mail's time: a comment stamped just before it but committed after that mail's query
        # would never be mailed; those already mailed are left out by their notices
        since = comment.created_at - every
        comments = list(Comment.objects.visible().filter(paper_id=comment.paper_id, created_at__gte=since)
                        .exclude(user=user).exclude(pk__in=held.values("comment_id")).select_related("paper", "user")
                        .order_by("created_at", "id"))
        if not comments:
            continue
        claimed = CommentNotice.objects.filter(user=user, comment__in=comments, claimed_at=now, sent_at__isnull=True)
        try:
            with transaction.atomic():
                CommentNotice.objects.filter(user=user, comment__in=comments, sent_at__isnull=True,
                                             claimed_at__lt=now - mail.CLAIM_LEASE).delete()  # a dead run's
                CommentNotice.objects.bulk_create([CommentNotice(comment=c, user=user, claimed_at=now)
                                                   for c in comments])
        except IntegrityError:  # another run is mailing some of them now: the others wait for this task's rerun
            later = max(later or now, now + RACED_RETRY)
            continue
        try:
            _message(comments, user).send()
        except Exception:
            claimed.delete()
            raise
        # A kill before this commits leaves the claims unconfirmed: the rerun sends this mail once more.
        if claimed.update(sent_at=timezone.now()) < len(comments):
            log.warning("comment mail to user %s was sent after its claim's lease ran out; another run may have "
                        "sent it too", user.pk)
        sent += 1
    if later is not None:
        mail_authors.using(run_after=later).enqueue(comment_id)
    return {"sent": sent, "later": later.isoformat() if later else None}
