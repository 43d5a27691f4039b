"""`paperhub backup FILE`: a consistent copy of the SQLite database, never a new empty one (docs/operations.md)."""

import sqlite3
from pathlib import Path

import pytest

from paperhub.backup import BackupError, back_up, sqlite_file


def _hub_in_wal_mode(path: Path) -> sqlite3.Connection:
    """A database as a running hub leaves it: WAL mode, its last commit still in the -wal file, a connection open."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE paper (title TEXT)")
    db.execute("INSERT INTO paper VALUES ('Attention')")
    db.commit()
    assert Path(f"{path}-wal").stat().st_size > 0
    return db


def test_a_backup_is_a_consistent_copy_with_the_last_commits_readable_by_its_owner_alone(tmp_path):
    running = _hub_in_wal_mode(tmp_path / "paperhub.sqlite3")
    done = back_up(tmp_path / "paperhub.sqlite3", tmp_path / "copy.sqlite3")
    running.close()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT title FROM paper").fetchall() == [("Attention",)]
    assert done.size == (tmp_path / "copy.sqlite3").stat().st_size > 0
    assert (tmp_path / "copy.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_backup_of_a_missing_database_creates_neither_it_nor_an_empty_copy(tmp_path):
    """The documented `sqlite3.connect('var/paperhub.sqlite3')`, run from another directory, exited 0 having made
    an empty database there and a 4 KB backup of it."""
    with pytest.raises(BackupError, match=r"no database at .*elsewhere/var/paperhub.sqlite3 \(set PAPERHUB_DATA_DIR"):
        back_up(tmp_path / "elsewhere" / "var" / "paperhub.sqlite3", tmp_path / "copy.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_a_backup_never_overwrites_a_file_and_leaves_none_when_it_fails(tmp_path):
    _hub_in_wal_mode(tmp_path / "paperhub.sqlite3").close()
    (tmp_path / "old.sqlite3").write_text("last week's")
    with pytest.raises(BackupError, match="File exists"):
        back_up(tmp_path / "paperhub.sqlite3", tmp_path / "old.sqlite3")
    assert (tmp_path / "old.sqlite3").read_text() == "last week's"
    (tmp_path / "garbage.sqlite3").write_text("not a database" * 100)
    with pytest.raises(BackupError, match="failed"):
        back_up(tmp_path / "garbage.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()


def test_only_a_sqlite_database_is_backed_up_here():
    assert sqlite_file({"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/hub/var/paperhub.sqlite3"}) == \
        Path("/srv/hub/var/paperhub.sqlite3")
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_file({"ENGINE": "django.db.backends.postgresql", "NAME": "paperhub"})


def test_the_command_backs_up_the_hubs_database(hub, tmp_path):
    """`paperhub backup FILE`: the database the settings name (on PostgreSQL it says to use pg_dump)."""
    run = hub.run("backup", str(tmp_path / "copy.sqlite3"), check=False)
    if not hub.database_url.startswith("sqlite"):
        assert run.returncode == 1 and "pg_dump" in run.stderr and not (tmp_path / "copy.sqlite3").exists()
        return
    assert run.returncode == 0 and run.stdout.startswith("backed up ") and "MiB)" in run.stdout, run.stderr
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT count(*) FROM django_migrations WHERE app = 'papers'").fetchone()[0] > 0
