"""`paperhub bootstrap`: the first ingest of `make run`: recent arXiv papers, or a local file when offline."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Pull the last PAPERHUB_BOOTSTRAP_DAYS days of PAPERHUB_CATEGORIES from arXiv; when arXiv cannot "
        "be reached, ingest the snapshot file PAPERHUB_BOOTSTRAP instead (if set)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=settings.PAPERHUB_BOOTSTRAP, help="default: PAPERHUB_BOOTSTRAP")

    def handle(self, *args: Any, **options: Any) -> None:
        categories = ",".join(settings.PAPERHUB_CATEGORIES)
        self.stdout.write(f"Fetching the last {settings.PAPERHUB_BOOTSTRAP_DAYS} days of {categories} from arXiv...")
        try:
            call_command("ingest", "arxiv", "--retries", "1", stdout=self.stdout, stderr=self.stderr)
            return
        except CommandError as exc:
            self.stderr.write(f"arXiv is unreachable from here ({exc})")
        path = options["file"]
        if not path:
            self.stderr.write(
                "No papers fetched. To start from a local snapshot file instead, run for example\n"
                "  make run PAPERHUB_BOOTSTRAP=../shared/data/arxiv/recent-2025-2026.jsonl.xz"
            )
            return
        self.stdout.write(f"Ingesting {path} instead (PAPERHUB_BOOTSTRAP)...")
        call_command("ingest", "snapshot", str(Path(path)), stdout=self.stdout, stderr=self.stderr)
