"""A text's words as readers see them, its TeX rendered: what the keyword index reads of a paper and of a query
(analysis.py analyses it). Pure, and light: the search box's parser reads a query with it before tantivy loads."""

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from paperhub.papers.tex import plain_text

#: The letters and digits of math's alphabets (double-struck, script, fraktur, bold...: 𝒪, ℝ, 𝔤, 𝟙), each a
#: letter or digit in NFKC.
_MATH_LETTERS = re.compile("[\U0001D400-\U0001D7FF\u2102\u210A-\u2113\u2115\u2119-\u211D\u2124\u2128"
                           "\u212C\u212D\u212F-\u2131\u2133\u2134]")
#: A LaTeX command's name (\\textsc, \\cite) says how a text is typeset, never what it is about.
_COMMAND_NAMES = re.compile(r"\\[A-Za-z]+")


def holds_math_letters(text: str) -> bool:
    """Whether a text holds a letter or digit of math's alphabets ("𝒫", "ℝ")."""
    return _MATH_LETTERS.search(text) is not None


@lru_cache(maxsize=1)
def math_forms() -> dict[str, str]:
    """Each letter (lowercased) and digit with the math alphabets' forms of it ("p": "𝐏𝐩...𝒫...ℙ"): what
    readable() reads as that letter."""
    forms: dict[str, str] = defaultdict(str)
    for code in (*range(0x2100, 0x2135), *range(0x1D400, 0x1D800)):
        if _MATH_LETTERS.match(char := chr(code)) and len(plain := unicodedata.normalize("NFKC", char)) == 1:
            forms[plain.lower()] += char
    return dict(forms)


def readable(text: str) -> str:
    """A text's words as readers see them: LaTeX rendered as text ("R$^2$BD" is "R²BD"), citations (their keys
    too) and any command's name left out ("$\\mathcal{O}(n)$" holds no "mathcal"), math's letters as letters
    ("𝒪", "ℝ" are "O", "R", which the analyzers' ASCII folding leaves as they are)."""
    if "\\" not in text and "$" not in text:  # no command or math: rendering changes no term
        return text
    shown = _MATH_LETTERS.sub(lambda m: unicodedata.normalize("NFKC", m[0]), plain_text(text, keys=False))
    return _COMMAND_NAMES.sub(" ", shown)
