"""The archive's months and years, and the day a "go to" form names (paperhub/papers/archive.py)."""

from datetime import date

import pytest

from paperhub.papers import archive
from paperhub.papers.periods import PeriodError
from tests.factories import add_paper, feed_entry

TODAY = date(2026, 12, 7)


def test_days_are_summed_into_their_months():
    counts = archive.months_of([(date(2010, 3, 1), 2), (date(2010, 3, 31), 3), (date(2010, 4, 1), 1)])
    assert counts == {date(2010, 3, 1): 5, date(2010, 4, 1): 1}


def test_years_come_newest_first_with_every_month_and_a_gap_as_one_line():
    counts = {date(2026, 6, 1): 7, date(2019, 12, 1): 2, date(2019, 3, 1): 1, date(2018, 1, 1): 4}
    years = archive.archive_years(counts)
    assert [type(y).__name__ for y in years] == ["ArchiveYear", "ArchiveGap", "ArchiveYear", "ArchiveYear"]
    newest, gap, middle, oldest = years
    assert (newest.year, newest.papers, len(newest.months)) == (2026, 7, 12)
    assert [m.papers for m in newest.months] == [0] * 5 + [7] + [0] * 6  # months without papers stay, at 0
    assert (gap.first, gap.last) == (2020, 2025)
    assert (middle.year, middle.papers, middle.first.period.key) == (2019, 3, "2019-03")  # a year links its first
    assert (oldest.year, oldest.first.period.key) == (2018, "2018-01")  # next to 2019: no gap between them


def test_one_missing_year_is_a_gap_too_and_no_papers_is_no_years():
    gap = archive.archive_years({date(2012, 5, 1): 1, date(2010, 5, 1): 1})[1]
    assert (gap.first, gap.last) == (2011, 2011)
    assert archive.archive_years({}) == []


@pytest.mark.parametrize(("kind", "text", "key"), [("day", "2010-03-15", "2010-03-15"), ("week", "2010-03-15", "2010-W11"),
                                                   ("month", "2010-03-15", "2010-03"), ("day", " 2026-12-07 ", "2026-12-07")])
def test_a_date_goes_to_the_period_holding_it(kind, text, key):
    chosen = archive.period_to_go_to(kind, text, TODAY)
    assert (chosen.kind, chosen.key) == (kind, key)


@pytest.mark.parametrize(("kind", "text", "reason"), [
    ("day", "", "give a date"), ("day", "2010-02-30", "no such day"), ("day", "2010-03", "is a month"),
    ("day", "2026-12-08", "has not come yet"), ("year", "2010-03-15", "not 'year'"), ("day", "x" * 5000, "not a day"),
])
def test_a_bad_or_future_date_is_refused_saying_why(kind, text, reason):
    with pytest.raises(PeriodError, match=reason):
        archive.period_to_go_to(kind, text, TODAY)


def test_month_counts_count_each_months_feed_entries(db):
    first, second = add_paper("1003.00001"), add_paper("1003.00002")
    feed_entry(first, date(2010, 3, 1))
    feed_entry(second, date(2010, 3, 31))
    feed_entry(second, date(2026, 6, 2))
    assert archive.month_counts() == {date(2010, 3, 1): 2, date(2026, 6, 1): 1}
