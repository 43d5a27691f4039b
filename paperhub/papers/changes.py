"""Change stamps: the order in which writes to papers (and their vectors) became visible.

Search indexes on every node follow the database by a cursor: papers in (changed_at, id) order, vectors in id
order. A cursor only works if nothing can later commit *behind* it. Two writers on PostgreSQL break that
naively: a long ingest batch stamps its rows at 12:00:00 but commits at 12:00:02, after an upvote stamped
12:00:01 that a follower has already read past. So every transaction that stamps papers (or inserts vectors)
first takes a transaction-scoped lock, and stamps after it: stamps then increase in commit order, and
`next_stamp()` also never goes below the newest stamp already stored, so clocks that differ between machines
cannot reorder them either. SQLite writers are serialized by the database itself (BEGIN IMMEDIATE); the
same rule of "stamp strictly after the newest one" holds there.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Max
from django.utils import timezone

# Arbitrary, fixed keys for pg_advisory_xact_lock (one lock per ordered stream).
PAPER_CHANGES = 7_301_000_001
VECTOR_WRITES = 7_301_000_002
LINK_KEYS = 7_301_000_004  # a bulk load dropping or adding back foreign keys (papers/loading.py)

_TICK = timedelta(microseconds=1)


def serialize(key: int) -> None:
    """Inside a transaction: wait for any other transaction holding `key`; held until this one ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("serialize() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def next_stamp() -> datetime:
    """Inside a transaction: hold the paper-changes lock and return a stamp later than every stored one."""
    from paperhub.papers.models import Paper

    serialize(PAPER_CHANGES)
    newest = Paper.objects.aggregate(newest=Max("changed_at"))["newest"]
    now = timezone.now()
    return now if newest is None or now > newest else newest + _TICK
