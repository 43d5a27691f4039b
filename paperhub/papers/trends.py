"""Counts over time for the charts: papers per category per week, a paper's upvotes per day. Pure week and day
arithmetic first, then the queries (the same for the pages and the API)."""

import operator
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce

from django.db.models import Case, Count, IntegerField, Max, Min, Q, Value, When
from django.db.models.expressions import Expression
from django.utils import timezone

from paperhub.papers.models import Category, Paper, PaperCategory
from paperhub.papers.records import strip_controls

MAX_WEEKS = 104
MAX_CATEGORIES = 8


def monday(day: date) -> date:
    """The Monday of the ISO week a day falls in."""
    return day - timedelta(days=day.weekday())


def week_key(day: date) -> str:
    """'2026-W48', as feed and week pages name weeks."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_ending(last: date, weeks: int) -> list[date]:
    """The Mondays of `weeks` consecutive weeks, the last one holding `last`."""
    end = monday(last)
    return [end - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def cumulative(days: list[tuple[date, int]], until: date) -> tuple[list[date], list[int]]:
    """Per-day counts as a running total on every day from the first one to `until` (none: empty)."""
    if not days:
        return [], []
    per_day = dict(days)
    first = min(per_day)
    span = [first + timedelta(days=i) for i in range((max(until, first) - first).days + 1)]
    totals, running = [], 0
    for day in span:
        running += per_day.get(day, 0)
        totals.append(running)
    return span, totals


@dataclass
class CategoryWeeks:
    """Papers per week of each category (cross-lists included), oldest week first."""

    weeks: list[date]
    counts: dict[str, list[int]]

    @property
    def labels(self) -> list[str]:
        return [week_key(w) for w in self.weeks]


def newest_day() -> date | None:
    """The day of the newest paper (charts end there, so an archive hub shows its own last weeks)."""
    newest = Paper.objects.aggregate(newest=Max("published"))["newest"]
    return timezone.localdate(newest) if newest else None


def week_index(field: str, starts: list[datetime], first: int = 0, last: int | None = None) -> Expression:
    """Which of the weeks beginning at `starts` a row's timestamp falls in (its index; 0 before the first week)."""
    # A balanced CASE on the weeks' starts: the database compares a row with about log2(weeks) timestamps, where
    # truncating each row's timestamp to its week costs a Python call a row on SQLite (most of the trends page's
    # time at 346K papers, docs/benchmarks.md). The starts carry the hub's time zone, so the weeks are the same.
    last = len(starts) - 1 if last is None else last
    if first >= last:
        return Value(first)
    middle = (first + last + 1) // 2
    return Case(When(**{f"{field}__lt": starts[middle]}, then=week_index(field, starts, first, middle - 1)),
                default=week_index(field, starts, middle, last), output_field=IntegerField())


def category_weeks(categories: list[str] | None = None, weeks: int = 26, last: date | None = None,
                   top: int = 6) -> CategoryWeeks:
    """Papers per week for the given categories, or for the `top` busiest of the window."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    last = last or newest_day() or timezone.localdate()
    mondays = weeks_ending(last, weeks)
    oldest = Paper.objects.aggregate(oldest=Min("published"))["oldest"]
    if oldest is not None:  # weeks before the hub's first paper are not drawn: a new hub's weeks fill the chart
        first = monday(timezone.localdate(oldest))
        mondays = [week for week in mondays if week >= first] or mondays[-1:]
    zone = timezone.get_current_timezone()
    starts = [datetime.combine(week, time.min, tzinfo=zone) for week in mondays]
    end = datetime.combine(mondays[-1] + timedelta(days=7), time.min, tzinfo=zone)
    # Every category of the window is counted and the asked ones picked below: filtering on their codes has SQLite
    # walk those categories' rows over all time (8 busy ones: 0.98 s at 104 weeks) instead of the window's.
    rows = PaperCategory.objects.filter(paper__published__gte=starts[0], paper__published__lt=end)
    grouped = list(rows.annotate(week=week_index("paper__published", starts)).values("category_id", "week")
                   .annotate(n=Count("id")).values_list("category_id", "week", "n"))
    # codes looked up afterwards: joining each row to its category costs PostgreSQL a third of the query
    codes = dict(Category.objects.filter(id__in={category for category, _, _ in grouped}).values_list("id", "code"))
    counts: dict[str, Counter[date]] = {}
    for category, week, n in grouped:
        counts.setdefault(codes[category], Counter())[mondays[week]] += n
    chosen = categories[:MAX_CATEGORIES] if categories else \
        sorted(counts, key=lambda c: -sum(counts[c].values()))[:max(1, min(top, MAX_CATEGORIES))]
    return CategoryWeeks(mondays, {code: [counts.get(code, Counter())[w] for w in mondays] for code in chosen})


def codes_in(text: str) -> list[str]:
    """The category codes a form or query string gives (space- or comma-separated), each once (cs.cl is cs.CL),
    without control characters (a NUL is an error in a PostgreSQL query)."""
    seen: dict[str, str] = {}
    for code in strip_controls(text).replace(",", " ").split():
        seen.setdefault(code.casefold(), code)
    return list(seen.values())


def parse_categories(text: str) -> list[str]:
    """Category codes as forms and query strings give them (codes_in), at most MAX_CATEGORIES, spelt as the hub
    stores them (cs.cl is cs.CL); codes the hub has no paper in are left out (unknown_categories)."""
    asked = codes_in(text)[:MAX_CATEGORIES]
    if not asked:
        return []
    stored = {code.lower(): code for code in Category.objects.filter(
        reduce(operator.or_, (Q(code__iexact=c) for c in asked))).values_list("code", flat=True)}
    return [stored[c.lower()] for c in asked if c.lower() in stored]


def unknown_categories(text: str, known: list[str]) -> list[str]:
    """The codes in a category list that parse_categories did not find (`known`), for telling the person."""
    found = {c.casefold() for c in known}
    return [c for c in codes_in(text)[:MAX_CATEGORIES] if c.casefold() not in found]
