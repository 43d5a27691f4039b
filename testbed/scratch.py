"""Scratch databases for tests and benchmarks: a SQLite file, or a new database on a PostgreSQL server."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def is_postgres(url: str) -> bool:
    """Whether a DATABASE_URL names a PostgreSQL database."""
    return url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql")


def _with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(_with_name(url, "postgres").replace("postgresql://", "postgres://", 1), autocommit=True)


def new_database(root: Path, server: str = "") -> str:
    """A fresh database: a file under `root`, or, when `server` is a PostgreSQL URL, a new database there."""
    if not server or not is_postgres(server):
        return f"sqlite:///{root}/hub.sqlite3"
    name = f"paperhub_scratch_{secrets.token_hex(6)}"
    with _admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_name(server, name)


def copy_database(url: str, root: Path) -> str:
    """A copy of a scratch database (a PostgreSQL template copy, or the SQLite file)."""
    if is_postgres(url):
        name = f"paperhub_scratch_{secrets.token_hex(6)}"
        with _admin(url) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(url).path.lstrip("/")}"')
        return _with_name(url, name)
    import sqlite3

    target = root / "hub.sqlite3"
    source = sqlite3.connect(urlsplit(url).path)
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    return f"sqlite:///{target}"


def drop_database(url: str) -> None:
    """Remove a scratch database made by new_database() (a SQLite file goes with its directory)."""
    if is_postgres(url):
        name = urlsplit(url).path.lstrip("/")
        if name.startswith("paperhub_scratch_"):
            with _admin(url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query_rows(url: str, sql: str) -> list[tuple]:
    """The rows of a statement run straight on a scratch database (no Django: a benchmark or a test polling it must
    not take the CPU it measures or waits for); [] for statements that return nothing."""
    if not is_postgres(url):
        import sqlite3

        with sqlite3.connect(urlsplit(url).path) as db:
            return [tuple(row) for row in db.execute(sql).fetchall()]
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        cursor = db.execute(sql)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def query_one(url: str, sql: str) -> tuple:
    """The first row of a statement run straight on a scratch database (query_rows); () for none."""
    rows = query_rows(url, sql)
    return rows[0] if rows else ()
