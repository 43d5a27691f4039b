""""Did you mean": a query's misspelt words, each replaced by the likeliest word of this hub's papers one edit away.

A word is misspelt when no title, abstract or author name of the hub holds it ("transformr"), or when a paper or
two do and a word one edit away is a hundred times as common (abstracts have typos of their own). Its candidates are
every string one edit away (a letter dropped, added, changed, or two letters swapped: most typing mistakes), kept
when the keyword index knows their stem; the stem held by the most papers wins, and the form of it the papers
write most often is offered ("modles": "models", not "modeles", which stems alike). A typo the stemmer folds onto
a common word's stem ("reinforcment" stems as "reinforcement", so papers hold it) is one where no paper of a sample
holding the stem writes it so and most write one form a letter away. No word list ships: the
hub's own index is the dictionary, so a field's jargon is spelt as its papers spell it. About 500 term lookups and
one search of 20 papers a misspelt word (4-20 ms on 75K papers); a word spelt right costs a lookup or two, and
one search of 20 papers an hour if its stem is common (remembered: 1-2 ms a word the first time).
"""

import re
import string
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import tantivy

from paperhub.search.analysis import PLAIN, STEMMED
from paperhub.search.keyword import SCHEMA, TYPO_LENGTH, KeywordIndex, build_query, in_names
from paperhub.search.query import MAX_QUERY_CHARS, NO_FILTERS, Filters, parse

#: Only words of plain letters are corrected (not "gpt4" or "résumé"), at most this many a query.
MAX_CORRECTED = 4
#: How many papers holding the winning stem are read to see how its papers spell it.
SPELLING_SAMPLE = 20
#: A word held by this many papers or fewer is taken for a typo where a word one edit away is held by COMMONER
#: times as many: arXiv's abstracts hold their own typos ("modles" is in one of the 74,728 recent papers).
RARE = 2
COMMONER = 100
#: A correction is a word (or a name) this many papers hold at least: one or two papers' word may be their own typo.
MIN_HELD = 3
#: A typo the stemmer folds onto a word's stem ("reinforcment") is corrected where more than this share of a sample
#: of the papers holding the stem write one form a letter away, and none writes it as typed.
UNFOLDED_SHARE = 0.5
_LETTERS = string.ascii_lowercase
_PLAIN_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Suggestion:
    """The query with its misspelt words corrected, and the words changed (as (typed, offered) pairs)."""

    query: str
    changes: tuple[tuple[str, str], ...]

    def pieces(self) -> list[tuple[str, bool]]:
        """The corrected query in pieces, each with whether it is a correction (for a page to mark)."""
        offered = "|".join(re.escape(new) for _, new in self.changes)
        return [(text, i % 2 == 1) for i, text in enumerate(_as_a_word(f"({offered})").split(self.query)) if text]


def _as_a_word(pattern: str) -> re.Pattern[str]:
    """A pattern matched as a whole word of the query, not in a field's value ("author:smiht" is a name)."""
    return re.compile(rf"(?<![\w:]){pattern}(?!\w)")


def edits(word: str) -> set[str]:
    """Every string one edit from a lowercase word: a letter dropped, swapped with the next, changed or added."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS}) - {word}


def _stem(word: str) -> str | None:
    tokens = STEMMED.analyze(word)
    return tokens[0] if len(tokens) == 1 else None


def _papers_holding(searcher: tantivy.Searcher, stem: str) -> int:
    return int(searcher.doc_freq("abstract", stem)) + int(searcher.doc_freq("title", stem))


def papers_holding(searcher: tantivy.Searcher, word: str) -> int | None:
    """How many titles and abstracts hold the word (as the index stems it); None when it is in an author's name."""
    if in_names(searcher, word):
        return None
    stem = _stem(word)
    return 0 if stem is None else _papers_holding(searcher, stem)


def correction(index: KeywordIndex, word: str, more_than: int = 0) -> str | None:
    """The likeliest word of the hub's papers one edit from a misspelt lowercase word, held by MIN_HELD papers and
    more than `more_than`; None when there is none."""
    searcher = index.searcher()
    by_stem: dict[str, int] = {}
    for candidate in edits(word):  # abstracts first: a lookup costs ~20 µs on a large index, and there are ~500
        stem = _stem(candidate)
        if stem is not None and stem not in by_stem:
            by_stem[stem] = int(searcher.doc_freq("abstract", stem))
    if not any(by_stem.values()):  # a word of titles alone (a hub of a few papers)
        by_stem = {stem: int(searcher.doc_freq("title", stem)) for stem in by_stem}
    best = max(by_stem, key=lambda stem: (by_stem[stem], stem), default=None)
    if best is None or by_stem[best] < max(MIN_HELD, more_than + 1):
        return None
    # the stem's surface forms one edit from the typed word, counted in a sample of the papers that hold it
    forms = {candidate for candidate in edits(word) if _stem(candidate) == best}
    seen = Counter(token for text in _sample(index, "title", "abstract", term=best)
                   for token in PLAIN.analyze(text) if token in forms)
    return seen.most_common(1)[0][0] if seen else None


def name_correction(index: KeywordIndex, word: str) -> str | None:
    """The author's name one edit from a misspelt lowercase word, as the papers write it ("LeCun"), held by
    MIN_HELD papers; None when there is none."""
    searcher = index.searcher()
    held = {candidate: int(searcher.doc_freq("authors", candidate)) for candidate in edits(word)}
    best = max(held, key=lambda name: (held[name], name), default=None)
    if best is None or held[best] < MIN_HELD:
        return None
    seen = Counter(part for name in _sample(index, "authors", term=best) for part in re.findall(r"\w+", name)
                   if PLAIN.analyze(part) == [best])  # as folded: "Schölkopf" is held as scholkopf
    return seen.most_common(1)[0][0] if seen else None


def unfolded(index: KeywordIndex, word: str) -> str | None:
    """The form the papers write of a lowercase word the stemmer folds onto a common stem, where no paper of a
    sample holding the stem writes the word as typed and most write one form of the stem a letter away
    ("reinforcment" searches as "reinforcement" but is no word); None otherwise."""
    stem = _stem(word)
    if stem is None:
        return None
    papers = [set(PLAIN.analyze(text)) for text in _sample(index, "title", "abstract", term=stem)]
    if len(papers) < MIN_HELD or any(word in tokens for tokens in papers):
        return None
    near = edits(word)
    seen = Counter(form for tokens in papers for form in tokens & near)
    best, held = seen.most_common(1)[0] if seen else ("", 0)
    # most of the sample, the same stem, and not the other's inflection: "alignments" is no typo of "alignment"
    # (a word a sample of "align" papers may well lack), nor "reused" of "reuse" (bench.spelling's known words)
    inflected = any(longer == shorter + end for end in "sd" for longer, shorter in ((word, best), (best, word)))
    if held <= len(papers) * UNFOLDED_SHARE or _stem(best) != stem or inflected:
        return None
    return best


@lru_cache(maxsize=20_000)
def _unfolded_lately(index: KeywordIndex, word: str, hour: int) -> str | None:
    """unfolded(), remembered for the hour: it reads a sample of papers for every common word of every search
    (1-2 ms a word on 75K papers), for a hint alone, as the stemmer already searches such a typo as its word."""
    return unfolded(index, word)


#: The index whose answers _unfolded_lately holds (one at a time: a replaced one is let go, and its files).
_remembering: list[KeywordIndex] = []


def _unfolded_remembered(index: KeywordIndex, word: str) -> str | None:
    if _remembering[:1] != [index]:  # a new index (a rebuild, or another hub's in tests): forget the last one
        _unfolded_lately.cache_clear()
        _remembering[:] = [index]
    return _unfolded_lately(index, word, int(time.time() // 3600))


def _sample(index: KeywordIndex, *fields: str, term: str) -> list[str]:
    """The texts in `fields` of a sample of the papers whose `fields` hold a term, one text a paper."""
    holding = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, field, term))
                                           for field in fields])
    _, docs = index.search(holding, SPELLING_SAMPLE)
    return ["\n".join(text for field in fields for text in doc.get(field, ())) for _, doc in docs]


def _cased_like(typed: str, offered: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return offered.upper()
    return offered.capitalize() if typed[:1].isupper() else offered


def _offered(index: KeywordIndex, searcher: tantivy.Searcher, word: str) -> str | None:
    """A misspelt word's correction, None when the word is not misspelt or has none."""
    held = papers_holding(searcher, word)
    if held is None:
        return None
    if held > RARE:  # its stem is common; the word as typed may still be a typo the stemmer folds onto it
        folded = _unfolded_remembered(index, word.lower())
        return _cased_like(word, folded) if folded is not None else None
    # a word no paper holds, or one a paper or two hold (the typo of an abstract's own: "modles") beside a word a
    # hundred times as common; failing a word of titles and abstracts, a name typed as one ("Ghsoh"): in lower case,
    # a third of the offers for real words the hub lacks were names ("youla" -> "Oula"; bench.spelling)
    offered = correction(index, word.lower(), more_than=held * COMMONER)
    if offered is not None:
        return _cased_like(word, offered)
    return name_correction(index, word.lower()) if not held and word[:1].isupper() else None


def suggest(index: KeywordIndex, query: str, filters: Filters = NO_FILTERS) -> Suggestion | None:
    """The query with each misspelt word (of five letters or more) corrected, where the corrected query finds
    papers; None when nothing is misspelt or the correction finds nothing either."""
    parsed = parse(query)
    words = [*parsed.terms, *(word for phrase in parsed.phrases for word in phrase)]
    # the parts of "self-attenton" and "protien's" too
    parts = dict.fromkeys(part for word in words for part in re.split(r"[-'’]", word))
    typed = [w for w in parts if len(w) >= TYPO_LENGTH and _PLAIN_WORD.fullmatch(w)][:MAX_CORRECTED]
    searcher = index.searcher()
    changes = [(word, offered) for word in typed if (offered := _offered(index, searcher, word)) is not None]
    if not changes:
        return None
    text = query[:MAX_QUERY_CHARS]
    for word, offered in changes:
        text = _as_a_word(re.escape(word)).sub(offered, text)
    if not index.count(build_query(parse(text), filters)):  # "protein folding" in quotes, where no paper says it
        return None
    return Suggestion(text, tuple(changes))
