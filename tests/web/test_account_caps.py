"""What one account can make is capped (API tokens, For you's paragraphs; collections have
PAPERHUB_COLLECTIONS_MAX), and the pages that make them count against the page rate."""

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.test import Client

from paperhub.core import tokens
from paperhub.core.models import ApiToken
from paperhub.core.permissions import NotAllowed
from paperhub.recommend import services
from paperhub.recommend.models import Seed
from tests.factories import at_once_before_saving, user

pytestmark = pytest.mark.django_db


def _signed_in(name: str = "ann") -> Client:
    client = Client()
    client.force_login(user(name))
    return client


def test_tokens_past_the_cap_are_refused_with_a_message_until_one_is_revoked(monkeypatch):
    monkeypatch.setattr(tokens, "MAX_TOKENS", 2)
    client = _signed_in()
    for n in range(3):
        client.post("/accounts/tokens/", {"name": f"script {n}"})
    assert sorted(ApiToken.objects.values_list("name", flat=True)) == ["script 0", "script 1"]
    page = client.get("/accounts/tokens/").content.decode()
    assert "You have 2 tokens, the most one account holds: revoke one first." in page
    with pytest.raises(CommandError, match="revoke one first"):
        call_command("tokens", "create", "ann")
    client.post("/accounts/tokens/", {"revoke": ApiToken.objects.first().pk})
    client.post("/accounts/tokens/", {"name": "script 3"})
    assert ApiToken.objects.filter(name="script 3").exists()


def test_paragraphs_past_the_cap_are_refused_but_one_written_again_is_kept(monkeypatch):
    monkeypatch.setattr(services, "MAX_PARAGRAPHS", 2)
    client = _signed_in()
    texts = [f"I work on topic number {n} in language models and retrieval." for n in range(3)]
    told = [_told(client.post("/for-you/paragraph", {"text": text})) for text in texts]
    assert Seed.objects.filter(source=Seed.PARAGRAPH).count() == 2
    assert told[2] == "You have 2 paragraphs, the most For you keeps: forget one first."
    again = client.post("/for-you/paragraph", {"text": texts[0]})  # the same one again: updated, not a new one
    assert _told(again) == "Thanks: your feed now follows that description."
    assert Seed.objects.filter(source=Seed.PARAGRAPH).count() == 2


def test_a_search_saved_again_at_the_cap_is_the_one_kept(monkeypatch):
    """At the cap a search already saved was refused, where every other cap lets what it holds through."""
    monkeypatch.setattr(services, "MAX_SAVED_SEARCHES", 2)
    ann = user("ann")
    kept = [services.save_search(ann, query) for query in ("robot grasping", "protein folding")]
    with pytest.raises(NotAllowed, match="at most 2 searches"):
        services.save_search(ann, "galaxy clusters")
    assert services.save_search(ann, "robot   grasping") == kept[0]
    assert ann.saved_searches.count() == 2


@pytest.mark.django_db(transaction=True)
def test_tokens_made_at_once_never_pass_the_cap(monkeypatch):
    """Two tokens asked for at the same instant, one place left: both count before either saves, yet one lands."""
    monkeypatch.setattr(tokens, "MAX_TOKENS", 2)
    ann = user("ann")
    tokens.create_token(ann, "held")
    outcomes = at_once_before_saving(ApiToken, lambda n: tokens.create_token(ann, f"script {n}"), range(2),
                                     NotAllowed)
    assert ApiToken.objects.filter(user=ann).count() == 2
    assert [str(o) for o in outcomes if isinstance(o, NotAllowed)] == [
        "You have 2 tokens, the most one account holds: revoke one first."]


@pytest.mark.django_db(transaction=True)
def test_paragraphs_written_at_once_never_pass_the_cap(monkeypatch):
    """Two new paragraphs at the same instant, one place left: one lands, the other is refused with the message."""
    monkeypatch.setattr(services, "MAX_PARAGRAPHS", 2)
    ann = user("ann")
    services.add_paragraph(ann, "I work on retrieval for scientific question answering.")
    texts = [f"I work on topic number {n} in language models and retrieval." for n in range(2)]
    outcomes = at_once_before_saving(Seed, lambda text: services.add_paragraph(ann, text), texts, NotAllowed)
    assert Seed.objects.filter(user=ann, source=Seed.PARAGRAPH).count() == 2
    assert [str(o) for o in outcomes if isinstance(o, NotAllowed)] == [
        "You have 2 paragraphs, the most For you keeps: forget one first."]


def _told(response) -> str:
    """The last message a request left for the next page (those before it wait unread, as no page was shown)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.mark.parametrize(("url", "data"), [("/accounts/tokens/", {"name": "t"}),
                                           ("/for-you/paragraph", {"text": "A sentence about what I work on."}),
                                           ("/collections/", {"title": "Reading"})])
def test_the_pages_that_make_things_count_against_the_page_rate(url, data, settings):
    settings.PAPERHUB_PAGE_RATE = "3/min"
    client = _signed_in()
    answers = [client.post(url, {**data, "title": f"Reading {n}"}).status_code for n in range(4)]
    assert answers[:3] == [302] * 3 and answers[3] == 429
