"""How many papers match a query over time, as the chart shows it: per month, or per year over long spans (the
counting is queries.volume's, over the keyword index)."""

from dataclasses import dataclass
from typing import Literal


@dataclass
class Volume:
    """How many papers match a query per month (or per year over long spans), oldest first."""

    unit: Literal["month", "year"]
    labels: list[str]
    counts: list[int]
    problem: str = ""  # the query's since:/until: that is no date (ParsedQuery.problem): no counts, and why

    @property
    def total(self) -> int:
        return sum(self.counts)


def months_between(first: int, last: int) -> list[int]:
    """Every YYYYMM from `first` to `last` inclusive."""
    months, year, month = [], first // 100, first % 100
    while year * 100 + month <= last:
        months.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def volume_series(per_month: dict[int, int], max_months: int = 48) -> Volume:
    """Per-month counts with the empty months filled in; by year when they span more than `max_months`."""
    valid = {m: n for m, n in per_month.items() if 1 <= m % 100 <= 12}
    if not valid:
        return Volume("month", [], [])
    months = months_between(min(valid), max(valid))
    if len(months) <= max_months:
        return Volume("month", [f"{m // 100}-{m % 100:02d}" for m in months], [valid.get(m, 0) for m in months])
    years = range(min(valid) // 100, max(valid) // 100 + 1)
    totals = {y: 0 for y in years}
    for month, n in valid.items():
        totals[month // 100] += n
    return Volume("year", [str(y) for y in years], [totals[y] for y in years])
