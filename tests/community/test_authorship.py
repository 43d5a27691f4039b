import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paperhub.community import authorship, notices, queries, services
from paperhub.community.models import AuthorClaim, Comment, CommentNotice
from paperhub.core import mail
from paperhub.core.permissions import NotAllowed
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import approved_claim, at_once_before_saving, record, user, verified


@pytest.fixture
def papers(db):
    """Two papers by Ada Lovelace (one name: one Author row, two people perhaps) and Charles Babbage."""
    upsert_papers([record("2611.00001"), record("2611.00002", authors=("Ada Lovelace", "Grace Hopper"))])
    return list(Paper.objects.order_by("uid"))


def _author_id(paper, position=0):
    return paper.authorships.get(position=position).author_id


def test_a_claim_waits_for_a_moderator_and_asking_again_changes_nothing(papers):
    ann = user("ann")
    made = authorship.claim(ann, papers[0], _author_id(papers[0]))
    assert made.status == AuthorClaim.PENDING
    assert authorship.claim(ann, papers[0], _author_id(papers[0])) == made
    assert AuthorClaim.objects.count() == 1
    assert queries.verified_authors([papers[0].pk]) == {}  # nothing shows before a moderator approves


def test_claims_are_refused_for_strangers_and_other_papers_authors(papers):
    ann = user("ann")
    with pytest.raises(NotAllowed):
        authorship.claim(AnonymousUser(), papers[0], _author_id(papers[0]))
    with pytest.raises(NotAllowed, match="not among"):
        authorship.claim(ann, papers[0], _author_id(papers[1], 1))  # Grace Hopper is not on the first paper
    authorship.claim(ann, papers[0], _author_id(papers[0]))
    with pytest.raises(NotAllowed, match="another author"):
        authorship.claim(ann, papers[0], _author_id(papers[0], 1))


def test_pending_claims_are_capped_per_user(papers, settings):
    settings.PAPERHUB_CLAIM_PENDING_MAX = 1
    ann = user("ann")
    authorship.claim(ann, papers[0], _author_id(papers[0]))
    with pytest.raises(NotAllowed, match="waiting"):
        authorship.claim(ann, papers[1], _author_id(papers[1]))


@pytest.mark.django_db(transaction=True)
def test_two_authors_of_one_paper_claimed_at_once_make_one_claim_and_one_refusal():
    """Both claims counted before either saved: the second met the (user, paper) constraint and its fallback found
    no claim of its author (a 500); under the owner's lock the second is told it claimed another author."""
    upsert_papers([record("2611.00002", authors=("Ada Lovelace", "Grace Hopper"))])
    paper, ann = Paper.objects.get(), user("ann")
    outcomes = at_once_before_saving(AuthorClaim, lambda position: authorship.claim(
        ann, paper, _author_id(paper, position)), range(2), NotAllowed)
    assert AuthorClaim.objects.filter(user=ann, paper=paper).count() == 1
    assert sorted(type(o).__name__ for o in outcomes) == ["AuthorClaim", "NotAllowed"]
    assert [str(o) for o in outcomes if isinstance(o, NotAllowed)] == [
        "You have already claimed another author of this paper."]


def test_a_moderator_approves_one_claim_per_entry_and_only_for_that_paper(papers):
    ann, bob, mod = user("ann"), user("bob"), user("mod", is_staff=True)
    first = authorship.claim(ann, papers[0], _author_id(papers[0]))
    second = authorship.claim(bob, papers[0], _author_id(papers[0]))
    assert authorship.decide(AuthorClaim.objects.all(), True, mod) == (1, 1)  # bob's stays pending
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by, second.status) == (AuthorClaim.APPROVED, mod, AuthorClaim.PENDING)
    assert authorship.decide(AuthorClaim.objects.filter(pk=second.pk), False, mod) == (1, 0)
    with pytest.raises(NotAllowed, match="already claimed"):
        authorship.claim(user("cy"), papers[0], _author_id(papers[0]))
    # Ada Lovelace's other paper is not ann's: a claim is per paper, never per name.
    assert [p.uid for p in queries.authored_papers(ann)] == ["2611.00001"]
    assert queries.verified_authors([p.pk for p in papers]) == {
        papers[0].pk: [queries.Verified(0, _author_id(papers[0]), "ann", first.decided_at)]}


def test_an_approved_claim_outlives_a_new_version_of_the_paper(papers):
    ann = user("ann")
    approved_claim(ann, papers[0])
    upsert_papers([record("2611.00001", version=2, authors=("Charles Babbage", "Ada Lovelace"),
                          updated=datetime(2026, 1, 1, tzinfo=UTC))])
    assert [v.position for v in queries.verified_authors([papers[0].pk])[papers[0].pk]] == [1]


def test_author_participation_needs_a_verified_authors_own_visible_comment(papers):
    ann, bob = user("ann"), user("bob")
    approved_claim(ann, papers[0])
    services.add_comment(bob, papers[0], "a question")
    services.add_comment(ann, papers[1], "not my paper")
    assert queries.author_participation([p.pk for p in papers]) == set()
    answer = services.add_comment(ann, papers[0], "an answer")
    assert queries.author_participation([p.pk for p in papers]) == {papers[0].pk}
    assert queries.author_user_ids(papers[0]) == {ann.pk}
    services.delete_comment(ann, answer)
    assert queries.author_participation([p.pk for p in papers]) == set()


def test_comment_mail_setting_defaults_on_and_the_unsubscribe_link_turns_it_off(papers):
    ann = user("ann")
    assert notices.mail_wanted(ann.pk) == {"comment_mail": True, "reply_mail": True}
    notices.unsubscribe(notices.unsubscribe_token(ann.pk))
    assert notices.mail_wanted(ann.pk) == {"comment_mail": False, "reply_mail": True}
    notices.set_mail(ann, comment_mail=True)
    assert notices.mail_wanted(ann.pk)["comment_mail"]
    with pytest.raises(NotAllowed):
        notices.unsubscribe(notices.unsubscribe_token(ann.pk)[:-2] + "xx")


@pytest.mark.django_db(transaction=True)
def test_authors_get_one_mail_per_comment_by_someone_else(mail_sink, run_tasks, settings):
    settings.PAPERHUB_BASE_URL = "https://hub.example.org"
    upsert_papers([record("2611.00001", title="Engines <b>that</b> compute")])
    paper = Paper.objects.get()
    ann, bob, eve = verified(user("ann")), verified(user("bob")), user("eve")
    approved_claim(ann, paper, 0)
    approved_claim(bob, paper, 1)
    notices.set_mail(bob, comment_mail=False)
    services.add_comment(ann, paper, "my own comment")  # no mail to oneself; bob said no
    services.add_comment(eve, paper, "How does the **mill** work?")
    assert mail_sink.messages == []  # not in the request: from the queue
    ran = run_tasks()
    assert [m["To"] for m in mail_sink.messages] == ["ann@example.org"]
    message = mail_sink.messages[0]
    body = message.get_body(("plain",)).get_content()
    assert "eve commented" in body and "How does the mill work?" in body and "**" not in body and "Engines <b>that</b>" in body
    # (the link's token as the mail holds it: a token made here could carry the next second's timestamp)
    stop = re.search(r"https://hub\.example\.org/accounts/comment-mail/stop/(\S+)", body)
    assert stop and stop.group(1) in message["List-Unsubscribe"]
    for row in ran:  # a worker running the same task again sends nothing more
        notices.mail_comment.call(*row.args_kwargs["args"])
    assert len(mail_sink.messages) == 1 and CommentNotice.objects.filter(sent_at__isnull=False).count() == 1
    notices.unsubscribe(stop.group(1))  # the mail's link is ann's, for comments on her papers
    assert notices.mail_wanted(ann.pk) == {"comment_mail": False, "reply_mail": True}


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_comments_makes_one_mail_now_and_one_gathering_the_rest_later(mail_sink, run_tasks, settings):
    settings.PAPERHUB_COMMENT_RATE = settings.PAPERHUB_COMMENT_ADDRESS_RATE = ""
    upsert_papers([record("2611.00001", title="Engines")])
    paper = Paper.objects.get()
    ann, eve = verified(user("ann")), user("eve")
    approved_claim(ann, paper, 0)
    for n in range(30):
        services.add_comment(eve, paper, f"spam {n}")
        run_tasks()  # (a worker sends as they come)
    assert [m["Subject"] for m in mail_sink.messages] == ["New comment on your paper: Engines"]
    waiting = DBTaskResult.objects.filter(status="READY", run_after__isnull=False)
    assert waiting.count() == 29 and min(t.run_after for t in waiting) > timezone.now() + timedelta(minutes=59)
    CommentNotice.objects.update(sent_at=F("sent_at") - timedelta(hours=1),
                                 claimed_at=F("claimed_at") - timedelta(hours=1))  # the hour is over
    waiting.update(run_after=timezone.now())
    run_tasks()
    assert [m["Subject"] for m in mail_sink.messages[1:]] == ["29 new comments on your paper: Engines"]
    body = mail_sink.messages[1].get_body(("plain",)).get_content()
    assert "spam 1\r\n" in body and "spam 20\r\n" in body and "spam 21" not in body and "and 9 more" in body
    assert CommentNotice.objects.filter(user=ann).count() == 30
    services.add_comment(eve, paper, "one more, an hour later")  # the last mail went just now: it waits too
    run_tasks()
    assert len(mail_sink.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_a_comment_stamped_just_before_the_last_mail_is_still_mailed(mail_sink, run_tasks, settings):
    """A comment stamped a moment before another run's mail, and committed after that run looked, was never mailed
    (review: the next run looked only after the last mail's time)."""
    settings.PAPERHUB_COMMENT_RATE = settings.PAPERHUB_COMMENT_ADDRESS_RATE = ""
    settings.PAPERHUB_COMMENT_MAIL_MINUTES = 0
    upsert_papers([record("2611.00001", title="Engines")])
    paper = Paper.objects.get()
    ann, eve = verified(user("ann")), user("eve")
    approved_claim(ann, paper, 0)
    services.add_comment(eve, paper, "first")
    run_tasks()
    sent = CommentNotice.objects.get().sent_at
    late = services.add_comment(eve, paper, "second")
    Comment.objects.filter(pk=late.pk).update(created_at=sent - timedelta(milliseconds=5))
    run_tasks()
    assert len(mail_sink.messages) == 2 and CommentNotice.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_claim_a_killed_run_left_unconfirmed_is_sent_once_its_lease_is_over(mail_sink, run_tasks):
    """A worker killed between claiming a comment mail and sending it lost that mail for good: the rerun saw the
    claim and skipped. A fresh claim is left to the run that holds it; one older than the lease is taken again."""
    upsert_papers([record("2611.00001", title="Engines")])
    paper = Paper.objects.get()
    ann, eve = verified(user("ann")), user("eve")
    approved_claim(ann, paper, 0)
    comment = services.add_comment(eve, paper, "How does the mill work?")
    claimed = timezone.now() - timedelta(minutes=1)
    CommentNotice.objects.create(comment=comment, user=ann, claimed_at=claimed)  # the killed run's claim
    run_tasks()
    assert mail_sink.messages == []  # that run may still be sending it: this one looks again after its lease
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after == claimed + mail.CLAIM_LEASE
    CommentNotice.objects.update(claimed_at=F("claimed_at") - mail.CLAIM_LEASE)  # the lease is over
    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    ran = run_tasks()
    assert [m["To"] for m in mail_sink.messages] == ["ann@example.org"]
    notice = CommentNotice.objects.get()
    assert notice.sent_at is not None and notice.claimed_at > claimed
    CommentNotice.objects.update(claimed_at=F("claimed_at") - 2 * mail.CLAIM_LEASE)  # confirmed: never again
    notices.mail_comment.call(*ran[-1].args_kwargs["args"])
    assert len(mail_sink.messages) == 1 and not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_a_reply_in_a_thread_hidden_before_its_mail_went_is_not_mailed(mail_sink, run_tasks):
    upsert_papers([record("2611.00001")])
    paper = Paper.objects.get()
    ann, eve = verified(user("ann")), user("eve")
    approved_claim(ann, paper, 0)
    first = services.add_comment(ann, paper, "our own note")  # ann's: no mail to ann
    services.add_comment(eve, paper, "buy now", parent=first)
    Comment.objects.filter(pk=first.pk).update(hidden=True)  # a moderator hides the thread before the worker runs
    run_tasks()
    assert mail_sink.messages == [] and not CommentNotice.objects.exists()
