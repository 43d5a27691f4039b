"""The keyword index's schema and its documents: the fields (and an older version's, still searched while rebuilt),
what the index holds of a paper, and days as the numbers it filters and sorts on."""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

from paperhub.search import terms
from paperhub.search.analysis import NAME_TOKENIZER, TEXT_TOKENIZER, name_terms, text_terms

#: The text fields' tokenizers, by name (analysis.py's names say how their terms are made).
TOKENIZERS = {"uid": "raw", "title": TEXT_TOKENIZER, "abstract": TEXT_TOKENIZER, "authors": NAME_TOKENIZER,
              "cats": "raw", "categories": "raw"}
#: The stored term counts hold no term to search, but their field names an analyzer that carries the counts'
#: version: an index of another paper_counts() has another shape, is served as an older one and rebuilt.
COUNTS_TOKENIZER = f"term_counts_v{terms.COUNTS_VERSION}"


def schema() -> tantivy.Schema:
    """The keyword index's fields."""
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name, tokenizer in TOKENIZERS.items():
        builder.add_text_field(name, stored=name != "cats", tokenizer_name=tokenizer)
    builder.add_integer_field("day", stored=True, indexed=True, fast=True)
    builder.add_integer_field("upvotes", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("code", stored=False, indexed=True)  # 1: the paper links to its code
    # stored only (no terms indexed): the paper's term counts (terms.counts_text), read for every candidate of a
    # similar list
    builder.add_text_field("terms", stored=True, tokenizer_name=COUNTS_TOKENIZER, index_option="basic")
    return builder.build()


SCHEMA = schema()
#: The schema's field names, in order: fields are only ever added at the end, so an older index's are a prefix.
FIELDS: tuple[str, ...] = ("id", "uid", "title", "abstract", "authors", "cats", "categories", "day", "upvotes", "code",
                            "terms")
#: Each field's name and tokenizer ("" for a field of numbers): what an index was written as.
Shape = tuple[tuple[str, str], ...]
SHAPE: Shape = tuple((name, {**TOKENIZERS, "terms": COUNTS_TOKENIZER}.get(name, "")) for name in FIELDS)


def stored_shape(path: Path) -> Shape:
    """The fields (name, tokenizer) of the index written in `path` (from tantivy's meta.json), () when there is none."""
    try:
        meta = json.loads((path / "meta.json").read_text())
    except (FileNotFoundError, ValueError):
        return ()
    return tuple((field["name"], str((field.get("options", {}).get("indexing") or {}).get("tokenizer", "")))
                 for field in meta.get("schema", []))


def stored_fields(path: Path) -> tuple[str, ...]:
    """The field names of the index written in `path`, () when there is none."""
    return tuple(name for name, _ in stored_shape(path))


def is_older(shape: Shape) -> bool:
    """Whether an index was written by an older version, to be searched as it is while it is rebuilt: its fields a
    non-empty prefix of today's (fields are only ever added at the end), written as they are today or with an
    older analyzer (accents as written, say)."""
    names = tuple(name for name, _ in shape)
    return 0 < len(names) <= len(FIELDS) and FIELDS[:len(names)] == names and shape != SHAPE


@dataclass(frozen=True)
class IndexedPaper:
    """What the keyword index holds of a paper."""

    id: int
    uid: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    day: int  # YYYYMMDD of first publication, 0 when unknown
    upvotes: int = 0
    has_code: bool = False  # indexed, not stored: a paper read back from a hit says False
    counts: str | None = None  # its term counts as stored (terms.counts_text); None when read from an older index

    def term_counts(self) -> Counter[str]:
        """The paper's term counts (terms.paper_counts): as stored with it, else read from its title and abstract."""
        if self.counts is None:
            return terms.paper_counts(self.title, self.abstract)
        return terms.stored_counts(self.counts)

    @classmethod
    def from_stored(cls, doc: dict[str, Any]) -> "IndexedPaper":
        """A paper from the stored fields of its document (what a search hit brings back)."""
        return cls(id=int(doc["id"][0]), uid=doc["uid"][0], title=doc["title"][0],
                   abstract=doc.get("abstract", [""])[0], authors=_stored_authors(doc.get("authors", [])),
                   categories=tuple(doc.get("categories", [])), day=int(doc["day"][0]),
                   upvotes=int(doc.get("upvotes", [0])[0]),
                   counts=doc["terms"][0] if "terms" in doc else None)


def _stored_authors(values: list[str]) -> tuple[str, ...]:
    """A value per author; an index of an older version holds them in one, joined by "; "."""
    return tuple(name for value in values for name in value.split("; ") if name)


def day_number(value: date | None) -> int:
    """A date as the integer YYYYMMDD (0 for none), the form the index filters and sorts on."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def day_date(number: int) -> date | None:
    """A stored day number back to a date (None for 0, the unknown day, or anything not a date)."""
    try:
        return date(number // 10000, number // 100 % 100, number % 100) if number else None
    except ValueError:
        return None


def category_tokens(codes: Iterable[str]) -> list[str]:
    """A paper's categories as indexed: each code and its archive ('cs.CL' -> 'cs.cl', 'cs'), lowercased."""
    tokens: dict[str, None] = {}
    for code in codes:
        code = code.lower()
        tokens[code] = None
        tokens[code.split(".")[0]] = None
    return list(tokens)


def document(paper: IndexedPaper) -> tantivy.Document:
    """The tantivy document of a paper."""
    doc = tantivy.Document()
    doc.add_unsigned("id", paper.id)
    doc.add_text("uid", paper.uid)
    _add_text(doc, "title", paper.title)
    _add_text(doc, "abstract", paper.abstract)
    for author in paper.authors:  # one value each: tantivy's positions leave a gap between values, so no phrase
        # runs from one to the next
        doc.add_pre_tokenized_text("authors", _terms_of(author, enumerate(name_terms(author))))
    for token in category_tokens(paper.categories):
        doc.add_text("cats", token)
    for code in paper.categories:
        doc.add_text("categories", code)
    doc.add_integer("day", paper.day)
    doc.add_integer("upvotes", paper.upvotes)
    doc.add_unsigned("code", int(paper.has_code))
    counts = terms.counts_text(terms.paper_counts(paper.title, paper.abstract))
    doc.add_pre_tokenized_text("terms", _terms_of(counts, ()))  # stored, no term indexed
    return doc


def _terms_of(text: str, terms: Iterable[tuple[int, str]]) -> tantivy.PreTokenizedString:
    """A stored text and the terms it is indexed by, at their positions (no offsets: nothing here reads them)."""
    return tantivy.PreTokenizedString(text, [tantivy.Token(term, position, 0, 0) for position, term in terms])


def _add_text(doc: tantivy.Document, name: str, text: str) -> None:
    """A title or abstract, stored as written (a hit shows its math rendered), indexed by analysis.text_terms (its
    hyphenated words closed up in a second value, stored empty)."""
    terms, joined = text_terms(text)
    if terms is None:  # the field's analyzer makes the same terms, five times faster than Python
        doc.add_text(name, text)
    else:
        doc.add_pre_tokenized_text(name, _terms_of(text, enumerate(terms)))
    if joined:
        doc.add_pre_tokenized_text(name, _terms_of("", enumerate(joined)))

