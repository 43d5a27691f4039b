"""`paperhub links find`: code links and project pages for stored papers; `paperhub links stars`: GitHub stars now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperhub.ingest import github
from paperhub.ingest.http import SourceError
from paperhub.management import arguments
from paperhub.papers.repositories import Backfill, backfill_links


class Command(BaseCommand):
    help = "Code links: find them in stored papers' abstracts and comments; ask GitHub for their stars."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        find = sub.add_parser("find", help="fill code links and project pages of stored papers from their text "
                                           "(resumable: a killed run goes on from its last batch)")
        find.add_argument("--batch", type=arguments.whole_number(1), default=2000,
                          help="papers per transaction (default 2000)")
        stars = sub.add_parser("stars", help="ask GitHub for the stars of the repositories checked longest ago")
        stars.add_argument("--limit", type=arguments.whole_number(0),
                           help="at most this many (default PAPERHUB_GITHUB_PER_RUN)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "find":
            done = backfill_links(options["batch"], on_batch=self._progress)
            self.stdout.write(f"{self._line(done)} (links already stored were kept)")
            return
        try:
            self.stdout.write(github.refresh_stars(options["limit"]).line())
        except SourceError as exc:
            raise CommandError(f"{exc}. The next run goes on from here.") from None

    def _progress(self, done: Backfill) -> None:
        self.stderr.write(self._line(done))

    @staticmethod
    def _line(done: Backfill) -> str:
        # "new": a paper's links already stored are neither counted nor replaced ("0 ... found" read as if a
        # paper holding links had none)
        return (f"{done.read:,} papers without a code link or project page read: {done.code:,} new code links "
                f"and {done.project:,} new project pages")
