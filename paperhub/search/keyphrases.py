"""A paper's keywords: its key phrases, scored by how distinctive their words are in the hub. Pure functions.

Candidates are the runs of content words of the title and abstract (math and LaTeX commands cut, stop words and
the boilerplate of abstracts breaking the runs), and every one to three word n-gram inside a run. A candidate
scores its count (a title occurrence counts TITLE_WEIGHT times) times the mean idf of its words, times
sqrt(its length) so that a phrase is preferred to its own words. Phrases with the same stems are one
("model", "models"), and a phrase whose words another chosen phrase already says is skipped.
docs/benchmarks.md ("Keywords") compares this with scoring against the paper's own embedding (KeyBERT-like)
and with YAKE: it agrees best with authors' own keywords and costs well under a millisecond a paper.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from paperhub.papers.tex import words_only
from paperhub.search.analysis import STEMMED
from paperhub.search.filler import FILLER

#: Words that never start, end or sit inside a key phrase: English function words and what every abstract says.
STOP_WORDS = FILLER

WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[^\sa-z0-9]")
LONGEST = 3
TITLE_WEIGHT = 3
MOST, FEWEST = 8, 5
#: After the fewest keywords, a candidate scoring under this share of the best one is not a keyword.
CUTOFF = 0.35


@dataclass(frozen=True)
class Candidate:
    """A phrase of the paper: its commonest spelling, its stems (what makes two spellings one), its weight."""

    phrase: str
    stems: tuple[str, ...]
    count: int


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The keyword index's stems of one word, joined by "-" ("models" -> "model", "GPT-4o" -> "gpt-4o")."""
    return "-".join(STEMMED.analyze(word)) or word


def word_idf(stemmed: str, idf_of: Callable[[str], float]) -> float:
    """A word's idf: its stem's, or for a hyphenated word its most telling part's ("out-of-distribution")."""
    return max(idf_of(part) for part in stemmed.split("-"))


def runs(text: str) -> list[list[str]]:
    """The runs of content words of a text, lower-cased; math, punctuation and stop words end a run."""
    found: list[list[str]] = []
    run: list[str] = []
    for token in WORD.findall(words_only(text).lower()):
        if token in STOP_WORDS or not token[0].isalpha() or len(token) < 2:
            if run:
                found.append(run)
            run = []
        else:
            run.append(token)
    if run:
        found.append(run)
    return found


_WRITTEN = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")
_SENTENCE_END = frozenset(".!?:;")


def _capitals_inside(token: str) -> bool:
    """A capital past the first letter of a part ("LLMs", "GPT-4o"; not "Vision-Language")."""
    return any(c.isupper() for part in re.split("[-']", token) for c in part[1:])


def _capitalised(tokens: list[str], index: int) -> bool:
    return 0 <= index < len(tokens) and tokens[index][0].isupper()


def written_forms(title: str, abstract: str) -> dict[str, str]:
    """How the paper writes its words, where that is not lower case: an acronym or a name with capitals inside
    ("LLMs", "GPT-4o", "ResNet") as the paper writes it most, a word capitalised on its own within its abstract's
    sentences more often than written in lower case ("a Gaussian prior", "Brazilian law") capitalised. Titles'
    capitals, sentences' first words and runs of capitalised words say nothing of a word: Title Case, "Diffusion
    models are ...", a term spelt out for its acronym ("Graph Neural Networks (GNNs)")."""
    inner: dict[str, Counter[str]] = {}
    capital: dict[str, Counter[str]] = {}
    lower: Counter[str] = Counter()
    for text, is_title in ((title, True), (abstract, False)):
        tokens = _WRITTEN.findall(words_only(text))
        words = [t for t in tokens if t[0].isalpha() and len(t) > 1]
        shouting = sum(t.isupper() for t in words) * 2 > len(words)  # "DEEP LEARNING FOR ...": no acronyms to tell
        opening = True
        for index, token in enumerate(tokens):
            if not token[0].isalnum():
                opening = opening or token in _SENTENCE_END
                continue
            word = token.lower()
            if _capitals_inside(token):
                if not shouting:  # and its parts, which the key terms of similar papers name ("SWE" of "SWE-bench")
                    for written in dict.fromkeys([token, *(p for p in re.split("[-']", token) if _capitals_inside(p))]):
                        inner.setdefault(written.lower(), Counter())[written] += 1
            elif not (is_title or opening):
                if not token[0].isupper():
                    lower[word] += 1
                elif not (_capitalised(tokens, index - 1) or _capitalised(tokens, index + 1)):
                    capital.setdefault(word, Counter())[token] += 1
            opening = False
    forms = {word: spellings.most_common(1)[0][0] for word, spellings in inner.items()}
    forms.update({word: spellings.most_common(1)[0][0] for word, spellings in capital.items()
                  if word not in forms and spellings.total() > lower[word]})
    return forms


def candidates(title: str, abstract: str, longest: int = LONGEST) -> list[Candidate]:
    """Every n-gram of up to `longest` words inside a run of the title or abstract, merged by stems, each spelt as
    the paper writes it most (in lower case but for acronyms and names: written_forms)."""
    forms = written_forms(title, abstract)
    counts: Counter[tuple[str, ...]] = Counter()
    spellings: dict[tuple[str, ...], Counter[str]] = {}
    for text, weight in ((title, TITLE_WEIGHT), (abstract, 1)):
        for run in runs(text):
            for size in range(1, longest + 1):
                for start in range(len(run) - size + 1):
                    words = run[start:start + size]
                    key = tuple(stem(w) for w in words)
                    counts[key] += weight
                    spellings.setdefault(key, Counter())[" ".join(words)] += 1
    return [Candidate(" ".join(forms.get(w, w) for w in spellings[key].most_common(1)[0][0].split(" ")), key, count)
            for key, count in counts.items()]


def distinctive(found: Iterable[Candidate], idf_of: Callable[[str], float]) -> list[tuple[Candidate, float]]:
    """Each candidate with its score: count x mean idf of its stems x sqrt(length). A candidate with a word of
    idf 0 (in no other paper, or too common to say anything) is left out, as is a lone word under 3 letters."""
    scored = []
    for candidate in found:
        if len(candidate.stems) == 1 and len(candidate.phrase) < 3:  # "gs", "ai": an acronym says little alone
            continue
        idfs = [word_idf(s, idf_of) for s in candidate.stems]
        if not all(idfs):
            continue
        mean = sum(idfs) / len(idfs)
        scored.append((candidate, candidate.count * mean * math.sqrt(len(idfs))))
    return scored


def choose(scored: Iterable[tuple[Candidate, float]], most: int = MOST, fewest: int = FEWEST,
           cutoff: float = CUTOFF) -> list[str]:
    """The best-scoring phrases, none repeating the words of one chosen before nor lengthening a chosen phrase; a
    phrase replaces a chosen word of its own. Past `fewest`, one scoring under `cutoff` x the best ends the list."""
    ranked = sorted(scored, key=lambda pair: (-pair[1], pair[0].phrase))
    chosen: list[Candidate] = []
    said: set[str] = set()
    best = ranked[0][1] if ranked else 0.0
    for candidate, score in ranked:
        if len(chosen) >= most or (len(chosen) >= fewest and score < cutoff * best):
            break
        parts = set(candidate.stems)
        if parts <= said or any(len(c.stems) > 1 and set(c.stems) < parts for c in chosen):
            continue  # it repeats chosen words, or lengthens a chosen phrase that scored higher
        chosen = [c for c in chosen if not set(c.stems) < parts]
        chosen.append(candidate)
        said |= parts
    return [c.phrase for c in chosen]


def indexed_as_written(title: str, abstract: str) -> Callable[[Candidate], bool]:
    """Whether a candidate's words stand in a row in the text as the keyword index reads it (LaTeX and all). A
    keyword opens a search for its "phrase", which must match: phrases read across a dropped citation
    ("transformer~\\cite{x} architecture") or from an accent written in LaTeX (Schr\\"odinger) would find nothing."""
    indexed = f" {' '.join(STEMMED.analyze(title))} | {' '.join(STEMMED.analyze(abstract))} "
    return lambda candidate: f" {' '.join(part for stem in candidate.stems for part in stem.split('-'))} " in indexed


def keywords(title: str, abstract: str, idf_of: Callable[[str], float]) -> list[str]:
    """A paper's keywords (5 to 8 when its text has that many), best first."""
    found = candidates(title, abstract)
    if "\\" in title or "\\" in abstract:  # only LaTeX makes what is read differ from what is indexed
        found = list(filter(indexed_as_written(title, abstract), found))
    return choose(distinctive(found, idf_of))
