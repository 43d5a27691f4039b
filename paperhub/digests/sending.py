"""Sending a period's digests: one Delivery row per subscriber, claimed one at a time, sent, marked.

Why this is exactly once:
- the (subscription, period) unique row means a digest can be planned only once, however often and however
  many senders run;
- a sender claims a row with a conditional UPDATE (pending -> sending) before talking to SMTP, so two senders
  never send the same row;
- the row is marked sent in its own commit right after the SMTP server accepts the message, and only while
  this sender's claim still holds it (claims.py): a sender whose lease ran out while SMTP was slow, and whose
  row another sender claimed since, marks nothing and counts the row as lost, not as sent or failed.
A killed sender leaves a few rows "sending" (one per SMTP connection). A rerun on the same machine sees that
the claiming process is gone and settles them at once (elsewhere, when the claim's lease expires): the
sender appends each delivery's id and attempt to a journal file the moment the message's final "." is
written to the server (smtp.py), before the reply and the database commit, so a row in the journal is marked
sent and the others are sent. Only a kill in the microseconds between that send() and the one write() of
the journal can still send a message twice, and then with the same Message-ID, which receivers treat as the
same message. (A server that rejects a message at its final dot: the sender hears the rejection and records
a failure; only if it is killed in that same instant is the rejected message taken as sent.)
SMTP failures are retried with exponential backoff and reported; after MAX_ATTEMPTS the row is "gave_up",
listed by `paperhub digests status`, never dropped silently.
"""

import functools
import html
import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from paperhub.accounts import services as accounts
from paperhub.community.models import Collection
from paperhub.core import mail, process
from paperhub.core.addresses import hub_root, link
from paperhub.digests import building
from paperhub.digests.claims import LEASE, Claim, Journal, claim, journal_entries, journal_path
from paperhub.digests.models import Delivery, Subscription
from paperhub.digests.smtp import HandOverBackend
from paperhub.digests.subscriptions import unsubscribe_token
from paperhub.papers import periods
from paperhub.papers.models import Paper
from paperhub.papers.tex import plain_text
from paperhub.recommend import personal, space

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
UNSUBSCRIBED = "unsubscribed before it was sent"  # a skipped row's last_error when it was not for want of news
BACKOFF = timedelta(minutes=2)  # doubled after each failure: 2, 4, 8, 16, 32 minutes


@dataclass
class SendReport:
    """What one run of the sender did."""

    planned: int = 0
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    skipped: int = 0
    lost: int = 0  # rows whose claim ran out while this run was at them, and that another sender holds now
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The run in one line, as `paperhub digests send` prints it."""
        lost = f", {self.lost} taken over by another sender (their lease ran out)" if self.lost else ""
        return (f"{self.planned} newly planned, {self.sent} sent, {self.failed} failed (retried later with backoff), "
                f"{self.gave_up} given up, {self.skipped} skipped (nothing new, or unsubscribed since){lost}")


def plan(frequency: str, key: str, batch: int = 5000, collection: Collection | None = None) -> int:
    """Create the period's pending deliveries for every active subscriber (idempotent); returns how many are new.
    With a collection, its subscribers (a private one's: only those its owner subscribed), else the hub's."""
    table = Delivery._meta.db_table
    active = Subscription.objects.filter(frequency=frequency, confirmed_at__isnull=False,
                                         unsubscribed_at__isnull=True, collection=collection)
    if collection is not None:  # a banned owner's collection goes nowhere
        active = active.filter(collection__owner__is_active=True)
    if collection is not None and not collection.public:  # never a private collection to an address nobody vetted
        active = active.filter(subscribed_by_id=collection.owner_id)
    subscribers = active.order_by("id").values_list("id", flat=True)
    created = 0
    ids = list(subscribers)
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            before = Delivery.objects.filter(period=key, subscription_id__in=chunk).count()
            cursor.executemany(
                f"INSERT INTO {table} (subscription_id, period, status, attempts, next_attempt_at, last_error, "  # noqa: S608
                "message_id, claimed_by) VALUES (%s, %s, %s, 0, %s, '', '', '') "
                "ON CONFLICT (subscription_id, period) DO NOTHING",
                [(i, key, Delivery.PENDING, now) for i in chunk])
            created += Delivery.objects.filter(period=key, subscription_id__in=chunk).count() - before
    return created


def release_dead_claims(key: str) -> int:
    """Settle rows claimed by senders of this machine that are no longer running (killed midway).

    A row the dead sender's journal says was handed over (in its current attempt) is marked sent; the others go
    back to pending.
    """
    released = 0
    dead = {claimed_by for claimed_by in Delivery.objects.filter(period=key, status=Delivery.SENDING)
            .values_list("claimed_by", flat=True).distinct() if not process.alive(claimed_by)}
    for claimed_by in dead:
        path = journal_path(claimed_by)
        accepted = journal_entries(path)
        rows = Delivery.objects.filter(period=key, status=Delivery.SENDING, claimed_by=claimed_by)
        for delivery_id, subscription_id, attempts in list(rows.values_list("id", "subscription_id", "attempts")):
            if (delivery_id, attempts) in accepted:
                rows.filter(pk=delivery_id, attempts=attempts).update(
                    status=Delivery.SENT, sent_at=timezone.now(), claimed_by="", attempts=attempts + 1,
                    message_id=message_id(key, subscription_id))
        released += rows.update(status=Delivery.PENDING, claimed_by="")
        path.unlink(missing_ok=True)
    return released


def message_id(period: str, subscription_id: int) -> str:
    """The same Message-ID for every attempt at a delivery, so a resend is recognisably the same message."""
    return mail.message_id(f"digest.{period.replace(':', '.')}.{subscription_id}")


def list_id(period: str) -> str:
    """RFC 2919's List-Id of a frequency's digest (or of a collection's), what mail filters and clients' list
    views key on."""
    frequency, _, rest = period.partition(":")
    collection = rest.partition(":")[2]  # "c12", or none
    if collection:
        name = f"paperhub collection {collection[1:]} {frequency} digest"
        return f"{name} <{frequency}.{collection}.digest.{mail.domain()}>"
    return f"paperhub {frequency} digest <{frequency}.digest.{mail.domain()}>"


PICKS = 5  # a digest's personal picks
UNSUBSCRIBE_MARK = "\x00unsubscribe\x00"
PERSONAL_MARK = "\x00personal\x00"


@dataclass
class Rendered:
    """A period's digest rendered once; each copy only swaps in its own unsubscribe link."""

    digest: building.Digest
    text: str
    html: str


def render(digest: building.Digest, base_url: str) -> Rendered:
    context = {"digest": digest, "base_url": base_url, "unsubscribe": UNSUBSCRIBE_MARK, "personal": PERSONAL_MARK}
    name = "digests/collection" if digest.collection is not None else "digests/digest"
    return Rendered(digest, render_to_string(f"{name}.txt", context), render_to_string(f"{name}.html", context))


def personal_part(subscription: Subscription, period: periods.Period, base_url: str,
                  listed: frozenset[str] = frozenset()) -> tuple[str, str]:
    """The subscriber's own section (text, HTML): picks (but the papers the shared part `listed`, by uid) with
    feedback links, follows, saved searches; empty when no active account has verified the subscription's address
    or the account has told us nothing."""
    user = accounts.verified_user(subscription.email)  # never an account that merely claims the address
    if user is None:
        return "", ""
    try:
        updates = personal.updates(user, period.first, period.last + timedelta(days=1), picks=PICKS + len(listed))
        updates.picks = [p for p in updates.picks if p.paper.uid not in listed][:PICKS]  # a paper once per mail
    except space.NotReady as exc:  # a new hub's vectors are still being made: expected, no traceback
        log.warning("personal digest part for %s left out: recommendations are not ready (%s)",
                    subscription.email, exc)
        return "", ""
    except Exception:  # noqa: BLE001 (a broken personal part must not stop the shared digest)
        log.exception("personal digest part for %s failed", subscription.email)
        return "", ""
    if updates.empty:
        return "", ""
    # each pick as the shared part lists a paper (authors, summary), with why and the feedback links
    picks = [{"paper": paper, "reasons": "; ".join(p.reasons),
              "up": link(base_url, "feedback", personal.feedback_token(user, p.paper, "up")),
              "down": link(base_url, "feedback", personal.feedback_token(user, p.paper, "not"))}
             for p, paper in zip(updates.picks, building.shaped([p.paper for p in updates.picks]), strict=True)]
    shown = {"picks": picks, "followed": [_plain(p) for p in updates.followed],
             "searches": [(q, [_plain(p) for p in papers]) for q, papers in updates.searches]}
    context = {"updates": shown, "base_url": base_url}
    # without the template file's last newline: the shared part's next section brings its own blank line
    text = render_to_string("digests/personal.txt", context).rstrip("\n") + "\n"
    return text, render_to_string("digests/personal.html", context)


def _plain(paper: Paper) -> dict[str, str]:
    return {"uid": paper.uid, "title": plain_text(paper.title)}


def compose(subscription: Subscription, period: str, rendered: Rendered, base_url: str,
            personal: tuple[str, str] = ("", "")) -> EmailMultiAlternatives:
    """One subscriber's copy: HTML and text, List-Unsubscribe (RFC 2369) with one-click POST (RFC 8058), List-Id
    (RFC 2919), and the headers of all the hub's mail (core/mail.py)."""
    unsubscribe = link(base_url, "digest_unsubscribe", unsubscribe_token(subscription))
    text = rendered.text.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(PERSONAL_MARK, personal[0])
    message = mail.message(
        rendered.digest.subject, text, [subscription.email],
        headers={"Message-ID": message_id(period, subscription.pk), "List-Unsubscribe": f"<{unsubscribe}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "List-Id": list_id(period),
                 "Precedence": "bulk"},
    )
    message.attach_alternative(rendered.html.replace(UNSUBSCRIBE_MARK, html.escape(unsubscribe))
                               .replace(PERSONAL_MARK, personal[1]), "text/html")
    return message


def send_due(today: date | None = None, base_url: str = "", limit: int | None = None,
             connections: int = 4) -> dict[str, SendReport]:
    """Send the daily digests due, and on Mondays the weekly ones (for the week before), the collections' too; a
    report per frequency (and per collection: "daily c12")."""
    weekly = (today or date.today()).weekday() == 0
    reports: dict[str, SendReport] = {}
    for frequency in ["daily", "weekly"] if weekly else ["daily"]:
        reports |= send_all(frequency, today, base_url, limit, connections)
    return reports


def send_all(frequency: str, today: date | None = None, base_url: str = "", limit: int | None = None,
             connections: int = 1) -> dict[str, SendReport]:
    """The hub's digest of a frequency, then each collection's that some address gets, but a banned owner's (a
    report for each)."""
    reports = {frequency: send(frequency, today, base_url, limit, connections)}
    mailed = (Subscription.objects.filter(frequency=frequency, collection__isnull=False, confirmed_at__isnull=False,
                                          unsubscribed_at__isnull=True).values("collection_id"))
    for collection in (Collection.objects.filter(pk__in=mailed, owner__is_active=True)  # none of a banned owner's
                       .select_related("owner").order_by("pk")):
        reports[f"{frequency} c{collection.pk}"] = send(frequency, today, base_url, limit, connections, collection)
    return reports


def send(frequency: str, today: date | None = None, base_url: str = "", limit: int | None = None,
         connections: int = 1, collection: Collection | None = None) -> SendReport:
    """Plan and send the digests due for a frequency (the hub's, or a collection's); safe to kill and to run
    again, or in several processes.

    `connections` SMTP connections work side by side (threads, each claiming its own rows): most of a
    message's time is waiting for the SMTP server's replies.
    """
    period = building.period_for(frequency, today or timezone.localdate())
    key = building.period_key(frequency, period, collection.pk if collection is not None else None)
    report = SendReport(planned=plan(frequency, key, collection=collection))
    release_dead_claims(key)
    base_url = base_url or hub_root()
    digest = (building.build(frequency, period) if collection is None
              else building.build_collection(frequency, period, collection, base_url))
    run = Run(key, period, base_url, render(digest, base_url), report, limit)
    try:
        _side_by_side(run.work, connections)
    finally:
        run.journal.close()
    journal_path(run.sender).unlink(missing_ok=True)  # everything it noted is committed by now
    return report


class Run:
    """One sending run: what its SMTP connections share (the rendered digest, the report, the journal), and the
    steps each connection repeats: claim a row, compose its message, hand it over, mark the row."""

    def __init__(self, key: str, period: periods.Period, base_url: str, rendered: Rendered, report: SendReport,
                 limit: int | None) -> None:
        self.key, self.period, self.base_url, self.rendered = key, period, base_url, rendered
        self.listed = frozenset(p.uid for p in rendered.digest.top)
        self.report, self.limit = report, limit
        self.subscribers = Subscription.objects.in_bulk(
            list(Delivery.objects.filter(period=key).exclude(status=Delivery.SENT)
                 .values_list("subscription_id", flat=True)))
        self.lock = threading.Lock()
        self.sender = process.identity()
        self.journal = Journal(self.sender)

    def work(self) -> None:
        """Send over one SMTP connection until no row is left to claim, or the run's limit is reached."""
        smtp = _connection()
        try:
            while not self._at_limit():
                held = claim(self.key, self.sender)
                if held is None:
                    return
                self._deliver(smtp, held)
        finally:
            smtp.close()

    def _at_limit(self) -> bool:
        with self.lock:
            done = self.report.sent + self.report.failed + self.report.lost
            return self.limit is not None and done >= self.limit

    def _deliver(self, smtp: Any, held: Claim) -> None:
        """Send one claimed row's message and mark the row sent, or failed (to be retried with backoff), if the
        claim still holds it."""
        subscription = self.subscribers.get(held.subscription_id) or Subscription.objects.get(pk=held.subscription_id)
        if not held.subscribed:
            # stopped since the row was planned (a pending or failed one of this period): it goes nowhere
            self._count("skipped", held.mark(status=Delivery.SKIPPED, last_error=UNSUBSCRIBED), subscription.email)
            return
        own = (personal_part(subscription, self.period, self.base_url, self.listed)
               if subscription.collection_id is None else ("", ""))  # a list address is nobody's own inbox
        if self.rendered.digest.empty and not own[0]:
            self._count("skipped", held.mark(status=Delivery.SKIPPED, last_error=""), subscription.email)
            return
        try:
            message = compose(subscription, self.key, self.rendered, self.base_url, own)
            _hand_over(smtp, message, functools.partial(self.journal.accepted, held.delivery_id, held.attempts))
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self._failed(held, subscription.email, exc)
            smtp.close()  # a broken connection is reopened for the next message
        else:
            marked = held.mark(status=Delivery.SENT, sent_at=timezone.now(), attempts=held.attempts + 1,
                               message_id=message_id(self.key, held.subscription_id), last_error="")
            self._count("sent", marked, subscription.email)

    def _failed(self, held: Claim, email: str, exc: Exception) -> None:
        attempts = held.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:1000]
        outcome = "gave_up" if attempts >= MAX_ATTEMPTS else "failed"
        marked = held.mark(status=Delivery.GAVE_UP if outcome == "gave_up" else Delivery.FAILED, attempts=attempts,
                           last_error=error, next_attempt_at=timezone.now() + BACKOFF * 2 ** (attempts - 1))
        if marked:
            log.warning("digest to %s failed (attempt %d of %d): %s", email, attempts, MAX_ATTEMPTS, error)
            with self.lock:
                self.report.errors.append(f"{email}: {error}")
        self._count(outcome, marked, email)

    def _count(self, outcome: str, marked: bool, email: str) -> None:
        """Count a row's outcome (a SendReport field), or, when its claim was lost before the mark, the loss: the
        sender that holds the row now counts its outcome, so no row is counted twice."""
        with self.lock:
            if marked:
                setattr(self.report, outcome, getattr(self.report, outcome) + 1)
            else:
                self.report.lost += 1
        if not marked:
            log.warning("digest to %s: the claim on its delivery ran out (after %s) and another sender holds it "
                        "now; this run's outcome (%s) is not recorded, that sender's is", email, LEASE, outcome)


def _hand_over(smtp: Any, message: EmailMultiAlternatives, handed_over: Callable[[], None]) -> None:
    """Send a message, calling `handed_over` once the server has it: as its final dot goes out over SMTP (before
    the reply), else once the backend reports it sent."""
    if isinstance(smtp, HandOverBackend):
        smtp.send_handing_over(message, handed_over)
    elif smtp.send_messages([message]):
        handed_over()


def _side_by_side(work: Callable[[], None], connections: int) -> None:
    """Run `work` once here, or in `connections` threads at once."""
    if connections <= 1:
        work()
        return
    threads = [threading.Thread(target=_closing(work)) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _connection() -> Any:
    """An SMTP connection that journals hand-overs when mail goes out by SMTP (else the configured backend)."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return HandOverBackend()
    return get_connection()


def _closing(function: Callable[[], None]) -> Callable[[], None]:
    """Run in a thread, then close that thread's database connection."""
    def run() -> None:
        try:
            function()
        finally:
            connection.close()
    return run
