"""LaTeX math in titles and abstracts ($...$, $$...$$, \\(...\\)) rendered as HTML or Unicode text: the math half of
papers.tex, which renders text mode around it and is what other modules import. Pure, linear in the text."""

import html
import re
from collections.abc import Iterator

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

SUPERSCRIPT = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def script(text: str, table: dict[int, int], mark: str) -> str:
    """Plain-text super/subscript: Unicode where every character has one, a '.' or ',' between them kept as it is
    (PM₂.₅, ℓ₂,₁: Unicode has no script forms of them), else ^(...) / _(...); spaces around it dropped."""
    text = text.strip()
    if not text:
        return ""
    converted = text.translate(table)
    scripted = set(table.values())
    if converted and ord(converted[0]) in scripted and ord(converted[-1]) in scripted and all(
            ord(c) in scripted or c.isspace() or c in ".," for c in converted):
        return converted
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


STYLES = {"mathbf": "b", "textbf": "b", "boldsymbol": "b", "bm": "b", "mathit": "i", "textit": "i", "emph": "i"}
PLAIN = {"mathrm", "text", "textrm", "mathcal", "mathbb", "mathsf", "mathtt", "texttt", "operatorname",
         "mathfrak", "mathscr", "mbox", "hbox", "underline", "hat", "tilde", "bar", "vec", "widetilde", "widehat",
         "overline", "dot"}
MAX_MATH = 1000  # longest math span rendered; real ones stay under 400 characters, longer ones show as text
MAX_DEPTH = 20  # deepest nesting of arguments rendered; deeper ones show as text

COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_OPENERS = re.compile(r"(?<!\\)\$\$|(?<!\\)\$|\\\(")  # \$ is a dollar sign
BRACES = re.compile(r"[{}]")
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


class Math:
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
        if text[start] == "\\" and (match := COMMAND.match(text, start, stop)):
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
                    out.append(script(inner, SUPERSCRIPT if char == "^" else SUBSCRIPT, char))
                else:
                    tag = "sup" if char == "^" else "sub"
                    out.append(f"<{tag}>{inner}</{tag}>")
            elif char == "\\":
                match = COMMAND.match(text, i, stop)
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
    for start, low, high, end in spans(text):
        if high - low > MAX_MATH:
            continue
        yield text[position:start], ""
        yield text[low:high], text[start:low]
        position = end
    yield text[position:], ""
