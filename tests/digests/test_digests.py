import html
import re
import signal
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperhub.community import services as community
from paperhub.core import process
from paperhub.digests import building, sending
from paperhub.digests.models import Delivery, Subscription
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.digests.test_tokens import readable
from tests.factories import feed_entry, record, user, verified

TODAY = date(2026, 11, 24)


@pytest.fixture
def feed(db):
    """Yesterday's feed (for TODAY): two papers, one with votes."""
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers([record("2611.00001", title="Sparse attention with $O(n^2)$ cost", published=when),
                   record("2611.00002", title=r"Dense retrieval of \textit{PM$_{2.5}$} data", published=when)])
    papers = {p.uid: p for p in Paper.objects.all()}
    feed_entry(papers["2611.00001"], TODAY - timedelta(days=1))
    feed_entry(papers["2611.00002"], TODAY - timedelta(days=1), "hf", external_upvotes=5)
    return papers


def confirmed(email: str, frequency: str = "daily") -> Subscription:
    return Subscription.objects.create(email=email, frequency=frequency, confirmed_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_periods():
    assert building.period_for("daily", TODAY).key == "2026-11-23"
    assert building.period_for("weekly", TODAY).key == "2026-W47"
    assert building.period_key("weekly", building.period_for("weekly", TODAY)) == "weekly:2026-W47"
    week = building.Digest("weekly", building.period_for("weekly", TODAY), [], [])
    assert week.subject.startswith("Weekly papers: ")  # last week's, sent on Monday: not "This week's"


def test_double_opt_in_through_a_real_smtp_server(db, mail_sink, run_tasks):
    client = Client()
    response = client.post("/digests/subscribe", {"email": " Reader@Example.org ", "frequency": "weekly",
                                                  "next": "/papers/trending"})
    assert response.headers["Location"] == "/papers/trending"
    subscription = Subscription.objects.get()
    assert subscription.email == "reader@example.org" and not subscription.active
    assert mail_sink.messages == []  # not in the request: from the queue
    assert [row.return_value for row in run_tasks()] == [{"sent": 1}]
    assert len(mail_sink.messages) == 1
    link = re.search(r"http://testserver(/digests/confirm/\S+)", mail_sink.messages[0].get_content())[1]
    assert client.get(link).status_code == 200 and not Subscription.objects.get().active  # a GET changes nothing
    assert "will get the weekly digest" in client.post(link).content.decode()
    assert Subscription.objects.get().active
    client.post("/digests/subscribe", {"email": "reader@example.org", "frequency": "weekly"})
    assert run_tasks() == [] and len(mail_sink.messages) == 1  # already confirmed: no second confirmation mail
    # a change of frequency waits for the inbox's owner: anyone can type an address
    client.post("/digests/subscribe", {"email": "reader@example.org", "frequency": "daily"})
    assert Subscription.objects.get().frequency == "weekly"
    assert [row.return_value for row in run_tasks()] == [{"sent": 1}]
    change = mail_sink.messages[1].get_content()
    assert "make this address's digest of research papers daily" in change
    assert "will get the daily digest" in client.post(re.search(r"http://testserver(\S+)", change)[1]).content.decode()
    assert Subscription.objects.get().frequency == "daily" and Subscription.objects.get().active
    assert client.post("/digests/confirm/forged-token").status_code == 400
    html = client.post("/digests/subscribe", {"email": "not an address"}, follow=True).content.decode()
    assert "does not look like an email address" in html
    for address in ("x" * 65 + "@example.org", "x@" + ".".join(["a" * 60] * 5) + ".org"):
        html = client.post("/digests/subscribe", {"email": address}, follow=True).content.decode()
        assert "too long to mail" in html, address
    assert Subscription.objects.count() == 1 and run_tasks() == []


def test_the_confirmation_page_names_the_address_and_the_digest_before_its_button(db, mail_sink, run_tasks):
    client = Client()
    client.post("/digests/subscribe", {"email": "reader@example.org", "frequency": "weekly"})
    run_tasks()
    link = re.search(r"http://testserver(/digests/confirm/\S+)", mail_sink.messages[0].get_content())[1]
    asked = client.get(link).content.decode()
    assert "This link was sent to reader@example.org, to start its weekly digest of research papers." in asked
    assert not Subscription.objects.get().active  # the page only says it
    client.post(link)
    client.post("/digests/subscribe", {"email": "reader@example.org", "frequency": "daily"})
    run_tasks()
    change = re.search(r"http://testserver(\S+)", mail_sink.messages[1].get_content())[1]
    assert "to make its weekly digest of research papers daily." in client.get(change).content.decode()
    forged = client.get("/digests/confirm/forged-token")
    assert forged.status_code == 400 and "This link is not valid." in forged.content.decode()


@pytest.mark.parametrize("page", ["/papers/search?q=state+space+models", "/?page=3", "/papers/search?q=%22a%22+%3Cb%3E"])
def test_subscribing_from_the_footer_comes_back_to_the_same_page_and_place(db, mail_sink, page):
    client = Client()
    footer = client.get(page).content.decode()
    form = footer[footer.index('action="/digests/subscribe"'):]
    back = html.unescape(re.search(r'name="next" value="([^"]*)"', form)[1])
    assert back == page
    response = client.post("/digests/subscribe", {"email": "reader@example.org", "next": back})
    assert response.headers["Location"] == page
    for elsewhere in ("//evil.example/papers", "https://evil.example/", "/\\evil.example"):  # read as before
        response = client.post("/digests/subscribe", {"email": "reader@example.org", "next": elsewhere})
        assert response.headers["Location"] == "/", elsewhere


def test_subscribing_is_rate_limited_per_client_and_per_address(db, settings, mail_sink, run_tasks):
    settings.PAPERHUB_SUBSCRIBE_RATE = "2/hour"
    client = Client()
    pages = [client.post("/digests/subscribe", {"email": f"a{i}@example.org"}, follow=True).content.decode()
             for i in range(3)]
    run_tasks()
    assert "Too many subscriptions from your address" in pages[2] and len(mail_sink.messages) == 2
    settings.PAPERHUB_SUBSCRIBE_RATE, settings.PAPERHUB_SUBSCRIBE_ADDRESS_RATE = "100/hour", "2/hour"
    pages = [Client(REMOTE_ADDR=f"192.0.2.{i}").post("/digests/subscribe", {"email": "victim@example.org"},
                                                     follow=True).content.decode() for i in range(3)]
    run_tasks()
    assert "Too many subscriptions for this address" in pages[2]
    assert [m["To"] for m in mail_sink.messages[2:]] == ["victim@example.org"] * 2


def test_subscribe_limit_keys_on_the_forwarded_address_behind_a_proxy(db, settings, mail_sink):
    settings.PAPERHUB_SUBSCRIBE_RATE, settings.NINJA_NUM_PROXIES = "1/hour", 1
    client = Client(REMOTE_ADDR="10.0.0.1")  # every request arrives from the proxy

    def subscribe(forwarded: str, email: str) -> str:
        return client.post("/digests/subscribe", {"email": email}, HTTP_X_FORWARDED_FOR=forwarded,
                           follow=True).content.decode()

    assert "Too many" not in subscribe("203.0.113.5", "a@example.org")
    assert "Too many" not in subscribe("198.51.100.7", "b@example.org")  # another reader behind the same proxy
    assert "Too many" in subscribe("1.1.1.1, 203.0.113.5", "c@example.org")  # a forged left entry changes nothing


def test_subscribing_when_the_mail_server_is_down_answers_at_once_and_the_task_fails(db, settings, run_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    html = Client().post("/digests/subscribe", {"email": "a@example.org"}, follow=True).content.decode()
    assert "we are sending you an email" in html
    assert [row.status for row in run_tasks()] == ["FAILED"]  # the worker logs it; subscribing again retries


def test_digest_sent_once_with_one_click_unsubscribe(feed, mail_sink, settings):
    settings.PAPERHUB_TRENDING_DAYS = 100_000
    settings.DEFAULT_FROM_EMAIL = "paperhub <hub@papers.example>"  # its domain is the hub's in Message-ID and List-Id
    ann, bob = confirmed("ann@example.org"), confirmed("bob@example.org")
    Subscription.objects.create(email="unconfirmed@example.org")
    confirmed("weekly@example.org", "weekly")
    report = sending.send("daily", today=TODAY, base_url="https://hub.example")
    assert (report.planned, report.sent, report.failed) == (2, 2, 0)
    assert sorted(m["To"] for m in mail_sink.messages) == ["ann@example.org", "bob@example.org"]
    message = next(m for m in mail_sink.messages if m["To"] == "ann@example.org")
    assert message["Subject"] == "Daily papers: Monday, 23 November 2026"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "paperhub daily digest <daily.digest.papers.example>"
    assert (message["Auto-Submitted"], message["Precedence"]) == ("auto-generated", "bulk")
    assert message["Date"].endswith(" +0000")  # the zone said ("-0000" is a zone unknown, RFC 5322)
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith("https://hub.example/digests/unsubscribe/")
    assert "ann" not in readable(unsubscribe.rpartition("/")[2])  # the link shows no address (test_tokens.py)
    assert message["Message-ID"] == f"<digest.daily.2026-11-23.{ann.pk}@papers.example>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.index("Dense retrieval of PM₂.₅ data") < text.index("Sparse attention with O(n²) cost")  # by votes
    assert "https://hub.example/papers/2611.00002" in html and "Unsubscribe" in html
    assert '<div class="meta" style="color:#555;' in html and "{ .meta { color: #b0b0b0" in html  # lighter in dark
    again = sending.send("daily", today=TODAY, base_url="https://hub.example")
    assert (again.planned, again.sent) == (0, 0) and len(mail_sink.messages) == 2  # exactly once
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", no login, no CSRF token
    response = Client(enforce_csrf_checks=True).post(unsubscribe.removeprefix("https://hub.example"),
                                                     "List-Unsubscribe=One-Click",
                                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and not Subscription.objects.get(pk=ann.pk).active
    feed_entry(feed["2611.00001"], TODAY)  # the next day has a paper too
    nextday = sending.send("daily", today=TODAY + timedelta(days=1))
    assert nextday.planned == 1 and [m["To"] for m in mail_sink.messages[2:]] == ["bob@example.org"]
    assert Subscription.objects.get(pk=bob.pk).active


def test_smtp_failures_are_retried_with_backoff_and_reported(feed, mail_sink, settings):
    confirmed("ann@example.org")
    settings.EMAIL_PORT = mail_sink.port + 1 if mail_sink.port < 65535 else 1  # nobody listens there
    report = sending.send("daily", today=TODAY)
    assert (report.sent, report.failed) == (0, 1) and "ann@example.org" in report.errors[0]
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.FAILED and delivery.attempts == 1 and delivery.last_error
    assert delivery.next_attempt_at > datetime.now(UTC) + timedelta(minutes=1)
    settings.EMAIL_PORT = mail_sink.port
    assert sending.send("daily", today=TODAY).sent == 0  # not yet due: backing off
    Delivery.objects.update(next_attempt_at=datetime.now(UTC))
    assert sending.send("daily", today=TODAY).sent == 1 and len(mail_sink.messages) == 1
    assert Delivery.objects.get().status == Delivery.SENT


def test_persistent_failures_give_up_visibly(feed, settings):
    confirmed("ann@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens on port 1
    for _ in range(sending.MAX_ATTEMPTS):
        Delivery.objects.update(next_attempt_at=datetime.now(UTC))
        report = sending.send("daily", today=TODAY)
    assert report.gave_up == 1 and Delivery.objects.get().status == Delivery.GAVE_UP


def test_a_day_without_papers_sends_no_digest(feed, mail_sink, settings):
    settings.PAPERHUB_TRENDING_DAYS = 100_000  # trending is not empty: still no news of the day
    confirmed("ann@example.org")
    report = sending.send("daily", today=TODAY + timedelta(days=1))  # the day after the feed's: nothing new
    assert (report.planned, report.sent, report.skipped) == (1, 0, 1) and mail_sink.messages == []
    assert Delivery.objects.get().status == Delivery.SKIPPED and "1 skipped (nothing new" in report.line()
    assert sending.send("daily", today=TODAY + timedelta(days=1)).skipped == 0  # settled once
    assert sending.send("daily", today=TODAY).sent == 1  # a day with papers is sent as before


def test_a_personal_part_not_ready_yet_is_left_out_with_one_line(feed, mail_sink, search_dir, caplog):
    """A new hub's recommendation space is still being built: the digest goes without its For you part (the build
    queued, not done by the sender), and the log says so in one line per subscriber, not a traceback each."""
    from django_tasks_db.models import DBTaskResult

    from paperhub.recommend import space

    community.upvote(verified(user("ann")), feed["2611.00002"], on=True)
    confirmed("ann@example.org")
    assert sending.send("daily", today=TODAY).sent == 1
    assert "For you" not in mail_sink.messages[0].get_body(("plain",)).get_content()
    notes = [r for r in caplog.records if "personal digest part" in r.getMessage()]
    assert [(r.levelname, r.exc_info) for r in notes] == [("WARNING", None)]
    assert f"recommendations are not ready ({space.PREPARING})" in notes[0].getMessage()
    assert not space.path().exists()
    assert DBTaskResult.objects.filter(task_path="paperhub.recommend.space.build_space").count() == 1


def test_a_stale_claim_from_a_dead_sender_is_taken_over(feed, mail_sink):
    ann = confirmed("ann@example.org")
    sending.plan("daily", "daily:2026-11-23")
    Delivery.objects.update(status=Delivery.SENDING, claimed_at=datetime.now(UTC))  # a sender is at it
    assert sending.send("daily", today=TODAY).sent == 0
    Delivery.objects.update(claimed_at=datetime.now(UTC) - sending.LEASE - timedelta(seconds=1))  # it died
    assert sending.send("daily", today=TODAY).sent == 1
    assert mail_sink.messages[0]["Message-ID"] == f"<digest.daily.2026-11-23.{ann.pk}@localhost>"


def _subscribers(hub, mail_sink, count: int) -> None:
    """`count` confirmed daily subscribers r0@... in the hub, whose mail goes to the sink, and a paper in the feed
    of 23 November 2026 (a day with no paper sends nothing)."""
    hub.env.update(PAPERHUB_EMAIL_HOST="127.0.0.1", PAPERHUB_EMAIL_PORT=str(mail_sink.port))
    hub.run("shell", "-c", (
        "from datetime import date, datetime, UTC\n"
        "from paperhub.digests.models import Subscription\n"
        "from paperhub.papers.models import FeedEntry, Paper\n"
        "from paperhub.papers.records import PaperRecord\n"
        "from paperhub.papers.services import upsert_papers\n"
        "upsert_papers([PaperRecord(uid='2611.00001', title='Sparse attention', source='test', abstract='A.', "
        "authors=('Ada Lovelace',), categories=('cs.CL',), published=datetime(2026, 11, 23, tzinfo=UTC))])\n"
        "FeedEntry.objects.create(paper=Paper.objects.get(), day=date(2026, 11, 23), source='rule')\n"
        "Subscription.objects.bulk_create([Subscription(email=f'r{i}@example.org', "
        f"confirmed_at=datetime(2026, 1, 1, tzinfo=UTC)) for i in range({count})])\n"))


def test_killed_sender_rerun_delivers_each_digest_exactly_once(hub, mail_sink):
    """SIGKILL `paperhub digests send` mid-run, run it again: every subscriber holds one digest."""
    _subscribers(hub, mail_sink, 400)
    sender = hub.start("digests", "send", "--frequency", "daily", "--date", "2026-11-24")
    deadline = time.monotonic() + 60
    while len(mail_sink.accepted) < 60 and time.monotonic() < deadline and sender.poll() is None:
        time.sleep(0.005)
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    assert 0 < len(mail_sink.messages) < 400, "the sender must be killed midway"
    hub.run("digests", "send", "--frequency", "daily", "--date", "2026-11-24")
    hub.run("digests", "send", "--frequency", "daily", "--date", "2026-11-24")  # and once more: nothing new
    by_address: dict[str, set[str]] = {}
    for message in mail_sink.messages:
        by_address.setdefault(message["To"], set()).add(message["Message-ID"])
    assert len(by_address) == 400 and all(len(ids) == 1 for ids in by_address.values())
    # at most the messages in flight when killed (one per SMTP connection, 4) reached the server twice, each
    # time with the same Message-ID, so the mailbox holds it once
    assert len(mail_sink.messages) - 400 <= 4
    status = hub.run("digests", "status").stdout
    assert "daily:2026-11-23" in status and "sent" in status and "400" in status


def test_a_message_the_server_has_is_not_sent_again_when_its_reply_was_lost(hub, mail_sink):
    """The server stores the message, then the sender is killed before the "250" reaches it: the journal,
    written when the final dot went out, tells the rerun that this subscriber has the digest already."""
    _subscribers(hub, mail_sink, 5)
    mail_sink.stall_next = 60.0
    sender = hub.start("digests", "send", "--frequency", "daily", "--date", "2026-11-24", "--connections", "1")
    deadline = time.monotonic() + 60
    while not mail_sink.accepted and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # the sender now waits for the reply the server holds back
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    assert len(mail_sink.messages) == 1
    hub.run("digests", "send", "--frequency", "daily", "--date", "2026-11-24")
    received = [m["To"] for m in mail_sink.messages]
    assert sorted(received) == sorted(f"r{i}@example.org" for i in range(5))  # each once: none sent twice


def test_a_claim_by_a_dead_local_process_is_released_at_once(feed, mail_sink):
    import subprocess
    import sys

    confirmed("ann@example.org")
    sending.plan("daily", "daily:2026-11-23")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    Delivery.objects.update(status=Delivery.SENDING, claimed_at=datetime.now(UTC),
                            claimed_by=f"{process.HOST}:{gone.stdout.strip()}")
    assert sending.send("daily", today=TODAY).sent == 1 and len(mail_sink.messages) == 1


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:x"])
def test_subscribing_sends_people_back_only_within_the_site(db, target):
    response = Client().post("/digests/subscribe", {"email": "a@example.org", "next": target})
    assert response.headers["Location"] == "/"


def test_a_verified_address_is_offered_and_subscribes_at_once_another_still_confirms(db, mail_sink, run_tasks):
    reader = verified(user("reader", email="Reader@example.org"))
    client = Client()
    client.force_login(reader)
    assert 'autocomplete="email" value="Reader@example.org"' in client.get("/papers/trending").content.decode()
    page = client.post("/digests/subscribe", {"email": "reader@example.org", "frequency": "weekly"},
                       follow=True).content.decode()
    assert "reader@example.org gets the weekly digest from now on" in page
    subscription = Subscription.objects.get()
    assert subscription.active and subscription.frequency == "weekly" and run_tasks() == []
    client.post("/digests/subscribe", {"email": "reader@example.org", "frequency": "daily"})
    assert Subscription.objects.get().frequency == "daily" and run_tasks() == []  # the owner changes it at once
    page = client.post("/digests/subscribe", {"email": "other@example.org"}, follow=True).content.decode()
    assert "we are sending you an email" in page and not Subscription.objects.get(email="other@example.org").active
    assert [m["To"] for m in mail_sink.messages] == [] and len(run_tasks()) == 1
    assert [m["To"] for m in mail_sink.messages] == ["other@example.org"]
    unproved = user("unproved", email="unproved@example.org")
    client.force_login(unproved)
    assert 'autocomplete="email" value=""' in client.get("/papers/trending").content.decode()
    client.post("/digests/subscribe", {"email": "unproved@example.org"})
    assert not Subscription.objects.get(email="unproved@example.org").active
    Client().post("/digests/subscribe", {"email": "reader@example.org", "frequency": "weekly"})
    assert Subscription.objects.get(email="reader@example.org").frequency == "daily"  # a stranger: mail decides


def _proofs_asked(client: Client, method: str, path: str, data: dict | None = None) -> int:
    """How many times a request asked the database about proved addresses."""
    with CaptureQueriesContext(connection) as queries:
        getattr(client, method)(path, data or {})
    return sum("accounts_verifiedaddress" in q["sql"] for q in queries.captured_queries)


def test_the_address_is_asked_about_once_a_page_and_once_a_subscription(db, run_tasks):
    reader = verified(user("reader", email="reader@example.org"))
    client = Client()
    assert _proofs_asked(client, "get", "/papers/trending") == 0  # a visitor: nothing to offer
    client.force_login(reader)
    assert _proofs_asked(client, "get", "/papers/trending") == 1
    assert _proofs_asked(client, "get", "/accounts/email/") == 1  # the page and its footer share the answer
    assert _proofs_asked(client, "get", "/accounts/tokens/") == 1
    asked = _proofs_asked(client, "post", "/digests/subscribe", {"email": "reader@example.org"})
    assert asked == 1 and Subscription.objects.get().active
    client.force_login(user("nobody", email=""))
    assert _proofs_asked(client, "get", "/papers/trending") == 0  # no address: no question
