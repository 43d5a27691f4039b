"""Set-at-a-time SQL for ingest, the same on SQLite and PostgreSQL: what the ORM does row by row, in bulk."""

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from django.db import IntegrityError, connection, transaction

#: One row's values, in the order of the columns it is written with.
Row = tuple[Any, ...]


def chunk_size(columns: int = 1) -> int:
    """How many rows of `columns` parameters fit one statement."""
    limit = 65535
    if connection.vendor == "sqlite":
        limit = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    return max(1, (limit - 1) // columns)


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _matching(key: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
    """SQL conditions "key is one of values" with their parameters: one array on PostgreSQL (a long IN list costs
    it more to plan than to run), IN lists as long as SQLite allows there."""
    if connection.vendor == "postgresql":
        if values:
            yield _one_array(key, values)
        return
    for chunk in chunks(values, chunk_size() - 1):
        yield f"{key} IN ({','.join(['%s'] * len(chunk))})", list(chunk)


def _one_array(key: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """PostgreSQL: "key = ANY(array)" with the array sent as one string: ids joined by commas, texts as a JSON array.
    The driver writes a list parameter into the statement element by element in Python, and the server parses an
    array literal more slowly than JSON: 50,000 uids looked up took 0.19-0.23 s, now 0.14 s (a vector import makes
    two such look-ups per 50,000 vectors)."""
    if all(type(value) is int for value in values):
        return f"{key} = ANY(string_to_array(%s, ',')::bigint[])", [",".join(map(str, values))]
    if all(type(value) is str for value in values):
        # (not escaped to ASCII: \u escapes of non-ASCII characters fail where the server's encoding is not UTF-8)
        texts = json.dumps(values, ensure_ascii=False)
        return f"{key} = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))", [texts]
    return f"{key} = ANY(%s)", [list(values)]


@contextlib.contextmanager
def _cursor() -> Iterator[Any]:
    """A cursor for statements written with %s placeholders. On SQLite it is sqlite3's own, the statement's
    placeholders turned into ? by a plain replace: Django's cursor rewrites them with a regular expression,
    which costs more than running a statement of thousands of parameters."""
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    yield _SQLiteCursor(connection.connection.cursor())


class _SQLiteCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor

    # (errors made Django's, as its own cursor makes them)
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with connection.wrap_database_errors:
            self.cursor.execute(sql.replace("%s", "?"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with connection.wrap_database_errors:
            self.cursor.executemany(sql.replace("%s", "?"), rows)

    @property
    def rowcount(self) -> int:
        return self.cursor.rowcount

    def fetchall(self) -> list[Any]:
        return self.cursor.fetchall()


def select_ids(table: str, column: str, values: Sequence[Any]) -> dict[Any, int]:
    """Map each value of a unique column to its row id."""
    found: dict[Any, int] = {}
    with _cursor() as cursor:
        for condition, params in _matching(column, values):
            cursor.execute(f"SELECT {column}, id FROM {table} WHERE {condition}", params)
            found.update(cursor.fetchall())
    return found


def _staged(table: str, columns: Sequence[str], rows: Sequence[Row]) -> str:
    """PostgreSQL: the rows COPied into a temporary table shaped like `columns` of `table` (dropped at commit);
    its name, to INSERT ... SELECT from. COPY takes rows several times faster than INSERT statements do."""
    stage = f"stage_{table}_{abs(hash(tuple(columns))) % 10**8}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
                       f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA")
        cursor.execute(f"DELETE FROM {stage}")
    load_rows(stage, columns, rows)
    return stage


def insert_ignore(table: str, columns: Sequence[str], rows: list[Row], conflict: Sequence[str]) -> int:
    """Insert rows, skipping those that would break the unique constraint on `conflict`; how many were inserted.
    (Another constraint broken raises the error, to be caught outside an atomic block around the call: _insert_into.)"""
    if not rows:
        return 0
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        stage = _staged(table, columns, rows)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {stage} "
                           f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING")
            return int(cursor.rowcount)
    return _insert_values(table, columns, rows, f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING")


def _insert_values(table: str, columns: Sequence[str], rows: Sequence[Row], tail: str = "") -> int:
    """INSERT rows as multi-row VALUES statements (ending with `tail`); how many were inserted. On SQLite this takes
    rows about twice as fast as executemany, which runs the statement once per row."""
    inserted = 0
    with _all_or_nothing(), _cursor() as cursor:
        head = _insert_into()
        for chunk in _statement_chunks(rows, len(columns)):
            cursor.execute(_values_sql(head, table, columns, len(chunk), tail), list(chain.from_iterable(chunk)))
            inserted += max(0, int(cursor.rowcount))
    return inserted


def _values_sql(head: str, table: str, columns: Sequence[str], rows: int, tail: str = "") -> str:
    """A multi-row INSERT's text: `head` ("INSERT INTO", _insert_into), `rows` rows of placeholders, then `tail`."""
    one = f"({', '.join(['%s'] * len(columns))})"
    return f"{head} {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)}{tail}"


#: The most rows one multi-row statement takes (fewer where the database's limit on parameters says so).
STATEMENT_ROWS = 1024


def _statement_chunks(rows: Sequence[Row], columns: int) -> Iterator[Sequence[Row]]:
    """Consecutive slices of rows for multi-row statements, each of a power of two rows, the largest first: the
    statements' texts come from a dozen lengths, so SQLite prepares each once per connection and reuses it (preparing
    a statement of 10,000 rows took 5 times as long as running it, and every batch's last one was a new length)."""
    most = 1 << (min(chunk_size(columns), STATEMENT_ROWS).bit_length() - 1)
    start = 0
    while start < len(rows):
        size = most
        while size > len(rows) - start:
            size >>= 1
        yield rows[start:start + size]
        start += size


def _all_or_nothing() -> contextlib.AbstractContextManager[Any]:
    """Around a write of several statements: a transaction of its own when none is open (else the open one's)."""
    return contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic()


def _insert_into() -> str:
    """The start of a multi-row INSERT. On SQLite inside a transaction (the writers here open one, _all_or_nothing),
    OR FAIL: a row breaking a constraint still raises the error, but SQLite keeps no statement journal (a copy of
    each page a statement touches, kept to undo the statement alone: 15-25% of an ingest's author-link inserts),
    since the rows before it stay. The transaction, or the savepoint of an atomic block around the write, undoes them
    when the error leaves it: so an error of these writes is caught outside an atomic block around them, never
    inside the block (as Django asks of any database error)."""
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        return "INSERT OR FAIL INTO"
    return "INSERT INTO"


def insert_returning_ids(table: str, columns: Sequence[str], rows: list[Row], key: str) -> dict[Any, int]:
    """Insert rows (skipping conflicts on the unique column `key`) and map every row's key to its id.

    Multi-row INSERT ... RETURNING gives the new rows' ids in the same statement; the rare row that was
    already there (another ingest got to it first) is looked up afterwards. (Errors: as insert_ignore's.)
    """
    if not rows:
        return {}
    ids = _inserted_ids(table, columns, rows, key)
    position = list(columns).index(key)
    missing = [row[position] for row in rows if row[position] not in ids]
    if missing:
        ids.update(select_ids(table, key, missing))
    return ids


def _inserted_ids(table: str, columns: Sequence[str], rows: list[Row], key: str) -> dict[Any, int]:
    """Insert rows, skipping conflicts on `key`, in statements that return the inserted rows' ids; map their keys
    to those ids."""
    ids: dict[Any, int] = {}
    pending = rows
    staged = connection.vendor == "postgresql" and connection.in_atomic_block  # (asked before opening one)
    with _all_or_nothing(), _cursor() as cursor:
        if staged:
            stage = _staged(table, columns, rows)
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {stage} "
                           f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}, id")
            ids.update(cursor.fetchall())
            pending = []  # (all inserted above)
        head, tail = _insert_into(), f" ON CONFLICT ({key}) DO NOTHING RETURNING {key}, id"
        for chunk in _statement_chunks(pending, len(columns)):
            cursor.execute(_values_sql(head, table, columns, len(chunk), tail), list(chain.from_iterable(chunk)))
            ids.update(cursor.fetchall())
    return ids


def insert_new(table: str, columns: Sequence[str], rows: list[Row], key: str) -> dict[Any, int] | None:
    """Insert rows that no stored row should clash with (the writer holds the paper-changes lock and has looked, or
    expects none) and map every row's key to its id; None, with nothing inserted, if one clashed after all. On
    PostgreSQL the ids are drawn from the table's sequence and the rows COPied straight into the table: no staging
    table and no conflict checks, a third of insert_returning_ids' time. Elsewhere, insert_returning_ids' statements
    in a savepoint."""
    if not connection.in_atomic_block or not rows:
        return insert_returning_ids(table, columns, rows, key)
    if connection.vendor != "postgresql":
        return _inserted_all_or_none(table, columns, rows, key)
    position = list(columns).index(key)
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint, rolled back on a clash
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])  # (once: per row it costs 4 µs)
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)])
            ids = [row_id for (row_id,) in cursor.fetchall()]
            load_rows(table, ["id", *columns], [(row_id, *row) for row_id, row in zip(ids, rows, strict=True)])
    except IntegrityError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != _UNIQUE_VIOLATION:  # a bad value, not a clash: said as it is
            raise
        return None
    return {row[position]: row_id for row_id, row in zip(ids, rows, strict=True)}


_UNIQUE_VIOLATION = "23505"


class _Clashed(Exception):
    pass


def _inserted_all_or_none(table: str, columns: Sequence[str], rows: list[Row], key: str) -> dict[Any, int] | None:
    position = list(columns).index(key)
    try:
        with transaction.atomic():  # a savepoint, rolled back on a clash
            ids = _inserted_ids(table, columns, rows, key)
            if len(ids) < len({row[position] for row in rows}):
                raise _Clashed
    except _Clashed:
        return None
    return ids


_sqlite_times: dict[datetime, str] = {}


def _sqlite_time(value: datetime) -> str:
    """What adapt_datetimefield_value gives on SQLite, remembered: ingest sees the same instants again and again."""
    text = _sqlite_times.get(value)
    if text is None:
        if len(_sqlite_times) > 100_000:
            _sqlite_times.clear()
        text = _sqlite_times[value] = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return text


def _sqlite_or_none(value: datetime | None) -> str | None:
    return None if value is None else _sqlite_time(value)


def time_adapter() -> Callable[[datetime | None], Any]:
    """A function turning datetimes into what the current database backend stores."""
    if connection.vendor == "sqlite":
        return _sqlite_or_none
    return connection.ops.adapt_datetimefield_value


def select_rows(table: str, columns: Sequence[str], key: str, values: Sequence[Any],
                where: tuple[str, Any] | None = None) -> list[Row]:
    """The rows (as tuples of `columns`) whose `key` is one of `values` (and, with `where`, whose column
    where[0] equals where[1])."""
    rows: list[Row] = []
    also = f" AND {where[0]} = %s" if where else ""
    with _cursor() as cursor:
        for condition, params in _matching(key, values):
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {condition}{also}",
                           [*params, *([where[1]] if where else [])])
            rows.extend(cursor.fetchall())
    return rows


@contextlib.contextmanager
def bulk_writing(interval: float = 0.5) -> Iterator[None]:
    """Long runs of writes: on SQLite, WAL checkpoints (and their fsyncs) move to a thread of their own.

    The writer stops checkpointing at commit; a second connection checkpoints in the background, so the
    disk flushes overlap with the writing instead of stalling it. Durability is unchanged: commits still
    reach the WAL, and the WAL still reaches the database file.
    """
    if connection.vendor != "sqlite" or connection.settings_dict["NAME"] in ("", ":memory:") \
            or "mode=memory" in str(connection.settings_dict["NAME"]):
        yield
        return
    connection.ensure_connection()
    path = connection.settings_dict["NAME"]
    stop = threading.Event()

    def checkpoint() -> None:
        checkpointer = sqlite3.connect(path, timeout=30)
        try:
            while not stop.wait(interval):
                checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
            checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            checkpointer.close()

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    thread = threading.Thread(target=checkpoint, name="wal-checkpoint", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=1000")


def load_rows(table: str, columns: Sequence[str], rows: Sequence[Row], types: Sequence[str] = ()) -> None:
    """Append rows to a table as fast as the database takes them: COPY on PostgreSQL (binary when the columns'
    PostgreSQL `types` are given: no text escaping of bytes), multi-row INSERTs on SQLite. All or nothing: a row
    breaking a constraint raises the error, caught outside an atomic block around the call (_insert_into)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            binary = " (FORMAT BINARY)" if types else ""
            # (the driver's own cursor: its errors made Django's, as the statements' are)
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN{binary}"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                if types:
                    copy.set_types(list(types))
                for row in rows:
                    copy.write_row(row)
            return
    _insert_values(table, columns, rows)
