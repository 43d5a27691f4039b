"""Confirm and unsubscribe links: what their tokens let anyone who sees the link read, and which still work."""

from datetime import UTC, datetime

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from paperhub.digests import subscriptions
from paperhub.digests.models import Subscription


def readable(token: str) -> str:
    """What a token shows anyone who holds the link: its payload, base64 JSON, signed but not encrypted."""
    payload = token.split(":")[0]
    return signing.b64_decode(payload.encode()).decode(errors="replace")


@pytest.fixture
def ann(db):
    return Subscription.objects.create(email="ann.smith@example.org", frequency="daily",
                                       confirmed_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_new_tokens_carry_no_readable_address(ann):
    for token in (subscriptions.unsubscribe_token(ann), subscriptions.confirm_token(ann),
                  subscriptions.confirm_token(ann, "weekly")):
        assert "ann" not in readable(token) and "example" not in readable(token), readable(token)
        assert "ann.smith" not in token and "example.org" not in token  # (a signature may hold "ann" by chance)
    assert subscriptions.unsubscribe(subscriptions.unsubscribe_token(ann)).unsubscribed_at is not None


def test_a_token_dies_when_the_address_changes(ann):
    token = subscriptions.unsubscribe_token(ann)
    Subscription.objects.filter(pk=ann.pk).update(email="someone.else@example.org")
    with pytest.raises(subscriptions.SubscriptionError, match="no longer exists"):
        subscriptions.unsubscribe(token)
    assert Subscription.objects.get().unsubscribed_at is None


def test_a_forged_digest_or_shape_is_refused(ann):
    for data in ({"id": ann.pk, "a": "0" * 16}, {"id": ann.pk}, {"id": str(ann.pk), "email": ann.email}, [ann.pk]):
        with pytest.raises(subscriptions.SubscriptionError):
            subscriptions.unsubscribe(signing.dumps(data, salt=subscriptions.UNSUBSCRIBE_SALT))
    assert Subscription.objects.get().unsubscribed_at is None


def test_links_mailed_before_still_work(ann):
    """Tokens as they were made before (the address itself in them) are still accepted, through the views."""
    old = {"id": ann.pk, "email": ann.email}
    Subscription.objects.filter(pk=ann.pk).update(confirmed_at=None)
    confirm = Client().post(reverse("digest_confirm", args=[signing.dumps(
        {**old, "frequency": "weekly"}, salt=subscriptions.CONFIRM_SALT)]))
    assert confirm.status_code == 200 and "will get the weekly digest" in confirm.content.decode()
    stale = signing.dumps({**old, "email": "before@example.org"}, salt=subscriptions.UNSUBSCRIBE_SALT)
    assert Client().post(reverse("digest_unsubscribe", args=[stale])).status_code == 400
    token = signing.dumps(old, salt=subscriptions.UNSUBSCRIBE_SALT)
    assert Client().post(reverse("digest_unsubscribe", args=[token])).status_code == 200
    assert not Subscription.objects.get().active


def test_tokens_outlive_a_rotation_of_the_secret_key(ann, settings):
    token = subscriptions.unsubscribe_token(ann)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a new key " * 5, [settings.SECRET_KEY]
    assert subscriptions.unsubscribe(token).unsubscribed_at is not None
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(subscriptions.SubscriptionError, match="not valid"):
        subscriptions.unsubscribe(token)
