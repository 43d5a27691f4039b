"""A signed-in reader's own digest: the footer names it, /accounts/digest/ shows, changes and stops it, and only ever
the digest of the account's own verified address."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paperhub.digests import subscriptions
from paperhub.digests.models import Subscription
from tests.factories import user, verified

SETTINGS = "/accounts/digest/"
FORM = 'action="/digests/subscribe"'


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _subscribed(email: str, frequency: str = "weekly") -> Subscription:
    """A confirmed hub digest of the address (as its confirmation link leaves it)."""
    return Subscription.objects.create(email=email, frequency=frequency, confirmed_at=timezone.now())


@pytest.fixture
def ann(db):
    return verified(user("ann"))


def test_the_footer_names_a_readers_digest_instead_of_offering_it_again(ann):
    client = _signed_in(ann)
    assert FORM in client.get("/papers/trending").content.decode()  # no digest yet: the form, as before
    client.post("/digests/subscribe", {"email": "ann@example.org", "frequency": "weekly"})
    page = client.get("/papers/trending").content.decode()
    assert "You get the weekly digest at ann@example.org" in page and f'href="{SETTINGS}"' in page
    assert FORM not in page
    visitor = Client().get("/papers/trending").content.decode()
    assert FORM in visitor and "You get the" not in visitor  # a visitor's footer stays as it was


def test_a_digest_waiting_for_its_link_still_offers_the_form(ann):
    Subscription.objects.create(email="ann@example.org", frequency="daily")  # typed in by someone, unconfirmed
    page = _signed_in(ann).get("/papers/trending").content.decode()
    assert FORM in page and "You get the" not in page


def test_the_page_changes_and_stops_the_digest_and_the_mails_link_still_works(ann, run_tasks):
    client = _signed_in(ann)
    assert "<strong>ann@example.org</strong> gets no digest" in client.get(SETTINGS).content.decode()
    page = client.post(SETTINGS, {"frequency": "weekly"}, follow=True).content.decode()
    assert "Saved: ann@example.org gets the weekly digest." in page
    assert "You get the <strong>weekly</strong> digest at <strong>ann@example.org</strong>" in page
    subscription = Subscription.objects.get()
    assert subscription.active and subscription.frequency == "weekly" and run_tasks() == []  # proved: no mail
    link = f"/digests/unsubscribe/{subscriptions.unsubscribe_token(subscription)}"  # as a digest mail carries it
    client.post(SETTINGS, {"frequency": "daily"})
    assert Subscription.objects.get().frequency == "daily"
    assert "You get the daily digest at ann@example.org" in client.get("/users/ann").content.decode()
    assert "It gets the daily digest" in client.get("/accounts/email/").content.decode()
    assert "Unsubscribed" in Client().post(link).content.decode()  # the mail's link, after the change
    assert not Subscription.objects.get().active
    client.post(SETTINGS, {"frequency": "weekly"})  # started again: the same row, so the old link still stops it
    assert Subscription.objects.get().active
    page = client.post(SETTINGS, {"stop": "1"}, follow=True).content.decode()
    assert "Stopped: no more digests." in page and "gets no digest" in page
    assert not Subscription.objects.get().active
    assert FORM in client.get("/papers/trending").content.decode()
    client.post(SETTINGS, {"frequency": "daily"})
    assert "Unsubscribed" in Client().post(link).content.decode() and not Subscription.objects.get().active


def test_another_readers_digest_is_never_shown_or_changed(ann):
    bob = verified(user("bob"))
    _subscribed(bob.email, "weekly")
    client = _signed_in(ann)
    assert "bob@example.org" not in client.get(SETTINGS).content.decode()
    client.post(SETTINGS, {"frequency": "daily", "email": "bob@example.org"})  # a field the form does not have
    client.post(SETTINGS, {"stop": "1", "email": "bob@example.org"})
    theirs = Subscription.objects.get(email="bob@example.org")
    assert theirs.active and theirs.frequency == "weekly"
    assert Subscription.objects.get(email="ann@example.org").unsubscribed_at is not None  # her own alone


def test_an_unverified_address_is_neither_shown_nor_changed(db):
    unproved = user("unproved")  # someone confirmed a digest to this address by mail: not proved to the account
    _subscribed("unproved@example.org", "weekly")
    client = _signed_in(unproved)
    page = client.get(SETTINGS).content.decode()
    assert "is not verified yet" in page and "weekly digest" not in page and "Stop the digest" not in page
    assert FORM in client.get("/papers/trending").content.decode()
    page = client.post(SETTINGS, {"frequency": "daily"}, follow=True).content.decode()
    assert "Verify your email address first" in page
    client.post(SETTINGS, {"stop": "1"})
    theirs = Subscription.objects.get()
    assert theirs.active and theirs.frequency == "weekly"


def test_a_changed_address_leaves_the_old_ones_digest_alone(ann):
    _subscribed("ann@example.org", "weekly")
    ann.email = "ann@elsewhere.example"  # not proved yet
    ann.save()
    client = _signed_in(ann)
    assert "You get the" not in client.get(SETTINGS).content.decode()
    client.post(SETTINGS, {"stop": "1"})
    assert Subscription.objects.get().active


def test_a_forged_post_without_its_csrf_token_changes_nothing(ann):
    _subscribed("ann@example.org", "weekly")
    client = Client(enforce_csrf_checks=True)
    client.force_login(ann)
    assert client.post(SETTINGS, {"stop": "1"}).status_code == 403
    assert client.post(SETTINGS, {"frequency": "daily"}).status_code == 403
    assert Subscription.objects.get().active and Subscription.objects.get().frequency == "weekly"


@pytest.mark.parametrize("frequency", ["monthly", "x" * 100_000, "", "daily\x00", "Weekly", " weekly"])
def test_an_odd_frequency_is_refused_and_changes_nothing(ann, frequency):
    _subscribed("ann@example.org", "weekly")
    page = _signed_in(ann).post(SETTINGS, {"frequency": frequency}, follow=True).content.decode()
    assert "Choose daily or weekly." in page
    assert Subscription.objects.get().frequency == "weekly"


def test_changes_are_limited_as_subscriptions_are(ann, settings):
    settings.PAPERHUB_SUBSCRIBE_RATE = "2/hour"
    client = _signed_in(ann)
    client.post(SETTINGS, {"frequency": "weekly"})
    client.post(SETTINGS, {"frequency": "daily"})
    page = client.post(SETTINGS, {"frequency": "weekly"}, follow=True).content.decode()
    assert "Too many subscriptions from your address" in page and Subscription.objects.get().frequency == "daily"
    assert "Stopped" in client.post(SETTINGS, {"stop": "1"}, follow=True).content.decode()  # stopping never waits


def test_a_visitor_is_sent_to_log_in(db):
    response = Client().get(SETTINGS)
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")


def _digests_asked(client: Client, path: str) -> int:
    """How many times a page asked the database about digest subscriptions."""
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return sum("digests_subscription" in q["sql"] for q in queries.captured_queries)


def test_the_digest_is_asked_about_once_a_page_and_never_for_a_visitor(ann):
    _subscribed("ann@example.org")
    assert _digests_asked(Client(), "/papers/trending") == 0
    assert _digests_asked(_signed_in(user("unproved")), "/papers/trending") == 0  # no proved address: no question
    client = _signed_in(ann)
    assert _digests_asked(client, "/papers/trending") == 1
    assert _digests_asked(client, "/accounts/email/") == 1  # the page and its footer share the answer
