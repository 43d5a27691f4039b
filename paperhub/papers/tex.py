"""LaTeX in titles and abstracts shown as HTML or Unicode text, safely: every character of the source is escaped,
and only the few tags made here (<sup>, <sub>, <i>, <b>, <em>, <strong>, <code>, <span class="math">) are added.
Math and text mode (\\emph{...}, \\cite{...}, \\%, ~, --) both; unknown commands are shown as written. Pure,
one pass: linear in the text. No JavaScript needed."""

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from paperhub.papers.records import accent_at

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "infty": "∞", "partial": "∂", "nabla": "∇",
    "times": "×", "cdot": "·", "cdots": "⋯", "ldots": "…", "dots": "…", "pm": "±", "mp": "∓", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡",
    "propto": "∝", "ll": "≪", "gg": "≫", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆",
    "supset": "⊃", "cup": "∪", "cap": "∩", "emptyset": "∅", "forall": "∀", "exists": "∃", "neg": "¬",
    "wedge": "∧", "vee": "∨", "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "leftrightarrow": "↔", "mapsto": "↦", "sum": "∑", "prod": "∏", "int": "∫",
    "sqrt": "√", "circ": "∘", "star": "⋆", "ast": "∗", "langle": "⟨", "rangle": "⟩", "hbar": "ℏ", "ell": "ℓ",
    "prime": "′", "deg": "°", "log": "log", "exp": "exp", "sin": "sin", "cos": "cos", "max": "max", "min": "min",
    "arg": "arg", "lim": "lim", "det": "det", "quad": " ", "qquad": "  ", ",": " ", ";": " ", "!": "",
    "left": "", "right": "", "big": "", "Big": "", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$",
    "{": "{", "}": "}", "ln": "ln", "lg": "lg", "dim": "dim", "Pr": "Pr", "lceil": "⌈", "rceil": "⌉",
    "lfloor": "⌊", "rfloor": "⌋", "oplus": "⊕", "otimes": "⊗", "setminus": "∖", "mid": "∣", "uparrow": "↑",
    "downarrow": "↓", "colon": ":", "lesssim": "≲", "gtrsim": "≳", "land": "∧", "lor": "∨", "top": "⊤",
    "bot": "⊥", "parallel": "∥", "Box": "□", "Diamond": "◇", "rm": "", "cal": "", "bf": "", "sf": "",
    "it": "",  # font switches: the text after them is shown plainly
}

_SUPERSCRIPT = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _script(text: str, table: dict[int, int], mark: str) -> str:
    """Plain-text super/subscript: Unicode where every character has one, else ^(...) / _(...)."""
    converted = text.translate(table)
    if all(ord(c) in table.values() or c.isspace() for c in converted) and converted.strip():
        return converted
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


STYLES = {"mathbf": "b", "textbf": "b", "boldsymbol": "b", "bm": "b", "mathit": "i", "textit": "i", "emph": "i"}
PLAIN = {"mathrm", "text", "textrm", "mathcal", "mathbb", "mathsf", "mathtt", "texttt", "operatorname",
         "mathfrak", "mathscr", "mbox", "hbox", "underline", "hat", "tilde", "bar", "vec", "widetilde", "widehat",
         "overline", "dot"}
MAX_MATH = 1000  # longest math span rendered; real ones stay under 400 characters, longer ones show as text
MAX_DEPTH = 20  # deepest nesting of arguments rendered; deeper ones show as text

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_OPENERS = re.compile(r"(?<!\\)\$\$|(?<!\\)\$|\\\(")  # \$ is a dollar sign
_BRACES = re.compile(r"[{}]")
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


def _spans(text: str) -> Iterator[tuple[int, int, int, int]]:
    """Each math span ($$...$$, $...$ or \\(...\\), content not empty) as (start, content start, content end,
    end), left to right, in linear time."""
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


def _braces(text: str, start: int, stop: int) -> dict[int, int]:
    """Each '{' in text[start:stop] mapped to the index of its matching '}' (stop when it has none)."""
    pairs: dict[int, int] = {}
    open_at: list[int] = []
    for index in range(start, stop):
        if text[index] == "{":
            open_at.append(index)
        elif text[index] == "}" and open_at:
            pairs[open_at.pop()] = index
    for index in open_at:
        pairs[index] = stop
    return pairs


class _Math:
    """One math span rendered in one pass: each argument is a (start, stop) range of the source, never a copy,
    and each character is visited once per nesting level (at most MAX_DEPTH)."""

    def __init__(self, text: str, start: int, stop: int, plain: bool) -> None:
        self.text, self.plain = text, plain
        self.pairs = _braces(text, start, stop)
        self.escape = (lambda t: t) if plain else html.escape

    def argument(self, start: int, stop: int) -> tuple[int, int, int]:
        """The argument at `start`: a {balanced group} or one character or command (after spaces), as the
        range of its content and where it ends."""
        text = self.text
        while start < stop and text[start] == " ":
            start += 1
        if start >= stop:
            return start, start, start
        if text[start] == "{":
            close = min(self.pairs[start], stop)
            return start + 1, close, min(close + 1, stop)
        if text[start] == "\\" and (match := _COMMAND.match(text, start, stop)):
            return start, match.end(), match.end()
        return start, start + 1, start + 1

    def render(self, start: int, stop: int, depth: int = 0) -> str:
        """text[start:stop] as escaped HTML, or (plain) as Unicode text to be escaped later."""
        text, plain, escape = self.text, self.plain, self.escape
        if depth > MAX_DEPTH:  # hostile nesting: show the rest as text
            return escape(text[start:stop])
        out: list[str] = []
        i = start
        while i < stop:
            char = text[i]
            if char in "^_":
                low, high, i = self.argument(i + 1, stop)
                inner = self.render(low, high, depth + 1)
                if plain:
                    out.append(_script(inner, _SUPERSCRIPT if char == "^" else _SUBSCRIPT, char))
                else:
                    tag = "sup" if char == "^" else "sub"
                    out.append(f"<{tag}>{inner}</{tag}>")
            elif char == "\\":
                match = _COMMAND.match(text, i, stop)
                name = match[1] if match else ""
                i = match.end() if match else i + 1
                if name in STYLES:
                    low, high, i = self.argument(i, stop)
                    inner = self.render(low, high, depth + 1)
                    out.append(inner if plain else f"<{STYLES[name]}>{inner}</{STYLES[name]}>")
                elif name in PLAIN:
                    low, high, i = self.argument(i, stop)
                    out.append(self.render(low, high, depth + 1))
                elif name == "frac":
                    top_low, top_high, i = self.argument(i, stop)
                    bottom_low, bottom_high, i = self.argument(i, stop)
                    top = self.render(top_low, top_high, depth + 1)
                    out.append(f"({top})/({self.render(bottom_low, bottom_high, depth + 1)})")
                else:
                    out.append(escape(SYMBOLS.get(name, name)))
            elif char in "{}":
                i += 1
            else:
                out.append(escape(char))
                i += 1
        return "".join(out)


def split_math(text: str) -> Iterator[tuple[str, str]]:
    """`text` cut at its math spans, as (source, delimiter) pieces: text pieces (delimiter "") alternate with
    math contents (delimiter "$", "$$" or "\\("), first and last a text piece; math spans longer than
    MAX_MATH stay text."""
    position = 0
    for start, low, high, end in _spans(text):
        if high - low > MAX_MATH:
            continue
        yield text[position:start], ""
        yield text[low:high], text[start:low]
        position = end
    yield text[position:], ""


# Text mode, outside math. Formatting commands keep their argument, with its style (canonical command name here,
# a tag in HTML); citations go; escaped specials, ties, dashes and quotes become what they print. Any other
# command is left as written: guessing what it prints would be wrong more often than showing it.
TEXT_STYLES = {"textit": "textit", "emph": "emph", "textsl": "textit", "textbf": "textbf", "textsc": "textsc",
               "texttt": "texttt", "textrm": "", "textsf": "", "textup": "", "textnormal": "", "textmd": "",
               "text": "", "mbox": "", "underline": "", "textsuperscript": "textsuperscript",
               "textsubscript": "textsubscript"}
#: Declarations ({\em ...}, {\bf ...}): the style lasts to the end of the group.
DECLARATIONS = {"em": "emph", "it": "textit", "itshape": "textit", "sl": "textit", "bf": "textbf",
                "bfseries": "textbf", "sc": "textsc", "scshape": "textsc", "tt": "texttt", "ttfamily": "texttt",
                "rm": "", "sf": "", "normalfont": "", "upshape": ""}
CITATIONS = {"cite", "citep", "citet", "citealp", "citealt", "citeauthor", "citeyear", "citenum", "nocite",
             "parencite", "textcite", "autocite", "footcite"}
TEXT_SYMBOLS = {"ldots": "…", "dots": "…", "textendash": "–", "textemdash": "—", "LaTeX": "LaTeX", "TeX": "TeX",
                "textasciitilde": "~", "textbackslash": "\\", "textbar": "|", "textless": "<", "textgreater": ">",
                "S": "§", "P": "¶", "copyright": "©", "texttrademark": "™", "textregistered": "®", "\\": " ",
                " ": " ", ",": " ", "-": "", "/": "", "@": "", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$",
                "{": "{", "}": "}"}
HTML_TAGS = {"textit": "em", "emph": "em", "textbf": "strong", "texttt": "code", "textsuperscript": "sup",
             "textsubscript": "sub"}
MAX_OPTION = 200  # longest optional argument of a citation ([p.~3]); a longer "[" is text
_TEXT_SPECIAL = re.compile(r"[\\{}~$`'-]")
_DECLARATION = re.compile(r"\s*\\([A-Za-z]+)(?![A-Za-z])\s*")


@dataclass(frozen=True)
class Output:
    """How converted text is written: literal text escaped, a style applied to its rendered argument, a math
    span (content, delimiter) rendered; with `typography`, ties, dashes and quotes as the characters they print,
    else kept as LaTeX."""

    escape: Callable[[str], str]
    style: Callable[[str, str], str]
    math: Callable[[str, str], str]
    typography: bool = True


def _html_style(command: str, inner: str) -> str:
    tag = HTML_TAGS.get(command)
    return f"<{tag}>{inner}</{tag}>" if tag else inner


def _plain_style(command: str, inner: str) -> str:
    if command in ("textsuperscript", "textsubscript"):
        return _script(inner, _SUPERSCRIPT, "^") if command == "textsuperscript" else _script(inner, _SUBSCRIPT, "_")
    return inner


def _math_html(content: str, _delimiter: str) -> str:
    return f'<span class="math">{_Math(content, 0, len(content), plain=False).render(0, len(content))}</span>'


def _math_plain(content: str, _delimiter: str) -> str:
    return _Math(content, 0, len(content), plain=True).render(0, len(content))


AS_HTML = Output(html.escape, _html_style, _math_html)
AS_TEXT = Output(str, _plain_style, _math_plain)
AS_WORDS = Output(str, _plain_style, lambda _content, _delimiter: " , ")  # math ends a phrase


def _text_braces(text: str, math: dict[int, tuple[int, int, int]]) -> dict[int, int]:
    """Each '{' of the text outside math and not escaped mapped to its matching '}' (unmatched ones left out)."""
    pairs: dict[int, int] = {}
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


class _Text:
    """A text rendered in one pass, math spans (as split_math finds them) rendered by `out.math`; each character
    is visited once, arguments nested at most MAX_DEPTH deep (deeper ones show as written)."""

    def __init__(self, text: str, out: Output) -> None:
        self.text, self.out = text, out
        self.math = {start: (low, high, end) for start, low, high, end in _spans(text) if high - low <= MAX_MATH}
        self.pairs = _text_braces(text, self.math)
        # web addresses are written as they are: a ~ or -- in one is part of it (/~ark/, /a--b), no tie or dash
        self.urls = [(m.start(), m.end()) for m in _ADDRESS.finditer(text)]

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
            found = _TEXT_SPECIAL.search(text, i, stop)
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
            tie = j > 0 and not text[j - 1].isspace() and text[j - 1] != "(" and text[j + 1:j + 2].strip() != ""
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
        parts.append(out.escape(char))
        return j + 1

    def brace(self, j: int, stop: int, depth: int, parts: list[str]) -> int:
        """A {group}: a declaration's is styled, one letter's is the letter; others keep their braces."""
        text, out = self.text, self.out
        close = self.pairs.get(j, -1)
        if close == -1 or close >= stop:
            parts.append(out.escape("{"))
            return j + 1
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
        match = _COMMAND.match(text, j, stop)
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
            return self.citation(j, end, stop, parts)
        if name in SYMBOLS and name.isalpha():  # math written outside math ("the \\alpha parameter")
            parts.append(out.escape(SYMBOLS[name]) if out.typography else out.escape(match[0]))
            return end
        close = self.group(end, stop)
        if close == -1:
            parts.append(out.escape(match[0]))
            return end
        low = text.index("{", end) + 1
        if name in TEXT_STYLES:
            parts.append(out.style(TEXT_STYLES[name], self.render(low, close, depth + 1)))
        elif name == "url":  # as written: a web address's characters are its own
            parts.append(out.escape(text[low:close]))
        elif name in ("href", "textcolor") and (text_close := self.group(close + 1, stop)) != -1:  # {url}{text}
            parts.append(self.render(text.index("{", close + 1) + 1, text_close, depth + 1))
            close = text_close
        elif name == "footnote":
            parts.append(f" ({self.render(low, close, depth + 1)})")
        else:
            parts.append(out.escape(match[0]))
            return end
        return close + 1

    def citation(self, j: int, end: int, stop: int, parts: list[str]) -> int:
        """A citation (\\cite[p.~3]{key}) is dropped, with the tie or spaces before it and parentheses around it."""
        text = self.text
        index = end + (text[end:end + 1] == "*")
        for _ in range(2):  # optional arguments, each short
            if text[index:index + 1] == "[":
                closing = text.find("]", index, min(stop, index + MAX_OPTION))
                if closing == -1:
                    break
                index = closing + 1
        close = self.group(index, stop)
        if close == -1:
            parts.append(self.out.escape(text[j:end]))
            return end
        while parts and not parts[-1].rstrip(" ~"):
            parts.pop()
        if parts:
            parts[-1] = parts[-1].rstrip(" ~")
        if parts and parts[-1].endswith("(") and text[close + 1:close + 2] == ")":
            parts[-1] = parts[-1][:-1].rstrip(" ")
            return close + 2
        return close + 1


def convert(text: str, out: Output) -> str:
    """Text with its LaTeX (math and text mode) rendered as `out` writes it."""
    return _Text(text, out).render(0, len(text))


def plain_text(text: str) -> str:
    """Text with its math, accents and text-mode LaTeX as Unicode, no markup: O(n^2) -> O(n²). Not escaped."""
    if not _TEXT_SPECIAL.search(text):
        return text
    return convert(text, AS_TEXT)


def words_only(text: str) -> str:
    """The words of a text for counting them: math spans become a comma (they end a phrase), accents Unicode,
    citations dropped, other commands and braces dropped too. Not escaped."""
    return _BRACES.sub(" ", _COMMAND.sub(" ", convert(text, AS_WORDS)))


def math_html(source: str) -> str:
    """The contents of one math span (no delimiters) as escaped HTML, as render_tex shows math."""
    return _Math(source, 0, len(source), plain=False).render(0, len(source))


def render_tex(text: str) -> SafeString:
    """Text with $...$ math and text-mode LaTeX rendered as HTML, LaTeX accents as Unicode; everything else escaped."""
    return mark_safe(convert(text or "", AS_HTML))  # noqa: S308 (built from escaped pieces and our own tags)


def render_abstract(text: str) -> SafeString:
    """An abstract as paragraphs of rendered text."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return mark_safe("".join(f"<p>{render_tex(' '.join(p.split()))}</p>" for p in paragraphs))  # noqa: S308
