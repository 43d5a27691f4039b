"""A search said back: in words (a feed's title, a chart's caption) and as the search page's query string. Pure."""

from urllib.parse import quote, urlencode

from paperhub.search.query import Filters, ParsedQuery


def url_query(q: str, filters: Filters, sort: str = "relevance") -> str:
    """A search as the search page's query string (Filters.from_params reads it back), empty parts left out."""
    params = {"q": q, "since": filters.since.isoformat() if filters.since else "",
              "until": filters.until.isoformat() if filters.until else "", "cat": " ".join(filters.categories),
              "author": ", ".join(filters.authors), "code": "1" if filters.has_code else "",
              "sort": "" if sort == "relevance" else sort}
    return urlencode({name: value for name, value in params.items() if value}, quote_via=quote)


def described(q: str, filters: Filters) -> str:
    """A search in words, as its feed is titled: "diffusion, in cs.CV, with code"; "papers in cs.GT"."""
    words = [f"in {' or '.join(filters.categories)}" if filters.categories else "",
             f"by {' or '.join(filters.authors)}" if filters.authors else "",
             f"from {filters.since.isoformat()}" if filters.since else "",
             f"to {filters.until.isoformat()}" if filters.until else "", "with code" if filters.has_code else ""]
    said = ", ".join(w for w in words if w)
    if not q.strip():
        return f"papers {said}" if said else ""
    return f"{q.strip()}, {said}" if said else q.strip()


def _quoted(terms: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> str:
    return ", ".join(f"“{text}”" for text in (*terms, *(" ".join(p) for p in phrases)))


def _in_fields(pairs: tuple[tuple[str, tuple[str, ...]], ...], said: str) -> list[str]:
    """ti: and abs: words in words: "“diffusion” in the title", "without “survey” in the title"."""
    return [f"{said}{_quoted((), tuple(words for f, words in pairs if f == name))} in the {name}"
            for name in ("title", "abstract") if any(f == name for f, _ in pairs)]


def parts_in_words(parsed: ParsedQuery) -> tuple[str, ...]:
    """What a query asks beside its words and has:code, in words (a chart's caption): "by Ada Lovelace",
    "in cs.CL or cs.LG", "without “survey”", "from 2025-01-01"."""
    said = [f"by {' and '.join(parsed.authors)}" if parsed.authors else "",
            f"in {' or '.join(parsed.categories)}" if parsed.categories else "",
            f"without {_quoted(parsed.not_terms, parsed.not_phrases)}" if parsed.not_terms or parsed.not_phrases
            else "",
            f"not by {' or '.join(parsed.not_authors)}" if parsed.not_authors else "",
            f"not in {' or '.join(parsed.not_categories)}" if parsed.not_categories else "",
            *_in_fields(parsed.in_fields, ""), *_in_fields(parsed.not_in_fields, "without "),
            f"from {parsed.since.isoformat()}" if parsed.since else "",
            f"to {parsed.until.isoformat()}" if parsed.until else ""]
    return tuple(part for part in said if part)
