"""Leases: one holder at a time for a named job across every process and machine of a hub.

A holder renews its lease while it works; if it dies, the lease expires and another process takes over.
One statement decides (INSERT ... ON CONFLICT DO UPDATE ... WHERE), identical on SQLite and PostgreSQL.
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from paperhub.core import process
from paperhub.jobs.models import Lease

_TAKE = """
INSERT INTO {table} (name, holder, expires_at) VALUES (%s, %s, %s)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE {table}.holder = excluded.holder OR {table}.expires_at < %s
RETURNING holder
"""


def hold(name: str, seconds: float = 60, holder: str = "") -> bool:
    """Take or renew the lease `name` for `seconds` (for this process unless `holder` says who); False when another
    live holder has it."""
    holder = holder or process.identity()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_TAKE.format(table=Lease._meta.db_table),
                       [name, holder, now + timedelta(seconds=seconds), now])
        return cursor.fetchone() is not None


def release(name: str, holder: str = "") -> None:
    """Give the lease up at once (when this holder has it), so another process need not wait for it to expire."""
    Lease.objects.filter(name=name, holder=holder or process.identity()).delete()
