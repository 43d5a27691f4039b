"""A paper's words as a tf-idf vector: what "same key terms" means between two papers. Pure functions.

The words are the keyword index's own (tantivy's simple tokenizer, lowercased, English stems; "C++" a word, a
hyphenated word closed up: analysis.shown_terms), so document frequencies come straight from the index and
"fine-tuning" in one abstract is "finetuning" in another. Weighting is the classic one for comparing whole
documents: sublinear term frequency times smoothed idf, the title counted twice, function words and terms in more
than half of the papers left out, the vector scaled to unit length. On CSFCube's dev fold its cosine ranks a
paper's judged pool at 0.545 nDCG@20, against 0.513 for BM25 with the paper's key terms as the query
(docs/benchmarks.md).
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from paperhub.search.analysis import HYPHENS, STEMMED, shown_terms, term_words
from paperhub.search.filler import SCORED_OUT
from paperhub.search.reading import readable

#: Function words and the commonest boilerplate of abstracts, as stems: what the scoring leaves out (filler.SCORED_OUT;
#: hyphenated ones, "state-of-the-art", closed up as key terms hold them: "stateoftheart").
STOPWORDS = frozenset(term for word in SCORED_OUT.split() for term in (
    shown_terms(word) if HYPHENS.search(word) else STEMMED.analyze(word)))

#: A term in more than this share of the papers is left out, as are terms in a single paper.
MAX_DF_SHARE = 0.5
#: A shared term in more than this share of the papers is shown as what two papers share only when no rarer is.
LABEL_MAX_DF_SHARE = 0.05
TITLE_REPEAT = 2

Weights = dict[str, float]


#: Web addresses in an abstract ("code at https://github.com/..."): their pieces (https, github, com) would make
#: every paper with a code link a little like every other.
_ADDRESSES = re.compile(r"(?:https?://|www\.)\S+|\S*\b(?:github|gitlab)\.(?:com|io)\S*", re.IGNORECASE)
#: What every address _ADDRESSES finds holds: most abstracts hold none, and looking for these is linear where
#: _ADDRESSES, trying a word's every start, took half the time of reading a paper's terms (144 of 292 µs).
_MAY_HOLD_ADDRESS = re.compile(r"https?://|www\.|git(?:hub|lab)\.", re.IGNORECASE)


def paper_counts(title: str, abstract: str) -> Counter[str]:
    """How often each content term occurs in a paper (web addresses and LaTeX commands left out), the title
    counted TITLE_REPEAT times."""
    shown = readable(abstract)
    counts = Counter(shown_terms(_ADDRESSES.sub(" ", shown) if _MAY_HOLD_ADDRESS.search(shown) else shown))
    for term, n in Counter(shown_terms(readable(title))).items():
        counts[term] += TITLE_REPEAT * n
    for term in [t for t in counts if t in STOPWORDS or len(t) < 3 or t.isdigit()]:
        del counts[term]
    return counts


#: The version of what paper_counts() answers, which the keyword index stores with each paper (counts_text): bump it
#: whenever paper_counts, or anything it reads (readable, shown_terms, STOPWORDS, the address patterns), answers
#: differently, and an index holding the old counts reads as an older one: similar() reads its papers' terms from
#: their text until it is rebuilt (keyword_schema.COUNTS_TOKENIZER).
COUNTS_VERSION = 1


def counts_text(counts: Mapping[str, int]) -> str:
    """Term counts in the compact form the keyword index stores with each paper ("graph:3 attent molecul"): a
    term alone once, with ":n" more often (always where the term holds a colon), in the counts' own order."""
    return " ".join(term if count == 1 and ":" not in term else f"{term}:{count}" for term, count in counts.items())


def stored_counts(text: str) -> Counter[str]:
    """Term counts back from counts_text()'s form, in the same order."""
    counts: Counter[str] = Counter()
    for item in text.split():
        term, colon, count = item.rpartition(":")
        if colon:
            counts[term] = int(count)
        else:
            counts[item] = 1
    return counts


def idf(doc_freq: int, n_docs: int) -> float:
    """Smoothed inverse document frequency (as scikit-learn's TfidfVectorizer); 0 for a term in one paper only
    or in more than half of them, which says nothing about how alike two papers are."""
    if doc_freq < 2 or doc_freq > max(2.0, MAX_DF_SHARE * n_docs):
        return 0.0
    return math.log((1 + n_docs) / (1 + doc_freq)) + 1.0


def weights(counts: Mapping[str, int], idf_of: Callable[[str], float]) -> Weights:
    """The unit-length tf-idf vector of a paper's term counts (sublinear tf times `idf_of(term)`)."""
    vector: Weights = {}
    for term, count in counts.items():
        value = idf_of(term)
        if value:
            vector[term] = value if count == 1 else (1.0 + math.log(count)) * value
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm else {}


def cosine(a: Weights, b: Weights) -> float:
    """Cosine of two unit-length sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def key_terms(vector: Weights, count: int) -> list[tuple[str, float]]:
    """The `count` heaviest terms, heaviest first."""
    return sorted(vector.items(), key=lambda pair: (-pair[1], pair[0]))[:count]


def label_floor(n_docs: int) -> float:
    """The idf of a term in LABEL_MAX_DF_SHARE of `n_docs` papers: a shared term whose idf is below it is a word
    of many papers ("loss", "images"), which says little about what two papers have in common."""
    return math.log((1 + n_docs) / (1 + LABEL_MAX_DF_SHARE * n_docs)) + 1.0


def shared(a: Weights, b: Weights, count: int | None = 3, common: Callable[[str], bool] | None = None,
           shown: Callable[[str], bool] | None = None) -> list[str]:
    """The shared terms that say most about both papers, heaviest first by the lesser of their two weights (a
    term heavy in one paper only says little of the other); `common` ones (words of many papers) only when no
    rarer term is shared, none that is not `shown` (filler: "thereby", "various"); all of them for count None."""
    both = [t for _, t in sorted((-min(w, b[t]), t) for t, w in a.items() if t in b) if shown is None or shown(t)]
    rarer = [t for t in both if common is None or not common(t)]
    return (rarer or both)[:count]


def surface_forms(texts: Iterable[str]) -> dict[str, str]:
    """For each stem, the first word in the texts that has it, as written but lowercased ('recognit' -> 'recognition',
    'schroding' -> 'schrödinger')."""
    forms: dict[str, str] = {}
    for text in texts:
        for stem, word in term_words(readable(text)):
            forms.setdefault(stem, word)
    return forms
