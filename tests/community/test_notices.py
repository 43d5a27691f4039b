"""Comment mail beyond authors: to the writer of the comment a reply answers and to the users a comment @mentions,
one mail per person and comment, from the queue, through a real SMTP server."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from markdown_it import MarkdownIt

from paperhub.community import notices, services
from paperhub.community.models import Comment, CommentNotice
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import approved_claim, record, user, verified

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paper(settings):
    settings.PAPERHUB_BASE_URL = "https://hub.example.org"
    settings.PAPERHUB_COMMENT_RATE = settings.PAPERHUB_COMMENT_ADDRESS_RATE = ""
    upsert_papers([record("2611.00001", title="Engines <b>that</b> compute")])
    return Paper.objects.get()


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def _stop(message) -> str:
    return re.search(r"https://hub\.example\.org/accounts/comment-mail/stop/(\S+)", _body(message)).group(1)


def test_the_writer_of_a_comment_gets_a_mail_about_a_reply_but_not_about_their_own(mail_sink, run_tasks, paper):
    ann, bob = verified(user("ann")), user("bob")
    first = services.add_comment(ann, paper, "Is the mill *fast*?")
    services.add_comment(ann, paper, "(answering myself)", parent=first)  # no mail to oneself
    reply = services.add_comment(bob, paper, "Yes: **very** <fast>.", parent=first)
    assert mail_sink.messages == []  # not in the request: from the queue
    run_tasks()
    assert [(m["To"], m["Subject"]) for m in mail_sink.messages] == [
        ("ann@example.org", 'bob replied to your comment on Engines <b>that</b> compute')]
    body = _body(mail_sink.messages[0])
    assert 'bob replied to your comment on "Engines <b>that</b> compute":' in body
    assert "Yes: very <fast>." in body  # the text as plain text: no Markdown markers, the rest as written
    assert f"https://hub.example.org/papers/2611.00001?comment={reply.pk}#comment-{reply.pk}" in body
    assert "mentions of you" in body and "verified author" not in body
    assert list(CommentNotice.objects.values_list("comment_id", "user_id")) == [(reply.pk, ann.pk)]


def test_a_mention_mails_the_users_it_names_and_no_one_else(mail_sink, run_tasks, paper):
    ann, cy, dan, eve = (verified(user(name)) for name in ("ann", "cy", "dan", "eve"))
    gone = verified(user("gone", is_active=False))
    services.add_comment(eve, paper, "Ask @ann (and @nobody, @eve, @gone, @Dan), not `@cy` or\n\n    @cy\n\n"
                                     "nor cy@ann.org, [cy](https://example.org/@cy) or https://example.org/@dan.")
    run_tasks()
    assert [(m["To"], m["Subject"]) for m in mail_sink.messages] == [
        ("ann@example.org", "eve mentioned you in a comment on Engines <b>that</b> compute")]
    assert 'eve mentioned you in a comment on "Engines' in _body(mail_sink.messages[0])
    assert not CommentNotice.objects.filter(user__in=[cy, dan, eve, gone]).exists()


def test_a_mail_names_the_paper_as_its_page_does_its_subject_cut_at_a_word(mail_sink, run_tasks, paper):
    title = "U$^2$Mamba: A Two-level Nested U-Structure Mamba for Medical Image Segmentation at $10^{6}$ Voxels"
    upsert_papers([record("2611.00002", title=title)])
    ann, eve = verified(user("ann")), user("eve")
    services.add_comment(eve, Paper.objects.get(uid="2611.00002"), "Read this, @ann")
    run_tasks()
    [message] = mail_sink.messages
    assert " ".join(message["Subject"].split()) == "eve mentioned you in a comment on U²Mamba: A Two-level Nested " \
                                                   "U-Structure Mamba for Medical Image Segmentation…"  # 80 at most
    body = " ".join(_body(message).split())
    assert 'in a comment on "U²Mamba: A Two-level Nested U-Structure Mamba for Medical Image Segmentation at 10⁶ ' \
           'Voxels":' in body and "$" not in body
    assert "Mail about replies to your comments and mentions of you is on until you turn it off" in body
    assert "you asked" not in body and "verified author" not in body and ann.email == message["To"]


def test_a_mention_of_a_name_with_dots_or_plus_mails_that_user_and_an_edit_the_one_it_newly_names(mail_sink,
                                                                                                 run_tasks, paper):
    _, _, _, eve = (verified(user(name)) for name in ("ann", "ann.lee", "a+b", "eve"))
    comment = services.add_comment(eve, paper, "Thanks @ann.lee. And @a+b+!")
    run_tasks()
    assert sorted(m["To"] for m in mail_sink.messages) == ["a+b@example.org", "ann.lee@example.org"]
    services.edit_comment(eve, comment, "Thanks @ann.lee. And @a+b+! And @ann.leex")  # ann, not ann.leex
    run_tasks()
    assert [m["To"] for m in mail_sink.messages[2:]] == ["ann@example.org"]
    assert not CommentNotice.objects.filter(user=eve).exists()


def test_one_mail_for_several_reasons_names_the_strongest_and_its_link_stops_that_kind(mail_sink, run_tasks, paper):
    ann, bob = verified(user("ann")), user("bob")
    approved_claim(ann, paper, 0)
    first = services.add_comment(ann, paper, "Our engine")
    services.add_comment(bob, paper, "@ann, @ann: does it?", parent=first)  # author, replied to, mentioned
    run_tasks()
    assert [m["Subject"] for m in mail_sink.messages] == ["bob replied to your comment on Engines <b>that</b> compute"]
    message = mail_sink.messages[0]
    assert "Mail about replies to your comments and mentions of you is on until you turn it off" in \
           " ".join(_body(message).split())
    assert _stop(message) in message["List-Unsubscribe"] and CommentNotice.objects.count() == 1
    assert notices.unsubscribe(_stop(message)) == ["reply_mail"]  # the kind that sent it
    assert notices.mail_wanted(ann.pk) == {"comment_mail": True, "reply_mail": False}


def test_each_kind_of_comment_mail_is_turned_off_on_its_own(mail_sink, run_tasks, paper, settings):
    settings.PAPERHUB_COMMENT_MAIL_MINUTES = 0
    ann, bob = verified(user("ann")), user("bob")
    approved_claim(ann, paper, 0)
    first = services.add_comment(ann, paper, "Our engine")
    notices.set_mail(ann, reply_mail=False)
    services.add_comment(bob, paper, "Hi @ann", parent=first)  # mailed as a comment on her paper only
    run_tasks()
    assert [m["Subject"] for m in mail_sink.messages] == ["New comment on your paper: Engines <b>that</b> compute"]
    assert "mentions of you" not in _body(mail_sink.messages[0])
    assert "You get this mail as a verified author of this paper. Mail about comments on your papers is on until you " \
           "turn it off" in " ".join(_body(mail_sink.messages[0]).split())
    notices.set_mail(ann, comment_mail=False, reply_mail=True)
    second = services.add_comment(bob, paper, "And @ann again", parent=first)
    run_tasks()
    assert mail_sink.messages[1]["Subject"] == "bob replied to your comment on Engines <b>that</b> compute"
    assert notices.unsubscribe(_stop(mail_sink.messages[1])) == ["reply_mail"]  # the kind that sent it
    services.add_comment(bob, paper, "Still there, @ann?", parent=second)
    run_tasks()
    assert len(mail_sink.messages) == 2


def test_no_mail_about_a_comment_hidden_before_it_went_nor_to_an_unproved_address(mail_sink, run_tasks, paper):
    verified(user("ann"))
    bob, eve = user("bob"), user("eve")
    mention = services.add_comment(eve, paper, "@ann @bob buy now")
    Comment.objects.filter(pk=mention.pk).update(hidden=True)  # a moderator hides it before the worker runs
    services.add_comment(eve, paper, "@bob, read this")  # bob never proved his address
    run_tasks()
    assert mail_sink.messages == [] and not CommentNotice.objects.exists()
    visible = services.add_comment(bob, paper, "hello @ann")
    services.add_comment(eve, paper, "spam @ann", parent=visible)
    type(eve).objects.filter(pk=eve.pk).update(is_active=False)  # eve banned before the mail went: her comments are mailed to no one
    run_tasks()
    assert [(m["To"], m["Subject"]) for m in mail_sink.messages] == [
        ("ann@example.org", "bob mentioned you in a comment on Engines <b>that</b> compute")]


def test_replies_and_mentions_within_the_hour_come_together(mail_sink, run_tasks, paper):
    ann, bob, eve = verified(user("ann")), user("bob"), user("eve")
    first = services.add_comment(ann, paper, "A question")
    services.add_comment(bob, paper, "An answer", parent=first)
    run_tasks()
    services.add_comment(eve, paper, "Another answer", parent=first)
    services.add_comment(eve, paper, "A comment for the room")  # not ann's business: not mailed to her
    services.add_comment(bob, paper, "cc @ann")
    run_tasks()
    assert len(mail_sink.messages) == 1  # the second waits for the hour's end
    CommentNotice.objects.update(claimed_at=timezone.now() - timedelta(hours=1))  # the hour is over
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_tasks()
    assert [m["Subject"] for m in mail_sink.messages[1:]] == ["2 new replies and mentions on Engines <b>that</b> compute"]
    body = _body(mail_sink.messages[1])
    assert "eve replied to your comment:\r\nAnother answer" in body and "bob mentioned you:\r\ncc @ann" in body
    assert "for the room" not in body


def test_a_mention_an_edit_adds_is_mailed_once_to_those_it_newly_names(mail_sink, run_tasks, paper, settings):
    settings.PAPERHUB_COMMENT_MAIL_MINUTES = 0
    ann, cy, dan, eve = (verified(user(name)) for name in ("ann", "cy", "dan", "eve"))
    comment = services.add_comment(eve, paper, "Ask @ann")
    run_tasks()
    services.edit_comment(eve, comment, "Ask @ann or @cy")
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # through the queue, as a new comment's mail
    run_tasks()
    services.edit_comment(eve, comment, "Ask @cy, not @eve")  # no one new: nothing queued
    assert not DBTaskResult.objects.filter(status="READY").exists()
    services.edit_comment(eve, comment, "Ask @ann, @cy or @dan")  # ann named again: she had her mail
    run_tasks()
    assert [(m["To"], m["Subject"]) for m in mail_sink.messages] == [
        (f"{name}@example.org", "eve mentioned you in a comment on Engines <b>that</b> compute")
        for name in ("ann", "cy", "dan")]
    assert "Ask @ann or @cy" in _body(mail_sink.messages[1])  # the text as edited
    assert sorted(CommentNotice.objects.values_list("user_id", flat=True)) == [ann.pk, cy.pk, dan.pk]


def test_an_edit_mail_to_several_parses_the_comment_once(mail_sink, run_tasks, paper, monkeypatch):
    ann, cy, eve = (verified(user(name)) for name in ("ann", "cy", "eve"))
    comment = services.add_comment(eve, paper, "Ask *someone*")
    services.edit_comment(eve, comment, "Ask *@ann* or @cy")
    parsed: list[str] = []
    parse = MarkdownIt.parse
    monkeypatch.setattr(MarkdownIt, "parse", lambda md, src, env=None: parsed.append(src) or parse(md, src, env))
    run_tasks()
    assert [m["To"] for m in mail_sink.messages] == ["ann@example.org", "cy@example.org"]
    assert "Ask @ann or @cy" in _body(mail_sink.messages[0]) and "Ask @ann or @cy" in _body(mail_sink.messages[1])
    assert parsed == ["Ask *@ann* or @cy"]  # whom it mentions and both mails' text read from one parse


def test_whom_a_comment_mentions_takes_one_look_up_for_names_and_ids(paper, django_assert_num_queries):
    ann, _, eve = user("ann"), user("ann.lee", is_active=False), user("eve")
    comment = services.add_comment(eve, paper, "Ask @ann.lee, @ann, @eve and @nobody")
    with django_assert_num_queries(1):  # the names and their ids together: not names, then ids
        assert notices.newly_mentioned(comment, "Ask @nobody") == [ann.pk]  # not the writer, nor an inactive user
    with django_assert_num_queries(2):  # the paper's verified authors, then the one look-up
        assert notices._concerned(comment) == {ann.pk}
