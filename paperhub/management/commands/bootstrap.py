"""`paperhub bootstrap`: the first ingest of `make run`: recent arXiv papers, or a local file or the bundled sample
when offline."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperhub.ingest import bundled


class Command(BaseCommand):
    help = (
        "Pull the last PAPERHUB_BOOTSTRAP_DAYS days of PAPERHUB_CATEGORIES from arXiv, or offline a sample; "
        "when arXiv cannot be reached, ingest the snapshot file PAPERHUB_BOOTSTRAP instead (if set), or else, into "
        "an empty hub, the bundled sample of recent arXiv papers."
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
        if options["file"]:
            self.stdout.write(f"Ingesting {options['file']} instead (PAPERHUB_BOOTSTRAP)...")
            call_command("ingest", "snapshot", str(Path(options["file"])), stdout=self.stdout, stderr=self.stderr)
            return
        self._sample()

    def _sample(self) -> None:
        """The bundled sample, into a hub that holds nothing else (a rerun completes a load that was killed)."""
        facts = bundled.sample_facts()
        if not bundled.takes_sample(facts.uids):
            self.stderr.write(
                "No papers fetched; the hub keeps the papers it has. To add a snapshot file of your "
                "own, run: make run PAPERHUB_BOOTSTRAP=FILE"
            )
            return
        call_command("ingest", "snapshot", str(bundled.SAMPLE), stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(
            f"arXiv unreachable; loaded the bundled sample of {len(facts.uids):,} papers announced "
            f"{facts.first:%-d %B %Y} to {facts.last:%-d %B %Y} so you can look around; set PAPERHUB_BOOTSTRAP=FILE "
            "(an arXiv metadata snapshot, JSON lines) to start from your own snapshot instead."
        )
