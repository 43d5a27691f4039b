"""Two senders on one delivery row: only the one whose claim still holds the row marks it and counts it."""

from datetime import UTC, date, datetime, timedelta

import pytest

from paperhub.digests import building, claims, sending
from paperhub.digests.models import Delivery, Subscription
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import feed_entry, record

TODAY = date(2026, 11, 24)
PERIOD = building.period_for("daily", TODAY)
KEY = building.period_key("daily", PERIOD)


@pytest.fixture
def planned(db):
    """One confirmed subscriber, yesterday's feed with a paper in it, and the period's delivery row."""
    upsert_papers([record("2611.00001", published=datetime(2026, 11, 22, tzinfo=UTC))])
    feed_entry(Paper.objects.get(), PERIOD.first)
    Subscription.objects.create(email="ann@example.org", confirmed_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert sending.plan("daily", KEY) == 1


@pytest.mark.parametrize("second", ["other-host:2", "same"], ids=["another sender", "another connection"])
def test_a_claim_whose_lease_ran_out_marks_nothing(planned, monkeypatch, second):
    first = claims.claim(KEY, "host:1")
    assert first is not None and claims.claim(KEY, "other-host:2") is None  # held: nobody else gets it
    monkeypatch.setattr(claims, "LEASE", timedelta(0))  # as if SMTP had kept the first sender past its lease
    taken = claims.claim(KEY, "host:1" if second == "same" else second)
    assert taken is not None and taken.delivery_id == first.delivery_id
    assert not first.mark(status=Delivery.SENT, attempts=1)
    row = Delivery.objects.get()
    assert (row.status, row.claimed_by, row.attempts) == (Delivery.SENDING, taken.by, 0)
    assert taken.mark(status=Delivery.SENT, attempts=1)
    assert not first.mark(status=Delivery.FAILED, attempts=1)  # nor after the other sender's mark
    assert (Delivery.objects.get().status, Delivery.objects.get().claimed_by) == (Delivery.SENT, "")


def _run() -> sending.Run:
    base = "https://hub.example"
    return sending.Run(KEY, PERIOD, base, sending.render(building.build("daily", PERIOD), base),
                       sending.SendReport(), None)


def test_the_slow_sender_reports_the_row_lost_and_counts_it_nowhere_else(planned, mail_sink, monkeypatch, settings,
                                                                           caplog):
    slow, fast = _run(), _run()
    held = claims.claim(KEY, "slow-host:1")
    monkeypatch.setattr(claims, "LEASE", timedelta(0))
    taken = claims.claim(KEY, "fast-host:2")
    smtp = sending._connection()
    slow._deliver(smtp, held)  # its message reaches the server, but the row is no longer its own
    assert Delivery.objects.get().status == Delivery.SENDING
    fast._deliver(smtp, taken)
    assert (slow.report.sent, slow.report.lost, fast.report.sent, fast.report.lost) == (0, 1, 1, 0)
    assert "1 taken over by another sender" in slow.report.line() and "taken over" not in fast.report.line()
    assert "another sender holds it now" in caplog.text
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == (Delivery.SENT, 1)
    assert len({m["Message-ID"] for m in mail_sink.messages}) == 1  # both copies one message to the mailbox
    # a failure heard after the claim was lost neither counts as one nor writes over the row
    Delivery.objects.update(status=Delivery.PENDING, attempts=0)
    held, taken = claims.claim(KEY, "slow-host:1"), claims.claim(KEY, "fast-host:2")
    settings.EMAIL_PORT = 1  # nothing listens there
    late = _run()
    late._deliver(sending._connection(), held)
    assert (late.report.failed, late.report.lost, late.report.errors) == (0, 1, [])
    assert Delivery.objects.get().status == Delivery.SENDING and Delivery.objects.get().claimed_by == taken.by
    for run in (slow, fast, late):
        run.journal.close()
