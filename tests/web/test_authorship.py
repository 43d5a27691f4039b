"""Claiming authorship and rank badges through the HTML and JSON front doors."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from paperhub.community import services
from paperhub.community.models import AuthorClaim
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import approved_claim, feed_entry, record, user

DAY = date(2026, 11, 23)  # finished: the tests' clock runs later


@pytest.fixture
def paper(db):
    upsert_papers([record("2611.00001", published=datetime(2026, 11, 22, tzinfo=UTC))])
    found = Paper.objects.get()
    feed_entry(found, DAY, external_upvotes=3)
    return found


def test_a_signed_in_user_claims_an_author_entry_from_the_paper_page(client, paper, settings):
    settings.PAPERHUB_CLAIM_RATE = "2/hour"
    ann = user("ann")
    client.force_login(ann)
    page = client.get(reverse("paper", args=[paper.uid])).content.decode()
    assert reverse("claim", args=[paper.pk]) in page and "Are you an author" in page
    babbage = paper.authorships.get(position=1).author_id
    response = client.post(reverse("claim", args=[paper.pk]), {"author": babbage}, follow=True)
    assert "Your claim as Charles Babbage: waiting for a moderator" in response.content.decode()
    assert AuthorClaim.objects.get().status == AuthorClaim.PENDING
    assert client.post(reverse("claim", args=[paper.pk]), {"author": "x"}).status_code == 302  # refused, said why
    over = client.post(reverse("claim", args=[paper.pk]), {"author": babbage})
    assert over.status_code == 429 and over["Retry-After"]
    assert AuthorClaim.objects.count() == 1


def test_a_verified_author_is_marked_on_the_paper_on_comments_and_on_the_profile(client, paper):
    ann, bob = user("ann"), user("bob")
    approved_claim(ann, paper, 1)
    services.add_comment(ann, paper, "author here")
    services.add_comment(bob, paper, "reader here")
    page = client.get(reverse("paper", args=[paper.uid])).content.decode()
    assert page.count('class="author-mark"') == 1 and "✓ verified author" in page
    assert f'href="{reverse("profile", args=["ann"])}" title="Verified author: ann"' in page
    assert "#1 Paper of the month" in page  # also of its day and week: the longest period shows
    profile = client.get(reverse("profile", args=["ann"])).content.decode()
    assert "Papers (verified author)" in profile and reverse("paper", args=[paper.uid]) in profile
    assert [p["id"] for p in client.get("/api/users/ann").json()["authored"]] == [paper.uid]


def test_the_api_marks_claimed_authors_participation_and_rank(client, paper):
    ann = user("ann")
    approved_claim(ann, paper, 1)
    item = client.get("/api/daily_papers", {"date": DAY.isoformat()}).json()[0]
    assert item["isAuthorParticipating"] is False
    services.add_comment(ann, paper, "author here")
    item = client.get("/api/daily_papers", {"date": DAY.isoformat()}).json()[0]
    assert item["isAuthorParticipating"] is True
    authors = item["paper"]["authors"]
    assert "user" not in authors[0] and authors[1]["user"]["user"] == "ann"
    assert authors[1]["status"] == "claimed_verified" and authors[1]["statusLastChangedAt"].endswith("Z")
    assert item["paper"]["rank"] == {"position": 1, "period": "month", "key": "2026-11",
                                     "label": "#1 Paper of the month"}
    assert client.get(f"/api/papers/{paper.uid}").json()["rank"]["label"] == "#1 Paper of the month"


def test_the_settings_page_turns_comment_mail_off(client, paper):
    ann = user("ann")
    client.force_login(ann)
    assert 'name="comment_mail" checked' in client.get(reverse("author_settings")).content.decode()
    client.post(reverse("author_settings"), {})
    assert 'name="comment_mail" checked' not in client.get(reverse("author_settings")).content.decode()
    stop = reverse("comment_mail_unsubscribe", args=["not-a-token"])
    assert client.post(stop).status_code == 400 and client.get(stop).status_code == 200


@pytest.mark.django_db
def test_huggingface_hub_reads_claimed_authors(paper, live_server, monkeypatch):
    """huggingface_hub's own PaperAuthor parses the claimed author (user, status) from our answer."""
    from huggingface_hub import HfApi, constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # set for model loading elsewhere; this is HTTP
    approved_claim(user("ann"), paper, 1)
    info = HfApi(endpoint=live_server.url).paper_info(paper.uid)
    assert info.authors[1].user.username == "ann" and info.authors[1].status == "claimed_verified"
    assert info.authors[0].user is None
