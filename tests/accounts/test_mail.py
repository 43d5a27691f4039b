"""Account mail from the queue: mail tasks are claimed before other work, and a send that fails because the mail
server cannot be reached is tried again later (core/mail.py), never dropped with the user told it went."""

import io
import re
import smtplib
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from paperhub.accounts import services as accounts
from paperhub.community import authorship, notices
from paperhub.community import services as community
from paperhub.core import mail
from paperhub.digests import subscriptions
from paperhub.digests.models import Subscription
from paperhub.jobs import tasks
from tests.factories import add_paper, approved_claim, user, verified

MAIL_TASKS = [accounts.send_verification, accounts.send_password_reset, accounts.send_address_changed,
              subscriptions.send_confirmation, notices.mail_comment, authorship.mail_authors]


def test_every_mail_task_goes_before_the_default_priority():
    assert all(task.priority == mail.PRIORITY > tasks.ingest_arxiv.priority == 0 for task in MAIL_TASKS)
    # keywords (local, bounded) after mail and before the network jobs: they appeared 10 minutes late offline
    assert mail.PRIORITY > tasks.make_keywords.priority > max(
        t.priority for t in (tasks.ingest_arxiv, tasks.ingest_hf_daily, tasks.refresh_github_stars,
                             tasks.sync_zotero_libraries))


def test_every_kind_of_mail_says_it_is_automatic_and_comes_from_the_hubs_own_domain(db, settings, mail_sink):
    """A Message-ID under PAPERHUB_EMAIL_FROM's domain, never Django's `@<this machine's name>` (`@localhost` was
    seen), and Auto-Submitted (RFC 3834) so that autoresponders do not answer; the digest's: test_digests.py."""
    settings.DEFAULT_FROM_EMAIL = "paperhub <hub@papers.example>"
    ann, hub = verified(user("ann")), "http://hub.example"
    accounts.send_verification.call(user("bob").pk, hub)
    accounts.send_password_reset.call("ann@example.org", hub)
    accounts.send_address_changed.call(ann.pk, "old@example.org", "a***@example.org", timezone.now().isoformat(), hub)
    subscriptions.send_confirmation.call(Subscription.objects.create(email="reader@example.org").pk, hub)
    paper = add_paper()
    approved_claim(ann, paper)
    # (as queued before comment mail moved to notices.py: it runs as notices.mail_comment)
    authorship.mail_authors.call(community.add_comment(user("eve"), paper, "A question").pk)
    assert [m["To"] for m in mail_sink.messages] == ["bob@example.org", "ann@example.org", "old@example.org",
                                                    "reader@example.org", "ann@example.org"]
    assert [m["Auto-Submitted"] for m in mail_sink.messages] == ["auto-generated"] * 5
    ids = [m["Message-ID"] for m in mail_sink.messages]
    assert all(re.fullmatch(r"<[^@<>\s]+@papers\.example>", i) for i in ids) and len(set(ids)) == 5, ids


@pytest.mark.django_db(transaction=True)
def test_a_mail_queued_after_a_network_job_is_claimed_first(mail_sink):
    network = tasks.ingest_arxiv.enqueue("2026-11-20")
    tasks.refresh_github_stars.enqueue()
    verification = accounts.send_verification.enqueue(user("ann").pk, "http://hub.example")
    # One worker of `paperhub worker`'s queues, one task: django-tasks-db's own claim (no network job runs here).
    Worker(queue_names=["default", "mail"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=1, worker_id="test-worker", excluded_queue_names=[]).run()
    assert DBTaskResult.objects.get(id=verification.id).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(id=network.id).status == TaskResultStatus.READY
    assert [m["To"] for m in mail_sink.messages] == ["ann@example.org"]
    # serve's mail worker (`--queues mail`) sends mail while the task workers are busy with a long job; it never
    # takes that job.
    notice = accounts.send_verification.enqueue(user("bob").pk, "http://hub.example")
    Worker(queue_names=[mail.QUEUE], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="mail-worker", excluded_queue_names=[]).run()
    assert DBTaskResult.objects.get(id=notice.id).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(id=network.id).status == TaskResultStatus.READY


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_cannot_be_reached_is_tried_again_later(settings, run_tasks, caplog, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port  # nothing listens there
    ann = user("ann")
    accounts.queue_verification(ann, "http://hub.example")
    [first] = run_tasks()
    assert first.status == TaskResultStatus.FAILED and first.exception_class_path == "paperhub.core.mail.MailNotSent"
    assert "ConnectionRefusedError" in first.traceback and "try 2 of 4 is queued" in first.traceback
    # Said in one line of the worker's log and of `jobs status`, as an ingest's failure (it was a 35-line traceback
    # on every try, and `jobs status` put "paperhub.core.mail.MailNotSent:" before it).
    [logged] = [r for r in caplog.records if r.name == "django_tasks" and "state=FAILED" in r.getMessage()]
    assert logged.exc_info is None and "ConnectionRefusedError" in logged.getMessage(), logged.getMessage()
    assert "state=FAILED: The mail server could not be reached" in logged.getMessage()
    status = io.StringIO()
    call_command("jobs", "status", stdout=status)
    assert "send_verification" in status.getvalue() and ": The mail server could not be reached (Connection" in \
        status.getvalue() and "MailNotSent" not in status.getvalue(), status.getvalue()
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.args_kwargs == {"args": [ann.pk, "http://hub.example"], "kwargs": {"attempt": 2}}
    assert retry.priority == mail.PRIORITY
    assert timedelta(seconds=50) < retry.run_after - timezone.now() <= timedelta(minutes=1)
    assert run_tasks() == []  # not before its time
    # The server comes back before the next try.
    from testbed.smtpsink import SmtpSink

    sink = SmtpSink()
    try:
        settings.EMAIL_PORT = sink.port
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        [second] = run_tasks()
        assert second.status == TaskResultStatus.SUCCESSFUL
        assert [m["To"] for m in sink.messages] == ["ann@example.org"]
    finally:
        sink.close()


@pytest.mark.django_db(transaction=True)
def test_the_tries_end_after_the_last_back_off(settings, run_tasks, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    accounts.queue_password_reset("ann@example.org", "http://hub.example")
    accounts.verify(accounts.verify_token(user("ann")))
    for _ in range(len(mail.RETRY_AFTER) + 2):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_tasks()
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == [TaskResultStatus.FAILED] * (len(mail.RETRY_AFTER) + 1)
    assert "gave up after 4 tries" in results[-1].traceback


@pytest.mark.parametrize(("error", "again"), [
    (ConnectionRefusedError(111, "Connection refused"), True),
    (socket.gaierror(-2, "Name or service not known"), True),
    (TimeoutError("timed out"), True),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
    (smtplib.SMTPResponseException(421, b"try later"), True),
    (smtplib.SMTPSenderRefused(451, b"greylisted", "paperhub@localhost"), True),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"mailbox busy")}), True),
    (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), False),
    (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
    (smtplib.SMTPNotSupportedError("STARTTLS extension not supported"), False),
    (ValueError("a bug"), False),
])
def test_which_failures_may_pass(error, again):
    assert mail.transient(error) is again


@pytest.mark.django_db(transaction=True)
def test_the_email_page_says_how_the_link_fared(settings, run_tasks, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port  # as under a bare `make run` once was
    client = Client()
    welcome = client.post("/accounts/signup/", {"username": "alice_r", "email": "alice@example.org",
                                                "password1": "a-good-long-passphrase",
                                                "password2": "a-good-long-passphrase"}, follow=True).content.decode()
    assert "We are sending a link to verify your address to alice@example.org" in welcome
    assert "mailed" not in welcome
    page = client.get("/accounts/email/").content.decode()
    assert "A link to <strong>alice@example.org</strong> is on its way" in page
    run_tasks()
    page = client.get("/accounts/email/").content.decode()
    assert "The link to alice@example.org could not be sent yet" in page and "tried again at" in page
    for _ in mail.RETRY_AFTER:
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_tasks()
    page = client.get("/accounts/email/").content.decode()
    assert "The link to alice@example.org could not be sent:" in page and "tell the hub's operator" in page
    again = client.post("/accounts/email/", follow=True).content.decode()
    assert "We are sending a new link to alice@example.org." in again and "A link to <strong>alice" in again
    from testbed.smtpsink import SmtpSink

    sink = SmtpSink()
    try:
        settings.EMAIL_PORT = sink.port
        run_tasks()
    finally:
        sink.close()
    assert "A link was sent to <strong>alice@example.org</strong>" in client.get("/accounts/email/").content.decode()
    assert [m["To"] for m in sink.messages] == ["alice@example.org"]
