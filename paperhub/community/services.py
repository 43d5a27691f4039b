"""Writes by people: upvotes, comments, submissions, collections. Each checks who may do it."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from paperhub.community import notices, ranks
from paperhub.community.models import (
    Comment,
    Submission,
    Upvote,
    WithdrawnUpvote,
)
from paperhub.core import caps, limits
from paperhub.core.permissions import NotAllowed, User, require_user
from paperhub.ingest import runs
from paperhub.ingest.http import SourceError
from paperhub.papers import feeds
from paperhub.papers.changes import next_stamp
from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.records import ArxivIdError, arxiv_ids_in, sent_in_by, still_to_come, strip_controls

COMMENT_MAX_CHARS = 10_000
SUBMIT_TRIES_PER_QUOTA = 3  # submissions a day, failed on our side or not, per one of the daily quota
#: Levels a discussion nests to: 1 is a comment on the paper, 2 a reply to it... A reply to a comment on the
#: last level joins that comment's own thread, beside it (as Hugging Face and GitHub threads, and Facebook's
#: and YouTube's deepest levels do), so no reply is refused and no thread outgrows the page.
COMMENT_MAX_DEPTH = 8
def upvote(user: User, paper: Paper, on: bool | None = None) -> tuple[bool, int]:
    """Set (on=True/False) or toggle (on=None) a user's upvote; returns (upvoted now, the paper's count).

    The Upvote row and Paper.upvotes change in one transaction and the count moves only by rows really
    added or removed, so concurrent clicks can never make the count disagree with the rows.
    """
    user_id = require_user(user)
    with transaction.atomic():
        stamp = next_stamp()  # first: the search indexes follow papers in stamp order (papers/changes.py)
        existing = Upvote.objects.filter(user_id=user_id, paper=paper)
        cast_at = existing.values_list("created_at", flat=True).first()
        if on is True or (on is None and cast_at is None):
            try:
                with transaction.atomic():  # stamped: after any withdrawal of this user's vote (WithdrawnUpvote)
                    Upvote.objects.create(user_id=user_id, paper=paper, created_at=stamp)
                change = 1
            except IntegrityError:  # a concurrent click got there first: it counted it
                change = 0
            state = True
        else:
            change = -existing.delete()[0]
            if change and cast_at is not None and ranks.stood_at_an_end(cast_at, stamp):
                # a finished period's ranking counts it still, as it stood when that period ended
                WithdrawnUpvote.objects.create(user_id=user_id, paper=paper, cast_at=cast_at, withdrawn_at=stamp)
            state = False
        if change:
            Paper.objects.filter(pk=paper.pk).update(upvotes=F("upvotes") + change, changed_at=stamp)
    return state, Paper.objects.values_list("upvotes", flat=True).get(pk=paper.pk)


def _clean_body(body: str) -> str:
    body = strip_controls((body or "").replace("\r\n", "\n")).strip()
    if not body:
        raise NotAllowed("A comment needs some text.")
    if len(body) > COMMENT_MAX_CHARS:
        raise NotAllowed(f"Comments are at most {COMMENT_MAX_CHARS:,} characters.")
    return body


def comment_wait(request: HttpRequest, user: User) -> int:
    """Count a comment against its account's rates (PAPERHUB_COMMENT_RATE, PAPERHUB_COMMENT_DAILY_RATE) and its
    client address's (PAPERHUB_COMMENT_ADDRESS_RATE), whichever door it came through; 0 when allowed, else the
    seconds to wait."""
    who = str(user.pk)
    # in turn: a comment refused by the burst limit does not use up the day's
    return (limits.over_limit(request, "comment", settings.PAPERHUB_COMMENT_RATE, who=who)
            or limits.over_limit(request, "comment-day", settings.PAPERHUB_COMMENT_DAILY_RATE, who=who)
            or limits.over_limit(request, "comment-from", settings.PAPERHUB_COMMENT_ADDRESS_RATE))


def too_many_comments(wait: int) -> str:
    """What a refused comment is told: why, and when to try again."""
    later = (f"{wait} seconds" if wait < 120 else f"{-(-wait // 60)} minutes" if wait < 7200
             else f"{-(-wait // 3600)} hours")
    return f"You have posted too many comments for now: try again in {later}."


class TooManyComments(NotAllowed):
    """A comment over its rates (comment_wait); `wait`: the seconds until one is allowed again."""

    def __init__(self, wait: int) -> None:
        super().__init__(too_many_comments(wait))
        self.wait = wait


def add_comment(user: User, paper: Paper, body: str, parent: Comment | None = None,
                request: HttpRequest | None = None) -> Comment:
    """A new comment on a paper, or a reply to one of its comments. From a front door (`request`) it counts against
    the comment rates (TooManyComments over them), once nothing else refuses it: a refused comment uses none."""
    user_id = require_user(user)
    if parent is not None:
        # visible(): nor a reply to one below a hidden comment
        if not Comment.objects.visible(paper.pk).filter(pk=parent.pk).exists():
            raise NotAllowed("That comment cannot be replied to.")
        parent = reply_target(parent)
    body = _clean_body(body)
    if request is not None and (wait := comment_wait(request, user)):
        raise TooManyComments(wait)
    with transaction.atomic():  # the comment and the mail about it commit together (the queue is a table)
        comment = Comment.objects.create(paper=paper, user_id=user_id, parent=parent, body=body)
        notices.queue_comment_mail(comment)
    return comment


def reply_target(parent: Comment) -> Comment:
    """The comment a reply to `parent` hangs from: `parent`, or, on the last level (COMMENT_MAX_DEPTH), its
    ancestor one level up, so that the reply sits beside it."""
    parents = dict(Comment.objects.filter(paper_id=parent.paper_id).values_list("id", "parent_id"))
    chain = [parent.pk]  # parent, its parent, ... up to the comment on the paper
    while (up := parents.get(chain[-1])) is not None and len(chain) <= len(parents):
        chain.append(up)
    if len(chain) < COMMENT_MAX_DEPTH:
        return parent
    return Comment.objects.get(pk=chain[len(chain) - COMMENT_MAX_DEPTH + 1])


def _own(user: User, comment: Comment) -> None:
    require_user(user)
    if comment.user_id != user.pk or comment.deleted:
        raise NotAllowed("You can only change your own comments.")


def edit_comment(user: User, comment: Comment, body: str, request: HttpRequest | None = None) -> Comment:
    """Change the text of one's own comment. The users it now @mentions for the first time get the mention mail,
    and from a front door (`request`) such an edit counts against the comment rates as a new comment does
    (TooManyComments over them): editing in names cannot mail more people than commenting can."""
    _own(user, comment)
    before, comment.body = comment.body, _clean_body(body)
    added = notices.newly_mentioned(comment, before)
    if added and request is not None and (wait := comment_wait(request, user)):
        comment.body = before
        raise TooManyComments(wait)
    comment.edited_at = timezone.now()
    with transaction.atomic():  # the edit and the mail about it commit together, as a new comment's do
        comment.save(update_fields=["body", "edited_at"])
        notices.queue_comment_mail(comment, added)
    return comment


def delete_comment(user: User, comment: Comment) -> None:
    """Delete one's own comment; one with replies stays as a "deleted" placeholder so the thread holds."""
    _own(user, comment)
    if comment.replies.exists():
        comment.deleted = True
        comment.body = ""
        comment.save(update_fields=["deleted", "body"])
    else:
        comment.delete()


def arxiv_id_from(text: str) -> str:
    """The versionless arXiv id in what someone pasted: an id, arXiv:id, or its arXiv, Hugging Face, alphaXiv or DOI
    address (the forms search reads), alone or among other words (a citation line, arXiv's stamp "arXiv:2401.12345v2
    [cs.CL] 3 Jan 2024"); NotAllowed says why anything else is not one, and names the ids of a text holding more."""
    try:
        uids = arxiv_ids_in(text or "")
        if reason := still_to_come(uids[0]):
            raise ArxivIdError(text, reason)
    except ArxivIdError as exc:
        raise NotAllowed(f"{text[:100]!r} is not an arXiv id or address: {exc.reason}. Paste one such as 2501.01234 "
                         "or https://arxiv.org/abs/2501.01234.") from None
    if len(uids) > 1:
        named = ", ".join(uids[:-1]) + f" and {uids[-1]}"
        raise NotAllowed(f"{text[:100]!r} holds {len(uids)} different arXiv ids, {named}: paste the one to submit.")
    return uids[0]


def submit(user: User, text: str) -> Submission:
    """Ask for a paper on the hub and in today's feed: checks the login, the id and the daily quota, records the
    submission and queues its fetch (fetch_submission); the page or the API then shows how it went. A paper of any
    age comes onto the hub; only one from the last PAPERHUB_SUBMIT_MAX_AGE_DAYS days joins the feed."""
    user_id = require_user(user)
    arxiv_id = arxiv_id_from(text)
    day = feeds.today()
    quota = settings.PAPERHUB_SUBMIT_DAILY_QUOTA
    with caps.owner_locked(get_user_model(), user_id):  # one submission of a user at a time: the quota holds
        today = Submission.objects.filter(user_id=user_id, day=day)
        if today.filter(counted=True).count() >= quota:
            raise NotAllowed(f"You have submitted {quota} papers today, the daily limit. Try again tomorrow.")
        # those that failed on our side do not count, but each takes a worker and a turn at arXiv's pace
        if today.count() >= SUBMIT_TRIES_PER_QUOTA * quota:
            raise NotAllowed(f"You have tried {today.count()} submissions today, counting those arXiv could not be "
                             "reached for. Try again tomorrow.")
        existing = FeedEntry.objects.filter(paper__uid=arxiv_id).order_by("-day").first()
        if existing is not None:
            raise AlreadyInFeed(arxiv_id, existing.day)
        held = Paper.objects.filter(uid=arxiv_id).values_list("published").first()
        too_old = _too_old_for_the_feed(arxiv_id, held[0] if held else None)
        if held is not None and too_old:  # nothing to fetch nor to place
            raise NotAllowed(f"{arxiv_id} is already on the hub; {too_old}")
        if Submission.objects.filter(arxiv_id=arxiv_id, status__in=[Submission.PENDING, Submission.FETCHING]).exists():
            raise NotAllowed(f"{arxiv_id} is being fetched already.")
        submission = Submission.objects.create(user_id=user_id, arxiv_id=arxiv_id, day=day,
                                               message=too_old and f"It comes onto the hub only: {too_old}")
        fetch_submission.enqueue(submission.pk)  # the queue is a table: the task and the row commit together
    return submission


def _too_old_for_the_feed(arxiv_id: str, published: datetime | None = None) -> str:
    """Why a paper is too old for today's feed (first published more than PAPERHUB_SUBMIT_MAX_AGE_DAYS ago), or "".
    Before it is fetched its id tells: it was first sent in by the end of its id's month."""
    max_age = settings.PAPERHUB_SUBMIT_MAX_AGE_DAYS
    cutoff = timezone.now() - timedelta(days=max_age)
    if published is None:
        published = sent_in_by(arxiv_id)
    if published >= cutoff:
        return ""
    return f"papers older than {max_age} days are not added to the daily feed."


class AlreadyInFeed(NotAllowed):
    """A submission of a paper already in a feed: `uid` and `day` say which, for a page to link them."""

    def __init__(self, uid: str, day: date) -> None:
        super().__init__(f"{uid} is already in the feed of {day:%Y-%m-%d}.")
        self.uid, self.day = uid, day


class Unreachable(NotAllowed):
    """A submission failed on our side (arXiv could not be reached): it does not count towards the daily limit."""


def _place(submission: Submission) -> tuple[Paper, str]:
    """Fetch the submission's paper onto the hub and put it into today's feed when it may go there; returns the
    paper and what happened, in words. NotAllowed says why the paper is not on the hub."""
    arxiv_id = submission.arxiv_id
    try:
        paper = runs.fetch_paper(arxiv_id)
    except SourceError as exc:
        raise Unreachable(f"arXiv could not be reached to fetch {arxiv_id} ({exc}); try again later (this one "
                          "does not count towards your daily limit).") from exc
    if paper is None:
        raise NotAllowed(f"arXiv has no paper {arxiv_id}.")
    username = submission.user.get_username()
    in_the_feed = f"In the feed: {paper.title}"
    if FeedEntry.objects.filter(paper=paper, source="submission", submitted_by=username).exists():
        return paper, in_the_feed  # placed by an earlier run of this task that was killed before it said so
    if too_old := _too_old_for_the_feed(arxiv_id, paper.published):
        return paper, f"{arxiv_id} is now on the hub; {too_old}"
    existing = FeedEntry.objects.filter(paper=paper).order_by("-day").first()
    if existing is not None:
        return paper, f"{arxiv_id} is on the hub, in the feed of {existing.day:%Y-%m-%d} already."
    try:
        with transaction.atomic():
            FeedEntry.objects.create(paper=paper, day=feeds.today(), source="submission", submitted_by=username,
                                     submitted_at=submission.created_at)
    except IntegrityError:
        return paper, f"{arxiv_id} is on the hub, in today's feed already."
    return paper, in_the_feed


@task()
def fetch_submission(submission_id: int) -> dict[str, Any]:
    """Fetch a submitted paper onto the hub and place it in the feed when it may go there, recording how it went
    on the submission.

    Safe to run again (a worker killed midway): a finished submission is left as it is, and a paper already
    placed by this submission is not placed twice.
    """
    submission = Submission.objects.select_related("user").filter(pk=submission_id).first()
    if submission is None or not submission.waiting:
        return {"submission": submission_id, "status": submission.status if submission else "gone"}
    Submission.objects.filter(pk=submission.pk).update(status=Submission.FETCHING)
    counted = True
    try:
        paper, message = _place(submission)
    except NotAllowed as exc:
        status, message, paper_id = Submission.FAILED, str(exc), None
        counted = not isinstance(exc, Unreachable)
    else:
        status, paper_id = Submission.DONE, paper.pk
    Submission.objects.filter(pk=submission.pk).update(status=status, message=message, paper_id=paper_id,
                                                       counted=counted, finished_at=timezone.now())
    return {"submission": submission_id, "status": status, "message": message}
