"""How a paper writes its terms: one form for each stem, in the paper's own spelling ("MoE", not "moe"; "experts",
not "experts, expert"). Pure functions, shared by similar papers' reasons and For you's."""

from collections.abc import Callable, Iterable

from paperhub.search.analysis import HYPHENS, STEMMED
from paperhub.search.filler import is_filler, singular
from paperhub.search.keyphrases import written_forms
from paperhub.search.terms import surface_forms


def spelling(title: str, abstract: str) -> Callable[[str, str], str]:
    """How the paper writes a stem: its first word of that stem, lowercased but for acronyms and names as the paper
    writes them ("LLMs", "Gaussian"); a stem the paper does not hold is given back as the second argument."""
    forms = surface_forms([title, abstract])
    written = written_forms(title, abstract)

    def spelt(stem: str, otherwise: str) -> str:
        word = forms.get(stem)
        return otherwise if word is None else written.get(word, word)
    return spelt


def one_idea_each(words: Iterable[str], count: int) -> list[str]:
    """The first `count` of some words, each idea once: not a word beside its plural or a hyphenated word of it
    ("Mamba", never "Mamba, mamba-based"; "LLM", never "LLM, LLMs")."""
    kept: list[str] = []
    for word in words:
        if not any(same_idea(word, said) for said in kept):
            kept.append(word)
            if len(kept) == count:
                break
    return kept


def same_idea(a: str, b: str) -> bool:
    """Whether two words are one idea to a reader: one is the other, its plural, or a part of it hyphenated
    ("mamba" and "Mamba-based", "LLM" and "LLMs")."""
    return singular(a) in _parts(b) or singular(b) in _parts(a)


def _parts(word: str) -> set[str]:
    return {singular(part) for part in HYPHENS.split(word)}


def distinct_terms(phrases: Iterable[str], count: int) -> list[str]:
    """The first `count` of some words and phrases that add a stem: "diffusion models" after "diffusion" and
    "models" adds none, nor "expert" after "experts"."""
    return [" ".join(word for _, word in words) for words in _adding(phrases, count)]


def spelt_terms(phrases: Iterable[str], title: str, abstract: str, count: int) -> list[str]:
    """distinct_terms, each word as the paper writes it."""
    spelt = spelling(title, abstract)
    return [" ".join(spelt(stem, word) for stem, word in words) for words in _adding(phrases, count)]


def _adding(phrases: Iterable[str], count: int) -> list[list[tuple[str, str]]]:
    """The first `count` phrases that hold no filler and add a word, each as its words with their stems (a word
    of several stems, "fine-tuning", stands for itself): a word adds nothing when its stem is said, or its idea
    (same_idea: "llms" after "llm")."""
    kept: list[list[tuple[str, str]]] = []
    said: set[str] = set()
    for phrase in phrases:
        words = [(stems[0] if len(stems) == 1 else word, word)
                 for word in phrase.split() for stems in [STEMMED.analyze(word)]]
        if any(is_filler(word) for _, word in words):
            continue
        if any(stem not in said and not any(same_idea(word, w) for done in kept for _, w in done)
               for stem, word in words):
            kept.append(words)
            said |= {stem for stem, _ in words}
        if len(kept) == count:
            break
    return kept
