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
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection

from paperhub.papers import feeds
from paperhub.papers.models import FeedEntry
from paperhub.papers.periods import Period, day_period, month_period, week_period

KINDS = ("day", "week", "month")
_PERIOD = {"day": day_period, "week": week_period, "month": month_period}


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


def ended(period: Period) -> datetime:
    """The moment a period ends: the start of the feed day after its last; its ranking counts the votes before it."""
    return feeds.day_start(period.last + timedelta(days=1))


def stood_at_an_end(cast_at: datetime, withdrawn_at: datetime) -> bool:
    """Whether a vote stood when some period ended: periods end as feed days do, so when it outlived its feed day."""
    return withdrawn_at >= ended(day_period(feeds.feed_day(cast_at)))


def top_of(kind: str, periods: set[Period], top: int) -> list[tuple[int, date, int]]:
    """(paper id, the period's first day, position) of the top papers of each period of one kind, in one query."""
    return [(paper_id, first, position) for _, paper_id, first, position in tops({kind: periods}, top)]


def tops(periods: dict[str, set[Period]], top: int) -> list[tuple[str, int, date, int]]:
    """(kind, paper id, the period's first day, position) of the top papers of each period of every kind, in one
    query (the same number of queries whichever kinds a page's papers touch)."""
    day, moment = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value
    ordered = sorted(((kind, period) for kind, of_kind in periods.items() for period in of_kind),
                     key=lambda pair: (pair[0], pair[1].first))
    if not ordered:
        return []
    params = [v for kind, period in ordered
              for v in (kind, day(period.first), day(period.last), moment(ended(period)))]
    since = moment(min(ended(period) for _, period in ordered))
    sql = _TOP_OF.format(periods=", ".join(["(%s, %s, %s, %s)"] * len(ordered)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, since, top])  # in the order the query names them
        return [(kind, paper_id, _as_date(start), position) for kind, paper_id, start, position in cursor.fetchall()]


# The Daily / Weekly / Monthly pages' order as each period ended, every kind in one statement written once (the
# ORM's version took 4-7 ms a kind to compile, three times a page of cards). An entry's votes as its period ended:
# this hub's upvotes standing then, live ones cast before the end and withdrawn ones cast before it and withdrawn after
# (one look-up in the index of each by paper per entry) plus those the source counted. One user's votes on a paper
# never stood at once (WithdrawnUpvote), so a re-vote never counts twice. A paper in several days' feeds of a week
# or month counts once, at its best-voted entry. Only papers that may have a vote have theirs counted (an upvote
# now, one withdrawn since the first end, a source's count on any entry: a few of a month's thousands, found by
# index from each entry without reading its paper); the others would follow every voted paper, so leaving them
# out moves no one.
_TOP_OF = """
WITH periods (period_kind, period_first, period_last, period_end) AS (VALUES {periods})
SELECT kind, paper_id, start, position FROM (
    SELECT kind, paper_id, start, votes, ROW_NUMBER() OVER (
        PARTITION BY kind, start ORDER BY votes DESC, published DESC, best DESC) AS position
    FROM (
        SELECT kind, start, paper_id, MAX(votes) AS votes, MAX(published) AS published, MAX(id) AS best
        FROM (
            SELECT s.period_kind AS kind, s.period_first AS start, e.paper_id, e.id, p.published,
                   (SELECT COUNT(*) FROM community_upvote u
                    WHERE u.paper_id = e.paper_id AND u.created_at < s.period_end)
                   + (SELECT COUNT(*) FROM community_withdrawnupvote w
                      WHERE w.paper_id = e.paper_id AND w.cast_at < s.period_end AND w.withdrawn_at >= s.period_end)
                   + e.external_upvotes AS votes
            FROM periods s
            JOIN papers_feedentry e ON e.day >= s.period_first AND e.day <= s.period_last
            JOIN papers_paper p ON p.id = e.paper_id
            WHERE EXISTS (SELECT 1 FROM community_upvote u WHERE u.paper_id = e.paper_id)
               OR e.paper_id IN (SELECT w.paper_id FROM community_withdrawnupvote w WHERE w.withdrawn_at >= %s)
               OR EXISTS (SELECT 1 FROM papers_feedentry x WHERE x.paper_id = e.paper_id AND x.external_upvotes > 0)
        ) voted
        GROUP BY kind, start, paper_id
    ) best
) ranked
WHERE position <= %s AND votes > 0
"""


def periods_that_may_rank(entries: Iterable[tuple[int, date, int]], first_votes: dict[int, datetime],
                          today: date) -> dict[str, set[Period]]:
    """The finished days, weeks and months of these feed entries (paper id, day, the source's count) in which the
    entry's paper may rank: the source counted a vote on it, or the paper's first vote here (`first_votes`: cast,
    withdrawn later or not) came before the period ended. Only a paper with a vote ranks, so no other period can rank
    one of them: a page's papers that no one had voted for by then cost no period's ranking."""
    periods: dict[str, set[Period]] = {kind: set() for kind in KINDS}
    for paper_id, day, external in entries:
        first = first_votes.get(paper_id)
        for kind in KINDS:
            period = _PERIOD[kind](day)
            if period.last < today and (external > 0 or first is not None and first < ended(period)):
                periods[kind].add(period)
    return periods


def first_votes(paper_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of these papers got its first vote here, standing or withdrawn since (one query, written once: the
    ORM's union took longer to build than to run)."""
    ids = list(paper_ids)
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    first: dict[int, datetime] = {}
    with connection.cursor() as cursor:
        cursor.execute(_CAST.format(ids=marks), [*ids, *ids])
        for paper_id, cast in cursor.fetchall():
            moment = _as_moment(cast)
            first[paper_id] = min(moment, first.get(paper_id, moment))
    return first


_CAST = """
SELECT paper_id, created_at FROM community_upvote WHERE paper_id IN ({ids})
UNION ALL SELECT paper_id, cast_at FROM community_withdrawnupvote WHERE paper_id IN ({ids})
"""


def _as_date(value: object) -> date:
    """A day as the database gives it back (SQLite: text)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def _as_moment(value: object) -> datetime:
    """A moment as the database gives it back (SQLite: naive, in UTC, as Django stores it)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def ranks_for(paper_ids: Sequence[int], today: date | None = None, top: int | None = None) -> dict[int, Rank]:
    """The best rank badge of each of these papers that has one: one query for their feed entries, one for their
    first votes, and one for the ranks of the periods where one of them may rank (none when there is none)."""
    top = settings.PAPERHUB_RANK_BADGES if top is None else top
    if not paper_ids or top <= 0:
        return {}
    wanted = set(paper_ids)
    entries = list(FeedEntry.objects.filter(paper_id__in=wanted).values_list("paper_id", "day", "external_upvotes"))
    votes = first_votes({paper_id for paper_id, _, _ in entries})
    found: dict[int, list[Rank]] = {}
    for kind, paper_id, start, position in tops(periods_that_may_rank(entries, votes, today or feeds.today()), top):
        if paper_id in wanted:
            found.setdefault(paper_id, []).append(Rank(position, _PERIOD[kind](start)))
    return {paper_id: rank for paper_id, ranks in found.items() if (rank := best(ranks)) is not None}
