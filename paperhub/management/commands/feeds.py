"""`paperhub feeds rules --since DATE`: put papers already in the hub into their day's feed by the feed rules."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperhub.management import arguments
from paperhub.papers import feeds


class Command(BaseCommand):
    help = "Feeds: apply the feed rules (PAPERHUB_FEED_CATEGORIES / _KEYWORDS) to papers already stored."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rules = sub.add_parser("rules", help="place stored papers announced in a date range by the feed rules")
        rules.add_argument("--since", required=True, type=arguments.day, help="first feed day, YYYY-MM-DD")
        rules.add_argument("--until", type=arguments.day, help="last feed day (default: no limit)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PAPERHUB_FEED_CATEGORIES and not settings.PAPERHUB_FEED_KEYWORDS:
            raise CommandError("no feed rules: PAPERHUB_FEED_CATEGORIES is `none` and PAPERHUB_FEED_KEYWORDS is empty")
        created = feeds.apply_rules(options["since"], options["until"])
        self.stdout.write(f"{created} papers placed in feeds by rule (entries already there were kept)")
