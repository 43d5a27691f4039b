"""How fast comments may come (PAPERHUB_COMMENT_*_RATE), through the page and the API alike."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from paperhub.community import services
from paperhub.community.models import Comment
from paperhub.core import tokens
from paperhub.web import papers as web_papers
from tests.factories import add_paper, fresh_window, user


@pytest.fixture
def paper(db, settings):
    settings.PAPERHUB_COMMENT_RATE, settings.PAPERHUB_COMMENT_DAILY_RATE = "3/hour", "5/day"
    settings.PAPERHUB_COMMENT_ADDRESS_RATE = "4/hour"
    fresh_window(3600)  # (every comment below within one hour's window: a wait only in an hour's last 15 s)
    return add_paper("2611.00001")


def _form(name: str, address: str = "203.0.113.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user(name))
    return client


def test_the_form_refuses_a_burst_with_429_and_its_reason(paper):
    client = _form("ann")
    url = reverse("comment", args=[paper.pk])
    assert [client.post(url, {"body": f"c{i}"}).status_code for i in range(3)] == [302, 302, 302]
    refused = client.post(url, {"body": "one too many"})
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many comments." in refused.content.decode()
    part = client.post(url, {"body": "sent with htmx"}, HTTP_HX_REQUEST="true").content.decode()
    assert "too many comments" in part and "sent with htmx" in part  # said by the form, its text kept
    assert Comment.objects.count() == 3
    assert _form("bob").post(url, {"body": "another account"}).status_code == 302  # per account...
    # ...and per address: a fresh account from the same address is refused once the address's budget is spent
    assert _form("cat").post(url, {"body": "fifth from here"}).status_code == 429
    assert _form("dan", "203.0.113.8").post(url, {"body": "elsewhere"}).status_code == 302


def test_the_api_refuses_a_burst_with_429_and_its_reason(paper, settings):
    settings.PAPERHUB_COMMENT_RATE = "10/hour"
    ann = user("ann")
    _, secret = tokens.create_token(ann, "t")
    url = reverse("api:add_comment", args=[paper.uid])
    sent = [Client(REMOTE_ADDR=f"198.51.100.{i}").post(url, {"comment": f"spam {i}"}, content_type="application/json",
                                                       HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
            for i in range(6)]
    assert sent == [200] * 5 + [429]  # the day's five, from any address
    refused = Client().post(url, {"comment": "more"}, content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0  # until the day's window ends
    assert "too many comments for now: try again in" in refused.json()["detail"]
    assert Comment.objects.count() == 5


def test_an_edit_naming_new_users_counts_as_a_comment(paper):
    """Else editing in ten new names again and again would mail anyone, at no cost."""
    client = _form("ann")
    for name in ("bob", "cy", "dan"):
        user(name)
    comment = services.add_comment(get_user_model().objects.get(username="ann"), paper, "first")
    edit = reverse("comment_edit", args=[comment.pk])
    assert client.post(edit, {"body": "typo fixed"}).status_code == 302  # names no one: not counted
    assert [client.post(edit, {"body": f"ask @{name}"}).status_code for name in ("bob", "cy", "dan")] == [302] * 3
    assert client.post(edit, {"body": "ask @dan or @nobody"}).status_code == 302  # no one new: not counted
    assert "too many comments" in client.post(edit, {"body": "and @bob"}).content.decode()
    assert Comment.objects.get().body == "ask @dan or @nobody"


def test_a_refused_comment_does_not_use_up_the_rate(db, settings):
    """A comment refused for its text or its target was counted first, so a few mistakes used up the minute."""
    settings.PAPERHUB_COMMENT_RATE = "5/min"  # the default
    fresh_window()
    paper, other = add_paper("2611.00001"), add_paper("2611.00002")
    ann = user("ann")
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(ann)
    url = reverse("comment", args=[paper.pk])
    too_long = "x" * (services.COMMENT_MAX_CHARS + 1)
    assert [client.post(url, {"body": too_long}).status_code for _ in range(6)] == [302] * 6  # each said why
    assert client.post(url, {"body": "now a good one"}).status_code == 302
    elsewhere = services.add_comment(user("bob"), other, "on another paper")
    _, secret = tokens.create_token(ann, "t")
    api = reverse("api:add_comment", args=[paper.uid])
    sent = [client.post(api, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
            for body in [{"comment": "  "}] * 2 + [{"comment": "a reply", "parentId": elsewhere.pk}] * 2
            + [{"comment": "good too"}]]
    assert sent == [400] * 4 + [200]
    assert ann.comments.count() == 2


def test_a_long_discussion_is_shown_a_page_at_a_time(paper, monkeypatch):
    monkeypatch.setattr(web_papers, "COMMENTS_PAGE", 2)
    ann = user("ann")
    first, second, third = (services.add_comment(ann, paper, f"comment {n}") for n in (1, 2, 3))
    services.add_comment(ann, paper, "a reply to the first", parent=first)
    client = Client()
    html = client.get(reverse("paper", args=[paper.uid])).content.decode()
    assert "comment 1" in html and "a reply to the first" in html and "comment 2" not in html  # reading order
    assert "Page 1 of 2 (4 comments" in html and "?comments=2#comments" in html
    html = client.get(reverse("paper", args=[paper.uid]), {"comments": 2}).content.decode()
    assert "comment 2" in html and "comment 3" in html and "comment 1" not in html and "Earlier comments" in html
    client.force_login(ann)
    part = client.post(reverse("comment", args=[paper.pk]), {"body": "the newest"}, HTTP_HX_REQUEST="true")
    assert "the newest" in part.content.decode() and "Page 3 of 3" in part.content.decode()  # where it went
    api = reverse("api:paper_comments", args=[paper.uid])
    assert [c["content"] for c in client.get(api, {"limit": 2, "p": 1}).json()] == ["comment 3", "a reply to the first"]
    assert len(client.get(api).json()) == 5 and client.get(api, {"limit": 501}).status_code == 422
    # a link to a comment (mail, profile, after an edit) opens the page holding it (review: always page 1)
    linked = client.get(reverse("paper", args=[paper.uid]) + third.place.split("#")[0]).content.decode()
    assert f'id="comment-{third.pk}"' in linked and "Page 2 of 3" in linked
    assert "Page 1 of 3" in client.get(reverse("paper", args=[paper.uid]), {"comment": "x" * 40}).content.decode()
    assert ann.comments.count() == 5 and f"?comment={third.pk}#comment-{third.pk}" in \
        client.get(reverse("profile", args=["ann"])).content.decode()
