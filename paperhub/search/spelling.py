""""Did you mean": a query's misspelt words, each replaced by the likeliest word of this hub's papers one edit away
(two for a long word).

A word is misspelt when no title, abstract or author name of the hub holds it ("transformr"), or when a paper or
two do and a word one edit away is a hundred times as common (abstracts have typos of their own). Its candidates are
every string one edit away (a letter dropped, added, changed, or two letters swapped: most typing mistakes), kept
when the keyword index knows their stem; the stem held by the most papers wins, and the form of it the papers
write most often is offered ("modles": "models", not "modeles", which stems alike). A typo the stemmer folds onto
a common word's stem ("reinforcment" stems as "reinforcement", so papers hold it) is one where no paper of a sample
holding the stem writes it so and most write one form a letter away. A word of TWO_EDITS_LENGTH letters or more that
no paper holds and no word one edit away corrects is looked for two edits away ("trnasformre": "transformer"),
the stem the most papers hold winning, and failing that, for a typo in the ending the stemmer cuts from the word
meant but not from the typo ("trasnfromers"), the common stems the word as typed starts two edits from ("transform")
(10-40 ms, remembered for the hour). No word list ships: the
hub's own index is the dictionary, so a field's jargon is spelt as its papers spell it. About 500 term lookups and
one search of 20 papers a misspelt word (4-20 ms on 75K papers); a word spelt right costs a lookup or two, and
one search of 20 papers an hour if its stem is common (remembered: 1-2 ms a word the first time).
"""

import re
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import tantivy

from paperhub.search.analysis import PLAIN, STEMMED
from paperhub.search.keyword import TYPO_LENGTH, KeywordIndex, in_names
from paperhub.search.keyword_queries import build_query
from paperhub.search.keyword_schema import SCHEMA
from paperhub.search.query import MAX_QUERY_CHARS, NO_FILTERS, Filters, parse
from paperhub.search.typos import at_an_end, edits, starts_within_two, within_two

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
#: A word no paper holds of this many letters or more, with no correction one edit away, is looked for two edits
#: away ("trnasformre"); a shorter one is two edits from too many words to guess which was meant.
TWO_EDITS_LENGTH = 8
#: A correction two edits away is a word at least this many papers hold: two edits from a real word the hub lacks
#: there is often a rarer one ("flamenco": "flamingo", 12 papers; bench.spelling's real words)
TWO_EDITS_HELD = 20
#: How many of the stems one edit from a word are tried, the most held first, for a form of it that papers write.
CORRECTION_TRIED = 3
#: A stem tried after one whose forms no paper writes is held by this many papers at least: a rarer one is more often a
#: real word's neighbour ("barter" -> "arter", "intron" -> "intro", 3-6 papers) than the word meant.
NEXT_HELD = 100
#: How many of the common stems near a word two edits from any known one are tried, the most held first.
TWO_EDITS_TRIED = 3
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
    # the most held stems first; a stem reached only by strings no paper writes ("agention" stems as agent, held by
    # hundreds of papers, "atention" meant attention) gives way to the next
    held = sorted((stem for stem in by_stem if by_stem[stem] >= max(MIN_HELD, more_than + 1)),
                  key=lambda stem: (by_stem[stem], stem), reverse=True)
    for tried, best in enumerate(held[:CORRECTION_TRIED]):
        if tried and by_stem[best] < NEXT_HELD:
            break
        # the stem's surface forms one edit from the typed word, counted in a sample of the papers that hold it
        forms = {candidate for candidate in edits(word) if _stem(candidate) == best}
        seen = Counter(token for text in _sample(index, "title", "abstract", term=best)
                       for token in PLAIN.analyze(text) if token in forms)
        if seen:
            return seen.most_common(1)[0][0]
    return None


def two_edit_correction(index: KeywordIndex, word: str) -> str | None:
    """The word of the hub's papers two edits from a misspelt lowercase word whose stem the most papers hold (at least
    TWO_EDITS_HELD), as a sample of them writes it; None when there is none. The ~300,000 strings two edits from a
    word are never spelt out: tantivy's fuzzy term query walks the abstracts' term dictionary for the stems two edits
    from the word's, and the words of a sample of the papers holding them are read; that sample is the first papers
    in the index's order, where the commonest of those stems crowds out the others ("select" beside "electr" for
    "elerctic"), so the stems of the word's first two letters are listed with their counts too."""
    stem = _stem(word)
    if stem is None:
        return None
    searcher = index.searcher()
    near = tantivy.Query.fuzzy_term_query(SCHEMA, "abstract", stem, distance=2)
    papers = [set(PLAIN.analyze(text)) for text in _texts(index, near, ("title", "abstract"))]
    # (terms_with_prefix is newer than the tantivy 0.25 pyproject allows: without it, the sample alone)
    listed = next((term for term, held in searcher.terms_with_prefix("abstract", stem[:2])
                   if held >= TWO_EDITS_HELD and within_two(stem, term)), None) \
        if hasattr(searcher, "terms_with_prefix") else None
    if listed is not None:
        papers += [set(PLAIN.analyze(text)) for text in _sample(index, "title", "abstract", term=listed)]
    close = {form for form in set().union(*papers) if within_two(word, form) and not at_an_end(word, form)}
    forms = Counter(form for tokens in papers for form in tokens & close)
    held = {form_stem: _papers_holding(searcher, form_stem) for form in forms if (form_stem := _stem(form))}
    best = max(held, key=lambda candidate: (held[candidate], candidate), default=None)
    if best is not None and held[best] >= TWO_EDITS_HELD:
        return max((form for form in forms if _stem(form) == best), key=lambda form: (forms[form], form))
    return _ending_correction(index, word, stem)


def _ending_correction(index: KeywordIndex, word: str, stem: str) -> str | None:
    """two_edit_correction() for a typo in the ending the stemmer cuts from the word meant, not from the typo
    ("trasnfromers" stems as itself, "transformers" as "transform"): the common stems (common_stems()) that the word
    as typed starts two edits from, and that its stem is not two edits from, are tried, the most held first, each by
    the words of a sample of the papers holding it."""
    # only the stems that start with the word's first or second letter, or whose second letter is its first
    # (starts_within_two's first test), are looked at, the most held first
    common = common_stems(index)
    looked = sorted({pair for key in ((0, word[0]), (0, word[1]), (1, word[0])) for pair in common.get(key, ())})
    near = [term for _, term in looked if starts_within_two(term, word) and not within_two(stem, term)]
    for term in near[:TWO_EDITS_TRIED]:
        forms = Counter(form for text in _sample(index, "title", "abstract", term=term) for form in PLAIN.analyze(text))
        close = [form for form in forms
                 if within_two(word, form) and _stem(form) == term and not at_an_end(word, form)]
        if close:
            return max(close, key=lambda form: (forms[form], form))
    return None


#: How long a listing of common stems serves before it is listed again (new papers bring new common stems).
STEMS_EVERY_S = 3600
_stems: dict[str, Any] = {"index": lambda: None, "listed": {}, "at": 0.0, "asked": 0, "kept": 0, "listing": False}
_stems_lock = threading.Lock()
_listing_now = threading.Lock()  # concurrent first searches (no warm(): the CLI, MCP over stdio) list once


def common_stems(index: KeywordIndex, wait: bool = False) -> dict[tuple[int, str], list[tuple[int, str]]]:
    """The stems of the index's abstracts held by TWO_EDITS_HELD papers at least, as (-papers, stem), under their first
    letter (0, letter) and their second (1, letter): about 10,000 of 209,000 on 75K papers, listed in 0.5-1 s. A
    listing serves STEMS_EVERY_S, or until the index served changes; the next one is made in a thread while the
    last keeps serving, so a search never waits for it, except the process's first (search.warm() makes that one
    when a worker starts) or with `wait`."""
    listed: dict[tuple[int, str], list[tuple[int, str]]]
    with _stems_lock:
        fresh = _fresh(index)
        now = not fresh and (wait or not _stems["kept"])
        later = not fresh and not now and not _stems["listing"]
        if later:
            _stems["asked"] += 1
            _stems["listing"] = True
        asked, listed = _stems["asked"], _stems["listed"]
    if now:
        with _listing_now:
            with _stems_lock:  # another search may have listed it while this one waited
                stale = not _fresh(index)
                _stems["asked"] += stale
                asked = _stems["asked"]
            if stale:
                _list_stems(index, asked)
        listed = _stems["listed"]
    elif later:
        threading.Thread(target=_list_stems, args=(index, asked, True), name="common-stems", daemon=True).start()
    return listed


def _fresh(index: KeywordIndex) -> bool:
    """Whether the common stems served are this index's, listed less than STEMS_EVERY_S ago (under _stems_lock)."""
    return bool(_stems["index"]() is index and time.monotonic() - _stems["at"] < STEMS_EVERY_S)


def _list_stems(index: KeywordIndex, asked: int, in_thread: bool = False) -> None:
    """Lists common_stems() of an index and serves it, unless a listing asked for later is served already."""
    listed: dict[tuple[int, str], list[tuple[int, str]]] = {}
    try:
        searcher = index.searcher()  # (terms_with_prefix: tantivy 0.27)
        for term, count in searcher.terms_with_prefix("abstract", ""):  # the most held first
            if count < TWO_EDITS_HELD:
                break
            for place, letter in enumerate(term[:2]):
                listed.setdefault((place, letter), []).append((-int(count), term))
    finally:  # (a failed listing serves what it found, none, for an hour rather than being tried at every search)
        with _stems_lock:
            _stems["listing"] = _stems["listing"] and not in_thread
            if asked > _stems["kept"]:  # (a weak reference: an index replaced is not kept open for its stems)
                _stems.update(index=weakref.ref(index), listed=listed, at=time.monotonic(), kept=asked)


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
def _lately(find: Callable[[KeywordIndex, str], str | None], index: KeywordIndex, word: str, hour: int) -> str | None:
    """find(index, word), remembered for the hour: unfolded() reads a sample of papers for every common word of every
    search (1-2 ms a word on 75K papers), for a hint alone, as the stemmer already searches such a typo as its word;
    two_edit_correction() walks the term dictionary (10-20 ms), and each page of a search asks again."""
    return find(index, word)


#: The index whose answers _lately holds (one at a time: a replaced one is let go, and its files).
_remembering: list[KeywordIndex] = []


def _remembered(find: Callable[[KeywordIndex, str], str | None], index: KeywordIndex, word: str) -> str | None:
    if _remembering[:1] != [index]:  # a new index (a rebuild, or another hub's in tests): forget the last one
        _lately.cache_clear()
        _remembering[:] = [index]
    return _lately(find, index, word, int(time.time() // 3600))


def _sample(index: KeywordIndex, *fields: str, term: str) -> list[str]:
    """The texts in `fields` of a sample of the papers whose `fields` hold a term, one text a paper."""
    return _texts(index, tantivy.Query.boolean_query([
        (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, field, term)) for field in fields]), fields)


def _texts(index: KeywordIndex, query: tantivy.Query, fields: tuple[str, ...]) -> list[str]:
    """The texts in `fields` of a sample of the papers a query matches, one text a paper."""
    _, docs = index.search(query, SPELLING_SAMPLE)
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
        folded = _remembered(unfolded, index, word.lower())
        return _cased_like(word, folded) if folded is not None else None
    # a word no paper holds, or one a paper or two hold (the typo of an abstract's own: "modles") beside a word a
    # hundred times as common; failing a word of titles and abstracts, a name typed as one ("Ghsoh"): in lower case,
    # a third of the offers for real words the hub lacks were names ("youla" -> "Oula"; bench.spelling)
    offered = correction(index, word.lower(), more_than=held * COMMONER)
    if offered is not None:
        return _cased_like(word, offered)
    if held:
        return None
    if word[:1].isupper() and (name := name_correction(index, word.lower())) is not None:
        return name
    # two edits away (after one: nearer is likelier) only for a long word no paper holds, so a rare word of the hub is
    # never taken for a typo of a common one
    if len(word) >= TWO_EDITS_LENGTH and (offered := _remembered(two_edit_correction, index, word.lower())) is not None:
        return _cased_like(word, offered)
    return None


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
