"""`paperhub recommend refresh|status`: the candidate space personal recommendations rank."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from paperhub.management import database
from paperhub.recommend import space


class Command(BaseCommand):
    help = "Recommendations: refresh the candidate space (the newest papers' vectors and terms), or show it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="rebuild the space if papers arrived since it was built")
        refresh.add_argument("--force", action="store_true", help="rebuild even if no paper arrived")
        sub.add_parser("status", help="what the stored space holds")

    def handle(self, *args: Any, **options: Any) -> None:
        database.require_tables()
        if options["action"] == "refresh":
            started = time.perf_counter()
            built = space.refresh(force=options["force"])
            if built is None:
                self.stdout.write("the recommendation space is up to date")
            else:
                self.stdout.write(f"built the recommendation space: {len(built):,} papers from the last "
                                  f"{settings.PAPERHUB_RECOMMEND_DAYS} days, {len(built.vocabulary):,} terms, "
                                  f"{built.model} vectors, in {time.perf_counter() - started:.1f} s")
            return
        current = space.stored()
        if current is None:
            self.stdout.write("no recommendation space yet (or one of an older format): `paperhub recommend refresh`")
            return
        self.stdout.write(f"{len(current):,} papers since {current.since or '-'}, {len(current.vocabulary):,} terms, "
                          f"{current.model} vectors, built {current.built_at:%Y-%m-%d %H:%M} UTC"
                          f"{' (papers arrived since)' if space.stale(current) else ''}")
