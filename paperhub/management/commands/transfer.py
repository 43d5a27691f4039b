"""`paperhub transfer --from URL`: copy a whole hub from another database into this one (DATABASE_URL)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from paperhub.management import arguments
from paperhub.transfer import TransferError, transfer


class Command(BaseCommand):
    help = "Copy every table of the hub at --from (e.g. its SQLite file) into this hub's database (migrate it first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True,
                            help="the source hub's database URL, e.g. sqlite:////srv/paperhub/var/paperhub.sqlite3, "
                                 "or a SQLite file's path")
        parser.add_argument("--batch", type=arguments.whole_number(1), default=5000, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        bars: dict[str, tqdm] = {}

        def progress(table: str, rows: int) -> None:
            if table not in bars:
                for bar in bars.values():
                    bar.close()
                bars[table] = tqdm(desc=table, unit=" rows", unit_scale=True, disable=not sys.stderr.isatty())
            bars[table].update(rows)

        try:
            copies = transfer(options["source"], batch=options["batch"], progress=progress)
        except TransferError as exc:
            raise CommandError(str(exc)) from None
        finally:
            for bar in bars.values():
                bar.close()
        for copy in copies:
            if copy.source:
                self.stdout.write(f"  {copy.table:<40} {copy.target:>12,}")
        self.stdout.write(f"copied {sum(c.target for c in copies):,} rows in {len(copies)} tables; every count "
                          f"matches. Next: `paperhub index rebuild` on each node (search indexes are derived).")
