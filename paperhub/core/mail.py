"""Mail sent from the task queue: what every mail task shares.

Mail tasks are claimed before other work (PRIORITY: django-tasks-db's workers claim the highest priority first),
so a verification link does not wait behind an hour of network jobs on a hub with one worker, and have a queue of
their own (QUEUE), which `paperhub serve` gives a worker of its own at normal CPU priority, so one is not held behind
a task already running, nor behind idle-priority work starved of CPU (a new hub's first static model). A send that fails
for a reason that may pass (the mail server unreachable or busy: a refused connection, a timeout, a 4xx answer)
fails its task, with a message that says so, and queues the same task again to run after RETRY_AFTER[attempt - 1]
(django-tasks' `run_after`), so the worker is never held waiting; a permanent refusal (5xx) is not retried.

Every mail the hub sends is automatic and is made by `message()`: a Message-ID under the hub's own mail domain
(PAPERHUB_EMAIL_FROM's, not Django's `@<this machine's name>`, which a receiver may score as forged) and
`Auto-Submitted: auto-generated` (RFC 3834), so autoresponders do not answer it.
"""

import smtplib
from collections.abc import Callable
from datetime import timedelta
from email.utils import make_msgid, parseaddr
from typing import Any, TypedDict, TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from paperhub.core.failures import DescribedFailure

#: Mail tasks' priority: above the default 0 of every other task, so a waiting mail is claimed first.
PRIORITY = 50
#: Mail tasks' queue, which task workers (`default,mail`) and, on nodes that run task workers, serve's mail worker
#: (`mail` only) both take: a worker busy with a long task (an arXiv harvest retrying) cannot claim anything.
QUEUE = "mail"


class TaskOptions(TypedDict):
    """What a mail task is declared with (typed, so that the task decorator's overloads still match)."""

    priority: int
    queue_name: str


#: How every mail task is declared: @task(**mail.TASK).
TASK: TaskOptions = {"priority": PRIORITY, "queue_name": QUEUE}
#: How long after each failed try the next one runs: four tries in about 40 minutes.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
#: A mail claimed for sending (a digest's delivery row, a comment mail's notices) and not confirmed sent after this
#: belongs to a sender that died, and is taken again: far longer than any send (EMAIL_TIMEOUT is per call).
CLAIM_LEASE = timedelta(minutes=10)

T = TypeVar("T")


class MailNotSent(DescribedFailure):
    """A mail task could not hand its message to the mail server (the message says whether it tries again)."""


def transient(exc: BaseException) -> bool:
    """Whether a send failed for a reason that may pass: the server unreachable, gone mid-way, or a 4xx answer."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    # Any other OSError is the network's (refused, reset, timed out, a name that does not resolve); the other
    # SMTPExceptions (also OSErrors) are the server's answer about this message, which the same send gets again.
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def describe(exc: BaseException) -> str:
    """The failure in a few words, for the task's result and the user's page."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def send_or_retry(send: Callable[[], T], task: Any, *args: Any, attempt: int = 1) -> T:
    """`send()`'s result; when it fails for a reason that may pass and tries are left, `task` is queued again
    with `args` and the next attempt, to run later. Either way a failure raises MailNotSent, failing this task."""
    try:
        return send()
    except Exception as exc:
        if not transient(exc):
            raise MailNotSent(f"The mail server refused the message ({describe(exc)}); not tried again.") from exc
        if attempt > len(RETRY_AFTER):
            raise MailNotSent(f"The mail server could not be reached ({describe(exc)}); gave up after "
                              f"{attempt} tries.") from exc
        when = timezone.now() + RETRY_AFTER[attempt - 1]
        task.using(run_after=when).enqueue(*args, attempt=attempt + 1)
        raise MailNotSent(f"The mail server could not be reached ({describe(exc)}); try {attempt + 1} of "
                          f"{len(RETRY_AFTER) + 1} is queued for {when:%Y-%m-%d %H:%M} UTC.") from exc


def destination() -> str:
    """Where mail goes under the settings, in words: the SMTP server, the folder of the file backend, or the backend."""
    backend = str(settings.EMAIL_BACKEND)
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        tls = " (TLS)" if settings.EMAIL_USE_TLS else ""
        return f"the mail server at {settings.EMAIL_HOST}:{settings.EMAIL_PORT}{tls}"
    if backend == "django.core.mail.backends.filebased.EmailBackend":
        return f"a file in {settings.EMAIL_FILE_PATH} (PAPERHUB_EMAIL_FILE_PATH)"
    return backend


def domain() -> str:
    """The hub's own mail domain: the one of DEFAULT_FROM_EMAIL (PAPERHUB_EMAIL_FROM)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "paperhub.local"


def message_id(left: str = "") -> str:
    """A Message-ID under the hub's mail domain: `<left@domain>`, or a new unique one without `left`."""
    return f"<{left}@{domain()}>" if left else make_msgid(domain=domain())


def message(subject: str, body: str, to: list[str], headers: dict[str, str] | None = None) -> EmailMultiAlternatives:
    """An automatic mail from the hub (see the module's docstring); `headers` add to or replace its own."""
    headers = {"Auto-Submitted": "auto-generated", **(headers or {})}
    headers.setdefault("Message-ID", message_id())  # a digest brings its own, the same on every attempt
    return EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to, headers=headers)


def address_digest(email: str, purpose: str, secret: str | bytes | None = None) -> str:
    """A short keyed digest of an address, for a link to hold instead of the address (a link is signed, not
    encrypted, and ends up in proxy logs, browser history and mail gateways): it tells whether the link was made
    for the address an account or subscription has now, and cannot be turned back into it without the key."""
    return salted_hmac(purpose, email, secret=secret, algorithm="sha256").hexdigest()[:16]


def digest_names(digest: object, email: str, purpose: str) -> bool:
    """Whether a link's digest (address_digest) was made for `email`, under the current secret key or one being
    rotated out (PAPERHUB_SECRET_KEY_FALLBACKS), as the link's signature itself is checked."""
    return isinstance(digest, str) and any(constant_time_compare(digest, address_digest(email, purpose, key))
                                           for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def link_names(data: dict[str, Any], email: str, purpose: str) -> bool:
    """Whether a signed link's data was made for `email`: an old link holds the address ("email"), a new one its
    keyed digest ("a", see digest_names). An empty address is nobody's, so no link names it."""
    if not email:
        return False
    if "email" in data:
        return bool(data["email"] == email)
    return digest_names(data.get("a"), email, purpose)
