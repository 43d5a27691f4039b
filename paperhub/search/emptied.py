"""Why a search found nothing: each of its parts (categories, an author, the dates, has:code, a phrase, the words)
dropped in turn and what is left counted, and whether any paper on the hub has the part at all ("No papers in
cs.XX; 12 results without that filter"). Bounded work: at most MAX_PARTS parts, each a count on the keyword index
(no ranking, no stored document read: about a millisecond on 34K papers) and the search without it counted as it
would list papers (the caller's `Count`), and only for a search that found nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from paperhub.search import keyword, keyword_queries
from paperhub.search.query import (
    NO_FILTERS,
    Filters,
    ParsedQuery,
    not_arxiv,
    parse,
    units,
    unknown_categories,
    wants_code,
    window,
)

#: At most this many parts of a search are tried (a query of many phrases would otherwise count each).
MAX_PARTS = 8
#: How many papers a search (its query and filters) finds, and whether that is all it lists: False where the count is
#: its keyword matches alone and the search would also find papers by meaning (counting them would embed its text).
Count = Callable[[ParsedQuery, Filters], tuple[int, bool]]


@dataclass(frozen=True)
class Part:
    """A part of a search that found nothing: in words, whether any paper on the hub has it at all, and how many
    papers the search finds without it (its query and filters, for a link)."""

    words: str  # "in cs.XX", "by Ada Lovelace", "from 2030-01-01 to 2030-02-01", "with code", "holding “a b”"
    held: bool  # some paper on the hub has it; False: none does (that alone emptied the search)
    without: int  # papers the search finds without it (0 too when nothing would be left to search)
    q: str
    filters: Filters
    unknown: tuple[str, ...] = ()  # its category codes that are no arXiv category or archive ("cs.XX")
    by_words: bool = False  # `without` counts keyword matches alone: the search without it may find more by meaning

    @property
    def reason(self) -> str:
        """The part in a sentence: "No papers in cs.XX on this hub (cs.XX is no arXiv category)"."""
        said = f"No papers {self.words} on this hub" if not self.held else \
            f"None of the papers {self.words} match the rest of the search"
        return f"{said} ({not_arxiv(self.unknown)})" if self.unknown else said


def _dropped(q: str, belongs: Callable[[ParsedQuery], bool]) -> str:
    """The query without the tokens of one part (each token parsed alone says which part it is)."""
    return " ".join(unit for unit in units(q) if not belongs(parse(unit)))


def _dates(since: object, until: object) -> str:
    return " ".join(part for part in (f"from {since}" if since else "", f"to {until}" if until else "") if part)


def _parts(q: str, parsed: ParsedQuery, filters: Filters) -> list[tuple[str, ParsedQuery, Filters, str, Filters]]:
    """Each part of a search as (its words, itself alone as a query and filters, the search's query and filters
    without it)."""
    parts = []
    if parsed.categories:
        parts.append((f"in {' or '.join(parsed.categories)}", ParsedQuery(categories=parsed.categories), NO_FILTERS,
                      _dropped(q, lambda p: bool(p.categories)), filters))
    if filters.categories:
        parts.append((f"in {' or '.join(filters.categories)}", ParsedQuery(), Filters(categories=filters.categories),
                      q, replace(filters, categories=())))
    for name in parsed.authors:
        parts.append((f"by {name}", ParsedQuery(authors=(name,)), NO_FILTERS,
                      _dropped(q, lambda p, name=name: p.authors == (name,)), filters))  # type: ignore[misc]
    if filters.authors:
        parts.append((f"by {' or '.join(filters.authors)}", ParsedQuery(), Filters(authors=filters.authors), q,
                      replace(filters, authors=())))
    since, until = window(parsed, filters)
    if since or until:
        parts.append((_dates(since, until), ParsedQuery(), Filters(since=since, until=until),
                      _dropped(q, lambda p: bool(p.since or p.until)), replace(filters, since=None, until=None)))
    if wants_code(parsed, filters):
        parts.append(("with code", ParsedQuery(), Filters(has_code=True), _dropped(q, lambda p: p.has_code),
                      replace(filters, has_code=False)))
    for phrase in parsed.phrases:
        parts.append((f"holding “{' '.join(phrase)}”", ParsedQuery(phrases=(phrase,)), NO_FILTERS,
                      _dropped(q, lambda p, phrase=phrase: p.phrases == (phrase,)), filters))  # type: ignore[misc]
    if parsed.terms and parts:  # the words alone are the whole search: nothing to drop them from
        parts.append((f"with the words “{' '.join(parsed.terms)}”", ParsedQuery(terms=parsed.terms), NO_FILTERS,
                      _dropped(q, lambda p: bool(p.terms)), filters))
    return parts[:MAX_PARTS]


def why_empty(index: keyword.KeywordIndex, q: str, parsed: ParsedQuery, filters: Filters, count: Count) -> list[Part]:
    """The parts of a search that found nothing which emptied it: those no paper on the hub has, first, then those
    without which it finds papers, most first; `count` counts the search without each as that search lists papers."""
    found = []
    for words, alone, alone_filters, rest_q, rest_filters in _parts(q, parsed, filters):
        held = index.count(keyword_queries.build_query(alone, alone_filters)) > 0
        rest = parse(rest_q)
        left = bool(rest_q.strip()) or rest_filters != NO_FILTERS
        without, whole = count(rest, rest_filters) if left and not rest.problem else (0, True)
        if not held or without:
            found.append(Part(words, held, without, rest_q, rest_filters,
                              unknown_categories(alone.categories + alone_filters.categories), by_words=not whole))
    return sorted(found, key=lambda part: (part.held, -part.without))
