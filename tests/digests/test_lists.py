"""A collection's digest mailed to a list address: the owner subscribes it, the list confirms, the digests' sender
sends it once per period (tests/digests/test_digests.py covers the sender itself)."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from paperhub.community import curation
from paperhub.community.models import CollectionItem
from paperhub.digests import building, sending
from paperhub.digests.models import Delivery, Subscription
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.digests.test_tokens import readable
from tests.factories import record, user, verified

TODAY = date(2026, 11, 24)  # the daily digest covers 23 November
LIST = "reading-group@lists.example.org"


@pytest.fixture
def group(db):
    """Ann's private collection with two papers added on 23 November (one with a note) and one added before."""
    upsert_papers([record(f"2611.0000{i}", title=f"Paper $x^{i}$ number {i}") for i in (1, 2, 3)])
    ann = verified(user("ann"))
    collection = curation.create_collection(ann, "Reading <group>", public=False)
    for uid, day in (("2611.00001", 23), ("2611.00002", 23), ("2611.00003", 20)):
        curation.add_to_collection(ann, collection, Paper.objects.get(uid=uid))
        CollectionItem.objects.filter(paper__uid=uid).update(added_at=datetime(2026, 11, day, 12, tzinfo=UTC))
    curation.set_note(ann, collection, Paper.objects.get(uid="2611.00002"), "Read §3 **first** <script>x</script>")
    return ann, collection


def _mailings(collection) -> str:
    return reverse("collection_mailings", args=[collection.owner.username, collection.slug])


def test_the_owner_mails_a_collection_to_a_list_that_confirms_it(group, mail_sink, run_tasks, settings):
    settings.DEFAULT_FROM_EMAIL = "paperhub <hub@papers.example>"
    ann, collection = group
    client = Client()
    client.force_login(ann)
    assert "Mail what is added here to a list" in client.get(reverse("collection", args=["ann", collection.slug])
                                                             ).content.decode()
    client.post(_mailings(collection), {"email": LIST, "frequency": "daily"})
    subscription = Subscription.objects.get()
    assert (subscription.collection, subscription.subscribed_by, subscription.active) == (collection, ann, False)
    assert list(sending.send_all("daily", TODAY)) == ["daily"]  # nothing before it is confirmed
    run_tasks()
    [confirmation] = mail_sink.messages
    assert confirmation["To"] == LIST and confirmation["Subject"].strip() == "Confirm a paperhub collection's digest"
    link = re.search(r"http://testserver(/digests/confirm/\S+)", confirmation.get_content())[1]
    assert client.get(link).status_code == 200 and not Subscription.objects.get().active  # a GET confirms nothing
    anyone = Client()  # someone on the list, logged in or not
    assert "will get the daily digest of “Reading &lt;group&gt;”" in anyone.post(link).content.decode()
    assert LIST in client.get(_mailings(collection)).content.decode()

    report = sending.send_all("daily", TODAY, "https://hub.example")[f"daily c{collection.pk}"]
    assert (report.planned, report.sent) == (1, 1)
    message = mail_sink.messages[1]
    assert message["Subject"] == "Reading <group>: new papers, Monday, 23 November 2026"
    assert message["List-Id"] == (f"paperhub collection {collection.pk} daily digest "
                                  f"<daily.c{collection.pk}.digest.papers.example>")
    assert message["Message-ID"] == f"<digest.daily.2026-11-23.c{collection.pk}.{subscription.pk}@papers.example>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert "reading-group" not in readable(unsubscribe.rpartition("/")[2])  # the token holds no address
    text, html = (message.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert "Paper x¹ number 1" in text and "https://hub.example/papers/2611.00002" in text
    assert "Note: Read §3 first <script>x</script>\r\n" in text and "number 3" not in text  # added before the period
    assert "<strong>first</strong>" in html and "<script>" not in html  # the note as the page renders it
    assert "Reading &lt;group&gt;" in html and "Added by" not in html  # the page shows that to curators only

    again = sending.send_all("daily", TODAY, "https://hub.example")[f"daily c{collection.pk}"]
    assert (again.planned, again.sent) == (0, 0) and len(mail_sink.messages) == 2  # exactly once
    quiet = sending.send_all("daily", date(2026, 11, 25))[f"daily c{collection.pk}"]  # nothing added on the 24th
    assert (quiet.planned, quiet.sent, quiet.skipped) == (1, 0, 1) and len(mail_sink.messages) == 2

    # RFC 8058 one-click: the list's mail client POSTs, no login, no CSRF token
    assert Client(enforce_csrf_checks=True).post(unsubscribe.removeprefix("https://hub.example"),
                                                 {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscription.objects.get().active
    assert sending.send_all("daily", date(2026, 11, 26)) == {"daily": sending.SendReport()}


def test_the_weekly_digest_and_the_status_count_collections(group, mail_sink, capsys):
    ann, collection = group
    Subscription.objects.create(email=LIST, frequency="weekly", collection=collection, subscribed_by=ann,
                                confirmed_at=datetime(2026, 11, 1, tzinfo=UTC))
    call_command("digests", "send", "--date", "2026-11-30", "--connections", "1")  # a Monday: the week of 23-29 November
    assert f"weekly c{collection.pk}: 1 newly planned, 1 sent" in capsys.readouterr().out
    assert "Paper x¹ number 1" in mail_sink.messages[0].get_body(("plain",)).get_content()
    call_command("digests", "status")
    out = capsys.readouterr().out
    assert "collections' list addresses: 1 active" in out and f"weekly:2026-W48:c{collection.pk}" in out


def test_a_private_collection_goes_only_to_addresses_its_owner_subscribed(group, mail_sink):
    ann, collection = group
    bob = user("bob")
    curation.add_collaborator(ann, collection, "bob")
    Subscription.objects.create(email="leak@example.org", collection=collection, subscribed_by=bob,
                                confirmed_at=datetime(2026, 11, 1, tzinfo=UTC))  # (no form makes one)
    assert sending.send("daily", TODAY, collection=collection).planned == 0 and mail_sink.messages == []
    collection.public = True  # public, it is anybody's to read: the address, confirmed, gets it
    collection.save()
    assert sending.send("daily", TODAY, collection=collection).sent == 1


def test_only_the_owner_subscribes_and_only_so_many_addresses(group, settings, mail_sink, run_tasks):
    ann, collection = group
    bob, mallory = user("bob"), user("mallory")
    curation.add_collaborator(ann, collection, "bob")
    for name, someone in (("bob", bob), ("mallory", mallory)):  # a collaborator too: the owner decides who sees it
        client = Client()
        client.force_login(someone)
        assert client.get(_mailings(collection)).status_code == 404
        assert client.post(_mailings(collection), {"email": f"{name}@example.org"}).status_code == 404
    assert not Subscription.objects.exists()
    settings.PAPERHUB_COLLECTION_MAILINGS_MAX = 2
    client = Client()
    client.force_login(ann)
    pages = [client.post(_mailings(collection), {"email": f"list{i}@example.org", "frequency": "weekly"},
                         follow=True).content.decode() for i in range(3)]
    assert "mailed to 2 addresses already" in pages[2] and Subscription.objects.count() == 2
    client.post(_mailings(collection), {"end": str(Subscription.objects.first().pk)})
    client.post(_mailings(collection), {"email": "list2@example.org", "frequency": "weekly"})
    assert Subscription.objects.filter(unsubscribed_at__isnull=True).count() == 2
    curation.delete_collection(ann, collection)  # deleting the collection ends its subscriptions
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


def test_the_list_form_is_rate_limited_as_the_subscribe_form_is(group, settings, mail_sink):
    ann, collection = group
    settings.PAPERHUB_SUBSCRIBE_ADDRESS_RATE = "1/hour"
    client = Client()
    client.force_login(ann)
    pages = [client.post(_mailings(collection), {"email": LIST, "frequency": frequency}, follow=True)
             .content.decode() for frequency in ("daily", "weekly")]
    assert "Too many subscriptions for this address" in pages[1] and Subscription.objects.count() == 1



def test_an_unverified_owner_mails_nothing(db, mail_sink, run_tasks):
    carl = user("carl")  # his address not proved: the hub would mail his title to anyone he names
    collection = curation.create_collection(carl, "Buy cheap pills", public=True)
    client = Client()
    client.force_login(carl)
    page = client.post(_mailings(collection), {"email": LIST, "frequency": "daily"}, follow=True).content.decode()
    assert "Verify your email address first" in page and not Subscription.objects.exists()
    run_tasks()
    assert mail_sink.messages == []


def test_an_account_is_limited_from_any_client_address(group, settings, mail_sink):
    ann, collection = group
    settings.PAPERHUB_SUBSCRIBE_RATE = "2/hour"
    client = Client()
    client.force_login(ann)
    pages = [client.post(_mailings(collection), {"email": f"list{i}@example.org", "frequency": "weekly"},
                         REMOTE_ADDR=f"10.0.0.{i}", follow=True).content.decode() for i in range(3)]
    assert "Too many subscriptions from your account" in pages[2] and Subscription.objects.count() == 2


def test_a_banned_owners_collection_mails_nothing(group, mail_sink):
    ann, collection = group
    Subscription.objects.create(email=LIST, frequency="daily", collection=collection, subscribed_by=ann,
                                confirmed_at=datetime(2026, 11, 1, tzinfo=UTC))
    ann.is_active = False
    ann.save()
    assert list(sending.send_all("daily", TODAY)) == ["daily"]  # not even planned
    assert sending.send("daily", TODAY, collection=collection).planned == 0 and mail_sink.messages == []
    ann.is_active = True  # let back in: it goes again
    ann.save()
    assert sending.send_all("daily", TODAY)[f"daily c{collection.pk}"].sent == 1


@pytest.mark.django_db(transaction=True)
def test_the_list_migration_reverses_with_list_rows_present():
    ann = user("ann")
    collection = curation.create_collection(ann, "Group", public=True)
    Subscription.objects.create(email=LIST, collection=None)  # the hub's digest, and a list, at one address
    listed = Subscription.objects.create(email=LIST, collection=collection, subscribed_by=ann)
    Delivery.objects.create(subscription=listed, period="daily:2026-11-23:c1")
    call_command("migrate", "digests", "0002", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT email FROM {Subscription._meta.db_table}")  # noqa: S608 (our table name)
        assert cursor.fetchall() == [(LIST,)]
    call_command("migrate", "digests", verbosity=0)
    assert list(Subscription.objects.values_list("email", "collection")) == [(LIST, None)]


def test_an_address_stopped_after_planning_gets_nothing(group, mail_sink):
    """A pending (or failed) delivery of the period is skipped once its address unsubscribed, the hub's too."""
    ann, collection = group
    confirmed = datetime(2026, 11, 1, tzinfo=UTC)
    listed = Subscription.objects.create(email=LIST, collection=collection, subscribed_by=ann, confirmed_at=confirmed)
    hubs = Subscription.objects.create(email="reader@example.org", confirmed_at=confirmed)
    period = building.period_for("daily", TODAY)
    for subscription, of in ((listed, collection.pk), (hubs, None)):
        assert sending.plan("daily", building.period_key("daily", period, of), collection=subscription.collection) == 1
    Subscription.objects.update(unsubscribed_at=datetime(2026, 11, 24, tzinfo=UTC))
    reports = sending.send_all("daily", TODAY)  # the list's from the collection's own run: send_all plans it no more
    assert reports["daily"].skipped == 1
    assert sending.send("daily", TODAY, collection=collection).skipped == 1 and mail_sink.messages == []
    assert set(Delivery.objects.values_list("status", "last_error")) == {(Delivery.SKIPPED, sending.UNSUBSCRIBED)}


def test_an_address_stopped_during_the_run_is_skipped_by_its_claim_with_no_query_per_message(
        group, mail_sink, django_assert_num_queries):
    """The claim reads whether its address is still subscribed: two queries a message (claim, mark), whatever
    happened since the run began, and an address stopped after that is skipped, not sent."""
    ann, collection = group
    confirmed = datetime(2026, 11, 1, tzinfo=UTC)
    lists = [Subscription.objects.create(email=f"group{i}@lists.example.org", collection=collection,
                                         subscribed_by=ann, confirmed_at=confirmed) for i in range(3)]
    period = building.period_for("daily", TODAY)
    key = building.period_key("daily", period, collection.pk)
    assert sending.plan("daily", key, collection=collection) == 3
    base = "https://hub.example"
    run = sending.Run(key, period, base, sending.render(building.build_collection("daily", period, collection, base),
                                                        base), sending.SendReport(), None)
    Subscription.objects.filter(pk=lists[1].pk).update(unsubscribed_at=datetime(2026, 11, 24, tzinfo=UTC))
    try:
        with django_assert_num_queries(2 * 3 + 2):  # and, at the end, the claim that finds none and its check
            run.work()
    finally:
        run.journal.close()
    assert (run.report.sent, run.report.skipped) == (2, 1)
    assert sorted(m["To"] for m in mail_sink.messages) == ["group0@lists.example.org", "group2@lists.example.org"]
    assert Delivery.objects.get(subscription=lists[1]).last_error == sending.UNSUBSCRIBED


def test_a_notes_mentions_link_to_profiles_by_absolute_address_in_the_mail(group, mail_sink,
                                                                         django_assert_num_queries):
    ann, collection = group
    user("bob.lee"), user("cy")
    curation.set_note(ann, collection, Paper.objects.get(uid="2611.00001"), "Ask @bob.lee. or @nobody")
    curation.set_note(ann, collection, Paper.objects.get(uid="2611.00002"), "Then @cy")
    Subscription.objects.create(email=LIST, frequency="daily", collection=collection, subscribed_by=ann,
                                confirmed_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert sending.send("daily", TODAY, "https://hub.example/lab", collection=collection).sent == 1
    html = mail_sink.messages[0].get_body(("html",)).get_content()
    link = '<a href="https://hub.example/lab/users/bob.lee" rel="nofollow noopener noreferrer ugc">@bob.lee</a>'
    assert f"<p>Ask {link}. or @nobody</p>" in html and 'href="https://hub.example/lab/users/cy"' in html
    period = building.period_for("daily", TODAY)
    with django_assert_num_queries(4):  # the items, their authors, their count and one look-up of every note's names
        building.build_collection("daily", period, collection, "https://hub.example")


def test_the_text_part_shows_a_note_as_plain_text_lined_up_under_its_paper(group, mail_sink):
    ann, collection = group
    note = ("Read **§3** with [the appendix](/papers/2611.00001#a) and https://e.org/x:\n\n- `code` stays\n"
            "- $x^2$ too\n\n[no](javascript:alert(1)) [nor](ftp://e.org/y) @ann")
    curation.set_note(ann, collection, Paper.objects.get(uid="2611.00002"), note)
    Subscription.objects.create(email=LIST, frequency="daily", collection=collection, subscribed_by=ann,
                                confirmed_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert sending.send("daily", TODAY, "https://hub.example/lab", collection=collection).sent == 1
    text = mail_sink.messages[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert ("   https://hub.example/lab/papers/2611.00002\n"
            "   Note: Read §3 with the appendix <https://hub.example/papers/2611.00001#a> and https://e.org/x:\n"
            "\n"
            "         - `code` stays\n"
            "         - x² too\n"
            "\n"
            "         [no](javascript:alert(1)) nor @ann\n") in text
    html = mail_sink.messages[0].get_body(("html",)).get_content()
    assert 'href="https://hub.example/papers/2611.00001#a"' in html  # a mail has no page to be relative to
