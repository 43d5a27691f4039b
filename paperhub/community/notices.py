"""The mail about new comments: to the paper's verified authors, to the writer of the comment a reply answers, and
to the users a comment @mentions. One mail per person and comment whatever its reasons, naming the strongest;
sent from the queue, at most one per person and paper every PAPERHUB_COMMENT_MAIL_MINUTES."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from enum import IntEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from paperhub.accounts import services as accounts
from paperhub.community.markdown import Parsed, mentions, named_in, parse_comment
from paperhub.community.markdown_text import parsed_text
from paperhub.community.models import AuthorClaim, AuthorSettings, Comment, CommentNotice
from paperhub.community.named import people_ids, users_named
from paperhub.core import mail
from paperhub.core.addresses import hub_root, link
from paperhub.core.permissions import NotAllowed, User, require_user
from paperhub.papers.citation import bounded, plain_line

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "paperhub.community.comment-mail"
MAIL_COMMENTS = 20  # comments a mail quotes; it counts the rest


class Reason(IntEnum):
    """Why a comment is mailed to someone, weakest first: a mail about one comment names the strongest of them."""

    PAPER = 1  # it is on a paper they are a verified author of
    MENTION = 2  # it @mentions them
    REPLY = 3  # it replies to their comment


#: The kinds of comment mail, each an AuthorSettings field one turns on or off, and what each is about.
KINDS = {"comment_mail": "comments on your papers", "reply_mail": "replies to your comments and mentions of you"}
KIND = {Reason.PAPER: "comment_mail", Reason.MENTION: "reply_mail", Reason.REPLY: "reply_mail"}
#: What the writer did, in a mail about one comment ("eve replied to your comment on "Title"") and in a list.
DID = {Reason.PAPER: "commented on your paper", Reason.MENTION: "mentioned you in a comment on",
       Reason.REPLY: "replied to your comment on"}
LISTED = {Reason.PAPER: "wrote", Reason.MENTION: "mentioned you", Reason.REPLY: "replied to your comment"}


def mail_wanted(user_id: int) -> dict[str, bool]:
    """Which kinds of comment mail (KINDS) the user wants; each is on by default."""
    row = AuthorSettings.objects.filter(user_id=user_id).values(*KINDS).first()
    return {kind: row is None or row[kind] for kind in KINDS}


def set_mail(user: User, **kinds: bool) -> None:
    """Turn kinds of comment mail on or off (comment_mail=..., reply_mail=...)."""
    _store(require_user(user), kinds)


def _store(user_id: int, kinds: dict[str, bool]) -> None:
    if set(kinds) - set(KINDS):
        raise ValueError(f"not a kind of comment mail: {sorted(set(kinds) - set(KINDS))}")
    AuthorSettings.objects.update_or_create(user_id=user_id, defaults=kinds)


def unsubscribe_token(user_id: int, kinds: Iterable[str] = ("comment_mail",)) -> str:
    """The secret part of the stop link in a comment mail: it turns off the kinds of mail it names."""
    return signing.dumps({"id": user_id, "off": sorted(kinds)}, salt=UNSUBSCRIBE_SALT)


def stopped_by(token: str) -> tuple[int, list[str]]:
    """The user and the kinds of comment mail a stop link turns off (a link mailed before replies and mentions were
    mailed names comments on one's papers); NotAllowed when the link is not valid."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kinds = data["id"], list(data.get("off", ["comment_mail"]))
    except (signing.BadSignature, KeyError, TypeError, AttributeError):
        raise NotAllowed("This link is not valid.") from None
    if not kinds or not set(kinds) <= set(KINDS):
        raise NotAllowed("This link is not valid.")
    return user_id, kinds


def unsubscribe(token: str) -> list[str]:
    """Turn off the kinds of comment mail a stop link names, and return them; NotAllowed when it is not valid."""
    user_id, kinds = stopped_by(token)
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise NotAllowed("This link is for an account that no longer exists.")
    _store(user_id, dict.fromkeys(kinds, False))
    return kinds


class _Parses:
    """What a run reads of each comment's Markdown, kept for all its recipients: the one parse (whom it mentions and
    the mail's text are both read from it) and the active users it @mentions (name: id), looked up once."""

    def __init__(self) -> None:
        self.parses: dict[int, Parsed] = {}
        self.mentioned: dict[int, dict[str, int]] = {}

    def parsed(self, comment: Comment) -> Parsed:
        """The comment's Markdown parsed, the first time it is asked for."""
        if comment.pk not in self.parses:
            self.parses[comment.pk] = parse_comment(comment.body)
        return self.parses[comment.pk]


def _concerned(comment: Comment, seen: _Parses | None = None) -> set[int]:
    """The users a comment may be mailed to, before their choices: the paper's verified authors, the writer of the
    (visible) comment it replies to, the active users it @mentions; never its own writer. `seen` keeps each
    comment's parse and mentioned names, so a run parses each comment's Markdown once."""
    users = set(AuthorClaim.objects.filter(paper_id=comment.paper_id, status=AuthorClaim.APPROVED)
                .values_list("user_id", flat=True))
    if comment.parent_id is not None:
        parent = Comment.objects.visible(comment.paper_id).filter(pk=comment.parent_id)  # on the reply's paper
        users |= set(parent.values_list("user_id", flat=True))
    users |= set(_mentioned(comment, _Parses() if seen is None else seen).values())
    users.discard(comment.user_id)
    return users


def _mentioned(comment: Comment, seen: _Parses) -> dict[str, int]:
    """The active users a comment @mentions (name: id), found in one look-up once for all the recipients of a run
    (kept in `seen`)."""
    if comment.pk not in seen.mentioned:
        if "@" not in comment.body:  # most comments: no one to look up
            seen.mentioned[comment.pk] = {}
            return {}
        parsed = seen.parsed(comment)
        ids = users_named(parsed.names)
        seen.mentioned[comment.pk] = {name: ids[name] for name in named_in(parsed, frozenset(ids))}  # one parse
    return seen.mentioned[comment.pk]


def queue_comment_mail(comment: Comment, to: list[int] | None = None) -> None:
    """Queue the mail about a new comment to those it concerns, or about an edited one to the users `to` alone
    (newly_mentioned); nothing to queue: no task."""
    if to is None and _concerned(comment):
        mail_comment.enqueue(comment.pk)
    elif to:
        mail_comment.enqueue(comment.pk, to)


def newly_mentioned(comment: Comment, before: str) -> list[int]:
    """The active users, its writer aside, that a comment edited from the text `before` @mentions and that text did
    not: the mention mail goes to them (once each: CommentNotice), not again to those its first text concerned."""
    ids = people_ids([comment.body, before])  # one look-up for both texts, their ids with their names
    people = frozenset(ids)
    names = set(mentions(comment.body, people)) - set(mentions(before, people))
    return sorted(ids[name] for name in names if ids[name] != comment.user_id)


def _recipients(comment: Comment, to: list[int] | None,
                seen: _Parses) -> list[tuple[Any, dict[str, bool]]]:
    """Those the comment concerns (of `to`, when given) who are active and proved their address, with the kinds of
    mail they want."""
    concerned = _concerned(comment, seen) if to is None else _concerned(comment, seen) & set(to)
    users = get_user_model().objects.filter(pk__in=concerned, is_active=True).order_by("pk")
    return [(u, mail_wanted(u.pk)) for u in users if accounts.is_verified(u)]


def _reasons(user: Any, wanted: dict[str, bool], comments: list[Comment],
             seen: _Parses) -> dict[int, Reason]:
    """For each of the comments the user is to be mailed about, the strongest reason they want mail for."""
    paper_ids = {c.paper_id for c in comments}
    authored = set(AuthorClaim.objects.filter(user=user, paper_id__in=paper_ids, status=AuthorClaim.APPROVED)
                   .values_list("paper_id", flat=True))
    theirs = set(Comment.objects.visible(*paper_ids).filter(user=user, pk__in={c.parent_id for c in comments})
                 .values_list("pk", flat=True))
    found = {}
    for comment in comments:
        why = {Reason.PAPER} if comment.paper_id in authored else set()
        why |= {Reason.REPLY} if comment.parent_id in theirs else set()
        why |= {Reason.MENTION} if user.get_username() in _mentioned(comment, seen) else set()
        if chosen := {reason for reason in why if wanted[KIND[reason]]}:
            found[comment.pk] = max(chosen)
    return found


def _message(comments: list[Comment], reasons: dict[int, Reason], user: Any, seen: _Parses) -> EmailMultiAlternatives:
    """One mail about the comments gathered for a user, each with its reason, the first of them linked."""
    base, first, paper = hub_root(), comments[0], comments[0].paper
    kinds = sorted({KIND[reason] for reason in reasons.values()})
    strongest = reasons[first.pk]
    shown = [{"comment": c, "did": LISTED[reasons[c.pk]], "text": parsed_text(seen.parsed(c), base)}
             for c in comments[:MAIL_COMMENTS]]
    named = plain_line(paper.title)  # as its page shows it, U$^2$Mamba as U²Mamba, in a plain-text mail
    context = {"items": shown, "more": max(0, len(comments) - MAIL_COMMENTS), "user": user, "title": named,
               "did": DID[strongest], "author": "comment_mail" in kinds, "replies": "reply_mail" in kinds,
               "every": settings.PAPERHUB_COMMENT_MAIL_MINUTES, "link": link(base, "paper", paper.uid) + first.place,
               "stops": " and ".join(KINDS[kind] for kind in kinds),
               "unsubscribe": link(base, "comment_mail_unsubscribe", unsubscribe_token(user.pk, kinds)),
               "settings_link": link(base, "author_settings")}
    body = render_to_string("community/comment_mail.txt", context)
    title = bounded(named, SUBJECT_TITLE)
    if len(comments) > 1:
        subject = (f"{len(comments)} new comments on your paper: {title}" if "comment_mail" in kinds
                   else f"{len(comments)} new replies and mentions on {title}")
    elif strongest == Reason.PAPER:
        subject = f"New comment on your paper: {title}"
    else:
        subject = f"{first.user.get_username()} {DID[strongest]} {title}"
    return mail.message(subject, body, [user.email], headers={"List-Unsubscribe": f"<{context['unsubscribe']}>"})


#: How much of a paper's title a comment mail's subject holds (cut at a word, with an ellipsis).
SUBJECT_TITLE = 80

#: After another run claimed some of a batch's comments first, this task runs again so long after for the rest.
RACED_RETRY = timedelta(seconds=30)


@task(**mail.TASK)
def mail_comment(comment_id: int, to: list[int] | None = None, attempt: int = 1) -> dict[str, Any]:
    """Mail those a comment concerns, or the users `to` of them (what an unreachable mail server stopped is tried
    again later, core/mail.py)."""
    return mail.send_or_retry(lambda: _mail_comment(comment_id, to), mail_comment, comment_id, to, attempt=attempt)


def _mail_comment(comment_id: int, to: list[int] | None = None) -> dict[str, Any]:
    """Mail each recipient about the comment and the others on the paper for them not yet mailed to them, at most
    once per PAPERHUB_COMMENT_MAIL_MINUTES per paper: a comment within that time of the last mail waits (this task
    queued again for the time's end) and comes with the rest then.

    Each (comment, recipient) is claimed by inserting its CommentNotice before sending and confirmed (sent_at) once
    sent, so a rerun never sends a confirmed one again; a failed send gives its claims back for the retry, and a
    claim left unconfirmed past mail.CLAIM_LEASE (its run killed) is taken again by a rerun and sent. A run killed
    after the send but before the confirmation committed is the one case that sends a mail twice."""
    # visible(): nor a comment below a hidden one (a moderator hid its thread before this ran)
    comment = Comment.objects.filter(pk=comment_id).visible_chosen().select_related("paper", "user").first()
    if comment is None:
        return {"sent": 0}
    every = timedelta(minutes=settings.PAPERHUB_COMMENT_MAIL_MINUTES)
    sent, later = 0, None
    seen = _Parses()  # each comment parsed once for every recipient
    for user, wanted in _recipients(comment, to, seen):
        if not any(wanted.values()):
            continue
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
        candidates = list(Comment.objects.visible(comment.paper_id).filter(created_at__gte=since)
                          .exclude(user=user).exclude(pk__in=held.values("comment_id"))
                          .select_related("paper", "user").order_by("created_at", "id"))
        reasons = _reasons(user, wanted, candidates, seen)
        comments = [c for c in candidates if c.pk in reasons]
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
            _message(comments, reasons, user, seen).send()
        except Exception:
            claimed.delete()
            raise
        # A kill before this commits leaves the claims unconfirmed: the rerun sends this mail once more.
        if claimed.update(sent_at=timezone.now()) < len(comments):
            log.warning("comment mail to user %s was sent after its claim's lease ran out; another run may have "
                        "sent it too", user.pk)
        sent += 1
    if later is not None:
        mail_comment.using(run_after=later).enqueue(comment_id, to)
    return {"sent": sent, "later": later.isoformat() if later else None}

