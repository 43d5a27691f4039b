"""Where math spans ($...$, $$...$$, \\(...\\)) lie in a text: found left to right in linear time (pure)."""

import re
from collections.abc import Iterator

from paperhub.papers.texmath import MAX_MATH

_OPENERS = re.compile(r"(?<!\\)\$\$|(?<!\\)\$|\\\(")  # \$ is a dollar sign
_CLOSERS = {"$$": "$$", "$": "$", "\\(": "\\)"}


class _Closers:
    """Where each closing delimiter next occurs, found once per occurrence: asked in increasing order, so the
    scan for a missing closer is not repeated for every opener (that was quadratic)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, int] = {}

    def next(self, closer: str, start: int) -> int:
        """The first index >= start of `closer`, or -1."""
        known = self.found.get(closer, -2)
        if known == -1 or known >= start:
            return known
        self.found[closer] = self.text.find(closer, start)
        return self.found[closer]


def spans(text: str) -> Iterator[tuple[int, int, int, int]]:
    """Each math span ($$...$$, $...$ or \\(...\\), content not empty) as (start, content start, content end,
    end), left to right, in linear time."""
    if "$" not in text and "\\(" not in text:
        return  # no opener: most titles and excerpts (the scan for one was a third of rendering a card's texts)
    closers = _Closers(text)
    position = 0
    while (opener := _OPENERS.search(text, position)) is not None:
        start = opener.start()
        for delimiter in ("$$", "$") if opener[0] == "$$" else (opener[0],):
            inner = start + len(delimiter)
            end = closers.next(_CLOSERS[delimiter], inner + 1)  # the content holds at least one character
            if end != -1:
                yield start, inner, end, end + len(_CLOSERS[delimiter])
                position = end + len(_CLOSERS[delimiter])
                break
        else:
            position = start + 1


def split_math(text: str) -> Iterator[tuple[str, str]]:
    """`text` cut at its math spans, as (source, delimiter) pieces: text pieces (delimiter "") alternate with
    math contents (delimiter "$", "$$" or "\\("), first and last a text piece; math spans longer than
    MAX_MATH stay text."""
    position = 0
    for start, low, high, end in spans(text):
        if high - low > MAX_MATH:
            continue
        yield text[position:start], ""
        yield text[low:high], text[start:low]
        position = end
    yield text[position:], ""
