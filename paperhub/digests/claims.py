"""The claims on delivery rows that make a digest go out once (the protocol: paperhub/digests/sending.py).

A sender claims a row with one conditional UPDATE, then marks it (sent, failed, skipped) only while that claim
still holds: a sender whose lease ran out while SMTP was slow, and whose row another sender has claimed since,
changes nothing and hears so. Also the journal of hand-overs a killed sender leaves behind.
"""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from paperhub.core import mail
from paperhub.digests.models import Delivery, Subscription

LEASE = mail.CLAIM_LEASE  # a "sending" row older than this belongs to a sender that died


@dataclass(frozen=True)
class Claim:
    """A delivery row as one sender claimed it: who, when, its attempts so far, and whether its address was still
    subscribed at that moment (read by the claim itself: no query per message)."""

    delivery_id: int
    subscription_id: int
    attempts: int
    by: str
    at: datetime
    subscribed: bool = True

    def mark(self, **fields: Any) -> bool:
        """Write `fields` to the row if this claim still holds it (and end the claim); False when the claim
        was lost: its lease ran out and another sender (or another connection of this one) claimed the row."""
        held = Delivery.objects.filter(pk=self.delivery_id, status=Delivery.SENDING, claimed_by=self.by,
                                       claimed_at=self.at, attempts=self.attempts)
        return held.update(claimed_by="", **fields) == 1


_CLAIM = """
UPDATE {table} SET status = %s, claimed_at = %s, claimed_by = %s
WHERE id = (SELECT id FROM {table} WHERE {due} ORDER BY id LIMIT 1) AND {due}
RETURNING id, subscription_id, attempts,
    (SELECT s.unsubscribed_at IS NULL FROM {subscriptions} s WHERE s.id = {table}.subscription_id)
"""
_DUE = "period = %s AND (status = %s OR (status = %s AND next_attempt_at <= %s) OR (status = %s AND claimed_at < %s))"


def claim(key: str, by: str) -> Claim | None:
    """Take the next deliverable row of a period for sender `by`, or None when none is left.

    One statement: the row is chosen and claimed atomically; a sender that loses a race to another one
    gets no row from it and tries again.
    """
    table = Delivery._meta.db_table
    sql = _CLAIM.format(table=table, due=_DUE, subscriptions=Subscription._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value  # as the ORM writes it, so Claim.mark's filter finds it
    while True:
        now = timezone.now()
        due: list[Any] = [key, Delivery.PENDING, Delivery.FAILED, stamp(now), Delivery.SENDING, stamp(now - LEASE)]
        with connection.cursor() as cursor:
            cursor.execute(sql, [Delivery.SENDING, stamp(now), by, *due, *due])
            row = cursor.fetchone()
        if row is not None:
            return Claim(int(row[0]), int(row[1]), int(row[2]), by, now, subscribed=bool(row[3]))
        if not Delivery.objects.filter(_claimable(key, now)).exists():
            return None


def _claimable(key: str, now: datetime) -> Q:
    return Q(period=key) & (
        Q(status=Delivery.PENDING)
        | Q(status=Delivery.FAILED, next_attempt_at__lte=now)
        | Q(status=Delivery.SENDING, claimed_at__lt=now - LEASE)
    )


def journal_path(claimed_by: str) -> Path:
    """Where a sender of this machine notes each delivery the SMTP server accepted, the moment it does."""
    return Path(settings.DATA_DIR) / "digests" / f"{claimed_by.replace(':', '-').replace('/', '_')}.accepted"


class Journal:
    """Append-only notes of accepted deliveries: one write() each, so they survive a SIGKILL of the sender.

    They close the gap between the SMTP server's acceptance and the database commit: a rerun finds the
    deliveries a killed sender got accepted but could not mark, and marks them sent instead of resending.
    """

    def __init__(self, claimed_by: str) -> None:
        path = journal_path(claimed_by)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def accepted(self, delivery_id: int, attempt: int) -> None:
        os.write(self._fd, f"{delivery_id}:{attempt}\n".encode())

    def close(self) -> None:
        os.close(self._fd)


def journal_entries(path: Path) -> set[tuple[int, int]]:
    """(delivery id, attempt) pairs a journal holds (a line cut short by a kill is ignored)."""
    if not path.exists():
        return set()
    found = set()
    for line in path.read_text().split():
        delivery_id, _, attempt = line.partition(":")
        if delivery_id.isdigit() and attempt.isdigit():
            found.add((int(delivery_id), int(attempt)))
    return found
