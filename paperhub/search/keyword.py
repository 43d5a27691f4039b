"""BM25 keyword search with tantivy: the index, searched and counted, and its term dictionary's lookups (whether a
query has a topic, its rarest word, whether it may name a person)."""

import threading
import time
from pathlib import Path
from typing import Any

import tantivy

from paperhub.search.analysis import NAME_TOKENIZER, PLAIN, STEMMED, TEXT_TOKENIZER, stems
from paperhub.search.keyword_queries import is_filler, query_words, vocabulary_terms
from paperhub.search.keyword_schema import COUNTS_TOKENIZER, SCHEMA, SHAPE, is_older, stored_shape
from paperhub.search.query import ParsedQuery

#: A word that at most this share of the papers' titles and abstracts hold is rare ("RLHF", "PARALLAX" among 34K
#: recent arXiv papers): the user typed it to find it, so in hybrid search a paper lacking the query's rarest word
#: ranks lower (queries.fuse), however near in meaning.
RARE_SHARE = 0.002


#: Words this long or longer count as known when one letter away from a word of the index: shorter ones are a letter
#: away from too many words ("zzzq" from "zzz"?), and gibberish of five or more letters rarely is.
TYPO_LENGTH = 5
#: At most this many fuzzy lookups a query (title and abstract of its first four long words): a query of 64 unknown
#: words would otherwise ask for 128.
TYPO_LOOKS = 8


def in_names(searcher: tantivy.Searcher, word: str) -> int:
    """How often authors' names hold a word (a lookup per token of it: microseconds)."""
    return sum(int(searcher.doc_freq("authors", token)) for token in PLAIN.analyze(word))


class KeywordIndex:
    """A tantivy index in a directory: writing (one process at a time) and searching (any number)."""

    RELOAD_EVERY = 1.0  # seconds: how stale a searcher may be, so new papers show within seconds

    def __init__(self, path: Path, older_ok: bool = False) -> None:
        """Open (or create) the index in `path`; with `older_ok`, one of an older schema too (`outdated`)."""
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.shape = SHAPE
        try:
            self.index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
        except ValueError:
            # An index written before the schema gained its last fields, or by older analyzers, is read as it is
            # while its replacement is built; any other difference makes it unusable until rebuilt.
            stored = stored_shape(path)
            if not (older_ok and is_older(stored)):
                raise
            self.index, self.shape = tantivy.Index.open(str(path)), stored
        # documents come analyzed (document()), but tantivy's writer wants the schema's analyzers registered
        self.index.register_tokenizer(TEXT_TOKENIZER, STEMMED)
        self.index.register_tokenizer(COUNTS_TOKENIZER, PLAIN)  # (names the counts' version; it never splits them)
        self.index.register_tokenizer(NAME_TOKENIZER, PLAIN)
        self.fields = tuple(name for name, _ in self.shape)
        self._reloaded = time.monotonic()
        self._lock = threading.Lock()

    @property
    def outdated(self) -> bool:
        """Written by an older schema: readable, but due for a rebuild."""
        return self.shape != SHAPE

    @property
    def has_code(self) -> bool:
        """Whether the index knows which papers link to their code (an older one does not)."""
        return "code" in self.fields

    def searcher(self) -> tantivy.Searcher:
        """A searcher that sees commits made up to RELOAD_EVERY seconds ago, by any process."""
        now = time.monotonic()
        if now - self._reloaded > self.RELOAD_EVERY:
            with self._lock:
                self.index.reload()
                self._reloaded = now
        return self.index.searcher()

    def refresh(self) -> None:
        """See the latest commit now (after this process wrote to the index)."""
        with self._lock:
            self.index.reload()
            self._reloaded = time.monotonic()

    def writer(self, heap_mb: int = 128) -> tantivy.IndexWriter:
        """The index's single writer (tantivy holds a lock file while it lives)."""
        return self.index.writer(heap_size=heap_mb * 1_000_000, num_threads=1)

    def search(self, query: tantivy.Query, limit: int, offset: int = 0, order_by: str | None = None
               ) -> tuple[int, list[tuple[float, dict[str, Any]]]]:
        """(number of matches, [(score, stored fields)]) for a query."""
        searcher = self.searcher()
        result = searcher.search(query, limit=max(1, limit), offset=offset, count=True, order_by_field=order_by)
        hits = [(float(score), searcher.doc(address).to_dict()) for score, address in result.hits]
        return int(getattr(result, "count", 0) or 0), hits

    def knows_any(self, parsed: ParsedQuery) -> bool:
        """Whether any of the query's words (filler words aside) is in titles or abstracts here more often than in
        authors' names, or, for a word of five letters or more that is no name, one a letter away from it (a typo:
        "transformr"): whether the query has a topic to search by meaning. A name alone ("Ghosh", "Wang") has none:
        its papers come from the keyword half."""
        searcher = self.searcher()  # a term dictionary lookup per token: microseconds, no search
        words = query_words(parsed)
        if any(self._topical(searcher, word) for word in words):
            return True
        # Only when no word is known as written, so a query's usual cost stays the lookups above; and not for a
        # name ("Ghosh" is a letter from "ghost")
        unnamed = [word for word in words if not in_names(searcher, word)]
        pairs = vocabulary_terms(ParsedQuery(terms=tuple(unnamed)))
        near = [(tantivy.Occur.Should, tantivy.Query.fuzzy_term_query(self.index.schema, name, token, distance=1))
                for name, token in pairs if len(token) >= TYPO_LENGTH][:TYPO_LOOKS]
        return bool(near) and bool(searcher.search(tantivy.Query.boolean_query(near), 1).hits)

    def rarest_word(self, parsed: ParsedQuery) -> str | None:
        """The rarest of the query's words that some paper holds (in its title, abstract or an author's name), if
        it is rare (RARE_SHARE): the word a hit should not lack."""
        searcher = self.searcher()  # term dictionary lookups: microseconds

        def held(word: str) -> int:  # at most; a word of several terms by its rarest, in titles and abstracts
            # closed up where hyphenated: the index holds it so in either spelling ("fine-tuning", "finetuning")
            closed = stems(word, closed=True)
            return max(min((int(searcher.doc_freq(name, token)) for token in tokens), default=0)
                       for name, tokens in (("title", closed), ("abstract", closed), ("authors", PLAIN.analyze(word))))

        known = [(count, word) for word in parsed.terms if not is_filler(word) and (count := held(word))]
        if not known:
            return None
        count, word = min(known)
        return word if count <= RARE_SHARE * int(searcher.num_docs) else None

    def may_name_person(self, parsed: ParsedQuery) -> bool:
        """Whether the query's words may be a person's name: one of them at least is no topic ("Sergey", more often
        in authors' names than in titles and abstracts). Words that are all topics ("Alzheimer disease") name no
        person, even where an organisation's name holds them (the Alzheimer's Disease Neuroimaging Initiative)."""
        searcher = self.searcher()  # term dictionary lookups: microseconds
        return any(not self._topical(searcher, word) for word in query_words(parsed))

    @staticmethod
    def _topical(searcher: tantivy.Searcher, word: str) -> bool:
        """Whether titles and abstracts hold a word more often than authors' names do: "Wang" is in a few
        abstracts ("Wang et al.") and is the name of hundreds of authors, so it is no topic."""
        in_text = sum(searcher.doc_freq(name, token) for token in stems(word) for name in ("title",
                                                                                                      "abstract"))
        return in_text > 0 and in_text > in_names(searcher, word)

    def per_month(self, query: tantivy.Query) -> dict[int, int]:
        """Matching papers per month, as {YYYYMM: count} (papers without a date left out)."""
        found = self.searcher().aggregate(query, {"m": {"histogram": {"field": "day", "interval": 100}}})
        return {int(b["key"]) // 100: int(b["doc_count"]) for b in found["m"]["buckets"]
                if b["doc_count"] and b["key"] > 0}

    def count(self, query: tantivy.Query) -> int:
        """How many documents match."""
        return int(getattr(self.searcher().search(query, limit=1, count=True), "count", 0) or 0)

    def ids(self, query: tantivy.Query, limit: int) -> list[tuple[int, float]]:
        """(paper id, score) of the best `limit` matches, without reading stored documents."""
        return self.counted_ids(query, limit, count=False)[1]

    def counted_ids(self, query: tantivy.Query, limit: int, count: bool = True) -> tuple[int, list[tuple[int, float]]]:
        """(number of matches, ids()'s list); counting visits every match (no early stop)."""
        searcher = self.searcher()
        result = searcher.search(query, limit=max(1, limit), count=count)
        total = int(getattr(result, "count", 0) or 0)
        if not result.hits:
            return total, []
        ids = searcher.fast_field_values("id", [address for _, address in result.hits]) \
            if hasattr(searcher, "fast_field_values") else None
        if ids is None:
            return total, [(int(searcher.doc(a).get_first("id") or 0), float(s)) for s, a in result.hits]
        return total, [(int(i or 0), float(s)) for i, (s, _) in zip(ids, result.hits, strict=True)]

    @property
    def num_docs(self) -> int:
        return int(self.searcher().num_docs)
