"""Day, week and month periods: how they are written in URLs, parsed and named. Pure date arithmetic."""

import re
from dataclasses import dataclass
from datetime import date, timedelta


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

#: Each kind's written form (a day is YYYY-MM-DD only: date.fromisoformat also reads 2026-W26 and 20260630); a
#: week's w in lower case and a one-digit week or month are read too, and the pages redirect them to the key.
FORMS = {"day": re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "week": re.compile(r"(\d{4})-[Ww](\d{1,2})"),
         "month": re.compile(r"(\d{4})-(\d{1,2})")}
EXAMPLES = {"day": "YYYY-MM-DD, as 2026-06-30", "week": "YYYY-Www, as 2026-W26", "month": "YYYY-MM, as 2026-06"}


def period_kind(text: str) -> str | None:
    """The kind of period a text is written as (day, week or month), None for none of their forms."""
    return next((kind for kind, form in FORMS.items() if form.fullmatch(text)), None)


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD (nothing else: not 20260630 nor 2026-W26-1), any day of the calendar; raises
    PeriodError naming the form. What a date parameter reads (a period's page refuses the calendar's edges too)."""
    match = FORMS["day"].fullmatch(text)
    try:
        if match is not None:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise PeriodError(f"not a day: {text!r} (no such day in the calendar)") from None
    written = period_kind(text)
    other = f"; {text} is a {written}" if written else ""
    raise PeriodError(f"not a day: {text[:40]!r} (a day is written {EXAMPLES['day']}{other})")


def day_or_none(value: date | str | None) -> date | None:
    """A day as parse_day reads it (a date as it is), None for nothing or anything else: a filter that is no day."""
    if isinstance(value, date) or value is None:
        return value
    try:
        return parse_day(value)
    except PeriodError:
        return None


def parse_period(kind: str, text: str) -> Period:
    """A period from its URL form; raises PeriodError, naming the form, for anything else (a week where a day is
    asked for too), and for a period at the calendar's edges (year 1 or 9999), whose page could not link the
    period before or after it."""
    try:
        chosen = None
        if (match := FORMS[kind].fullmatch(text)) is None:
            pass
        elif kind == "day":
            chosen = day_period(parse_day(text))
        elif kind == "week":
            chosen = week_period(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        else:
            chosen = month_period(date(int(match[1]), int(match[2]), 1))
        if chosen is not None:
            for neighbour in (chosen.shifted(-1), chosen.shifted(1)):
                week_period(neighbour.first), month_period(neighbour.last)  # what the page links to
            return chosen
    except (ValueError, OverflowError):
        pass
    written = period_kind(text)
    if written == kind:  # the right form, but no such date (2026-02-30), or one at the calendar's edge
        raise PeriodError(f"not a {kind}: {text!r} (no such {kind} in the calendar)")
    other = f"; {text} is a {written}" if written else ""
    raise PeriodError(f"not a {kind}: {text[:40]!r} (a {kind} is written {EXAMPLES[kind]}{other})")
