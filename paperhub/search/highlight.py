"""Highlighted, HTML-safe titles and snippets. Pure: text is escaped first, then the matches are marked."""

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe

from paperhub.search.analysis import HYPHENS, scripts_shown
from paperhub.search.reading import holds_math_letters, math_forms

_ENDINGS = ("ing", "ed", "es", "s", "ly", "ation", "ations", "al")
_STEM_SUFFIX = re.compile(rf"({'|'.join(_ENDINGS)})$")
#: A stem shorter than this marks whole words only: as a prefix, "o" marked "of" and "over", "go" "goal", "ai" "aims".
_PREFIX_LETTERS = 4


def _stem(word: str) -> str:
    word = word.lower()
    stem = _STEM_SUFFIX.sub("", word) if len(word) > 4 else word
    return stem if len(stem) >= 3 else word


def _pattern(words: Sequence[str], text: str) -> re.Pattern[str] | None:
    """The query's pattern for a text: its letters in math's alphabets too only where the text holds such a letter
    (that pattern is slower, twice as slow on abstracts)."""
    return _compiled(tuple(words), holds_math_letters(text))


def _word_pattern(word: str, math: bool) -> str:
    """What a query's word (closed up) marks: a stem of _PREFIX_LETTERS or more any word it begins; a shorter one
    (RL, AI, Go) only the word itself, whole, with a plural's s ("LLMs") or, where the stem is the word's without
    its ending ("gam" of "games"), one of the endings it was stemmed of; a letter alone only itself."""
    stem = _stem(word)
    if len(stem) >= _PREFIX_LETTERS:
        return rf"{_either_way(stem, math)}\w*"
    if len(word) == 1:
        return rf"{_either_way(word, math)}(?!\w)"
    endings = "|".join(("e", *_ENDINGS)) if stem != word else "e?s"
    return rf"{_either_way(stem, math)}(?:{endings})?(?!\w)"


def _either_way(stem: str, math: bool) -> str:
    """A pattern of a stem written with or without a hyphen between any two of its letters or digits; with `math`,
    each letter in math's alphabets too (a query's "P_2" marks the "𝒫₂" of "$\\mathcal{P}_2$", as the index finds)."""
    pieces = []
    for at, char in enumerate(stem):
        if at and char.isalnum() and stem[at - 1].isalnum():
            pieces.append(f"{HYPHENS.pattern}?")
        written = re.escape(html.escape(char, quote=False))
        pieces.append(f"[{written}{forms}]" if math and (forms := math_forms().get(char)) else written)
    return "".join(pieces)


@lru_cache(maxsize=512)
def _compiled(words: tuple[str, ...], math: bool) -> re.Pattern[str] | None:
    """One pattern per query, shared by every hit on the page; a word found hyphenated or closed up either way, and
    its TeX scripts rendered, as the index finds it."""
    # as typed and as math shows them: a query's "P_2" is the "P₂" of a paper's "$P_2$" too (snippets are plain_text)
    closed = sorted({c.lower() for w in words for shown in {w, scripts_shown(w)}
                     if (c := HYPHENS.sub("", shown).strip())}, key=len, reverse=True)
    if not closed:
        return None
    alternatives = "|".join(_word_pattern(word, math) for word in closed)
    return re.compile(rf"(?<![&#])\b(?:{alternatives})", re.IGNORECASE)


def mark(text: str, words: Sequence[str]) -> SafeString:
    """The whole text, escaped, with the query's words wrapped in <mark>."""
    escaped = html.escape(text, quote=True)
    pattern = _pattern(words, text)
    if pattern is None:
        return mark_safe(escaped)  # noqa: S308 (escaped above)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308


def snippet(text: str, words: Sequence[str], width: int = 320) -> SafeString:
    """About `width` characters of text around the densest run of query words, escaped and marked."""
    if len(text) <= width:
        return mark(text, words)
    pattern = _pattern(words, text)
    start = 0
    if pattern is not None:
        hits = [m.start() for m in pattern.finditer(text)]
        if hits:
            best, best_count, end_at = hits[0], 0, 0
            for i, hit in enumerate(hits):  # the window of `width` characters holding the most hits
                while end_at < len(hits) and hits[end_at] < hit + width:
                    end_at += 1
                if end_at - i > best_count:
                    best, best_count = hit, end_at - i
            start = max(0, best - width // 4)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    piece = mark(text[start:end], words)
    return mark_safe(("… " if start else "") + piece + (" …" if end < len(text) else ""))  # noqa: S308
