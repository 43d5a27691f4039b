"""The text-mode pass of papers.tex: a title or abstract rendered in one pass as an Output writes it (HTML, Unicode
text, LaTeX, Markdown), its math spans handed to the output's math, its commands, groups, environments, citations
and links rendered; every character of the source escaped by the output. Pure, linear in the text."""

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from paperhub.papers.links import latex_url, web_url
from paperhub.papers.records import accent_at
from paperhub.papers.texfonts import ACCENTS, FONTS, OPERATORS
from paperhub.papers.texgroups import COMMAND
from paperhub.papers.texmath import (
    FRACTIONS,
    MAX_DEPTH,
    MAX_MATH,
    PLAIN,
    SIZES,
    STYLES,
    SYMBOLS,
)
from paperhub.papers.texspans import spans
from paperhub.papers.textmode import (
    BRACKETS,
    CITATIONS,
    DECLARATIONS,
    LISTS,
    MATH_ENVIRONMENTS,
    MAX_OPTION,
    TEXT_STYLES,
    TEXT_SYMBOLS,
    TEXTUAL_CITATIONS,
    cited,
    tidy_before_citation,
    typed_separator,
)

#: Math commands that print a symbol or a word, written outside math ("for any \\eps>0": ε; a letter's shorthand,
#: \\R, is a word's initial there as often).
_MATH_WORDS = {name: shown for name, shown in {**SYMBOLS, **OPERATORS, **dict.fromkeys(SIZES, ""), "eps": "ε",
                                               "veps": "ε"}.items() if name.isalpha()}
#: Math commands with arguments written outside math ("\frac{1}{2} of", "over \mathbb{R}"): rendered as math.
_MATH_ARGUMENTS = {*FRACTIONS, *FONTS, *ACCENTS, *STYLES, *PLAIN, "operatorname"} - TEXT_STYLES.keys() - {"not"}
TEXT_SPECIAL = re.compile(r"[\\{}~$`'-]")
_DECLARATION = re.compile(r"\s*\\([A-Za-z]+)(?![A-Za-z])\s*")
_UNCLOSED = re.compile(r" *\{")
#: \\verb|code|: its text as it is, up to the delimiter's next occurrence (at most MAX_OPTION characters on).
_VERBATIM = re.compile(rf"\*?([^\sA-Za-z*{{])([^\n]{{1,{MAX_OPTION}}}?)\1")
_LINK_IN_MATH = re.compile(r"\s*\\(?:href|url)\s*\{")


@dataclass(frozen=True)
class Output:
    """How converted text is written: literal text escaped, a style applied to its rendered argument, a math
    span (content, delimiter) rendered; with `typography`, ties, dashes and quotes as the characters they print,
    else kept as LaTeX; with `keys`, a textual citation as its keys in brackets, else dropped as the others are;
    `link` writes a link (\\href, \\url) from its address and rendered text, by default the text and the address in
    brackets after it where that is a web address other than the text."""

    escape: Callable[[str], str]
    style: Callable[[str, str], str]
    math: Callable[[str, str], str]
    typography: bool = True
    keys: bool = True
    link: Callable[[str, str], str] | None = None

def _text_braces(text: str, math: dict[int, tuple[int, int, int]]) -> dict[int, int]:
    """Each '{' of the text outside math and not escaped mapped to its matching '}' (unmatched ones left out)."""
    pairs: dict[int, int] = {}
    if "{" not in text:
        return pairs  # nothing to pair: spares most texts the scan
    open_at: list[int] = []
    index = 0
    while (found := _BRACE_OR_ESCAPE.search(text, index)) is not None:
        index = found.end()
        if found.start() in math:
            index = math[found.start()][2]
        elif found[0] == "{":
            open_at.append(found.start())
        elif found[0] == "}" and open_at:
            pairs[open_at.pop()] = found.start()
    return pairs


_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]|\$\$|\$", re.DOTALL)
_ADDRESS = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s{}\\$]+", re.IGNORECASE)


def web_addresses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each web address in a text."""
    # Sought only where one can be: the pattern tries every word's start, a quarter of rendering a card's title,
    # excerpt and summary, and 2 of 9,000 such texts of recent papers hold an address.
    if "://" not in text and "www." not in text.lower():
        return []
    return [(m.start(), m.end()) for m in _ADDRESS.finditer(text)]


class Text:
    """A text rendered in one pass, math spans (as split_math finds them) rendered by `out.math`; each character
    is visited once, arguments nested at most MAX_DEPTH deep (deeper ones show as written)."""

    def __init__(self, text: str, out: Output) -> None:
        self.text, self.out = text, out
        self.math = {start: (low, high, end) for start, low, high, end in spans(text) if high - low <= MAX_MATH}
        self.pairs = _text_braces(text, self.math)
        # web addresses are written as they are: a ~ or -- in one is part of it (/~ark/, /a--b), no tie or dash
        self.urls = web_addresses(text)
        self.quoting = False  # inside a single quote opened by ` (`intent-execution'): its ' closes it
        self.lists: list[int] = []  # the lists \begin opened and \end has not closed: items so far, -1 unnumbered
        self.linking = False  # inside a link's text: a link there is its text (HTML has no link in a link)

    def in_address(self, index: int) -> bool:
        """Whether text[index] lies inside a web address."""
        at = bisect_right(self.urls, (index, len(self.text))) - 1
        return at >= 0 and self.urls[at][0] <= index < self.urls[at][1]

    def group(self, index: int, stop: int) -> int:
        """Where the {group} starting at or after spaces from `index` closes, or -1 when there is none."""
        while index < stop and self.text[index] == " ":
            index += 1
        close = self.pairs.get(index, -1) if index < stop and self.text[index] == "{" else -1
        return close if close < stop else -1

    def render(self, start: int, stop: int, depth: int = 0) -> str:
        """text[start:stop] rendered."""
        text, out = self.text, self.out
        if depth > MAX_DEPTH:  # hostile nesting: show the rest as written
            return out.escape(text[start:stop])
        parts: list[str] = []
        i = start
        while i < stop:
            found = TEXT_SPECIAL.search(text, i, stop)
            if found is None:
                parts.append(out.escape(text[i:stop]))
                break
            j = found.start()
            if j > i:
                parts.append(out.escape(text[i:j]))
            i = self.special(j, stop, depth, parts)
        return "".join(parts)

    def special(self, j: int, stop: int, depth: int, parts: list[str]) -> int:
        """Render what starts at the special character text[j] into `parts`; where rendering goes on."""
        text, out = self.text, self.out
        char = text[j]
        if j in self.math:
            low, high, end = self.math[j]
            if end <= stop and _LINK_IN_MATH.match(text, low, high):  # $\\href{url}{text}$ (MathJax's): as text's
                inside = Text(text[low:high], out)
                inside.linking = self.linking
                parts.append(inside.render(0, high - low, depth + 1))
                return end
            if end <= stop:
                parts.append(out.math(text[low:high], text[j:low]))
                return end
        if char == "\\":
            return self.command(j, stop, depth, parts)
        if char == "{":
            return self.brace(j, stop, depth, parts)
        if char in "~-`'" and self.in_address(j):
            parts.append(out.escape(char))
            return j + 1
        if char == "~":
            # A tie joins two words (Fig.~3); "~10 ms", "N ~ 10" and "(~0.8)" mean "about".
            tie = j > 0 and not text[j - 1].isspace() and text[j - 1] != "(" and text[j + 1:j + 2].strip() != "" \
                or self.dropped_citation_at(j + 1)  # "results ~\cite{x}.": gone with it, "results."
            parts.append(out.escape("~") if not tie else " " if out.typography else "~")
            return j + 1
        if char == "-":
            run = j
            while run < stop and text[run] == "-":
                run += 1
            length = run - j
            option = length == 2 and (j == 0 or text[j - 1].isspace()) and text[run:run + 1].isalpha()
            arrow = text[j - 1:j] == "<" or text[run:run + 1] == ">"
            if length in (2, 3) and out.typography and not option and not arrow:
                parts.append("–" if length == 2 else "—")
            else:
                parts.append(out.escape(text[j:run]))
            return run
        if char in "`'" and text[j + 1:j + 2] == char and out.typography:
            parts.append("“" if char == "`" else "”")
            return j + 2
        quote = self.single_quote(j) if char in "`'" and out.typography else None
        if quote:
            parts.append(quote)
            return j + 1
        parts.append(out.escape(char))
        return j + 1

    def dropped_citation_at(self, index: int) -> bool:
        """Whether a citation this output drops (not one it reads as its keys) starts at text[index]."""
        match = COMMAND.match(self.text, index)
        return match is not None and match[1] in CITATIONS and not (match[1] in TEXTUAL_CITATIONS and self.out.keys)

    def single_quote(self, j: int) -> str | None:
        """The quotation mark the ` or ' at j is, if any: ` before a word opens a single quote, and the next ' (or `)
        that ends a word closes it; an apostrophe inside a word (don't) is left as written."""
        if not self.quoting:
            self.quoting = self.text[j] == "`" and self.text[j + 1:j + 2].strip() != ""
            return "‘" if self.quoting else None
        if self.text[j + 1:j + 2].isalnum():
            return None
        self.quoting = False
        return "’"

    def brace(self, j: int, stop: int, depth: int, parts: list[str]) -> int:
        """A {group}: a declaration's is styled, one letter's is the letter; others keep their braces."""
        text, out = self.text, self.out
        close = self.pairs.get(j, -1)
        if close == -1 or close >= stop:
            parts.append(out.escape("{"))
            return j + 1
        if close == j + 1:  # {}: an empty group prints nothing (\LaTeX{} is)
            return close + 1
        declared = _DECLARATION.match(text, j + 1, close)
        if declared and declared[1] in DECLARATIONS:
            inner = self.render(declared.end(), close, depth + 1)
            parts.append(out.style(DECLARATIONS[declared[1]], inner))
            return close + 1
        accent = accent_at(text, j + 1) if text[j + 1:j + 2] == "\\" else None
        if close == j + 2 and text[j + 1] not in "\\$" or accent and accent[1] == close:
            parts.append(out.escape(accent[0] if accent else text[j + 1]))
            return close + 1
        parts.append(out.escape("{"))
        return j + 1

    def command(self, j: int, stop: int, depth: int, parts: list[str]) -> int:
        """A command: styled, dropped, turned into its character, or (unknown) left as written."""
        text, out = self.text, self.out
        accent = accent_at(text, j)
        if accent and accent[1] <= stop:
            parts.append(out.escape(accent[0]))
            return accent[1]
        match = COMMAND.match(text, j, stop)
        if match is None:  # a backslash ending the text
            parts.append(out.escape("\\"))
            return j + 1
        name, end = match[1], match.end()
        if name in TEXT_SYMBOLS:
            keep = not out.typography and name != "\\"  # LaTeX already; but a line break ends a title badly
            parts.append(match[0] if keep else out.escape(TEXT_SYMBOLS[name]))
            return end
        if name in DECLARATIONS:  # outside a group: to the end of what is being rendered
            while end < stop and text[end] == " ":
                end += 1
            parts.append(out.style(DECLARATIONS[name], self.render(end, stop, depth + 1)))
            return stop
        if name in CITATIONS:
            return self.citation(name, j, end, stop, parts)
        if name in _MATH_WORDS:  # math written outside math ("the \\alpha parameter", "n/\\log n")
            parts.append(out.escape(_MATH_WORDS[name]) if out.typography else out.escape(match[0]))
            return end
        if name == "item" and out.typography:
            return self.item(end, stop, depth, parts)
        if name == "verb" and (verbatim := _VERBATIM.match(text, end, stop)):
            parts.append(out.style("texttt", out.escape(verbatim[2])))
            return verbatim.end()
        close = self.group(end, stop)
        if close == -1 and name in ("url", "href", "footnote") and (brace := _UNCLOSED.match(text, end, stop)):
            # an address or a footnote whose brace arXiv's cut left open (at the abstract's end): its text as text
            parts.append(" " * (name == "footnote" and j > 0 and not text[j - 1].isspace()))
            return brace.end()
        if close == -1:
            parts.append(out.escape(match[0]))
            return end
        low = text.index("{", end) + 1
        if name in ("begin", "end") and out.typography:
            return self.environment(name, j, text[low:close].strip(), close + 1, stop, parts)
        if name in TEXT_STYLES:
            parts.append(out.style(TEXT_STYLES[name], self.render(low, close, depth + 1)))
        elif name in ("url", "href"):
            close = self.link(name, low, close, stop, depth, parts)
        elif name in _MATH_ARGUMENTS and (second := self.group(close + 1, stop) if name in FRACTIONS else close) != -1 \
                and second - j < MAX_MATH:  # a fraction's second argument too
            close = second
            parts.append(out.math(text[j:close + 1], "$"))
        elif name == "enquote":
            parts.append(out.escape("“") + self.render(low, close, depth + 1) + out.escape("”"))
        elif name in ("color", "label"):  # what it sets is not text
            pass
        elif name in ("hyperlink", "textcolor") and (text_close := self.group(close + 1, stop)) != -1:
            parts.append(self.render(text.index("{", close + 1) + 1, text_close, depth + 1))  # {url}{text}
            close = text_close
        elif name == "footnote":
            parts.append(f" ({self.render(low, close, depth + 1)})")
        elif name == "ensuremath":  # math wherever it stands
            parts.append(out.math(text[low:close], "$"))
        else:  # an author's own macro: as written, braces and all ("\vect{x}" was "\vectx"), its argument rendered
            parts.append(out.escape(text[j:low]) + self.render(low, close, depth + 1) + out.escape("}"))
        return close + 1

    def link(self, name: str, low: int, close: int, stop: int, depth: int, parts: list[str]) -> int:
        """\\url{address} or \\href{address}{text} (an \\href without its text is a \\url; one with its text first and
        a web address second, as authors write it, is read the right way round), its first group from `low` to
        `close`, written by the output's link; where its last group closes."""
        text, out = self.text, self.out
        url = latex_url(text[low:close])
        if name == "href" and (text_close := self.group(close + 1, stop)) != -1:
            words = (text.index("{", close + 1) + 1, text_close)
            if not web_url(url) and web_url(second := latex_url(text[words[0]:text_close])):  # \\href{text}{url}
                url, words = second, (low, close)
            linking, self.linking = self.linking, True
            inner = self.render(*words, depth + 1)
            self.linking, close = linking, text_close
        else:  # an address's characters are its own: no ties, dashes or commands in it
            inner = out.escape(url)
        if self.linking:
            parts.append(inner)
        elif out.link is not None:
            parts.append(out.link(url, inner))
        else:
            shown = out.escape(url)
            parts.append(inner if not web_url(url) or inner.strip() == shown else f"{inner} ({shown})")
        return close

    def environment(self, name: str, j: int, kind: str, end: int, stop: int, parts: list[str]) -> int:
        """\\begin{kind} (at j) or \\end{kind}, ending at `end`: display math rendered as math up to its \\end, a
        list's start or end counted for its items, any other's dropped (never its name), its content kept."""
        text = self.text
        if name == "begin" and kind.rstrip("*") in MATH_ENVIRONMENTS:
            closing = f"\\end{{{kind}}}"
            if (finish := text.find(closing, end, min(stop, j + MAX_MATH))) != -1:
                parts.append(self.out.math(text[j:finish + len(closing)], "$$"))
                return finish + len(closing)
        if kind in LISTS:
            if name == "begin":
                self.lists.append(0 if LISTS[kind] else -1)
            elif self.lists:
                self.lists.pop()
        if name == "end":  # "done \\end{x}." is "done."; a space after it is the text's
            if parts:
                parts[-1] = parts[-1].rstrip(" ")
            return end
        if text[end:end + 1] == "[":  # options ([leftmargin=*])
            closing_at = text.find("]", end, min(stop, end + MAX_OPTION))
            end = closing_at + 1 if closing_at != -1 else end
        return self.spaces_after(end, stop, parts)

    def item(self, end: int, stop: int, depth: int, parts: list[str]) -> int:
        """\\item, ending at `end`: its label ([a)]), number (in an enumerate) or a bullet, after one space."""
        text = self.text
        label = "•"
        if text[end:end + 1] == "[" and (closing := text.find("]", end, min(stop, end + MAX_OPTION))) != -1:
            label, end = self.render(end + 1, closing, depth + 1), closing + 1
        elif self.lists and self.lists[-1] >= 0:
            self.lists[-1] += 1
            label = f"{self.lists[-1]}."
        label = self.out.escape(label) if label[-1:] in "•." else label  # a rendered label is escaped already
        while parts and not parts[-1].strip(" "):
            parts.pop()
        if parts:
            parts[-1] = parts[-1].rstrip(" ")
        parts.append((" " if parts else "") + label + " ")
        return self.spaces_after(end, stop, [" "])

    def spaces_after(self, end: int, stop: int, parts: list[str]) -> int:
        """Past the spaces at `end` when what was written ends with one (or is nothing): a dropped marker leaves
        one space."""
        if parts and parts[-1][-1:] != " ":
            return end
        while end < stop and self.text[end] == " ":
            end += 1
        return end

    def citation(self, name: str, j: int, end: int, stop: int, parts: list[str]) -> int:
        """A citation (\\cite[p.~3]{key}): a textual one reads as its keys (cited()) where the output keeps them; any
        other is dropped, with the spaces or tie before it and parentheses around it. Options are dropped."""
        text, out = self.text, self.out
        index = end + (text[end:end + 1] == "*")
        for _ in range(2):  # optional arguments, each short
            if text[index:index + 1] == "[":
                closing = text.find("]", index, min(stop, index + MAX_OPTION))
                if closing == -1:
                    break
                index = closing + 1
        close = self.group(index, stop)
        if close == -1:
            parts.append(out.escape(text[j:end]))
            return end
        keys = [key.strip() for key in text[text.index("{", index) + 1:close].split(",")]
        if name in TEXTUAL_CITATIONS and out.keys and any(keys):
            parts.append(out.escape(cited(name, [key for key in keys if key])))
            return close + 1
        # Only what a tie or a space rendered as: an escaped "~" ("\~" in Markdown) is text, and stripping its
        # "~" would leave a backslash to escape whatever follows.
        after = text[close + 1:close + 2]
        opening = out.escape(BRACKETS[after]) if after in BRACKETS else ""
        blank = " " if out.typography else " ~"
        return close + 1 + tidy_before_citation(parts, blank, after, opening, typed_separator(text, j))
