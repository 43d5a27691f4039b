"""`paperhub keywords`: make the keywords of papers that have none or have changed since theirs were made."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from paperhub import search
from paperhub.management import arguments, database


class Command(BaseCommand):
    help = "Make keywords for papers added or changed since the last run (resumable); --rebuild remakes all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="forget every paper's keywords and remake them")
        parser.add_argument("--limit", type=arguments.whole_number(1), default=None, help="stop after this many papers")

    def handle(self, *args: Any, **options: Any) -> None:
        database.require_tables()
        if options["rebuild"]:
            self.stdout.write(f"{search.forget_keywords():,} papers' keywords forgotten")
        bar = tqdm(unit=" papers", unit_scale=True, disable=not sys.stderr.isatty(), leave=False)
        try:
            made = search.update_keywords(limit=options["limit"], progress=bar.update)
        finally:
            bar.close()
        if made is None:
            raise CommandError("no keyword index yet (keywords take its document frequencies): "
                               "run `paperhub index update` first")
        self.stdout.write(f"keywords made for {made:,} papers")
