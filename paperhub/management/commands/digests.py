"""`paperhub digests send|status`: email the digests that are due (cron-friendly; safe to kill and rerun)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from paperhub.digests import sending
from paperhub.digests.models import Delivery, Subscription
from paperhub.management import arguments


class Command(BaseCommand):
    help = "Email digests: send those due (exactly once per subscriber and period), or show their state."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send the digests due today; run it from cron, e.g. hourly")
        send.add_argument("--frequency", choices=["daily", "weekly", "all"], default="all")
        send.add_argument("--date", type=arguments.day, help="send as if today were this day (YYYY-MM-DD)")
        send.add_argument("--base-url", default="", help="the hub's address for links (PAPERHUB_BASE_URL)")
        send.add_argument("--limit", type=int, help="at most this many messages")
        send.add_argument("--connections", type=int, default=4, help="SMTP connections used side by side (4)")
        sub.add_parser("status", help="subscribers, and deliveries per period and state")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            self._status()
            return
        today = options["date"]
        base_url, limit, connections = options["base_url"], options["limit"], max(1, options["connections"])
        if options["frequency"] == "all":
            reports = sending.send_due(today, base_url, limit, connections)
        else:
            reports = sending.send_all(options["frequency"], today, base_url, limit, connections)
        failed = 0
        for frequency, report in reports.items():
            self.stdout.write(f"{frequency}: {report.line()}")
            for error in report.errors[:20]:
                self.stderr.write(f"  {error}")
            failed += report.failed + report.gave_up
        if failed:
            raise CommandError(f"{failed} digests could not be sent (see above; `paperhub digests status`)")

    def _status(self) -> None:
        active = Subscription.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        waiting = Subscription.objects.filter(confirmed_at__isnull=True)
        self.stdout.write(f"subscribers: {active.count()} active, {waiting.count()} awaiting confirmation")
        self.stdout.write(f"  of them collections' list addresses: {active.exclude(collection=None).count()} active, "
                          f"{waiting.exclude(collection=None).count()} awaiting confirmation")
        rows = Delivery.objects.values("period", "status").annotate(n=Count("id")).order_by("-period", "status")
        for row in rows[:60]:
            self.stdout.write(f"  {row['period']:<28} {row['status']:<8} {row['n']}")
        for delivery in Delivery.objects.filter(status=Delivery.GAVE_UP).select_related("subscription")[:20]:
            self.stdout.write(f"  gave up: {delivery.period} {delivery.subscription.email}: {delivery.last_error}")
