"""`paperhub jobs enqueue|status|schedule`: queue a command for the workers, and see what they are doing."""

import argparse
import json
import shlex
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from paperhub.core.failures import DescribedFailure
from paperhub.jobs import schedule
from paperhub.jobs.worker import alive_workers
from paperhub.management import queue

_COMMAND_LINE = queue.run_command.module_path


def _last_error(result: DBTaskResult[..., object]) -> str:
    """The message a task failed with: its traceback's last line; a failure the job described (DescribedFailure)
    without its exception's module path and name, as the worker's log gives it."""
    line: str = (str(result.traceback or "").strip().splitlines() or [""])[-1]
    message = line.partition(": ")[2]
    try:
        described = issubclass(import_string(result.exception_class_path), DescribedFailure)
    except ImportError:  # a class since renamed, or no class at all
        described = False
    return message[:300] if described else line[:300]


def _what(result: DBTaskResult[..., object]) -> str:
    """What a task ran: `paperhub ARGV` for a queued command line, else the task's name and arguments."""
    args = result.args_kwargs.get("args") or []
    if result.task_path == _COMMAND_LINE:
        return "paperhub " + " ".join(args[0] if args else [])
    what = " ".join(["task", result.task_path.rpartition(".")[2], *map(str, args)])
    return what if len(what) <= 160 else what[:159] + "…"  # an embed batch's arguments are 128 paper ids


class Command(BaseCommand):
    help = "Background tasks: enqueue a command for the workers, show the queue and the workers, the schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        enqueue = sub.add_parser("enqueue", help="queue a paperhub command, e.g. `jobs enqueue digests send`")
        enqueue.add_argument("argv", nargs=argparse.REMAINDER)
        status = sub.add_parser("status", help="tasks by state, the latest failures, live workers")
        status.add_argument("--json", action="store_true")
        sub.add_parser("schedule", help="the periodic jobs PAPERHUB_SCHEDULE turns on")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _enqueue(self, options: dict[str, Any]) -> None:
        try:
            argv = queue.checked(options["argv"])
            task_id = queue.enqueue(argv)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"queued {task_id}: paperhub {shlex.join(argv)}")

    def _status(self, options: dict[str, Any]) -> None:
        counts = {row["status"]: row["n"] for row in
                  DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by("status")}
        failed: list[dict[str, Any]] = [
            {"finished_at": r.finished_at.isoformat() if r.finished_at else None, "what": _what(r),
             "error": _last_error(r)}
            for r in DBTaskResult.objects.filter(status="FAILED").order_by("-finished_at")[:5]]
        alive = alive_workers()
        if options["json"]:
            failed_json = [{"finished_at": row["finished_at"], "command": row["what"].removeprefix("paperhub "),
                            "error": row["error"]} for row in failed]
            self.stdout.write(json.dumps({"tasks": counts, "failed": failed_json,
                                          "workers": [b.worker_id for b in alive]}))
            return
        for status, n in counts.items():
            self.stdout.write(f"  {status:<10} {n:,}")
        for row in failed:
            self.stdout.write(f"  failed {row['finished_at']} {row['what']}: {row['error']}")
        self.stdout.write(f"workers alive: {len(alive)}")
        for beat in alive:
            self.stdout.write(f"  {beat.worker_id} (since {beat.started_at:%Y-%m-%d %H:%M:%S})")

    def _schedule(self, options: dict[str, Any]) -> None:
        jobs = schedule.enabled()  # (its names were checked as the process started: jobs/apps.py)
        if not jobs:
            self.stdout.write("no periodic jobs (PAPERHUB_SCHEDULE is empty)")
        for job in jobs:
            self.stdout.write(f"  {job.name:<10} {job.period}: {job.description}")
