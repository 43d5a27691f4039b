"""Daily, weekly and monthly feeds and trending: which papers, in which order (periods.py names the spans)."""

import heapq
import math
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, FloatField, Func, Q, QuerySet, Value, Window
from django.db.models.functions import Cast, Coalesce, Greatest, Power, RowNumber
from django.utils import timezone

from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.periods import EXAMPLES, PERIODS, Period, PeriodError, parse_period, period_kind
from paperhub.papers.records import PaperRecord
from paperhub.papers.services import FeedPlacement, place_in_feed


def named_period(kind: str, text: str = "") -> Period | None:
    """The day, week or month named in its URL form, or else the one holding the newest feed day (None when no
    feed has papers); no kind: the one the text is written as (a day when there is no text). Raises PeriodError for
    a bad name."""
    if not kind:
        found = period_kind(text) if text else "day"
        if found is None:
            raise PeriodError(f"not a day, week or month: {text[:40]!r} (write {'; '.join(EXAMPLES.values())})")
        kind = found
    if text:
        return parse_period(kind, text)
    newest = latest_day()
    if newest is None:
        return None
    return PERIODS[kind](newest)


def neighbours(period: Period) -> tuple[Period | None, Period | None]:
    """The nearest periods of the same kind before and after one whose feeds have papers (None: there is none),
    so paging skips weekends and gaps and never leads past the newest feed."""
    days = FeedEntry.objects.values_list("day", flat=True)
    before = days.filter(day__lt=period.first).order_by("-day").first()
    after = days.filter(day__gt=period.last).order_by("day").first()
    make = PERIODS[period.kind]
    return (make(before) if before else None), (make(after) if after else None)


def rollover_time(text: str) -> time:
    """The feed's rollover setting ("HH:MM") as a time."""
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"PAPERHUB_FEED_ROLLOVER must be HH:MM, not {text!r}") from None


def feed_day(moment: datetime, zone: str = "", rollover: str = "") -> date:
    """The feed day a moment belongs to: days start at the rollover time in the feed's time zone."""
    local = moment.astimezone(ZoneInfo(zone or settings.PAPERHUB_FEED_TIME_ZONE))
    start = rollover_time(rollover or settings.PAPERHUB_FEED_ROLLOVER)
    shift = timedelta(hours=start.hour, minutes=start.minute)
    return (local - shift).date()


def day_start(day: date, zone: str = "", rollover: str = "") -> datetime:
    """The moment a feed day begins (feed_day's inverse): its rollover time in the feed's time zone (the first
    of the two where clocks go back; where they skip it, read with the offset before the change: the gap late)."""
    start = rollover_time(rollover or settings.PAPERHUB_FEED_ROLLOVER)
    return datetime.combine(day, start, tzinfo=ZoneInfo(zone or settings.PAPERHUB_FEED_TIME_ZONE))


def today() -> date:
    """Today's feed day."""
    return feed_day(timezone.now())


#: arXiv's daily cutoff: papers submitted before 14:00 US Eastern on a weekday are announced that evening.
ARXIV_ZONE = ZoneInfo("America/New_York")
ARXIV_CUTOFF = time(14, 0)


def next_weekday(day: date) -> date:
    """The day itself if it is Monday to Friday, else the Monday after."""
    return day + timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)


def announcement_day(submitted: datetime) -> date:
    """The day arXiv lists a paper submitted at this moment as new (its listing's date, as on /list/.../new).

    Submissions before a weekday's 14:00 ET cutoff are announced that evening at 20:00 ET (after midnight UTC), in
    the listing of the next weekday: Monday's papers on Tuesday, Friday's on Monday; holidays are not modelled.
    A moment at exactly midnight UTC is a source that gave only a date (OAI-PMH, the shared snapshots' announcement
    dates): that date is taken as it is.
    """
    utc = submitted.astimezone(ZoneInfo("UTC"))
    if utc.time() == time():
        return utc.date()
    local = submitted.astimezone(ARXIV_ZONE)
    cutoff = next_weekday(local.date() + timedelta(days=local.time() >= ARXIV_CUTOFF))
    return next_weekday(cutoff + timedelta(days=1))


def follows_announcements() -> bool:
    """Whether the feed rules are on, placing papers on arXiv's announcement days (Monday to Friday: rule_day)."""
    return bool(settings.PAPERHUB_FEED_CATEGORIES or settings.PAPERHUB_FEED_KEYWORDS)


def empty_period_note(period: Period, today: date, by_announcement: bool) -> str:
    """What the calendar says of a period with no papers: one still to come, or a Saturday or Sunday where the feed
    follows arXiv's announcement days (`by_announcement`); "" when it says nothing. Pure."""
    if period.first > today:
        return f"This {period.kind} has not come yet."
    if by_announcement and period.kind == "day" and period.first.weekday() >= 5:
        return ("No papers on this day: arXiv announces new papers Monday to Friday, and this hub's feed follows its "
                "announcements.")
    return ""


def rule_day(uid: str, published: datetime) -> date:
    """The feed day a paper enters by rule: arXiv's announcement day of its first version; a paper from
    elsewhere (`scheme:id`) its publication's feed day."""
    return feed_day(published) if ":" in uid else announcement_day(published)


def trending_score(votes: int, age_hours: float, gravity: float = 1.5) -> float:
    """Votes decayed by age, as Hacker News ranks: (votes) / (age + 2) ** gravity.

    A paper with no votes scores 0; two hours of grace keep a brand-new paper from dividing by ~0.
    """
    return max(0, votes) / math.pow(max(0.0, age_hours) + 2.0, gravity)


def matches_rules(record: PaperRecord, categories: Collection[str], keywords: Sequence[str]) -> bool:
    """Whether a new paper enters the day's feed by rule: any of the categories, or any keyword in its text."""
    if categories and not frozenset(categories).isdisjoint(record.categories):
        return True
    if keywords:
        text = f"{record.title} {record.abstract}".casefold()
        return any(k.casefold() in text for k in keywords)
    return False


def rule_placements(records: Sequence[PaperRecord]) -> list[FeedPlacement]:
    """Where papers enter a feed by the feed rules (settings): each matching paper on its rule_day."""
    categories, keywords = frozenset(settings.PAPERHUB_FEED_CATEGORIES), settings.PAPERHUB_FEED_KEYWORDS
    return [FeedPlacement(uid=r.uid, day=rule_day(r.uid, r.published), source="rule") for r in records
            if r.published is not None and matches_rules(r, categories, keywords)]


def apply_rules(since: date, until: date | None = None, batch: int = 5000) -> int:
    """Place papers already stored whose rule day is in [since, until] by the feed rules; returns new entries."""
    categories, keywords = settings.PAPERHUB_FEED_CATEGORIES, settings.PAPERHUB_FEED_KEYWORDS
    if not categories and not keywords:
        return 0
    # a paper is announced up to four days after it was submitted (Friday afternoon to Tuesday)
    start = datetime.combine(since, time(), tzinfo=ZoneInfo("UTC")) - timedelta(days=5)
    papers = Paper.objects.filter(published__gte=start)
    if until is not None:
        end = datetime.combine(until, time(), tzinfo=ZoneInfo("UTC")) + timedelta(days=2)
        papers = papers.filter(published__lt=end)
    rule = Q()
    if categories:
        rule |= Q(paper_categories__category__code__in=categories)
    for keyword in keywords:
        rule |= Q(title__icontains=keyword) | Q(abstract__icontains=keyword)
    created = 0
    rows = papers.filter(rule).order_by("id").values_list("uid", "published").distinct()
    chunk: list[FeedPlacement] = []
    for uid, published in rows.iterator(chunk_size=batch):
        if published is None:  # excluded by the filter above; keeps the type checker sure
            continue
        day = rule_day(uid, published)
        if day >= since and (until is None or day <= until):
            chunk.append(FeedPlacement(uid=uid, day=day, source="rule"))
        if len(chunk) >= batch:
            created += place_in_feed(chunk, keep_existing=True, unplaced_only=True)
            chunk = []
    return created + place_in_feed(chunk, keep_existing=True, unplaced_only=True)


#: A feed entry's votes: this hub's upvotes of the paper plus those counted at the source (Hugging Face's).
VOTES = F("paper__upvotes") + F("external_upvotes")

#: When an entry's paper came, for ordering newest first: submitted to the feed, else published, else added here.
PLACED = Coalesce(F("submitted_at"), F("paper__published"), F("paper__added_at"))

#: The orders of period_papers: most upvoted, newest (PLACED) or trending (trending_score) first.
ORDERS = ("votes", "newest", "trending")
_ORDER_BY = {"votes": ("-votes", "-paper__published", "-id"), "newest": (PLACED.desc(), "-id")}


def _feed_entries(period: Period | None, submitter: str) -> QuerySet[FeedEntry]:
    """A period's feed entries (every day's for None), only those `submitter` submitted if given."""
    entries = FeedEntry.objects.all()
    if period is not None:
        entries = entries.filter(day__gte=period.first, day__lte=period.last)
    return entries.filter(submitted_by=submitter) if submitter else entries


def _once(entries: QuerySet[FeedEntry], period: Period | None) -> QuerySet[FeedEntry]:
    """Each paper's best-voted entry among these (of `period`), with its votes: a paper counts once."""
    entries = entries.annotate(votes=VOTES)
    if period is not None and period.kind == "day":
        return entries  # a paper is in a day's feed once (feedentry_unique_day)
    # picked in SQL: a month's feeds can hold tens of thousands of entries
    return entries.annotate(nth=Window(RowNumber(), partition_by=[F("paper_id")],
                                       order_by=[F("votes").desc(), F("id").desc()])).filter(nth=1)


def period_papers(period: Period | None, offset: int = 0, limit: int = 50, order: str = "votes",
                  submitter: str = "", now: datetime | None = None) -> tuple[list[Paper], int]:
    """A page of a period's papers (every feed's for None; only those `submitter` submitted, if given), each once
    at its best-voted entry, in one of ORDERS, and how many there are. Trending ranks the papers with votes by
    trending_score, as `trending` does, and the others after them by votes, then newest."""
    entries = _feed_entries(period, submitter)
    total = entries.values("paper_id").distinct().count()  # without the papers' rows: reading them is the cost
    # only ids are ordered and paged, so the wide rows of the papers are read for the page alone
    ids = _once(entries, period).values_list("id", flat=True)
    if order != "trending":
        return with_votes(_entries_in_order(list(ids.order_by(*_ORDER_BY[order])[offset:offset + limit]))), total
    ranked = [entry_id for _, entry_id in _trending_scores(entries, now or timezone.now(), count=offset + limit)]
    page = ranked[offset:offset + limit]
    if offset + limit > len(ranked):  # the voted papers come first in votes order too: the rest is a slice of it
        page += ids.order_by(F("votes").desc(), PLACED.desc(), "-id")[max(offset, len(ranked)):offset + limit]
    return with_votes(_entries_in_order(page)), total


class _PlacedEpoch(Func):
    """Seconds since 1970 of the moment trending dates an entry by: submitted_at, else its day's midnight UTC."""

    output_field = FloatField()

    def __init__(self) -> None:
        super().__init__(F("submitted_at"), F("day"))

    def _compiled(self, compiler: Any) -> tuple[str, str, tuple[Any, ...]]:
        (submitted, first), (day, second) = (compiler.compile(e) for e in self.get_source_expressions())
        return submitted, day, (*first, *second)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        submitted, day, params = self._compiled(compiler)  # julianday() keeps milliseconds: _SLACK covers them
        return f"((julianday(COALESCE({submitted}, {day})) - 2440587.5) * 86400.0)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        submitted, day, params = self._compiled(compiler)
        return (f"CAST(EXTRACT(EPOCH FROM COALESCE({submitted}, CAST({day} AS timestamp) AT TIME ZONE 'UTC')) "
                f"AS double precision)"), params


#: How far (relatively) the score SQL computes may stray from trending_score's, per unit of gravity and more.
_SLACK = 1e-6


def _trending_scores(entries: QuerySet[FeedEntry], now: datetime, gravity: float | None = None,
                     count: int | None = None) -> list[tuple[float, int]]:
    """(trending_score, entry id) of each paper's best-scoring voted entry among `entries`, best first: the first
    `count` papers' (every one's for None)."""
    gravity = settings.PAPERHUB_TRENDING_GRAVITY if gravity is None else gravity
    # SQL orders the entries by the score so that only the first few rows are read (a month holds tens of
    # thousands); its score strays from trending_score's in the last digits, so each row read is scored again in
    # Python, and rows are read until no row left can come within the slack of the count-th paper's score
    age = Greatest((Value(now.timestamp()) - _PlacedEpoch()) / Value(3600.0), Value(0.0))
    rough = Cast(VOTES, FloatField()) / Power(age + Value(2.0), Value(float(gravity)))
    rows = entries.annotate(votes=VOTES).filter(votes__gt=0).annotate(rough=rough).order_by("-rough", "-id")
    columns = rows.values_list("id", "paper_id", "votes", "submitted_at", "day", "rough")
    best: dict[int, tuple[float, int]] = {}
    start, size = 0, 2 * (count or 0) + 100
    while True:
        chunk = list(columns[start:start + size])
        for entry_id, paper_id, votes, submitted_at, day, _ in chunk:
            placed = submitted_at or datetime.combine(day, time(), tzinfo=ZoneInfo("UTC"))
            score = trending_score(votes, (now - placed).total_seconds() / 3600, gravity)
            if paper_id not in best or score > best[paper_id][0]:
                best[paper_id] = (score, entry_id)
        if len(chunk) < size:
            break  # every voted entry is read
        if count is not None and len(best) >= count:
            bound = chunk[-1][-1] * (1 + _SLACK * (1 + gravity))  # the best any row left can score
            if heapq.nlargest(count, best.values())[-1][0] > bound:
                break
        start, size = start + size, size * 2
    return sorted(best.values(), key=lambda pair: (-pair[0], -pair[1]))[:count]


def _entries_in_order(ids: Sequence[int]) -> list[FeedEntry]:
    """These feed entries, with their papers and votes, in the order given."""
    found = FeedEntry.objects.filter(id__in=ids).select_related("paper").annotate(votes=VOTES).in_bulk()
    return [found[i] for i in ids if i in found]


def with_votes(entries: list[FeedEntry]) -> list[Paper]:
    """The entries' papers, each carrying its entry (`feed_entry`) and votes (`votes`)."""
    papers = []
    for entry in entries:
        paper = entry.paper
        paper.votes = entry.votes  # type: ignore[attr-defined]
        paper.feed_entry = entry  # type: ignore[attr-defined]
        papers.append(paper)
    return papers


def latest_entries(paper_ids: Collection[int]) -> dict[int, FeedEntry]:
    """Each of these papers' entry in the newest day's feed that holds it, by paper id (none for a paper in no feed)."""
    found: dict[int, FeedEntry] = {}
    for entry in FeedEntry.objects.filter(paper_id__in=paper_ids).order_by("paper_id", "-day"):
        found.setdefault(entry.paper_id, entry)
    return found


def latest_day() -> date | None:
    """The newest day whose feed has papers."""
    return FeedEntry.objects.order_by("-day").values_list("day", flat=True).first()


def trending(limit: int = 50, now: datetime | None = None, days: int | None = None,
             gravity: float | None = None) -> list[Paper]:
    """Papers from the recent feeds ranked by trending_score; computed over at most a few weeks of entries."""
    now = now or timezone.now()
    days = settings.PAPERHUB_TRENDING_DAYS if days is None else days
    since = feed_day(now) - timedelta(days=days)
    ranked = _trending_scores(FeedEntry.objects.filter(day__gte=since), now, gravity, count=limit)
    scores = {entry_id: score for score, entry_id in ranked}
    papers = with_votes(_entries_in_order(list(scores)))
    for paper in papers:
        paper.trending = round(scores[paper.feed_entry.pk], 4)  # type: ignore[attr-defined]
    return papers
