"""Command lines queued for the workers (`paperhub jobs enqueue ...`): a task that runs one of the cron-friendly
`paperhub` commands. It lives with the commands, so the jobs layer below never depends on the command line.

Every command a task may run is idempotent and resumable (ingest lands papers by upsert, digests are sent
exactly once), so a task whose worker died midway is simply run again (jobs/worker.py).
"""

import argparse
import contextlib
import io
import shlex
from pathlib import Path
from typing import Any

from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django_tasks import task

from paperhub.jobs.failures import JobFailed

#: The commands a task may run: what cron would otherwise run (docs/operations.md).
COMMANDS = {"ingest", "digests", "feeds", "recommend", "links"}


def check_argv(argv: list[str]) -> list[str]:
    """The argument list, if its command may run as a task; ValueError otherwise."""
    if not argv or argv[0] not in COMMANDS:
        raise ValueError(f"not a command tasks run: {shlex.join(argv) or '(none)'} "
                         f"(one of: {', '.join(sorted(COMMANDS))})")
    return [str(a) for a in argv]


@task()
def run_command(argv: list[str]) -> dict[str, Any]:
    """Run `paperhub ARGV...` in the worker; its output is the task's result."""
    argv = check_argv(argv)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*argv, stdout=out, stderr=err)
    except CommandError as exc:
        # What the command wrote to stderr first, its error last: `jobs status` shows the last line.
        raise JobFailed(f"{err.getvalue()[-2000:]}\n{exc}".strip()) from None
    return {"command": shlex.join(argv), "stdout": out.getvalue()[-4000:], "stderr": err.getvalue()[-4000:]}


def checked(argv: list[str]) -> list[str]:
    """The argument list as a worker should run it: parsed now by the command's own parser (a mistake is refused
    here, not found by the worker later), its files absolute (a worker runs in its own directory) and there.
    ValueError otherwise."""
    argv = check_argv(argv)
    parser = load_command_class("paperhub", argv[0]).create_parser("paperhub", argv[0])
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):  # a subcommand's parser prints its usage and exits
            options = parser.parse_args(argv[1:])
    except (CommandError, SystemExit) as exc:
        message = str(exc) if isinstance(exc, CommandError) else said.getvalue().strip().splitlines()[-1]
        raise ValueError(f"paperhub {shlex.join(argv)}: {message}") from None
    inputs = _positional(parser)
    for dest, value in vars(options).items():
        if not isinstance(value, Path):
            continue
        if dest in inputs and not value.is_file():
            raise ValueError(f"no such file: {value.absolute()}")
        if dest not in inputs and not value.absolute().parent.is_dir():
            raise ValueError(f"no such directory: {value.absolute().parent}")
        argv = [_absolute(arg, value) for arg in argv]
    return argv


def _positional(parser: argparse.ArgumentParser) -> set[str]:
    """The dests of positional arguments, subcommands' included: the inputs (options name outputs, --errors)."""
    dests = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                dests |= _positional(sub)
        elif not action.option_strings:
            dests.add(action.dest)
    return dests


def _absolute(arg: str, path: Path) -> str:
    """`arg` made absolute if it names `path` (alone, or as --option=path)."""
    option, equals, value = arg.rpartition("=") if arg.startswith("--") else ("", "", arg)
    return f"{option}{equals}{path.absolute()}" if value and Path(value) == path else arg


def enqueue(argv: list[str]) -> str:
    """Queue a command for the workers, checked as a worker would parse it; returns the task's id."""
    return str(run_command.enqueue(checked(argv)).id)
