import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperhub.papers import feeds, periods
from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.services import upsert_papers
from tests.factories import feed_entry, record


def test_periods_parse_and_shift():
    week = periods.parse_period("week", "2026-W01")
    assert (week.first, week.last, week.key) == (date(2025, 12, 29), date(2026, 1, 4), "2026-W01")
    assert week.shifted(-1).key == "2025-W52" and week.shifted(1).key == "2026-W02"
    month = periods.parse_period("month", "2024-02")
    assert (month.first, month.last) == (date(2024, 2, 1), date(2024, 2, 29))
    assert month.shifted(-2).key == "2023-12" and month.shifted(11).key == "2025-01"
    assert periods.parse_period("day", "2026-11-24").shifted(7).key == "2026-12-01"
    assert periods.parse_period("week", "2026-W5").key == "2026-W05"
    assert periods.parse_period("week", "2026-w27").key == "2026-W27"  # as the month's 2026-6 is 2026-06


@pytest.mark.parametrize(("kind", "text"), [("day", "2026-02-30"), ("week", "2026-W54"), ("month", "2026-13"),
                                             ("month", "x"), ("week", "2026-11"), ("day", "")])
def test_bad_periods_are_refused(kind, text):
    with pytest.raises(periods.PeriodError):
        periods.parse_period(kind, text)


@pytest.mark.parametrize(("kind", "text", "reason"), [
    ("day", "2026-W26", "not a day: '2026-W26' (a day is written YYYY-MM-DD, as 2026-06-30; 2026-W26 is a week)"),
    ("day", "2026-W26-1", "not a day: '2026-W26-1' (a day is written YYYY-MM-DD, as 2026-06-30)"),
    ("day", "20260630", "not a day: '20260630' (a day is written YYYY-MM-DD, as 2026-06-30)"),
    ("day", "2026-06-30\n", "not a day: '2026-06-30\\n' (a day is written YYYY-MM-DD, as 2026-06-30)"),
    ("week", "2026-06-30", "not a week: '2026-06-30' (a week is written YYYY-Www, as 2026-W26; 2026-06-30 is a day)"),
    ("day", "2026-02-30", "not a day: '2026-02-30' (no such day in the calendar)")])
def test_a_day_is_written_one_way_only(kind, text, reason):
    """date.fromisoformat (Python 3.11) reads ISO week dates and compact dates: 2026-W26 was Monday 22 June."""
    with pytest.raises(periods.PeriodError) as refused:
        periods.parse_period(kind, text)
    assert str(refused.value) == reason


@pytest.mark.django_db
def test_a_period_of_no_kind_is_the_kind_it_is_written_as():
    assert [feeds.named_period("", text).key for text in ("2026-W26", "2026-06", "2026-06-30")] == [
        "2026-W26", "2026-06", "2026-06-30"]
    assert feeds.named_period("", "") is None  # the newest day, and no feed has papers
    with pytest.raises(periods.PeriodError, match="not a day, week or month: '26 June'"):
        feeds.named_period("", "26 June")
    assert [periods.period_kind(text) for text in ("2026-W26", "2026-06", "2026-06-30", "20260630")] == [
        "week", "month", "day", None]


def test_feed_day_follows_rollover_and_time_zone():
    moment = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    assert feeds.feed_day(moment, "UTC", "00:00") == date(2026, 11, 24)
    assert feeds.feed_day(moment, "UTC", "14:00") == date(2026, 11, 23)  # before the day rolls over
    assert feeds.feed_day(moment, "America/New_York", "00:00") == date(2026, 11, 24)
    assert feeds.feed_day(datetime(2026, 11, 24, 3, 0, tzinfo=UTC), "America/New_York", "00:00") == date(2026, 11, 23)
    with pytest.raises(periods.PeriodError):
        feeds.feed_day(moment, "UTC", "25:99")


def test_day_start_is_the_first_moment_of_a_feed_day():
    for zone, rollover in [("UTC", "00:00"), ("UTC", "14:00"), ("America/New_York", "20:00"),
                           ("America/New_York", "01:30")]:
        for day in (date(2026, 11, 24), date(2026, 3, 8), date(2026, 11, 1)):  # and both of 2026's DST changes
            start = feeds.day_start(day, zone, rollover).astimezone(UTC)  # 01:30 on 1 November: the first one
            assert feeds.feed_day(start, zone, rollover) == day
            assert feeds.feed_day(start - timedelta(microseconds=1), zone, rollover) == day - timedelta(days=1)
    assert feeds.day_start(date(2026, 11, 24), "America/New_York", "20:00") == datetime(2026, 11, 25, 1, tzinfo=UTC)


def test_trending_score_decays_with_age_and_ranks_votes():
    assert feeds.trending_score(0, 1) == 0
    assert feeds.trending_score(10, 0) > feeds.trending_score(10, 24) > feeds.trending_score(10, 240)
    assert feeds.trending_score(20, 24) > feeds.trending_score(10, 24)
    assert feeds.trending_score(10, 2, gravity=1.0) == pytest.approx(10 / 4)
    # a day-old paper with 30 votes beats a 6-hour-old one with 2, which beats a week-old one with 30
    assert feeds.trending_score(30, 24) > feeds.trending_score(2, 6) > feeds.trending_score(30, 24 * 7)


@pytest.mark.parametrize(("submitted", "listed"), [
    (datetime(2026, 11, 23, 18, 59, tzinfo=UTC), date(2026, 11, 24)),  # Monday 13:59 ET: Tuesday's listing
    (datetime(2026, 11, 23, 19, 0, tzinfo=UTC), date(2026, 11, 25)),   # Monday 14:00 ET: past the cutoff
    (datetime(2026, 11, 24, 2, 0, tzinfo=UTC), date(2026, 11, 25)),    # Monday 21:00 ET, Tuesday in UTC
    (datetime(2026, 11, 26, 20, 0, tzinfo=UTC), date(2026, 11, 30)),   # Thursday afternoon: Monday
    (datetime(2026, 11, 27, 12, 0, tzinfo=UTC), date(2026, 11, 30)),   # Friday morning: Monday
    (datetime(2026, 11, 27, 20, 0, tzinfo=UTC), date(2026, 12, 1)),    # Friday afternoon: Tuesday
    (datetime(2026, 11, 29, 12, 0, tzinfo=UTC), date(2026, 12, 1)),    # Sunday: Tuesday
    (datetime(2026, 7, 6, 17, 59, tzinfo=UTC), date(2026, 7, 7)),      # summer: the cutoff is 18:00 UTC (EDT)
    (datetime(2026, 7, 6, 18, 0, tzinfo=UTC), date(2026, 7, 8)),
    (datetime(2026, 11, 24, 0, 0, tzinfo=UTC), date(2026, 11, 24)),    # only a date: taken as it is
])
def test_announcement_day_follows_arxivs_cutoff_and_weekends(submitted, listed):
    assert feeds.announcement_day(submitted) == listed
    assert feeds.rule_day("2611.00001", submitted) == listed


def test_papers_from_elsewhere_enter_on_their_publication_day():
    assert feeds.rule_day("doi:10.1000/x", datetime(2026, 11, 27, 20, 0, tzinfo=UTC)) == date(2026, 11, 27)


@pytest.mark.parametrize(("env", "placed"), [
    ({}, "cs.CL,cs.LG,cs.AI,cs.CV"),
    ({"PAPERHUB_CATEGORIES": "math.AG"}, "math.AG"),
    ({"PAPERHUB_FEED_CATEGORIES": "none"}, ""),
    ({"PAPERHUB_FEED_CATEGORIES": ""}, ""),
    ({"PAPERHUB_FEED_CATEGORIES": "cs.RO"}, "cs.RO"),
    ({"PAPERHUB_FEED_KEYWORDS": "diffusion"}, ""),  # a keyword-only hub stays keyword-only
])
def test_daily_defaults_to_the_fetched_categories_and_turns_off(env, placed, tmp_path):
    """The settings as a fresh process reads them from its environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERHUB_FEED_", "PAPERHUB_CATEGORIES"))}
    script = "import paperhub.settings as s; print(','.join(s.PAPERHUB_FEED_CATEGORIES))"
    out = subprocess.run([sys.executable, "-c", script], env={**clean, "PAPERHUB_DATA_DIR": str(tmp_path), **env},
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == placed


def test_rules_match_categories_or_keywords():
    paper = record(categories=("cs.CL",), title="Sparse attention", abstract="We study Retrieval.")
    assert feeds.matches_rules(paper, ["cs.CL"], [])
    assert not feeds.matches_rules(paper, ["cs.CV"], [])
    assert feeds.matches_rules(paper, [], ["retrieval"])
    assert not feeds.matches_rules(paper, [], [])


@pytest.mark.django_db
def test_ingest_places_papers_by_rule_without_overwriting_submissions(settings, tmp_path):
    from paperhub.ingest.pipeline import IngestSummary, land
    from paperhub.ingest.report import ErrorLog

    settings.PAPERHUB_FEED_CATEGORIES = ["cs.CV"]
    when = datetime(2026, 11, 20, 15, tzinfo=UTC)  # Friday 10:00 ET: announced in Monday's listing
    land([record("2611.00001", categories=("cs.CV",), published=when),
          record("2611.00002", categories=("cs.CL",), published=when)], ErrorLog(), IngestSummary())
    assert list(FeedEntry.objects.values_list("paper__uid", "day", "source")) == [
        ("2611.00001", date(2026, 11, 23), "rule")]
    FeedEntry.objects.update(source="submission", submitted_by="ann", day=date(2026, 11, 25))
    land([record("2611.00001", categories=("cs.CV",), published=when, version=2)], ErrorLog(), IngestSummary())
    assert list(FeedEntry.objects.values_list("day", "source")) == [(date(2026, 11, 25), "submission")]


@pytest.mark.django_db
def test_a_fresh_hub_fills_daily_with_its_categories_by_default():
    """Without any rule set, the categories the hub fetches fill each announcement day."""
    from paperhub.ingest.pipeline import IngestSummary, land
    from paperhub.ingest.report import ErrorLog

    monday = datetime(2026, 11, 23, 15, tzinfo=UTC)
    land([record("2611.00001", categories=("cs.LG",), published=monday),
          record("2611.00002", categories=("math.AG",), published=monday)], ErrorLog(), IngestSummary())
    assert feeds.latest_day() == date(2026, 11, 24)
    assert [p.uid for p in feeds.period_papers(periods.day_period(date(2026, 11, 24)))[0]] == ["2611.00001"]


@pytest.mark.django_db
def test_period_papers_order_by_votes_and_count_each_paper_once():
    day = date(2026, 11, 23)
    upsert_papers([record(f"2611.0000{i}", published=datetime(2026, 11, 22, tzinfo=UTC)) for i in range(1, 4)])
    papers = {p.uid: p for p in Paper.objects.all()}
    Paper.objects.filter(uid="2611.00002").update(upvotes=5)
    feed_entry(papers["2611.00001"], day, "hf", external_upvotes=3)
    feed_entry(papers["2611.00002"], day, "submission")
    feed_entry(papers["2611.00003"], day)
    feed_entry(papers["2611.00002"], day + timedelta(days=1))
    ranked, total = feeds.period_papers(periods.day_period(day))
    assert [p.uid for p in ranked] == ["2611.00002", "2611.00001", "2611.00003"] and total == 3
    assert [p.votes for p in ranked] == [5, 3, 0]
    week, total = feeds.period_papers(periods.week_period(day), limit=2)
    assert total == 3 and [p.uid for p in week] == ["2611.00002", "2611.00001"]


@pytest.fixture
def month_feed(db):
    """Five papers in June 2026's feeds: votes and dates in different orders; one paper in two days' feeds."""
    upsert_papers([record(f"2606.0000{i}", published=datetime(2026, 6, i, tzinfo=UTC)) for i in range(1, 6)])
    papers = {p.uid: p for p in Paper.objects.all()}
    feed_entry(papers["2606.00001"], date(2026, 6, 30), "hf", external_upvotes=9, submitted_by="ann",
               submitted_at=datetime(2026, 6, 30, 8, tzinfo=UTC))
    feed_entry(papers["2606.00002"], date(2026, 6, 2), "hf", external_upvotes=7, submitted_by="ann",
               submitted_at=datetime(2026, 6, 2, 8, tzinfo=UTC))
    feed_entry(papers["2606.00003"], date(2026, 6, 19))  # no votes, no submitted_at: dated by its publication
    feed_entry(papers["2606.00004"], date(2026, 6, 24), "hf", external_upvotes=1,
               submitted_at=datetime(2026, 6, 24, 8, tzinfo=UTC))
    feed_entry(papers["2606.00005"], date(2026, 6, 10), "hf", external_upvotes=2,
               submitted_at=datetime(2026, 6, 10, 8, tzinfo=UTC))
    feed_entry(papers["2606.00005"], date(2026, 6, 11), submitted_by="ann")  # counted once, at its 2 votes
    return periods.month_period(date(2026, 6, 1))


def _pages(period, size, **options):
    """Every page of period_papers in turn (the last digit of each uid), and the total every page told."""
    pages = [feeds.period_papers(period, offset=i * size, limit=size, **options) for i in range(6)]
    assert len({total for _, total in pages}) == 1
    return [p.uid[-1] for page, _ in pages for p in page], pages[0][1]


def test_period_papers_newest_first_across_pages(month_feed):
    """sort=publishedAt sorted one page of the most upvoted by date: page 0 was not the newest."""
    assert _pages(month_feed, 2, order="newest") == (["1", "4", "5", "3", "2"], 5)
    assert _pages(month_feed, 2) == (["1", "2", "5", "4", "3"], 5)  # by votes, as before
    assert _pages(None, 2, order="newest", submitter="ann") == (["1", "5", "2"], 3)


def test_period_papers_trending_ranks_voted_papers_then_the_rest(month_feed):
    now = datetime(2026, 7, 1, tzinfo=UTC)
    expected = sorted(
        [("1", 9, datetime(2026, 6, 30, 8, tzinfo=UTC)), ("2", 7, datetime(2026, 6, 2, 8, tzinfo=UTC)),
         ("4", 1, datetime(2026, 6, 24, 8, tzinfo=UTC)), ("5", 2, datetime(2026, 6, 10, 8, tzinfo=UTC))],
        key=lambda row: -feeds.trending_score(row[1], (now - row[2]).total_seconds() / 3600))
    assert [uid for uid, _, _ in expected] == ["1", "4", "2", "5"]  # not the votes order (1, 2, 5, 4): age counts
    for size in (1, 2, 3, 10):
        assert _pages(month_feed, size, order="trending", now=now) == (["1", "4", "2", "5", "3"], 5), size
    assert _pages(periods.day_period(date(2026, 6, 19)), 2, order="trending", now=now) == (["3"], 1)
    # ann's entry of 2606.00005 has no votes of its own (its 2 came with the other entry)
    assert _pages(month_feed, 2, order="trending", now=now, submitter="ann") == (["1", "2", "5"], 3)


@pytest.mark.django_db
def test_trending_reads_a_month_in_sql_order_yet_ranks_exactly_as_trending_score():
    """SQL orders the rows by a score that strays in the last digits (SQLite's clock keeps milliseconds): ties,
    near-ties a microsecond apart (the best read last), one paper's entries on several days: the reference order."""
    import random

    rng, now = random.Random(7), datetime(2026, 7, 1, 6, tzinfo=UTC)
    Paper.objects.bulk_create([Paper(uid=f"2606.{i:05d}", title=f"Paper {i}", source="test",
                                     upvotes=rng.randrange(3)) for i in range(300)])
    rows, moment = [], datetime(2026, 6, 29, 12, 0, 0, 900, tzinfo=UTC)
    for n, paper in enumerate(Paper.objects.order_by("id")):
        if n < 150:  # the best 150 within a millisecond, the newest first by a microsecond yet the lowest id
            Paper.objects.filter(pk=paper.pk).update(upvotes=0)
            rows.append(FeedEntry(paper=paper, day=moment.date(), source="hf", external_upvotes=100,
                                  submitted_at=moment - timedelta(microseconds=n)))
            continue
        for offset in rng.sample(range(30), rng.choice((1, 1, 2))):
            rows.append(FeedEntry(paper=paper, day=date(2026, 6, 1) + timedelta(days=offset), source="hf",
                                  external_upvotes=rng.choice((0, 1, 2, 3, 50)), submitted_at=rng.choice(
                                      (None, moment - timedelta(hours=rng.randrange(700), microseconds=n)))))
    FeedEntry.objects.bulk_create(rows)
    best: dict[str, tuple[float, int]] = {}
    for entry in FeedEntry.objects.select_related("paper"):
        votes = entry.paper.upvotes + entry.external_upvotes
        placed = entry.submitted_at or datetime.combine(entry.day, datetime.min.time(), tzinfo=UTC)
        score = feeds.trending_score(votes, (now - placed).total_seconds() / 3600)
        if votes > 0 and (entry.paper.uid not in best or score > best[entry.paper.uid][0]):
            best[entry.paper.uid] = (score, entry.pk)
    expected = sorted(best, key=lambda uid: (-best[uid][0], -best[uid][1]))
    month = periods.month_period(date(2026, 6, 1))
    for offset, limit in ((0, 1), (0, 10), (35, 20), (109, 3), (140, 60), (len(expected) - 5, 10)):
        page = [p.uid for p in feeds.period_papers(month, offset, limit, order="trending", now=now)[0]]
        assert page[:max(0, len(expected) - offset)] == expected[offset:offset + limit], (offset, limit)
    assert [p.uid for p in feeds.trending(limit=12, now=now, days=40)] == expected[:12]


@pytest.mark.django_db
def test_trending_ranks_recent_votes_over_old_ones():
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    upsert_papers([record(u) for u in ("2611.00001", "2611.00002", "2611.00003", "2611.00004")])
    papers = {p.uid: p for p in Paper.objects.all()}
    Paper.objects.filter(uid="2611.00001").update(upvotes=40)  # old
    Paper.objects.filter(uid="2611.00002").update(upvotes=10)  # fresh
    Paper.objects.filter(uid="2611.00004").update(upvotes=99)  # outside the window
    feed_entry(papers["2611.00001"], date(2026, 11, 17))
    feed_entry(papers["2611.00002"], date(2026, 11, 24))
    feed_entry(papers["2611.00003"], date(2026, 11, 24))  # no votes
    feed_entry(papers["2611.00004"], date(2026, 10, 1))
    ranked = feeds.trending(now=now, days=14, gravity=1.5)
    assert [p.uid for p in ranked] == ["2611.00002", "2611.00001"]
    assert ranked[0].trending == pytest.approx(10 / 14 ** 1.5, rel=1e-3)


@pytest.mark.django_db
def test_feeds_rules_command_places_stored_papers_idempotently(settings):
    upsert_papers([
        record("2611.00001", categories=("cs.CL",), published=datetime(2026, 11, 20, 9, tzinfo=UTC)),
        record("2611.00002", categories=("cs.CV",), published=datetime(2026, 11, 20, 9, tzinfo=UTC),
               title="Diffusion for video"),
        record("2611.00003", categories=("cs.CL",), published=datetime(2026, 10, 1, 9, tzinfo=UTC)),
    ])
    settings.PAPERHUB_FEED_CATEGORIES = []
    with pytest.raises(CommandError, match="no feed rules"):
        call_command("feeds", "rules", "--since", "2026-11-01")
    settings.PAPERHUB_FEED_CATEGORIES = ["cs.CL"]
    settings.PAPERHUB_FEED_KEYWORDS = ["diffusion"]
    out = StringIO()
    call_command("feeds", "rules", "--since", "2026-11-01", stdout=out)
    assert out.getvalue().startswith("2 papers placed")
    assert sorted(FeedEntry.objects.values_list("paper__uid", flat=True)) == ["2611.00001", "2611.00002"]
    call_command("feeds", "rules", "--since", "2026-11-01", stdout=out)
    assert FeedEntry.objects.count() == 2


@pytest.mark.parametrize("command", [["feeds", "rules", "--since"], ["digests", "send", "--date"],
                                     ["search", "graph", "--since"]])
@pytest.mark.parametrize("written", ["20261101", "2026-W45", "2026-11-31", "2026-11"])
def test_commands_read_a_day_as_yyyy_mm_dd_alone(db, command, written):
    """`feeds rules --since 20261101` and `digests send --date 2026-W45` were read as days (fromisoformat reads
    both): the commands read a day as the pages and the API do, and name what they want."""
    with pytest.raises(CommandError, match=re.escape(f"not a date (YYYY-MM-DD): {written!r}")):
        call_command(*command, written, stdout=StringIO(), stderr=StringIO())
