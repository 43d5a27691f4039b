"""Rank badges: "#N Paper of the day / week / month" for the papers that ranked in a finished period's feed.

A period ranks its papers as its Daily / Weekly / Monthly page orders them (feeds.period_papers: votes, then
newest; a paper in several days' feeds of a week or month counts once, at its best-voted entry). Only finished
periods give badges, so a badge does not come and go while a day's votes are still coming in, and only papers
with a vote (a quiet day's feed in order of publication ranks no one). A paper shows its
best badge: the smallest N; at the same N the longer period (#1 of the month over #1 of its week or day).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import F, Max, Q, Window
from django.db.models.functions import RowNumber, TruncMonth, TruncWeek

from paperhub.papers import feeds
from paperhub.papers.models import FeedEntry

KINDS = ("day", "week", "month")
_PERIOD = {"day": feeds.day_period, "week": feeds.week_period, "month": feeds.month_period}
_START = {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}


@dataclass(frozen=True)
class Rank:
    """A paper's place in one finished period's feed."""

    position: int
    period: feeds.Period

    @property
    def label(self) -> str:
        return f"#{self.position} Paper of the {self.period.kind}"


def best(ranks: Iterable[Rank]) -> Rank | None:
    """The badge a paper shows: the smallest position; at a tie, the longest period."""
    return min(ranks, key=lambda r: (r.position, -KINDS.index(r.period.kind)), default=None)


def finished_periods(days: Iterable[date], today: date) -> dict[str, set[feeds.Period]]:
    """The finished days, weeks and months holding these feed days, by kind."""
    periods: dict[str, set[feeds.Period]] = {kind: set() for kind in KINDS}
    for day in days:
        for kind in KINDS:
            period = _PERIOD[kind](day)
            if period.last < today:
                periods[kind].add(period)
    return periods


def top_of(kind: str, periods: set[feeds.Period], top: int) -> list[tuple[int, date, int]]:
    """(paper id, the period's first day, position) of the top papers of each period of one kind, in one query."""
    if not periods:
        return []
    spans = Q()
    for period in periods:
        spans |= Q(day__gte=period.first, day__lte=period.last)
    rows = (FeedEntry.objects.filter(spans).annotate(start=_START[kind]).values("start", "paper_id")
            .annotate(votes=Max(feeds.VOTES), published=Max("paper__published"), best=Max("id"))
            .filter(votes__gt=0)  # unvoted papers follow voted ones, so leaving them out moves no one
            .annotate(position=Window(RowNumber(), partition_by=[F("start")],
                                      order_by=[F("votes").desc(), F("published").desc(), F("best").desc()]))
            .filter(position__lte=top))
    return [(row["paper_id"], _as_date(row["start"]), row["position"]) for row in rows]


def _as_date(value: object) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value  # type: ignore[return-value]


def ranks_for(paper_ids: Sequence[int], today: date | None = None, top: int | None = None) -> dict[int, Rank]:
    """The best rank badge of each of these papers that has one: one query for their feed days, one per kind."""
    top = settings.PAPERHUB_RANK_BADGES if top is None else top
    if not paper_ids or top <= 0:
        return {}
    wanted = set(paper_ids)
    days = set(FeedEntry.objects.filter(paper_id__in=wanted).values_list("day", flat=True))
    found: dict[int, list[Rank]] = {}
    for kind, periods in finished_periods(days, today or feeds.today()).items():
        for paper_id, start, position in top_of(kind, periods, top):
            if paper_id in wanted:
                found.setdefault(paper_id, []).append(Rank(position, _PERIOD[kind](start)))
    return {paper_id: rank for paper_id, ranks in found.items() if (rank := best(ranks)) is not None}
