"""`paperhub backup FILE`: a consistent copy of the hub's SQLite database, made while the hub runs."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperhub.backup import BackupError, back_up, sqlite_file


class Command(BaseCommand):
    help = "Copy the hub's SQLite database into a new file while the hub runs (PostgreSQL: pg_dump)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the copy to write: a new file (an existing one is refused)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = back_up(sqlite_file(settings.DATABASES["default"]), options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"backed up {done.source} to {done.target} ({done.size / 2**20:,.1f} MiB)")
