"""A paper's one-line summary, extracted from its abstract: the sentence that states the contribution. Pure.

Verbatim (only trimmed), so it is shown as "extracted", never as if someone wrote it. docs/benchmarks.md
("Keywords") has how often abstracts have such a sentence.
"""

import re

from paperhub.papers.tex import closed_prefix

#: Sentences that state what the paper does, strongest first: "We propose ...", then "In this paper, we ...",
#: then "This paper ...", then any sentence whose subject is "we".
CONTRIBUTIONS = (
    re.compile(r"\b(?:we|here,? we|this (?:paper|work|article|letter|study)|our (?:main )?contributions?)\s+"
               r"(?:\w+ly\s+)?(?:propose|introduce|present|develop|design|formulate|devise|describe|"
               r"release|offer|contribute)", re.I),
    re.compile(r"^(?:in|with) this (?:paper|work|article|letter|study|note)\b.{0,40}\bwe\b", re.I),
    re.compile(r"^(?:this|the present|our) (?:paper|work|article|letter|study|note)\b", re.I),
    re.compile(r"^(?:here,?\s+)?we\b", re.I),
)
#: Any of them (what the benchmark counts as a contribution sentence).
CONTRIBUTION = re.compile("|".join(f"(?:{p.pattern})" for p in CONTRIBUTIONS), re.I)
MAX_CHARS = 240

_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[$\\])")
ABBREVIATIONS = ("e.g", "i.e", "et al", "etc", "vs", "cf", "Fig", "Figs", "Eq", "Eqs", "Sec", "resp", "approx", "Dr",
                 "Prof", "No")
_ABBREVIATION = re.compile(r"\b(?:" + "|".join(map(re.escape, ABBREVIATIONS)) + r")\.\Z", re.I)
# The longest abbreviation with its dot ("approx.") plus the character before it, which \b looks at.
_ABBREVIATION_TAIL = max(map(len, ABBREVIATIONS)) + 2


def ends_in_abbreviation(text: str) -> bool:
    """Whether a text ends in an abbreviation such as "e.g." or "et al.", which ends no sentence."""
    # Only the tail can hold the match: searching the whole text tried the pattern at every character and was most
    # of a page of cards' summaries (5 of 6 ms for 30 abstracts).
    return _ABBREVIATION.search(text[-_ABBREVIATION_TAIL:]) is not None


def sentences(text: str) -> list[str]:
    """The sentences of a text (abbreviations such as "e.g." and "et al." do not end one; math is kept whole)."""
    found: list[str] = []
    for piece in _BOUNDARY.split(" ".join(text.split())):
        if found and (ends_in_abbreviation(found[-1]) or found[-1].count("$") % 2):
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
    return [s for s in found if s]


def trimmed(sentence: str, limit: int = MAX_CHARS) -> str:
    """About `limit` characters, cut at a word, never inside math nor leaving a {group} open, with an ellipsis if
    cut."""
    if len(sentence) <= limit:
        return sentence
    cut = closed_prefix(sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:"))
    return cut.rstrip(" ,;:") + "…"


def contribution(abstract: str) -> str:
    """The abstract's sentence stating the contribution (the first of the strongest kind found), else its
    first sentence, whole. Empty for an empty abstract."""
    found = sentences(abstract)
    for pattern in CONTRIBUTIONS:
        for sentence in found:
            if pattern.search(sentence):
                return sentence
    return found[0] if found else ""


def one_line(abstract: str) -> str:
    """The abstract's contribution sentence trimmed to MAX_CHARS."""
    return trimmed(contribution(abstract))


def one_line_beyond(abstract: str, shown: str) -> str:
    """The one-line summary, or "" where its sentence starts within `shown`, the opening of the abstract that the
    reader already has before them (an excerpt, its closing " …" aside, or the first sentence): a sentence is
    never shown twice, nor its start once more as a summary."""
    sentence = contribution(abstract)
    opening = " ".join(shown.split()).removesuffix("…").rstrip()
    start = " ".join(abstract.split()).find(sentence)
    return "" if not sentence or 0 <= start < len(opening) else trimmed(sentence)


def opening(abstract: str) -> str:
    """The abstract's first sentence."""
    found = sentences(abstract)
    return found[0] if found else ""
