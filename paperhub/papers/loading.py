"""Bulk loads: the foreign keys of the tables a load fills checked once at its end (or batch by batch), not row by
row. A snapshot ingest fills the papers' link tables this way, a vector pack's import the vectors' table.

PostgreSQL checks a foreign key with a trigger per inserted row, which locks the row it points to: landing the
433,342 author links of 74,728 papers took 4.8 s with their two keys and 1.2 s without. So a bulk load (`paperhub
ingest snapshot`) drops the keys of the tables it fills, as PostgreSQL's own advice for populating a database
says, and adds them back at its end, NOT VALID then VALIDATE: one pass over each table, which blocks neither
readers nor writers, after one ANALYZE of the tables the checks read (their statistics are stale after a load).
Should a row be left pointing nowhere meanwhile (a paper deleted by someone else during the load), VALIDATE fails;
such rows are deleted then, as the deletion's cascade would have done, and it runs again.

The drop and the record of what was dropped (SuspendedForeignKey) commit together, so a load killed midway leaves
the record; restore() adds the keys back, and runs at the start of every bulk load and before every migration.
When the tables cannot be locked within LOCK_TIMEOUT (a long query holds them; queries queue behind the wait, so
it is short) in LOCK_ATTEMPTS tries, the load runs with its keys in place.

SQLite checks keys per row too (0.5 s of the 1.6 s the author links of that file take there). Its switch is per
connection (PRAGMA foreign_keys), so a load turns checking off for itself alone and, after each batch and at its
end, deletes the rows added since (ids past those there before) that point nowhere. Nothing is left to restore
after a kill: the switch goes with the connection, and each batch's links point to papers and authors its own
write transaction saw.
"""

import contextlib
import logging
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper

from paperhub.papers.changes import LINK_KEYS, serialize
from paperhub.papers.models import (
    Author,
    Category,
    FeedEntry,
    Paper,
    PaperAuthor,
    PaperCategory,
    SuspendedForeignKey,
)

log = logging.getLogger(__name__)

#: How long a load waits for the locks dropping a key takes (every query of those tables queues behind it meanwhile:
#: a page would wait that long), how many times it tries, a pause apart, before it goes on with its keys in place.
LOCK_TIMEOUT, LOCK_ATTEMPTS, LOCK_PAUSE = "200ms", 10, 0.5


def _foreign_keys(tables: Sequence[str]) -> list[tuple[str, str, str, bool]]:
    """Each foreign key of `tables`: (table, constraint name, definition, validated)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2", [list(tables)])
        return [(table, name, definition, valid) for table, name, definition, valid in cursor.fetchall()]


def _target(definition: str) -> str:
    """The table a key's definition points to."""
    # pg_get_constraintdef: FOREIGN KEY (author_id) REFERENCES papers_author(id) DEFERRABLE INITIALLY DEFERRED
    return definition.split("REFERENCES ", 1)[1].split("(", 1)[0].strip('"')


def _suspend(tables: Sequence[str]) -> bool:
    """Drop the foreign keys of `tables`, recording them in the same transaction; False if the locks stayed busy."""
    reason: Exception | None = None
    for attempt in range(LOCK_ATTEMPTS):
        if attempt:
            time.sleep(LOCK_PAUSE)
        try:
            _drop_and_note(tables)
            return True
        except DatabaseError as exc:  # lock_timeout (a long query holds a table), or a deadlock it lost
            reason = exc
    log.warning("bulk load with foreign keys checked row by row: %s", reason)
    return False


def _drop_and_note(tables: Sequence[str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        serialize(LINK_KEYS)  # loads at once: one drops or adds back keys at a time
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        keys = _foreign_keys(tables)
        # what dropping a key takes, on both its tables
        _lock_in_write_order(cursor, "ACCESS EXCLUSIVE", [*tables, *(_target(d) for _, _, d, _ in keys)])
        for table, name, definition, _ in keys:
            definition = definition.removesuffix(" NOT VALID")  # (validated when it comes back)
            SuspendedForeignKey.objects.create(table=table, name=name, definition=definition)
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')


def _orphans_deleted(cursor: CursorWrapper, table: str, definition: str) -> int:
    """Delete the rows of `table` whose key points to no row (the definition names column and target)."""
    column = definition.split("(", 1)[1].split(")", 1)[0]
    target_column = definition.split("REFERENCES ", 1)[1].split("(", 1)[1].split(")", 1)[0]
    return _delete_orphans(cursor, table, column, _target(definition), target_column)


def _delete_orphans(cursor: CursorWrapper, table: str, column: str, target: str, target_column: str,
                    after: int = 0, upto: int | None = None) -> int:
    """Delete the rows of `table` (with ids past `after`, up to `upto`) whose `column` matches no `target_column`
    of `target`."""
    if connection.vendor == "sqlite":  # a rowid probe per row: twice as quick there as the correlated NOT EXISTS
        missing = f'"{column}" NOT IN (SELECT "{target_column}" FROM "{target}")'
    else:  # (PostgreSQL turns NOT IN into a scan per row once the ids outgrow work_mem)
        missing = f'NOT EXISTS (SELECT 1 FROM "{target}" AS r WHERE r."{target_column}" = "{table}"."{column}")'
    within = "" if upto is None else " AND id <= %s"
    cursor.execute(f'DELETE FROM "{table}" WHERE id > %s{within} AND {missing}',
                   [after] if upto is None else [after, upto])
    return int(cursor.rowcount)


#: The order a batch of a load writes the papers and link tables in (papers first).
_WRITE_ORDER = [model._meta.db_table for model in (Paper, Author, PaperAuthor, Category, PaperCategory, FeedEntry)]


def _lock_in_write_order(cursor: CursorWrapper, mode: str, tables: Collection[str]) -> None:
    """Lock `tables` in `mode`, in the order a batch of a load writes them, any others (a vector import's) after.

    Dropping a key or adding it back locks its table and the one it points to. Taken key by key (feed entries
    first), beside another load's batch that had written papers and went on to place them in the feed, the two
    waited for each other ("deadlock detected", twelve ingests at once in tests/jobs/test_jobs.py); taken in the
    batches' own order, whichever comes second waits for the first to commit."""
    rank = {table: i for i, table in enumerate(_WRITE_ORDER)}
    order = sorted(set(tables), key=lambda table: (rank.get(table, len(rank)), table))
    cursor.execute(f"LOCK TABLE {', '.join(order)} IN {mode} MODE")


def restore(tables: Sequence[str] = ()) -> int:
    """Add back every suspended foreign key (and validate any left NOT VALID on `tables`); how many came back."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        serialize(LINK_KEYS)
        suspended = list(SuspendedForeignKey.objects.order_by("id"))
        if suspended:  # what adding a key back takes
            _lock_in_write_order(cursor, "SHARE ROW EXCLUSIVE",
                                 [table for key in suspended for table in (key.table, _target(key.definition))])
        for key in suspended:
            cursor.execute(f'ALTER TABLE "{key.table}" ADD CONSTRAINT "{key.name}" {key.definition} NOT VALID')
            key.delete()
    # Apart: VALIDATE takes a lock that lets reads and writes go on (ADD's lock, held to the end of its
    # transaction, stops writes), and a key NOT VALID is enforced for new rows already; a run killed before this
    # point is finished by the next one (the key is still NOT VALID then).
    checked = {key.table for key in suspended} | set(tables)
    with transaction.atomic(), connection.cursor() as cursor:
        serialize(LINK_KEYS)
        pending = [(table, name, definition) for table, name, definition, valid in _foreign_keys(sorted(checked))
                   if not valid]
        if pending:
            # statistics first, once for every table the checks read: a table just bulk-loaded has none, or ones
            # taken while it was empty, and a check's anti-join planned on them can be a nested loop over both
            # (seen: a 74,728-paper load's author keys validating for over 20 minutes; 3.2 s against 0.6 s for
            # 433K author links analysed while empty). ANALYZE samples at most 30,000 rows a table, whatever its
            # size, and takes a lock that lets reads and writes go on (a VACUUM of the same table waits for it).
            analysed = dict.fromkeys(t for table, _, definition in pending for t in (table, _target(definition)))
            cursor.execute("ANALYZE " + ", ".join(f'"{t}"' for t in analysed))
        for table, name, definition in pending:
            _validate(cursor, table, name, definition)
    return len(suspended)


def _validate(cursor: CursorWrapper, table: str, name: str, definition: str) -> None:
    """VALIDATE a key added back NOT VALID. Rows pointing nowhere (a paper deleted by someone else during the load:
    rare) make it fail; they are deleted then, as the deletion's cascade would have done, and it is run again.
    (Looking for them first cost a second pass over the table every load: 0.6 s of a 74,728-paper one.)"""
    validate = f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"'
    try:
        with transaction.atomic():
            cursor.execute(validate)
        return
    except IntegrityError:
        pass
    orphans = _orphans_deleted(cursor, table, definition)
    log.warning("deleted %d rows of %s that pointed nowhere after a bulk load", orphans, table)
    cursor.execute(validate)


def before_migrations(**_: Any) -> None:
    """pre_migrate: add back the foreign keys a killed bulk load left dropped (a migration may alter them)."""
    if SuspendedForeignKey._meta.db_table in connection.introspection.table_names():
        restore()


def no_check() -> None:
    """What a load calls after each batch where its keys are checked otherwise (PostgreSQL, row by row)."""


@contextlib.contextmanager
def keys_checked_in_bulk(tables: Sequence[str]) -> Iterator[Callable[[], None]]:
    """A bulk load into `tables` with their foreign keys checked in bulk (see above): on PostgreSQL once, at its
    end; on SQLite by the function it gives, to call after each batch, and at its end."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with _unchecked_on_sqlite(tables) as check:
            yield check
        return
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield no_check  # (inside a transaction, the dropped keys would hold their locks until it ends)
        return
    restore(tables)  # what a killed load left
    suspended = _suspend(tables)
    try:
        yield no_check
    finally:
        if suspended:
            restore(tables)


@contextlib.contextmanager
def _unchecked_on_sqlite(tables: Sequence[str]) -> Iterator[Callable[[], None]]:
    """SQLite: this connection's key checks off for the load; the rows it added that point nowhere are deleted
    batch by batch (the load's writer waits for its parser now and then: the checks fit in those waits, instead
    of a quarter of a second at the end of 75K papers) and at its end."""
    checked = _last_ids(tables)
    with connection.cursor() as cursor:
        keys: list[tuple[str, str, str, str]] = []  # (table, column, target, target column), read once
        for table in tables:
            cursor.execute(f'PRAGMA foreign_key_list("{table}")')
            keys.extend((table, column, target, target_column)
                        for _, _, target, column, target_column, *_ in cursor.fetchall())

    def check() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            last = _last_ids(tables)  # (rows added past these, by anyone, are the next check's)
            for table, column, target, target_column in keys:
                if orphans := _delete_orphans(cursor, table, column, target, target_column, checked[table],
                                              last[table]):
                    log.warning("deleted %d rows of %s that pointed nowhere after a bulk load", orphans, table)
        checked.update(last)

    if not connection.disable_constraint_checking():
        yield no_check
        return
    try:
        yield check
    finally:
        connection.enable_constraint_checking()
        check()


def _last_ids(tables: Sequence[str]) -> dict[str, int]:
    with connection.cursor() as cursor:
        last = {}
        for table in tables:
            cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')
            last[table] = cursor.fetchone()[0]
    return last
