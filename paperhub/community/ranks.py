"""Rank badges: "#N Paper of the day / week / month" for the papers that ranked in a finished period's feed.

A period ranks its papers as its Daily / Weekly / Monthly page ordered them when the period ended (feeds.period_papers:
votes, then newest; a paper in several days' feeds of a week or month counts once, at its best-voted entry), counting
only this hub's upvotes that stood at that end (the start of the feed day after its last day): cast before it and
not withdrawn by then (a withdrawal after it leaves a WithdrawnUpvote for this count), plus those counted at the
source, which carry no time. Only finished periods give badges, and a vote cast or withdrawn after a period ended
moves no one in it, so a badge does not come and go once given; only papers with a vote then rank (a period whose
feed had no vote by its end ranks no one). A paper shows its best badge: the smallest N; at the same N the longer
period (#1 of the month over #1 of its week or day).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, DateTimeField, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth, TruncWeek

from paperhub.community.models import Upvote, WithdrawnUpvote
from paperhub.papers import feeds
from paperhub.papers.models import FeedEntry
from paperhub.papers.periods import Period, day_period, month_period, week_period

KINDS = ("day", "week", "month")
_PERIOD = {"day": day_period, "week": week_period, "month": month_period}
_START = {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}


@dataclass(frozen=True)
class Rank:
    """A paper's place in one finished period's feed."""

    position: int
    period: Period

    @property
    def label(self) -> str:
        return f"#{self.position} Paper of the {self.period.kind}"


def best(ranks: Iterable[Rank]) -> Rank | None:
    """The badge a paper shows: the smallest position; at a tie, the longest period."""
    return min(ranks, key=lambda r: (r.position, -KINDS.index(r.period.kind)), default=None)


def finished_periods(days: Iterable[date], today: date) -> dict[str, set[Period]]:
    """The finished days, weeks and months holding these feed days, by kind."""
    periods: dict[str, set[Period]] = {kind: set() for kind in KINDS}
    for day in days:
        for kind in KINDS:
            period = _PERIOD[kind](day)
            if period.last < today:
                periods[kind].add(period)
    return periods


def ended(period: Period) -> datetime:
    """The moment a period ends: the start of the feed day after its last; its ranking counts the votes before it."""
    return feeds.day_start(period.last + timedelta(days=1))


def stood_at_an_end(cast_at: datetime, withdrawn_at: datetime) -> bool:
    """Whether a vote stood when some period ended: periods end as feed days do, so when it outlived its feed day."""
    return withdrawn_at >= ended(day_period(feeds.feed_day(cast_at)))


def _count(votes: QuerySet[Any]) -> Coalesce:
    """How many of these rows (filtered by OuterRef("paper_id")) there are, as a subquery: 0 for none."""
    return Coalesce(Subquery(votes.values("paper_id").annotate(n=Count("id")).values("n")), 0)


def top_of(kind: str, periods: set[Period], top: int) -> list[tuple[int, date, int]]:
    """(paper id, the period's first day, position) of the top papers of each period of one kind, in one query."""
    if not periods:
        return []
    spans, ends = Q(), []
    for period in periods:
        span = Q(day__gte=period.first, day__lte=period.last)
        spans |= span
        ends.append(When(span, then=Value(ended(period))))
    # An entry's votes as its period ended: this hub's upvotes standing then, live ones cast before the end and
    # withdrawn ones cast before it and withdrawn after (one look-up in the index of each by paper per entry; none
    # for a paper no one upvoted, as Paper.upvotes says, and no vote withdrawn since the first end, as one hashed
    # set of papers says) plus those the source counted. One user's votes on a paper never stood at once
    # (WithdrawnUpvote), so a re-vote never counts twice.
    paper, end = OuterRef("paper_id"), OuterRef("ended")
    live = _count(Upvote.objects.filter(paper_id=paper, created_at__lt=end))
    withdrawn = _count(WithdrawnUpvote.objects.filter(paper_id=paper, cast_at__lt=end, withdrawn_at__gte=end))
    since = WithdrawnUpvote.objects.filter(withdrawn_at__gte=min(ended(p) for p in periods)).values("paper_id")
    unvoted = Q(paper__upvotes=0) & ~Q(paper_id__in=since)
    votes = Case(When(unvoted, then=0), default=live + withdrawn) + F("external_upvotes")
    rows = (FeedEntry.objects.filter(spans)
            .annotate(start=_START[kind], ended=Case(*ends, output_field=DateTimeField()))
            .values("start", "paper_id").annotate(votes=Max(votes), published=Max("paper__published"), best=Max("id"))
            .annotate(position=Window(RowNumber(), partition_by=[F("start")],
                                      order_by=[F("votes").desc(), F("published").desc(), F("best").desc()]))
            .filter(position__lte=top))
    # unvoted papers follow voted ones, so leaving them out here moves no one (and a HAVING would count twice)
    return [(row["paper_id"], _as_date(row["start"]), row["position"]) for row in rows if row["votes"] > 0]


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
