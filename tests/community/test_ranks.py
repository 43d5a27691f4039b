import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from paperhub.community import ranks, services
from paperhub.community.models import Upvote, WithdrawnUpvote
from paperhub.papers import feeds, periods
from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.services import upsert_papers
from tests.factories import feed_entry, record, user

MONDAY = date(2026, 11, 16)  # ISO week 2026-W47
TODAY = date(2026, 12, 3)  # the week and November are over


def _papers(n: int) -> list[Paper]:
    upsert_papers([record(f"2611.{i:05d}", published=datetime(2026, 11, 10, tzinfo=UTC) + timedelta(hours=i))
                   for i in range(n)])
    return list(Paper.objects.order_by("uid"))


def test_best_prefers_the_smallest_position_then_the_longer_period():
    day, week, month = (periods.day_period(MONDAY), periods.week_period(MONDAY), periods.month_period(MONDAY))
    assert ranks.best([ranks.Rank(2, day), ranks.Rank(3, week)]) == ranks.Rank(2, day)
    assert ranks.best([ranks.Rank(1, day), ranks.Rank(1, month), ranks.Rank(1, week)]) == ranks.Rank(1, month)
    assert ranks.best([]) is None
    assert ranks.Rank(2, week).label == "#2 Paper of the week"


def _keys(found: dict[str, set[periods.Period]]) -> dict[str, set[str]]:
    return {kind: {p.key for p in of_kind} for kind, of_kind in found.items()}


def test_only_finished_periods_rank():
    found = ranks.periods_that_may_rank([(1, date(2026, 11, 30), 1), (1, date(2026, 12, 2), 1)], {},
                                        today=date(2026, 12, 3))
    assert {p.key for p in found["day"]} == {"2026-11-30", "2026-12-02"}
    assert {p.key for p in found["week"]} == set()  # 2026-W49 (30 Nov - 6 Dec) is still running
    assert {p.key for p in found["month"]} == {"2026-11"}


def test_only_periods_that_ended_after_a_papers_first_vote_may_rank_it():
    """A period ranks only papers with a vote as it ended: a paper's first vote here, or a source's count on the
    entry, decides in which of its periods it may rank, and those are the only ones worth ranking for it."""
    tuesday = MONDAY + timedelta(days=1)
    entries = [(1, MONDAY, 0), (2, MONDAY, 0), (3, MONDAY, 0), (4, MONDAY, 0), (5, tuesday, 2)]
    first = {1: ranks.ended(periods.day_period(MONDAY)) - timedelta(seconds=1),  # in time for Monday itself
             2: ranks.ended(periods.day_period(MONDAY)),  # at Monday's very end: too late for it, not for W47
             3: ranks.ended(periods.week_period(MONDAY)),  # too late for W47, not for November
             4: ranks.ended(periods.month_period(MONDAY))}  # after all of them ended: today's vote on an old paper
    day, week, month = "2026-11-16", "2026-W47", "2026-11"
    assert _keys(ranks.periods_that_may_rank(entries[:1], first, TODAY)) == {"day": {day}, "week": {week},
                                                                             "month": {month}}
    assert _keys(ranks.periods_that_may_rank(entries[1:2], first, TODAY)) == {"day": set(), "week": {week},
                                                                              "month": {month}}
    assert _keys(ranks.periods_that_may_rank(entries[2:3], first, TODAY)) == {"day": set(), "week": set(),
                                                                              "month": {month}}
    nothing: dict[str, set[str]] = {"day": set(), "week": set(), "month": set()}
    assert _keys(ranks.periods_that_may_rank(entries[3:4], first, TODAY)) == nothing
    assert _keys(ranks.periods_that_may_rank([(6, MONDAY, 0)], first, TODAY)) == nothing  # never voted for
    assert _keys(ranks.periods_that_may_rank(entries[4:], first, TODAY)) == {  # the source counted a vote
        "day": {"2026-11-17"}, "week": {week}, "month": {month}}


@pytest.mark.django_db
def test_papers_without_a_vote_as_their_periods_ended_cost_no_ranking(django_assert_num_queries):
    """A search's cards lie in a dozen months, most without a vote: no period is ranked for them (the ranking of a
    month visits its thousands of feed entries), and a late vote on an old paper ranks nothing either."""
    a, b = _papers(2)
    feed_entry(a, MONDAY)
    feed_entry(b, MONDAY - timedelta(days=40))
    _vote("ann", b, datetime(2026, 12, 3, 9, tzinfo=UTC))  # today: after all of b's periods ended
    with django_assert_num_queries(2) as asked:  # the papers' feed entries and their first votes: no ranking
        assert ranks.ranks_for([a.pk, b.pk], today=TODAY, top=3) == {}
    assert not any("ROW_NUMBER" in query["sql"] for query in asked.captured_queries)


@pytest.mark.django_db
def test_ranks_follow_the_feed_pages_order(django_assert_max_num_queries):
    papers = _papers(6)
    votes = [5, 9, 1, 9, 0, 3]
    for i, (paper, n) in enumerate(zip(papers, votes, strict=True)):
        feed_entry(paper, MONDAY + timedelta(days=i % 2), external_upvotes=n)
    feed_entry(papers[2], MONDAY + timedelta(days=3), external_upvotes=20)  # again later: its best entry counts
    with django_assert_max_num_queries(4):
        found = ranks.ranks_for([p.pk for p in papers], today=TODAY, top=3)
    for kind in ranks.KINDS:
        period = periods.parse_period(kind, {"day": "2026-11-16", "week": "2026-W47", "month": "2026-11"}[kind])
        page, _ = feeds.period_papers(period, limit=3)
        for position, paper in enumerate(page, 1):
            assert paper.votes or paper.pk not in found
            if paper.votes:
                assert found[paper.pk].position <= position  # its best badge is at least this one
    # #1 of the week and month: papers[2] (20 votes on Thursday); Monday's #1 papers[0] (5 votes); on Tuesday
    # papers[3] (9, newer than papers[1], which is #2 of the day and #3 of the week and month).
    tuesday = MONDAY + timedelta(days=1)
    assert found[papers[2].pk] == ranks.Rank(1, periods.month_period(MONDAY))
    assert found[papers[0].pk] == ranks.Rank(1, periods.day_period(MONDAY))
    assert found[papers[3].pk] == ranks.Rank(1, periods.day_period(tuesday))
    assert found[papers[1].pk] == ranks.Rank(2, periods.day_period(tuesday))
    assert papers[4].pk not in found  # third of Monday's feed, but without a vote


@pytest.mark.django_db
def test_no_badges_while_a_period_runs_or_when_turned_off():
    paper = _papers(1)[0]
    feed_entry(paper, TODAY, external_upvotes=4)
    assert ranks.ranks_for([paper.pk], today=TODAY, top=3) == {}
    assert ranks.ranks_for([paper.pk], today=TODAY + timedelta(days=1), top=0) == {}
    assert ranks.ranks_for([paper.pk], today=TODAY + timedelta(days=1), top=3) == {
        paper.pk: ranks.Rank(1, periods.day_period(TODAY))}


def _vote(name: str, paper: Paper, at: datetime) -> None:
    """A user's upvote of the paper, cast at `at` (through the service, so Paper.upvotes counts it too)."""
    voter = User.objects.filter(username=name).first() or user(name)
    services.upvote(voter, paper, on=True)
    Upvote.objects.filter(user=voter, paper=paper).update(created_at=at)


@pytest.mark.django_db
def test_a_late_vote_moves_no_one_in_a_finished_period(django_assert_max_num_queries):
    """Upvoting an old paper today made it "#1 Paper of the month" of a month long over: a finished period ranks
    by the votes cast before it ended, so its badges are fixed once it ends."""
    a, b, c = _papers(3)
    for paper in (a, b, c):
        feed_entry(paper, MONDAY)
    monday_noon = datetime(2026, 11, 16, 12, tzinfo=UTC)
    _vote("ann", a, monday_noon)
    _vote("bob", a, monday_noon)
    _vote("ann", b, monday_noon)  # a 2, b 1, c 0 when Monday, its week and November ended
    before = ranks.ranks_for([a.pk, b.pk, c.pk], today=TODAY, top=3)
    assert before == {a.pk: ranks.Rank(1, periods.month_period(MONDAY)), b.pk: ranks.Rank(2, periods.month_period(MONDAY))}
    for name in ("cat", "dan", "eve"):  # today (3 December): the page now orders b (4), c (3), a (2)
        _vote(name, b, datetime(2026, 12, 3, 9, tzinfo=UTC))
        _vote(name, c, datetime(2026, 12, 3, 9, tzinfo=UTC))
    page, _ = feeds.period_papers(periods.month_period(MONDAY), limit=3)
    assert [p.pk for p in page] == [b.pk, c.pk, a.pk]
    with django_assert_max_num_queries(4):
        after = ranks.ranks_for([a.pk, b.pk, c.pk], today=TODAY, top=3)
    assert after == before  # neither b's late votes nor c's first ones count for Monday, W47 or November


@pytest.mark.django_db
def test_a_period_counts_the_votes_of_its_last_moments_and_not_the_next_days(settings):
    settings.PAPERHUB_FEED_TIME_ZONE, settings.PAPERHUB_FEED_ROLLOVER = "America/New_York", "20:00"
    a, b = _papers(2)  # b is the newer
    sunday = MONDAY + timedelta(days=6)  # the last day of 2026-W47
    feed_entry(a, MONDAY)
    feed_entry(b, sunday)
    # Sunday's feed day runs to 20:00 in New York on Monday 23 November: 01:00 UTC on the 24th
    last_moment, next_day = datetime(2026, 11, 24, 0, 59, tzinfo=UTC), datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert (feeds.feed_day(last_moment), feeds.feed_day(next_day)) == (sunday, sunday + timedelta(days=1))
    assert ranks.ended(periods.week_period(MONDAY)) == next_day
    _vote("ann", a, last_moment)  # in time for the week, long after a's Monday ended
    _vote("bob", b, next_day)  # too late for b's Sunday and the week, in time for November
    found = ranks.ranks_for([a.pk, b.pk], today=TODAY, top=3)
    # Monday and Sunday had no vote by their ends: no badge; November's tie goes to the newer paper, as on its page
    assert found == {a.pk: ranks.Rank(1, periods.week_period(MONDAY)), b.pk: ranks.Rank(1, periods.month_period(MONDAY))}


def _withdraw(name: str, paper: Paper, at: datetime | None = None) -> None:
    """A user's withdrawal of their upvote (through the service), made at `at` when given (else now)."""
    voter = User.objects.get(username=name)
    services.upvote(voter, paper, on=False)
    if at is not None:
        WithdrawnUpvote.objects.filter(pk=WithdrawnUpvote.objects.filter(user=voter, paper=paper).latest("id").pk
                                       ).update(withdrawn_at=at)


MONDAY_NOON = datetime(2026, 11, 16, 12, tzinfo=UTC)


@pytest.mark.django_db
def test_a_vote_withdrawn_after_a_period_ended_keeps_its_badges(django_assert_max_num_queries):
    a, b = _papers(2)
    for paper in (a, b):
        feed_entry(paper, MONDAY)
    _vote("ann", a, MONDAY_NOON)
    _vote("bob", b, MONDAY_NOON)
    _vote("cat", b, MONDAY_NOON)  # b 2, a 1 when Monday, its week and November ended
    before = ranks.ranks_for([a.pk, b.pk], today=TODAY, top=3)
    assert before == {b.pk: ranks.Rank(1, periods.month_period(MONDAY)), a.pk: ranks.Rank(2, periods.month_period(MONDAY))}
    _withdraw("bob", b)
    _withdraw("cat", b)  # today: b has no vote left, and the page says so
    page, _ = feeds.period_papers(periods.month_period(MONDAY), limit=3)
    assert [(p.pk, p.votes) for p in page] == [(a.pk, 1), (b.pk, 0)]
    with django_assert_max_num_queries(4):
        assert ranks.ranks_for([a.pk, b.pk], today=TODAY, top=3) == before


@pytest.mark.django_db
def test_a_vote_withdrawn_inside_a_period_does_not_count_for_it():
    a, b = _papers(2)
    for paper in (a, b):
        feed_entry(paper, MONDAY)
    _vote("ann", a, MONDAY_NOON)
    _vote("bob", b, MONDAY_NOON)
    _vote("cat", b, MONDAY_NOON)
    wednesday = datetime(2026, 11, 18, 12, tzinfo=UTC)  # Monday over, the week and November not
    _withdraw("bob", b, wednesday)
    _withdraw("cat", b, wednesday)
    found = ranks.ranks_for([a.pk, b.pk], today=TODAY, top=3)
    # Monday ended with b's two votes standing; W47 and November with a's one alone
    assert found == {b.pk: ranks.Rank(1, periods.day_period(MONDAY)), a.pk: ranks.Rank(1, periods.month_period(MONDAY))}


@pytest.mark.parametrize("withdrawn, again", [
    (None, None),  # both today, long after the week and November ended
    (datetime(2026, 11, 17, 12, tzinfo=UTC), datetime(2026, 11, 18, 12, tzinfo=UTC)),  # both inside W47
], ids=["after-the-end", "inside-the-period"])
@pytest.mark.django_db
def test_withdrawing_and_voting_again_counts_once(withdrawn, again):
    b, a = _papers(2)  # a is the newer: at equal votes it would rank first
    for paper in (a, b):
        feed_entry(paper, MONDAY)
    _vote("bob", b, MONDAY_NOON)
    _vote("cat", b, MONDAY_NOON)
    _vote("ann", a, MONDAY_NOON)
    _withdraw("ann", a, withdrawn)
    services.upvote(User.objects.get(username="ann"), a, on=True)
    if again is not None:
        Upvote.objects.filter(paper=a).update(created_at=again)
    week, month = periods.week_period(MONDAY), periods.month_period(MONDAY)
    assert ranks.top_of("week", {week}, 3) == [(b.pk, week.first, 1), (a.pk, week.first, 2)]  # a's 1 vote, not 2
    assert ranks.ranks_for([a.pk, b.pk], today=TODAY, top=3) == {b.pk: ranks.Rank(1, month), a.pk: ranks.Rank(2, month)}


def _ranked_as_defined(of_kind: set[periods.Period], top: int) -> list[tuple[int, date, int]]:
    """ranks.top_of's answer worked out row by row in Python, as the module's docstring defines it."""
    found = []
    for period in of_kind:
        end = ranks.ended(period)
        best: dict[int, tuple[int, datetime, int]] = {}
        for entry in FeedEntry.objects.filter(day__gte=period.first, day__lte=period.last).select_related("paper"):
            votes = (Upvote.objects.filter(paper_id=entry.paper_id, created_at__lt=end).count()
                     + WithdrawnUpvote.objects.filter(paper_id=entry.paper_id, cast_at__lt=end,
                                                      withdrawn_at__gte=end).count() + entry.external_upvotes)
            held = best.get(entry.paper_id, (0, entry.paper.published, 0))
            best[entry.paper_id] = (max(held[0], votes), entry.paper.published, max(held[2], entry.pk))
        order = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1].timestamp(), -item[1][2]))
        found += [(paper_id, period.first, position) for position, (paper_id, (votes, _, _)) in enumerate(order, 1)
                  if position <= top and votes > 0]
    return sorted(found)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_top_lists_are_the_pages_order_as_each_period_ended_on_random_votes(seed):
    """Random feeds, votes cast at any time, votes withdrawn and sources' counts: the one query's top lists are
    those worked out row by row from the definition, for every kind and depth."""
    rng = random.Random(seed)
    upsert_papers([record(f"2611.{i:05d}", published=datetime(2026, 10, 1 + rng.randrange(3), tzinfo=UTC))
                   for i in range(40)])  # (ties on votes and dates, which the newest entry breaks)
    people = [user(f"reader{i}") for i in range(6)]

    def moment() -> datetime:  # often the very end of a day's feed, where a vote no longer counts for that day
        day = date(2026, 10, 20) + timedelta(days=rng.randrange(45))
        return feeds.day_start(day) + (timedelta(0) if rng.random() < 0.5 else timedelta(hours=rng.randrange(24)))

    for paper in Paper.objects.all():
        for day in rng.sample(range(40), rng.choice([1, 1, 2, 3])):
            feed_entry(paper, date(2026, 10, 20) + timedelta(days=day), external_upvotes=rng.choice([0, 0, 0, 1, 3]))
        if rng.random() < 0.4:
            continue  # never voted for
        for reader in rng.sample(people, rng.randrange(0, 4)):
            Upvote.objects.create(user=reader, paper=paper, created_at=moment())
        for reader in rng.sample(people, rng.randrange(0, 2)):
            cast, withdrawn = sorted([moment(), moment()])
            WithdrawnUpvote.objects.create(user=reader, paper=paper, cast_at=cast, withdrawn_at=withdrawn)
        Paper.objects.filter(pk=paper.pk).update(upvotes=Upvote.objects.filter(paper=paper).count())
    every_day = [(0, day, 1) for day in set(FeedEntry.objects.values_list("day", flat=True))]
    finished = ranks.periods_that_may_rank(every_day, {}, date(2026, 12, 10))  # every finished period
    ranked = 0
    for kind, of_kind in finished.items():
        for top in (1, 3, 100):
            found = sorted(ranks.top_of(kind, of_kind, top))
            assert found == _ranked_as_defined(of_kind, top), (kind, top)
            ranked += len(found)
    assert ranked > 30
    together = sorted(ranks.tops(finished, 3))  # every kind in one query, as ranks_for asks
    assert together == sorted((kind, *row) for kind, of_kind in finished.items() for row in ranks.top_of(kind, of_kind, 3))
    # ranks_for ranks only the periods where one of its papers may rank: the same badges as ranking every period
    everywhere: dict[int, list[ranks.Rank]] = {}
    for kind, paper_id, start, position in together:
        of_kind = {"day": periods.day_period, "week": periods.week_period, "month": periods.month_period}[kind]
        everywhere.setdefault(paper_id, []).append(ranks.Rank(position, of_kind(start)))
    papers = list(Paper.objects.values_list("pk", flat=True))
    for size in (1, 5, 20, 40):
        chosen = rng.sample(papers, size)
        expected = {pk: ranks.best(everywhere[pk]) for pk in chosen if pk in everywhere}
        assert ranks.ranks_for(chosen, today=date(2026, 12, 10), top=3) == expected, size
