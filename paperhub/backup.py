"""Backing up a hub's SQLite database while it runs (`paperhub backup FILE`): a consistent copy, from the database
the settings name wherever the command runs, never a new empty one (a relative path run elsewhere made one)."""

import os
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class BackupError(Exception):
    """Nothing was backed up; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    """A finished backup: the database copied, the copy and its size."""

    source: Path
    target: Path
    size: int


def sqlite_file(database: Mapping[str, Any]) -> Path:
    """The file of a SQLite database as settings.DATABASES gives it (a BackupError for any other database)."""
    if database["ENGINE"] != "django.db.backends.sqlite3":
        raise BackupError("the database is not SQLite: back it up with its own tool (PostgreSQL: pg_dump, "
                          "docs/operations.md)")
    return Path(database["NAME"]).resolve()


def back_up(source: Path, target: Path) -> Backup:
    """Copy the SQLite database `source` into the new file `target` (VACUUM INTO: consistent while the hub writes,
    the commits still in the -wal file included); the source is opened only if it exists, never created."""
    source, target = source.resolve(), target.resolve()
    if not source.is_file():
        raise BackupError(f"no database at {source} (set PAPERHUB_DATA_DIR or DATABASE_URL as the hub has them)")
    try:
        # Created here, empty, readable by its owner alone (it holds accounts and email addresses); an existing
        # file is refused, never overwritten.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise BackupError(f"cannot create {target}: {error.strerror} (back up into a new file)") from None
    try:
        with closing(_open_existing(source)) as database:
            database.execute("VACUUM INTO ?", [str(target)])
    except sqlite3.Error as error:
        target.unlink()
        raise BackupError(f"backing up {source} failed: {error}") from None
    except BaseException:  # interrupted (Ctrl+C, a full disk): no half copy left to refuse the next run
        target.unlink(missing_ok=True)
        raise
    return Backup(source, target, target.stat().st_size)


def _open_existing(path: Path) -> sqlite3.Connection:
    # mode=rw: sqlite3.connect() would otherwise create a missing file (as the documented one-liner did); the
    # timeout waits out a writer's lock as the hub's own connections do.
    return sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=30)
