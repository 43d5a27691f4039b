"""`paperhub worker`: run queued tasks (and the hub's schedule) until stopped; start as many as you like."""

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from paperhub.jobs.worker import HubWorker


class Command(BaseCommand):
    help = "Run background tasks from the database queue; recovers dead workers' tasks; enqueues scheduled jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="default", help="comma-separated queue names ('*': all)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--max-tasks", type=int, help="exit after this many tasks")
        parser.add_argument("--no-schedule", action="store_true", help="do not enqueue PAPERHUB_SCHEDULE's jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("django_tasks_db", "django_tasks", "paperhub.jobs"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
        worker = HubWorker(queue_names=options["queues"].split(","), interval=options["interval"],
                           batch=options["batch"], max_tasks=options["max_tasks"],
                           scheduler=not options["no_schedule"])
        worker.configure_signals()
        worker.run()
