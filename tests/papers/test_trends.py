"""Papers per category per week: the grouped count against a plain one, in any time zone, any window."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paperhub.papers import trends
from paperhub.papers.models import PaperCategory
from paperhub.papers.services import upsert_papers
from tests.factories import record

CODES = ("cs.CL", "cs.LG", "cs.CV", "q-bio.BM", "stat.ML", "math.OC", "cs.AI", "econ.EM", "eess.IV", "cs.RO")


@pytest.fixture
def scattered(db):
    """300 papers at random moments over three years (across summer-time changes), one to four categories each,
    with papers at midnight on the weeks' edges in UTC and in New York."""
    rng = random.Random(53)
    first = datetime(2024, 1, 1, tzinfo=UTC)
    moments = [first + timedelta(seconds=rng.randrange(3 * 365 * 86400)) for _ in range(280)]
    moments += [datetime(2025, 3, 10, tzinfo=UTC), datetime(2025, 11, 3, 5, tzinfo=UTC),  # Mondays 00:00, UTC and NY
                datetime(2025, 11, 3, 4, 59, 59, tzinfo=UTC), datetime(2026, 3, 9, 3, 59, 59, tzinfo=UTC)]
    moments += [datetime(2026, 12, 28, tzinfo=UTC) - timedelta(microseconds=1)] * 16  # the newest week's last moment
    upsert_papers([record(f"2{i:03d}.{i:05d}", published=when, updated=when,
                          categories=tuple(rng.sample(CODES, rng.randint(1, 4))))
                   for i, when in enumerate(moments)])


def plain_count(weeks: list[date]) -> dict[str, Counter[date]]:
    """Each paper-category row's week, found one row at a time in Python."""
    counts: dict[str, Counter[date]] = {}
    for code, published in PaperCategory.objects.values_list("category__code", "paper__published"):
        week = trends.monday(timezone.localdate(published))
        if weeks[0] <= week <= weeks[-1]:
            counts.setdefault(code, Counter())[week] += 1
    return counts


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kathmandu"])
@pytest.mark.parametrize("weeks", [1, 7, 26, 53, trends.MAX_WEEKS])
def test_category_weeks_match_a_plain_count(scattered, settings, zone, weeks):
    settings.TIME_ZONE = zone
    data = trends.category_weeks(weeks=weeks, top=trends.MAX_CATEGORIES)
    plain = plain_count(data.weeks)
    assert data.weeks == trends.weeks_ending(data.weeks[-1], len(data.weeks)) and len(data.weeks) == weeks
    assert data.counts == {code: [plain[code][w] for w in data.weeks] for code in data.counts}
    busiest = sorted((sum(weekly.values()) for weekly in plain.values()), reverse=True)[:trends.MAX_CATEGORIES]
    assert sorted((sum(series) for series in data.counts.values()), reverse=True) == busiest
    asked = ["stat.ML", "cs.CL", "econ.EM", "cs.NE"]  # the last has no paper: a line of noughts
    chosen = trends.category_weeks(asked, weeks=weeks)
    assert list(chosen.counts) == asked and chosen.counts["cs.NE"] == [0] * weeks
    assert all(chosen.counts[code] == [plain.get(code, Counter())[w] for w in data.weeks] for code in asked[:3])


def test_the_weeks_are_found_by_comparing_timestamps_not_by_truncating_each_row(scattered, settings):
    settings.TIME_ZONE = "America/New_York"
    with CaptureQueriesContext(connection) as queries:
        trends.category_weeks(weeks=trends.MAX_WEEKS)
    [grouped] = [q["sql"].lower() for q in queries.captured_queries if "group by" in q["sql"].lower()]
    assert "trunc" not in grouped and "case when" in grouped
    assert grouped.count("case when") == trends.MAX_WEEKS - 1  # one comparison a week's start, about 7 a row

