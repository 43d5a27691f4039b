"""Command lines queued for the workers (`paperhub jobs enqueue ...`): a task that runs one of the cron-friendly
`paperhub` commands. It lives with the commands, so the jobs layer below never depends on the command line.

Every command a task may run is idempotent and resumable (ingest lands papers by upsert, digests are sent
exactly once), so a task whose worker died midway is simply run again (jobs/worker.py).
"""

import io
import shlex
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import task

from paperhub.jobs.failures import JobFailed

#: The commands a task may run: what cron would otherwise run.
COMMANDS = {"ingest", "digests", "feeds", "recommend"}


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


def enqueue(argv: list[str]) -> str:
    """Queue a command for the workers; returns the task's id."""
    return str(run_command.enqueue(check_argv(argv)).id)
