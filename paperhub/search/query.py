"""The search box's syntax, parsed into plain data, and the filters beside it. Pure: no input raises, broken syntax
falls back to words (a date that is no date is said in `problem`).

    words          scored terms (any may match; more matches rank higher)
    "a phrase"     the words in this order
    author:name    papers by an author (author:"Ada Lovelace" for a full name); several: by all of them
    cat:cs.CL      papers in a category; cat:cs for every cs.* category; several: in any of them
    has:code       papers that link to their code
    since:2025-01-01, until:2025-06-30      published on or after, on or before (inclusive)
    -word, -"phrase", -author:x, -cat:x      exclude
    a NOT b        exclude b, as arXiv writes it: only between two words (AND and OR, in capitals, are left out:
                   words already rank higher the more of them match); a NOT after a filler word ("Why NOT
                   Transformers") or between two capitalised words ("Diffusion NOT Video") is a pasted title's word
    au:name        author:name, as arXiv writes it
    ti:word, ti:"a phrase"     in the title (title: too); abs:, abstract: in the abstract; as arXiv reads them, each
                   is required there (and scored as the query's other words); all: is read as its words

A query that is arXiv ids and nothing else names those papers (named.py). A field with nothing after its colon
("author:", 'cat:""') is said in `problem`, not searched as its name's word; an empty ti:, title:, abs:, abstract:
or all: beside other words is a pasted label ("Abstract: We propose ..."), left out.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from paperhub.papers.categories import CATEGORY_NAMES
from paperhub.papers.periods import day_or_none
from paperhub.search.reading import readable

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64
#: At most this many authors a search names (in the query or in the filters) and categories its filters name.
MAX_NAMED = 10
_FIELD = re.compile(r"^(author|au|cat|since|until|ti|title|abs|abstract|all):(.+)$", re.IGNORECASE)
#: Fields of words: ti: and abs: name the index's field their words must be in; all: is any (searched as words).
_WORDS_FIELDS = {"ti": "title", "title": "title", "abs": "abstract", "abstract": "abstract", "all": ""}
#: arXiv's and Scholar's operators, in capitals only ("not" and "or" in lower case are words of a title).
_NOT, _IGNORED = frozenset({"NOT", "ANDNOT"}), frozenset({"AND", "OR", "&&", "||"})
#: Words a query holds only to read as a phrase ("attention for long documents", "Why NOT Transformers"): no topic.
#: Kept narrow on purpose: "based", "one", "two", "more", "first" and the like are topics in a query ("one shot").
FILLER_TEXT = ("a an and are as at be by for from in into is it its of on or the to with via we our this that these "
               "those their them they than then there which who whom whose what when where why how")
_FILLERS = frozenset(FILLER_TEXT.split())
#: A word of a pasted title: capitalised, with a small letter after ("Video", not "GPT" nor "video").
_TITLE_WORD = re.compile(r"^[A-Z][\w\-']*[a-z][\w\-']*$")
_HAS_CODE = re.compile(r"^has:code$", re.IGNORECASE)
#: A field of the grammar with nothing after its colon (or an empty quote), and what it should hold; after words
#: fields too ("abs:abs:", "ti:author:": the last one names what is empty).
_EMPTY_FIELD = re.compile(r'^(?:(?:ti|title|abs|abstract|all):)*'
                          r'(author|au|cat|since|until|ti|title|abs|abstract|all|has):(?:"")?$', re.IGNORECASE)
_FIELD_EXAMPLES = {"author": 'author:Lovelace or author:"Ada Lovelace"', "au": "au:Lovelace", "cat": "cat:cs.CL",
                   "since": "since:2025-01-01", "until": "until:2025-06-30", "has": "has:code"}
_TOKEN = re.compile(r'-?(?:(?:author|au|cat|ti|title|abs|abstract|all):)?"[^"]*"|\S+', re.IGNORECASE)
#: A word's characters beside letters and digits: "fine-tuning", "C++", "C#", "don't", and TeX's scripts ("R^2BD",
#: "x^{2}", which analysis reads as rendered math).
_WORD_CHARS = re.compile(r"[^\w\-.+#'^{}]+", re.UNICODE)
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(\.[a-z]{2,})?$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuery:
    """A search query's parts; `text` is what semantic search embeds."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    not_terms: tuple[str, ...] = ()
    not_phrases: tuple[tuple[str, ...], ...] = ()
    not_authors: tuple[str, ...] = ()
    not_categories: tuple[str, ...] = ()
    text: str = field(default="")
    has_code: bool = False
    since: date | None = None
    until: date | None = None
    problem: str = ""  # what cannot be read ("since:2025-13-01" is no date): nothing is searched for it
    #: words the index cannot read (too long to be indexed) beside words it can: left out, the rest searched
    left_out: tuple[str, ...] = ()
    #: ti: and abs: words (a phrase or one word), each required in its field ("title", "abstract"); the positive ones
    #: are in terms and phrases too (scored, highlighted, embedded), the excluded ones only here
    in_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    not_in_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def is_empty(self) -> bool:
        """No positive part: nothing to rank by (filters and exclusions alone list papers by date)."""
        return not (self.terms or self.phrases or self.authors or self.categories)

    @property
    def constraints(self) -> "ParsedQuery":
        """The required and excluded parts without the scored words: what filters rather than ranks (a quoted
        phrase too: papers found by meaning must hold it as well)."""
        return ParsedQuery(phrases=self.phrases, authors=self.authors, categories=self.categories,
                           not_terms=self.not_terms,
                           not_phrases=self.not_phrases, not_authors=self.not_authors,
                           not_categories=self.not_categories, has_code=self.has_code, since=self.since,
                           until=self.until, problem=self.problem, in_fields=self.in_fields,
                           not_in_fields=self.not_in_fields)


def _words(text: str) -> list[str]:
    """Plain words of the text as readers see it, its TeX rendered as the index reads a paper's ("\\mathcal{P}_2" is
    "P_2", "$O(n^2)$" is "O(n²)"): anything that is not a letter, digit or one of -.+#'^{} separates words."""
    words = []
    for raw in _WORD_CHARS.split(readable(text)):
        if "^" not in raw and "_" not in raw:  # braces only group a script's characters ("x^{2}")
            raw = raw.replace("{", "").replace("}", "")
        word = raw.strip("-.'^").lstrip("+#")
        if word:
            words.append(word[:64])
    return words


def parse(raw: object) -> ParsedQuery:
    """Parse a query string; anything that is not valid syntax is taken as plain words."""
    parts: dict[str, list[Any]] = {k: [] for k in (
        "terms", "phrases", "authors", "categories", "not_terms", "not_phrases", "not_authors", "not_categories",
        "in_fields", "not_in_fields")}
    has_code = False
    days: dict[str, list[date]] = {"since": [], "until": []}
    problems: list[str] = []
    negate_next = False
    tokens = _tokens(raw)
    pasted_labels = _holds_content(tokens)
    for at, token in enumerate(tokens):
        # (a NOT before has:code is the operator wherever it stands: no title's word is has:code)
        if token in _IGNORED or token in _NOT and (_is_operator(tokens, at) or _before_has_code(tokens, at)):
            negate_next = token in _NOT
            continue
        negated, negate_next = negate_next, False
        if _HAS_CODE.match(token):
            if negated:  # "NOT has:code" asked for the opposite of what the filter does
                problems.append("has:code cannot be excluded: leave it out to list papers with or without code")
            has_code = True
            continue
        negative = negated or (token.startswith("-") and len(token) > 1)
        body = token[1:] if token.startswith("-") and len(token) > 1 else token
        prefix = "not_" if negative else ""
        if empty := _EMPTY_FIELD.match(body):  # (as a word, "author:" found papers about authorship)
            if not (empty.group(1).lower() in _WORDS_FIELDS and pasted_labels):  # else a pasted "Abstract: We ..."
                problems.append(_empty_field(empty.group(1)))
            continue
        match = _FIELD.match(body)
        in_field = ""
        if match and match.group(1).lower() in _WORDS_FIELDS:
            in_field = _WORDS_FIELDS[match.group(1).lower()]
            body, match = match.group(2), None  # ti:"a phrase" is the phrase
        if match:
            name, value = match.group(1).lower(), match.group(2).strip('"').strip()
            name = "author" if name == "au" else name
            if name in days:
                day = day_or_none(value)
                if day is None or negative:
                    # the reason, not what was sent (a reply may be plain text, a feed reader's error)
                    problems.append(f"{name}: must be a date, YYYY-MM-DD" if day is None else
                                    f"-{name}: means nothing: since: and until: bound the dates, none is excluded")
                else:
                    days[name].append(day)
                continue
            if name == "author":
                words = _words(value)
                if words:
                    parts[prefix + "authors"].append(" ".join(words))
                continue
            if _CATEGORY.match(value):
                parts[prefix + "categories"].append(value)
                continue
            body = value  # cat:<garbage>: just words
        quoted = body.startswith('"') and body.endswith('"') and len(body) >= 2
        words = _words(body[1:-1] if quoted else body)
        if in_field:
            parts[prefix + "in_fields"].extend(
                (in_field, group) for group in ([tuple(words)] if quoted and words else [(w,) for w in words]))
            if negative:  # excluded from that field only
                continue
        if quoted and len(words) > 1:
            parts[prefix + "phrases"].append(tuple(words))
        else:
            parts[prefix + "terms"].extend(words)
    final: dict[str, Any] = {key: tuple(dict.fromkeys(values))[:MAX_CLAUSES] for key, values in parts.items()}
    final["authors"] = final["authors"][:MAX_NAMED]
    free_text = " ".join([*final["terms"], *(" ".join(p) for p in final["phrases"])])
    # several bounds: each must hold, so the latest since: and the earliest until:
    return ParsedQuery(text=free_text, has_code=has_code, since=max(days["since"], default=None),
                       until=min(days["until"], default=None), problem="; ".join(dict.fromkeys(problems)), **final)


def _empty_field(name: str) -> str:
    """What a query with an empty field is told: the field, and an example of what it takes."""
    name = name.lower()
    example = _FIELD_EXAMPLES.get(name, f"{name}:word")
    return f"{name}: is empty: write what it takes after the colon, as in {example}"


def _holds_content(tokens: list[str]) -> bool:
    """Whether a query holds more than empty fields and operators: an empty ti: or abs: beside it is a pasted
    label ("Abstract: We propose ..."), where "abs: abs:" or "title: author:" is only empty fields, each said."""
    return any(token not in _NOT | _IGNORED and not _EMPTY_FIELD.match(token.removeprefix("-")) for token in tokens)


def _tokens(raw: object) -> list[str]:
    """A query's tokens as parse() reads them: a quoted phrase (after a field name or "-"), else what spaces
    separate; an unclosed quote makes the query plain words."""
    text = str(raw or "")[:MAX_QUERY_CHARS].replace("\x00", " ")
    if text.count('"') % 2:
        text = text.replace('"', " ")
    return _TOKEN.findall(text)


def units(raw: object) -> list[str]:
    """A query's tokens as parse() reads them, a NOT that excludes kept with the token it excludes ("NOT video"):
    dropping a unit drops the whole of one part of the query."""
    tokens = _tokens(raw)
    found: list[str] = []
    for at, token in enumerate(tokens):
        if at and tokens[at - 1] in _NOT and _is_operator(tokens, at - 1):
            found[-1] = f"{found[-1]} {token}"
        else:
            found.append(token)
    return found


def _before_has_code(tokens: list[str], at: int) -> bool:
    """Whether the token after `at` is has:code (a NOT before it asks for papers without code, refused)."""
    return at + 1 < len(tokens) and bool(_HAS_CODE.match(tokens[at + 1]))


def _is_operator(tokens: list[str], at: int) -> bool:
    """Whether the NOT at `at` excludes the next token: only between two of them (arXiv's binary ANDNOT), the one
    before no filler word and not both capitalised words (else a pasted title's word: "Why NOT Transformers")."""
    back = at - 1
    while back >= 0 and tokens[back] in _IGNORED:  # "a AND NOT b": AND joins, NOT excludes b (as arXiv's ANDNOT)
        back -= 1
    before, after = tokens[back] if back >= 0 else "", tokens[at + 1] if at + 1 < len(tokens) else ""
    if not before or not after or {before, after} & (_NOT | _IGNORED) or before.lower() in _FILLERS:
        return False
    return not (_TITLE_WORD.match(before) and _TITLE_WORD.match(after))


@dataclass(frozen=True)
class Filters:
    """Restrictions beside the query text: publication dates (inclusive), categories and authors (any of), and
    only papers that link to their code."""

    #: What a search that must name something (a feed, a BibTeX export) asks of its query string (from_params).
    ASKED = "?q= or a filter (cat, author, since, until, code=1)"

    since: date | None = None
    until: date | None = None
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    has_code: bool = False

    @classmethod
    def from_text(cls, since: date | str | None = None, until: date | str | None = None, categories: str = "",
                  authors: str = "", has_code: bool = False) -> "Filters":
        """Filters as forms and query strings give them: dates (bad ones ignored), categories separated by
        spaces or commas, authors by commas; at most MAX_NAMED of each."""
        return cls(since=day_or_none(since), until=day_or_none(until),
                   categories=tuple(c for c in categories.replace(",", " ").split() if c)[:MAX_NAMED],
                   authors=tuple(a.strip() for a in authors.split(",") if a.strip())[:MAX_NAMED], has_code=has_code)

    @classmethod
    def from_params(cls, params: Mapping[str, str], strict: bool = False) -> "Filters":
        """The filters of a query string as the search page reads them; `strict`: one it cannot read raises (a
        date of the query's own syntax, ?q=since:..., too)."""
        filters = cls.from_text(params.get("since"), params.get("until"), params.get("cat", ""),
                                params.get("author", ""), has_code=flag(params.get("code")) is True)
        if strict and (problem := parse(params.get("q", "")).problem or filter_problem(params)
                       or category_problem(parse(params.get("q", "")), filters)):
            raise BadFilter(problem)
        return filters


#: What a search whose since is after its until (the query's or the filters', each must hold) is told.
NO_DAYS = "since is after until: no day is both on or after the one and on or before the other"


def filter_problem(params: Mapping[str, str]) -> str:
    """Why a query string's filters (beside ?q=) cannot be read, "" when they can: the reason, not what was sent."""
    for name in ("since", "until"):
        if params.get(name) and day_or_none(params[name]) is None:
            return f"{name} must be a date, YYYY-MM-DD"
    since, until = day_or_none(params.get("since")), day_or_none(params.get("until"))
    if since and until and since > until:  # (feeds and BibTeX answered an empty list)
        return NO_DAYS
    if flag(params.get("code")) is None:
        return "code must be 1 (or true, yes, on: only papers that link to their code), 0 or left out"
    return ""


#: How a query string says yes and no (code=1): the spellings the API's booleans take too.
_YES, _NO = frozenset({"1", "true", "yes", "on"}), frozenset({"", "0", "false", "no", "off"})


def flag(value: str | None) -> bool | None:
    """A query string's yes or no (1, true, yes, on; 0, false, no, off or nothing, in any case), None for else."""
    said = (value or "").strip().lower()
    return True if said in _YES else False if said in _NO else None


#: arXiv's archives (cat:cs takes every cs.* category): a code is arXiv's when it is one of these or a category.
_KNOWN = {code.lower() for code in CATEGORY_NAMES} | {code.split(".")[0].lower() for code in CATEGORY_NAMES}


def unknown_categories(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The codes that are neither an arXiv category nor an archive (cs.XX), as typed."""
    return tuple(code for code in codes if code.lower() not in _KNOWN)


def not_arxiv(codes: tuple[str, ...]) -> str:
    """Codes that are no arXiv category in words: "cs.XX: not an arXiv category"."""
    return f"{', '.join(codes)}: not {'an arXiv category' if len(codes) == 1 else 'arXiv categories'}"


def category_problem(parsed: ParsedQuery, filters: Filters) -> str:
    """Why a search's categories find nothing on any hub, "" when they may: a feed or the API refuses them rather than
    answer an empty list forever (the search page says it as why it found none). Its cat:s and the filter's each
    match any of theirs, so only a set of codes none of which is arXiv's empties it ("cs.CL cs.XX" finds cs.CL)."""
    unknown = next((codes for codes in (parsed.categories, filters.categories)
                    if codes and len(unknown_categories(codes)) == len(codes)), ())
    if not unknown:
        return ""
    if not all(_CATEGORY.match(code) and len(code) <= 20 for code in unknown):  # the reason, not what was sent
        return "No papers in that category on this hub (not an arXiv category or archive)"
    return f"No papers in {' or '.join(unknown)} on this hub ({not_arxiv(unknown)})"


class BadFilter(ValueError):
    """A filter in a query string that cannot be read (Filters.from_params, strict)."""


NO_FILTERS = Filters()


def window(parsed: ParsedQuery, filters: Filters) -> tuple[date | None, date | None]:
    """The dates a search's papers are published within (inclusive): the query's since:/until: and the filter's,
    each of which must hold."""
    since = max((d for d in (parsed.since, filters.since) if d), default=None)
    until = min((d for d in (parsed.until, filters.until) if d), default=None)
    return since, until


def wants_code(parsed: ParsedQuery, filters: Filters) -> bool:
    """Whether only papers that link to their code are wanted (has:code in the query, or the filter)."""
    return parsed.has_code or filters.has_code


def in_syntax(q: str, filters: Filters) -> tuple[str, tuple[str, ...]]:
    """A search as one query, its filters in the syntax (what a saved search keeps), and those it cannot say."""
    text = (q.replace('"', " ") if q.count('"') % 2 else q).strip()  # an unclosed quote: words, as parse() reads
    parsed = parse(text)
    parts, unsaid = [text], []
    # Not said: several authors (the filter takes any of them, author:s all of them); categories beside the
    # query's own cat: (the filter's and the query's must each match, several cat:s any of them) or that are no
    # code. One author always is (one more author: must match, as the filter beside the query's own), and dates
    # are: a second since: or until: bounds the dates as the filter beside the query's own does.
    if filters.categories and not parsed.categories and all(_CATEGORY.match(c) for c in filters.categories):
        parts += [f"cat:{c}" for c in filters.categories]
    elif filters.categories:
        unsaid.append("category")
    names = [" ".join(_words(name)) for name in filters.authors if _words(name)]  # (a name of no word filters none)
    if len(names) == 1:
        parts.append(f'author:"{names[0]}"')
    elif names:
        unsaid.append("author")
    if filters.has_code and not parsed.has_code:
        parts.append("has:code")
    parts += [f"{name}:{day.isoformat()}" for name, day in (("since", filters.since), ("until", filters.until)) if day]
    return " ".join(part for part in parts if part), tuple(unsaid)


#: How far a search's pages go: the offset of the last one.
MAX_OFFSET = 10_000
