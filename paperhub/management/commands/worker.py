"""`paperhub worker`: run queued tasks (and the hub's schedule) until stopped; start as many as you like."""

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperhub import search
from paperhub.jobs import embedding
from paperhub.jobs.priority import yield_cpu
from paperhub.jobs.worker import HubWorker, queue_names
from paperhub.management import arguments


class Command(BaseCommand):
    help = "Run background tasks from the database queue; recovers dead workers' tasks; enqueues scheduled jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="default,mail",
                            help="comma-separated queue names ('*': all); 'embed' makes transformer vectors, "
                                 "'mail' sends mail")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--max-tasks", type=arguments.whole_number(1), help="exit after this many tasks")
        parser.add_argument("--no-schedule", action="store_true",
                            help="do not enqueue PAPERHUB_SCHEDULE's jobs")
        parser.add_argument("--threads", type=arguments.whole_number(1), default=settings.PAPERHUB_EMBED_THREADS,
                            help="compute threads of an embed worker (PAPERHUB_EMBED_THREADS)")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("django_tasks_db", "django_tasks", "paperhub.jobs"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
        try:
            queues = queue_names(options["queues"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if embedding.QUEUE in queues or "*" in queues:
            # Before any thread starts (the policy is inherited); the model loads before the first claim, so a
            # batch is never held while the model loads.
            yield_cpu(options["threads"])
            try:
                search.transformer()
            except search.ModelError as exc:
                raise CommandError(f"an embed worker needs the transformer: {exc}") from None
        worker = HubWorker(queue_names=queues, interval=options["interval"],
                           batch=options["batch"], max_tasks=options["max_tasks"],
                           scheduler=not options["no_schedule"])
        worker.configure_signals()
        worker.run()
