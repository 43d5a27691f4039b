"""Past the last page a search serves (MAX_OFFSET): a list in date order goes on as the same search up to the last
listed paper's day, so any depth is reached 10,000 results at a time; a ranked one can only be narrowed."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from paperhub.search.query import MAX_OFFSET, Filters, ParsedQuery, window


@dataclass(frozen=True)
class Beyond:
    """What a search says at its last page and past it: how many of its results are listed, and, for a list in date
    order, the search that goes on from there (None: narrow it, by dates or a category)."""

    listed: int  # the results its pages reach
    then: Filters | None = None  # the same search's filters for the papers after these, from its first page
    day: date | None = None  # the listed papers' last day, where `then` goes on from
    # that day alone holds more papers than the pages reach: `then` starts the day before, and the day's papers past
    # these are not listed (rather than the same list again)
    day_too_full: bool = False


def date_ordered(parsed: ParsedQuery, sort: str) -> bool:
    """Whether a search lists its papers newest first: sorted so, or (ranked by relevance) with no words to rank by."""
    return sort == "newest" or sort == "relevance" and not parsed.text


def cut(total: int, offset: int, limit: int) -> bool:
    """Whether a page of `limit` at `offset` is the last a search's pages reach, or past it, with results beyond."""
    return total > MAX_OFFSET + limit and offset + limit > MAX_OFFSET


def beyond(parsed: ParsedQuery, filters: Filters, sort: str, total: int, offset: int, limit: int,
           last_day: date | None) -> Beyond | None:
    """What lies past a search's pages (None where its pages reach every result, or this is not their last page).
    `last_day` is the day of the last result they list: papers of later days all came before it (newest first), so
    the search until that day loses none, and lists again only that day's papers already shown."""
    if not cut(total, offset, limit):
        return None
    listed = MAX_OFFSET + limit
    if not date_ordered(parsed, sort) or last_day is None:  # ranked, or the papers of no known day are left
        return Beyond(listed)
    _, until = window(parsed, filters)
    too_full = until is not None and last_day >= until  # the pages held this day's papers alone: it would repeat
    day = last_day - timedelta(days=1) if too_full else last_day
    return Beyond(listed, replace(filters, until=day), last_day, too_full)
