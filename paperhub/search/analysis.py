"""How text becomes the keyword index's terms, the same for papers and queries: the analyzers (accents folded to
ASCII), TeX as the text readers see, and authors' names as words and pairs of words. Pure functions.

Papers write a word hyphenated or closed ("fine-tuning", "finetuning"): a hyphenated word is indexed by its parts
and, in a value of the field's own, joined; a query's hyphenated word is searched both ways. "C++", "C#" and "F#"
are words ("cplusplus", "csharp"), and TeX's scripts typed in a query ("R^2BD", "x_1") are read as the index reads
rendered math (r2bd, x1).

A name is found by every word of it within one author's name, in any order, an initial standing for a word that
starts with it ("Y. Bengio", "Bengio Yoshua", "Jeff Pan" for "Jeff Z. Pan"), never by words of two authors
("Chen Bin" is not "Yuhao Chen, Bin Shan"). The index holds, beside each author's words, every pair of them (each
word also as its initial): a query of several words requires each of its pairs.
"""

import re
from collections.abc import Iterator
from itertools import combinations

import tantivy

from paperhub.papers.tex import plain_text
from paperhub.search.reading import readable

#: A word of this many bytes (UTF-8) or more is not indexed, nor searched: tantivy drops it (remove_long).
LONG_WORD_BYTES = 40


def _analyzer(*filters: tantivy.Filter) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()) \
        .filter(tantivy.Filter.remove_long(LONG_WORD_BYTES)).filter(tantivy.Filter.lowercase())
    for extra in filters:
        builder = builder.filter(extra)
    return builder.build()


#: The analyzers of the title and abstract fields (STEMMED) and of the authors field (PLAIN): "Schrödinger" is
#: "schrodinger", and "R²" is "r2".
STEMMED = _analyzer(tantivy.Filter.ascii_fold(), tantivy.Filter.stemmer("english"))
PLAIN = _analyzer(tantivy.Filter.ascii_fold())
#: Words as written, lowercased: the form a term is shown in ("schrödinger").
WRITTEN = _analyzer()
#: Words as the analyzers' tokenizer splits them, none dropped: what long_words() measures.
_UNBOUNDED = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).build()
#: The analyzers' names in the schema. They name how a field's terms are made, so they change whenever that does
#: (an analyzer, readable(), name pairs): an index written under other names is known as older and rebuilt.
TEXT_TOKENIZER = "en_stem_ascii_readable2_joined"  # readable2: TeX as rendered since 6 December 2026
NAME_TOKENIZER = "names_ascii_pairs"

#: A hyphenated word ("fine-tuning", "GPT-4", "state-of-the-art"): hyphen, non-breaking hyphen or U+2010.
_COMPOUND = re.compile(r"(?<!\w)\w++(?:[-\u2010\u2011]\w++)+")  # (possessive: 4x faster)
#: The hyphens a word is written with or without ("fine-tuning", "finetuning").
HYPHENS = re.compile(r"[-\u2010\u2011]")
#: A language named by a letter and signs the tokenizer drops ("C++", "C#", "F#"; "C++17" too).
_SIGNED = re.compile(r"(?<![\w+#])([A-Za-z])(\+\+|#)(?![+#])")
_SIGN_WORDS = {"++": "plusplus ", "#": "sharp "}
#: A word holding TeX's scripts outside math ("R^2BD", "x_1", "x^{2}").
_SCRIPTED = re.compile(r"[^\s$\\]*\w[\^_][^\s$\\]*")


def scripts_shown(text: str) -> str:
    """A text with the TeX scripts of its words outside math as rendered math shows them ("R^2BD" is "R²BD", "x_1"
    "x₁")."""
    if "^" not in text and "_" not in text:
        return text
    return _SCRIPTED.sub(lambda word: plain_text(f"${word.group()}$", keys=False), text)


def _prepared(text: str) -> str:
    """Signed names as words ("C++" is "cplusplus") and scripts as rendered math ("R^2BD" is "R²BD"), for the
    analyzers' tokenizer, which would split both."""
    text = scripts_shown(text)
    if "+" in text or "#" in text:
        text = _SIGNED.sub(lambda name: name.group(1) + _SIGN_WORDS[name.group(2)], text)
    return text


def _joined(word: str) -> str:
    """A hyphenated word closed up ("finetuning"), or "" for one of digits alone (dates, page ranges)."""
    joined = HYPHENS.sub("", word)
    return "" if joined.isdigit() else joined


def _closed_terms(prepared: str) -> list[str]:
    """The terms of a text's hyphenated words closed up ("fine-tuning" is finetun), its signed names and scripts
    already words."""
    joined = [_joined(word) for word in _COMPOUND.findall(prepared)]
    return STEMMED.analyze(" ".join(word for word in joined if word)) if joined else []


def text_terms(text: str) -> tuple[list[str] | None, list[str]]:
    """A title's or abstract's terms as the index holds them: those of its readable text through STEMMED (signed
    names and scripts as words), None when that is STEMMED's own reading of the text as written (most texts); and
    those of its hyphenated words closed up ("fine-tuning" is finetun), held in a value of their own (a phrase of the
    closed spelling does not run into the text's words, but no text is read twice)."""
    shown = _prepared(readable(text))
    return None if shown == text else STEMMED.analyze(shown), _closed_terms(shown)


def _closed_up(text: str) -> str:
    """A text with its hyphenated words closed up ("fine-tuning" is "finetuning"; "2020-2021" stays)."""
    return _COMPOUND.sub(lambda word: _joined(word.group()) or word.group(), text)


def shown_terms(shown: str) -> list[str]:
    """The terms of a text already readable(), its hyphenated words closed up: one term each, the one the index
    holds of either spelling ("fine-tuning" and "finetuning" are finetun; their parts apart, fine and tune, are
    left to texts that write them apart: on CSFCube's key terms this beat holding both, docs/benchmarks.md)."""
    return STEMMED.analyze(_closed_up(_prepared(shown)))


def term_words(shown: str) -> Iterator[tuple[str, str]]:
    """Each of shown_terms' terms (and of the text's words apart) with a word of the text, lowercased, that makes
    it: "recognit" and
    "recognition"; "cplusplus" and "c++"; "finetun" and "fine-tuning"."""
    for word in WRITTEN.analyze(shown):
        yield from ((term, word) for term in STEMMED.analyze(word))
    for name in _SIGNED.finditer(shown):
        yield from ((term, name.group().lower()) for term in stems(name.group()))
    for word in _COMPOUND.findall(_prepared(shown)):
        yield from ((term, word.lower()) for term in _closed_terms(word))


def spellings(text: str) -> list[list[str]]:
    """The ways a query's words are found in titles and abstracts, each a list of terms (a phrase when several):
    STEMMED's terms of the words, and, when they hold a hyphenated word, those of the words with it joined
    ("fine-tuning": fine tune, and finetun)."""
    shown = _prepared(text)
    forms = [STEMMED.analyze(shown)]
    joined = _closed_up(shown)
    if joined != shown:
        forms.append(STEMMED.analyze(joined))
    return [terms for terms in forms if terms]


def long_words(text: str) -> list[str]:
    """A query's words that are too long to be indexed (LONG_WORD_BYTES or more), which every analyzer drops: a
    query of nothing else would search for nothing, and its words must not be read as no words."""
    return [word for word in _UNBOUNDED.analyze(_prepared(text)) if len(word.encode()) >= LONG_WORD_BYTES]


def stems(text: str, closed: bool = False) -> list[str]:
    """A query's words as the terms of titles and abstracts, one of their spellings(): their own (a hyphenated
    word's parts: fine tune), or with `closed` its hyphenated words closed up (finetun), the one reading of a
    query's words that its clauses, the vocabulary it is looked up by and its rare word all take theirs from."""
    forms = spellings(text)
    return (forms[-1] if closed else forms[0]) if forms else []


def name_words(name: str) -> list[str]:
    """A name's words as the index holds them ("Sch\\"olkopf, B." is scholkopf, b)."""
    return PLAIN.analyze(readable(name))


#: Pairs are made of an author's first words only: six make at most 60 terms (15 pairs, each in four forms).
MAX_NAME_WORDS = 6


def _forms(word: str) -> tuple[str, ...]:
    """What a word of an author's name is found by: itself and its initial."""
    return (word,) if len(word) == 1 else (word, word[0])


def _pair(a: str, b: str) -> str:
    return " ".join(sorted((a, b)))  # any order; never a word's term, which holds no space


def name_terms(author: str) -> list[str]:
    """The terms an author is indexed by: the name's words, in order (so a quoted phrase still finds them), then
    each pair of its words as any form of each."""
    words = name_words(author)
    pairs = {_pair(x, y): None for a, b in combinations(words[:MAX_NAME_WORDS], 2)
             for x in _forms(a) for y in _forms(b)}
    return [*words, *pairs]


def name_query_terms(name: str) -> list[str]:
    """The terms a paper must hold, all of them in one author's name, to be by an author so named: the name's word
    alone, or each pair of its words (and any word past MAX_NAME_WORDS)."""
    words = name_words(name)
    if len(words) < 2:
        return words
    pairs = {_pair(a, b): None for a, b in combinations(words[:MAX_NAME_WORDS], 2)}
    return [*pairs, *dict.fromkeys(words[MAX_NAME_WORDS:])]


def carries(author: str, name: str) -> bool:
    """Whether an author's name holds every word of `name` (any order, an initial for a word that starts with it):
    what the index finds for `author:"name"`, for telling which of a paper's authors a search named."""
    left = name_words(author)
    words = name_words(name)
    for word in sorted(words, key=len, reverse=True):  # whole words take theirs before initials choose
        found = next((i for i, held in enumerate(left) if word in _forms(held)), None)
        if found is None:
            return False
        del left[found]
    return bool(words)
