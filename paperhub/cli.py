"""The `paperhub` command: Django's management commands under the project's settings."""

import gc
import os
import re
import sys
from pathlib import Path

from paperhub import logs
from paperhub.core import process
from paperhub.env import SettingError, data_dir

#: Commands that only read a hub. Run where there is none, they say so instead of making an empty hub's data
#: directory (as loading the settings does, for the commands that write: serve, worker, ingest, migrate...).
READ_ONLY = (("backup",), ("similar",), ("search",), ("index", "status"), ("map", "status"), ("recommend", "status"),
             ("digests", "status"), ("jobs", "status"))


def main() -> None:
    """Run a management command, e.g. `paperhub ingest snapshot FILE` or `paperhub serve`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
    process.end_with_parent()
    library_bars_on_a_terminal_only()
    logs.ROLE = sys.argv[1] if sys.argv[1:] else logs.ROLE
    try:
        if sys.argv[1:] in ([], ["-h"], ["--help"], ["help"]):
            sys.stdout.write(overview())
            return
        nowhere = missing_hub(sys.argv[1:])
        if nowhere is not None:
            sys.stderr.write(f"paperhub: no hub at {nowhere}: set PAPERHUB_DATA_DIR to the hub's data directory, or "
                             "run this where the hub's ./var is (`make run` or `paperhub migrate` makes one)\n")
            sys.exit(2)
        _head_start(sys.argv[1:])
        from django.core.management import execute_from_command_line

        execute_from_command_line(["paperhub", *sys.argv[1:]])
    except BrokenPipeError:
        # `paperhub ... | head`: the reader has what it wanted. Nothing more can be written (not even the
        # interpreter's flush at exit), and a tool cut off by its reader exits as if by SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(128 + 13)
    except Exception as error:
        known = operator_error(error)
        if known is None:
            raise
        sys.stderr.write(f"paperhub: {known[0]}\n")
        sys.exit(known[1])
    finally:
        # Exiting, the interpreter collects what is still alive once more, module by module: a quarter of a
        # second after an ingest, for memory the system takes back anyway. Frozen objects are left alone.
        gc.freeze()


def library_bars_on_a_terminal_only() -> None:
    """Progress bars drawn by libraries (model2vec's "Encoding tokens" in `index distill`, which the watcher runs
    under serve) only where stderr is a terminal, as the hub's own: in a log they were lines of carriage returns.
    tqdm takes TQDM_DISABLE as its default when it is imported, so this comes first; a bar that says whether it
    is shown (all of the hub's) is left to say it, and the helpers serve starts inherit the setting."""
    if not sys.stderr.isatty():
        os.environ.setdefault("TQDM_DISABLE", "1")


def missing_hub(args: list[str]) -> Path | None:
    """The data directory a read-only command (READ_ONLY) would read a hub from, when there is no hub: the
    directory is missing and the database is its default SQLite file in it; None otherwise (asking for --help too)."""
    reads = any(tuple(args[:len(command)]) == command for command in READ_ONLY)
    if not reads or {"-h", "--help"} & set(args) or os.environ.get("DATABASE_URL", "").strip():
        return None
    where = data_dir()
    return None if where.exists() else where


def operator_error(error: Exception) -> tuple[str, int] | None:
    """The one line and exit status for a mistake of the operator's (a setting, an unmigrated database), which a
    traceback would only bury; None for anything else (a bug: its traceback is what helps)."""
    from django.db import DatabaseError

    if isinstance(error, SettingError):
        return f"{error} (set it in the environment: docs/configuration.md)", 2
    if isinstance(error, DatabaseError):
        from paperhub.management.database import unmigrated
        from paperhub.transfer import SourceUnreadable

        source = isinstance(error, SourceUnreadable)  # `transfer --from`'s database, not the hub's own
        missing = "" if source else unmigrated()
        if missing:
            return missing, 2
        if "readonly database" in str(error) and not source:
            return f"the database cannot be written ({error}: this command writes; check its file's permissions)", 1
        if "unable to open database file" in str(error):
            # SQLite's words for a directory that is missing, or read-only: in WAL mode it writes its journal and
            # shared-memory files beside the database even to read it.
            from django.db import connection

            name = error.database if isinstance(error, SourceUnreadable) else connection.settings_dict["NAME"]
            where = Path(str(name)).parent
            return (f"the SQLite database {'of --from ' if source else ''}cannot be opened ({error}): its directory, "
                    f"{where}, must exist and be writable (SQLite writes its journal beside the database, even to "
                    "read it)"), 2
    return None


def overview() -> str:
    """`paperhub --help`: the hub's own commands, a line each (Django's long list buried them among its own)."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    own = sorted(name for name, app in get_commands().items() if app.startswith("paperhub"))
    lines = ["Usage: paperhub COMMAND [options]   (paperhub COMMAND --help for one command's options)", "",
             "paperhub's commands:"]
    for name in own:
        summary = str(load_command_class(get_commands()[name], name).help).strip()
        summary = re.split(r"(?<![.\s][a-z]\.)(?<=\.) |; ", summary, maxsplit=1)[0]  # its first sentence or clause
        lines.append(f"  {name:<12} {summary}")
    lines += ["", "Django's own (migrate, createsuperuser, changepassword, shell, ...): paperhub help --commands", ""]
    return "\n".join(lines)


def _head_start(args: list[str]) -> None:
    """`paperhub ingest snapshot FILE ...`: parsing the file needs no Django, so its process starts now, beside
    Django's half second of setting up, and the ingest takes it up (ingest/background.py)."""
    if len(args) >= 3 and args[:2] == ["ingest", "snapshot"] and Path(args[2]).is_file():
        # (Imported here, not at the top: every other command would import the parser, and msgspec, for nothing.)
        from paperhub.ingest.background import start
        from paperhub.ingest.snapshot import read_snapshot

        start(read_snapshot, Path(args[2]))


if __name__ == "__main__":
    main()
