"""`paperhub` answers an operator's mistake with one line and an exit status, not a traceback."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def paperhub(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`paperhub ARGS` in a fresh process, over an empty data directory in tmp_path."""
    if not (tmp_path / "data").exists():  # (a file there stays: a test's)
        (tmp_path / "data").mkdir()
    environ = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    environ |= {"PYTHONPATH": str(ROOT), "PAPERHUB_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run([sys.executable, "-m", "paperhub.cli", *args], env=environ, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_a_wrong_setting_is_one_line_and_status_2(tmp_path):
    """It was a 33-line traceback ending in paperhub.env.SettingError."""
    run = paperhub(tmp_path, "jobs", "schedule", PAPERHUB_WEB_WORKERS="abc")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        "paperhub: PAPERHUB_WEB_WORKERS must be a whole number, not 'abc' (set it in the environment: "
        "docs/configuration.md)"]


def test_an_unknown_scheduled_job_stops_every_command(tmp_path):
    """A typo in PAPERHUB_SCHEDULE started serve and workers, whose housekeeping then failed every cycle with a
    traceback and queued no periodic job at all, the valid ones included."""
    run = paperhub(tmp_path, "jobs", "status", PAPERHUB_SCHEDULE="keywords,bogus")
    assert run.returncode == 2 and run.stderr.startswith("paperhub: PAPERHUB_SCHEDULE names unknown jobs: bogus (known: arxiv,")
    assert len(run.stderr.splitlines()) == 1


def test_a_data_directory_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "data").write_text("")
    run = paperhub(tmp_path, "jobs", "status")
    assert run.returncode == 2 and run.stderr.startswith("paperhub: PAPERHUB_DATA_DIR must be a directory")


@pytest.mark.parametrize("command", [["jobs", "status"], ["search", "foo"], ["keywords"]])
def test_an_unmigrated_database_says_to_migrate(tmp_path, command):
    """`jobs status` on a new database was a "no such table" traceback; `search` said "0 results" and `keywords`
    asked for an index (both read this node's files first, and found none)."""
    run = paperhub(tmp_path, *command)
    assert run.returncode == 2
    assert run.stderr == "paperhub: the database has no paperhub tables yet: run `paperhub migrate`\n"


def test_a_database_that_cannot_be_opened_names_its_directory(tmp_path):
    """A SQLite file in a missing directory (or a read-only one: a mount, `chmod`, which root would not feel) was
    a traceback ending in "unable to open database file"."""
    missing = tmp_path / "nowhere"
    run = paperhub(tmp_path, "jobs", "status", DATABASE_URL=f"sqlite:///{missing}/paperhub.sqlite3")
    assert run.returncode == 2 and "Traceback" not in run.stderr and len(run.stderr.splitlines()) == 1
    assert run.stderr.startswith("paperhub: the SQLite database cannot be opened (unable to open database file): "
                                 f"its directory, {missing}, must exist and be writable")


@pytest.mark.parametrize("command", [["similar", "2501.00001"], ["index", "status"], ["backup", "copy.sqlite3"],
                                     ["search", "graphs"]])
def test_a_command_that_only_reads_makes_no_hub_where_there_is_none(tmp_path, command):
    """Run outside a hub (no PAPERHUB_DATA_DIR, a working directory without ./var), each made ./var, an empty hub's
    folders, and then said the database had no tables."""
    environ = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "PAPERHUB_DATA_DIR")}
    run = subprocess.run([sys.executable, "-m", "paperhub.cli", *command], env={**environ, "PYTHONPATH": str(ROOT)},
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stdout == "" and list(tmp_path.iterdir()) == []
    assert run.stderr.startswith(f"paperhub: no hub at {tmp_path / 'var'}: set PAPERHUB_DATA_DIR") and \
        len(run.stderr.splitlines()) == 1


@pytest.mark.parametrize(("args", "environ", "refused"), [
    (["similar", "1"], {}, True), (["index", "status", "-v", "2"], {}, True), (["recommend", "status"], {}, True),
    (["similar", "--help"], {}, False), (["index", "status", "-h"], {}, False), (["index", "update"], {}, False),
    (["similar", "1"], {"DATABASE_URL": "postgres://u:p@db/hub"}, False), (["migrate"], {}, False),
    (["similar", "1"], {"PAPERHUB_DATA_DIR": "missing/hub"}, True), (["similar", "1"], {"PAPERHUB_DATA_DIR": "."}, False),
])
def test_which_commands_are_refused_where_there_is_no_hub(tmp_path, monkeypatch, args, environ, refused):
    """Only a command that reads, asked for more than its help, with no database named and no data directory."""
    from paperhub import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PAPERHUB_DATA_DIR", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert (cli.missing_hub(args) is not None) == refused


def test_a_command_that_writes_makes_the_data_directory(tmp_path):
    run = paperhub(tmp_path, "migrate", "--noinput", "-v0", PAPERHUB_DATA_DIR=str(tmp_path / "new" / "hub"))
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "new" / "hub" / "paperhub.sqlite3").is_file()
    assert paperhub(tmp_path, "index", "status", PAPERHUB_DATA_DIR=str(tmp_path / "new" / "hub")).returncode == 0


def test_a_transfer_source_that_cannot_be_opened_is_the_one_named(tmp_path):
    """The line named the hub's own data directory when the database SQLite could not open was --from's."""
    source = tmp_path / "old" / "paperhub.sqlite3"
    source.parent.mkdir()
    made = sqlite3.connect(source)
    made.execute("PRAGMA journal_mode=wal")
    made.execute("CREATE TABLE t (a)")
    made.close()
    (source.parent / "paperhub.sqlite3-wal").mkdir()  # its journal cannot be opened (a chmod would not stop root)
    run = paperhub(tmp_path, "transfer", "--from", str(source))
    assert run.returncode == 2 and "Traceback" not in run.stderr and len(run.stderr.splitlines()) == 1
    assert run.stderr.startswith("paperhub: the SQLite database of --from cannot be opened (unable to open database "
                                 f"file): its directory, {source.parent}, must exist and be writable")


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`paperhub ... | head`: a BrokenPipeError traceback once head had its lines."""
    with subprocess.Popen([sys.executable, "-m", "paperhub.cli", "help", "--commands"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PAPERHUB_DATA_DIR": str(tmp_path)}) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        errors = process.stderr.read().decode()
    assert process.returncode == 141 and errors == ""


@pytest.mark.parametrize("terminal_only", [True, False])
def test_a_librarys_progress_bar_stays_out_of_a_log(terminal_only):
    """model2vec's "Encoding tokens: 84%|..." bars, packed with carriage returns, filled serve's log while the
    watcher's `index distill` ran (stderr a log, not a terminal)."""
    environ = {name: value for name, value in os.environ.items() if name != "TQDM_DISABLE"}
    code = ("from paperhub import cli; " + ("cli.library_bars_on_a_terminal_only(); " if terminal_only else "")
            + "from tqdm import tqdm; list(tqdm(range(3), desc='Encoding tokens'))")
    run = subprocess.run([sys.executable, "-c", code], env={**environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and ("Encoding tokens" in run.stderr) is not terminal_only, run.stderr
