"""Daily, weekly and monthly feeds and trending: which papers, in which order. Pure date arithmetic first."""

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.records import PaperRecord
from paperhub.papers.services import FeedPlacement, place_in_feed


class PeriodError(ValueError):
    """A date, week or month in a URL or query that does not name a real period."""


@dataclass(frozen=True)
class Period:
    """A feed's span of days (inclusive) and how it is named and linked."""

    kind: str  # "day", "week" or "month"
    first: date
    last: date

    @property
    def key(self) -> str:
        """The period as it appears in URLs: 2026-11-24, 2026-W48, 2026-11."""
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.first:%A, %-d %B %Y}"
        if self.kind == "week":
            return f"Week {self.key[6:]} of {self.key[:4]} ({self.first:%-d %b} - {self.last:%-d %b})"
        return f"{self.first:%B %Y}"

    def shifted(self, steps: int) -> "Period":
        """The period `steps` before (negative) or after this one."""
        if self.kind == "day":
            return day_period(self.first + timedelta(days=steps))
        if self.kind == "week":
            return week_period(self.first + timedelta(weeks=steps))
        month = self.first.year * 12 + self.first.month - 1 + steps
        return month_period(date(month // 12, month % 12 + 1, 1))


def day_period(day: date) -> Period:
    return Period("day", day, day)


def week_period(day: date) -> Period:
    """The ISO week (Monday to Sunday) holding a day."""
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def month_period(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, following - timedelta(days=1))


PERIODS = {"day": day_period, "week": week_period, "month": month_period}

_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_period(kind: str, text: str) -> Period:
    """A period from its URL form; raises PeriodError for anything else, and for a period at the calendar's
    edges (year 1 or 9999), whose page could not link the period before or after it."""
    try:
        chosen = None
        if kind == "day":
            chosen = day_period(date.fromisoformat(text))
        elif kind == "week" and (match := _WEEK.match(text)):
            chosen = week_period(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        elif kind == "month" and (match := _MONTH.match(text)):
            chosen = month_period(date(int(match[1]), int(match[2]), 1))
        if chosen is not None:
            for neighbour in (chosen.shifted(-1), chosen.shifted(1)):
                week_period(neighbour.first), month_period(neighbour.last)  # what the page links to
            return chosen
    except (ValueError, OverflowError):
        pass
    raise PeriodError(f"not a {kind}: {text!r}")


def named_period(kind: str, text: str = "") -> Period | None:
    """The day, week or month named in its URL form, or else the one holding the newest feed day (None when no
    feed has papers); raises PeriodError for a bad name."""
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


def period_entries(period: Period) -> QuerySet[FeedEntry]:
    """A period's feed entries, most upvoted first (ours plus those counted at the source), then newest."""
    return (FeedEntry.objects.filter(day__gte=period.first, day__lte=period.last)
            .select_related("paper")
            .annotate(votes=VOTES)
            .order_by("-votes", "-paper__published", "-id"))


def period_papers(period: Period, offset: int = 0, limit: int = 50) -> tuple[list[Paper], int]:
    """A page of a period's papers (each once, at its best-voted entry) and how many there are."""
    entries = period_entries(period)
    if period.kind != "day":  # a paper can be in several days' feeds of one week or month
        seen: set[int] = set()
        unique = []
        for entry_id, paper_id in entries.values_list("id", "paper_id"):
            if paper_id not in seen:
                seen.add(paper_id)
                unique.append(entry_id)
        total = len(unique)
        entries = period_entries(period).filter(id__in=unique[offset:offset + limit])
        page = list(entries)
    else:
        total = entries.count()
        page = list(entries[offset:offset + limit])
    return with_votes(page), total


def with_votes(entries: list[FeedEntry]) -> list[Paper]:
    """The entries' papers, each carrying its entry (`feed_entry`) and votes (`votes`)."""
    papers = []
    for entry in entries:
        paper = entry.paper
        paper.votes = entry.votes  # type: ignore[attr-defined]
        paper.feed_entry = entry  # type: ignore[attr-defined]
        papers.append(paper)
    return papers


def latest_day() -> date | None:
    """The newest day whose feed has papers."""
    return FeedEntry.objects.order_by("-day").values_list("day", flat=True).first()


def trending(limit: int = 50, now: datetime | None = None, days: int | None = None,
             gravity: float | None = None) -> list[Paper]:
    """Papers from the recent feeds ranked by trending_score; computed over at most a few weeks of entries."""
    now = now or timezone.now()
    days = settings.PAPERHUB_TRENDING_DAYS if days is None else days
    gravity = settings.PAPERHUB_TRENDING_GRAVITY if gravity is None else gravity
    since = feed_day(now) - timedelta(days=days)
    best: dict[int, tuple[float, FeedEntry]] = {}
    entries = (FeedEntry.objects.filter(day__gte=since).select_related("paper")
               .annotate(votes=VOTES).filter(votes__gt=0))
    for entry in entries:
        placed = entry.submitted_at or datetime.combine(entry.day, time(), tzinfo=ZoneInfo("UTC"))
        score = trending_score(entry.votes, (now - placed).total_seconds() / 3600, gravity)
        if entry.paper_id not in best or score > best[entry.paper_id][0]:
            best[entry.paper_id] = (score, entry)
    ranked = sorted(best.values(), key=lambda pair: (-pair[0], -pair[1].id))[:limit]
    papers = with_votes([entry for _, entry in ranked])
    for paper, (score, _) in zip(papers, ranked, strict=True):
        paper.trending = round(score, 4)  # type: ignore[attr-defined]
    return papers
