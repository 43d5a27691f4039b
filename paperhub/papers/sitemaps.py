"""What the hub's sitemap lists (the sitemaps protocol, sitemaps.org): paper pages in files of at most 50,000
addresses, each file a range of ids read along the primary key's index (no count, no offset: a 3M-paper hub costs
one indexed query a file), and the day, week and month feeds that have papers."""

from datetime import date, datetime

from django.db.models import Max
from django.db.models.functions import Coalesce

from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.periods import Period, day_period, month_period, week_period

#: The most addresses one sitemap file may hold (the protocol's limit).
PER_FILE = 50_000


def paper_files() -> int:
    """How many files the paper pages take: one per PER_FILE ids up to the largest (ids deleted leave a file short,
    never long)."""
    top = Paper.objects.aggregate(top=Max("id"))["top"]
    return -(-(top or 0) // PER_FILE)


def papers_in_file(number: int) -> list[tuple[str, datetime | None]]:
    """(uid, last updated: the latest version's date, else the first's) of the papers in file `number` (from 1),
    ids (number - 1) * PER_FILE + 1 to number * PER_FILE, in id order."""
    last = number * PER_FILE
    rows = Paper.objects.filter(pk__gt=last - PER_FILE, pk__lte=last).order_by("pk")
    return list(rows.values_list("uid", Coalesce("updated", "published")))


def feed_periods() -> list[Period]:
    """The day, week and month feeds that have papers, newest days first, at most PER_FILE of them (a day adds at
    most one week and one month: a third of PER_FILE days, 45 years of daily feeds, fit)."""
    days: list[date] = list(FeedEntry.objects.order_by("-day").values_list("day", flat=True).distinct()
                            [:PER_FILE // 3])
    found: dict[tuple[str, date], Period] = {}
    for kind in (day_period, week_period, month_period):
        for day in days:
            period = kind(day)
            found.setdefault((period.kind, period.first), period)
    return list(found.values())
