"""LaTeX in titles and abstracts shown as HTML, safely: every character of the source is escaped, and only
the few tags made here (<sup>, <sub>, <i>, <b>, <span class="math">) are added. No JavaScript needed."""

import html
import re

from django.utils.safestring import SafeString, mark_safe

from paperhub.papers.records import latex_to_unicode

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
    "{": "{", "}": "}",
}
STYLES = {"mathbf": "b", "textbf": "b", "boldsymbol": "b", "mathit": "i", "textit": "i", "emph": "i"}
PLAIN = {"mathrm", "text", "textrm", "mathcal", "mathbb", "mathsf", "mathtt", "texttt", "operatorname",
         "mathfrak", "mathscr", "hat", "tilde", "bar", "vec", "widetilde", "widehat", "overline", "dot"}

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)", re.DOTALL)


def _group(text: str, start: int) -> tuple[str, int]:
    """The argument at `start`: a {balanced group} or one character (after spaces); and where it ends."""
    while start < len(text) and text[start] == " ":
        start += 1
    if start >= len(text):
        return "", start
    if text[start] != "{":
        if text[start] == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", text[start:])
            if match:
                return match[0], start + len(match[0])
        return text[start], start + 1
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1:i], i + 1
    return text[start + 1:], len(text)


_SUPERSCRIPT = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _script(text: str, table: dict[int, int], mark: str) -> str:
    """Plain-text super/subscript: Unicode where every character has one, else ^(...) / _(...)."""
    converted = text.translate(table)
    if all(ord(c) in table.values() or c.isspace() for c in converted) and converted.strip():
        return converted
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _math(text: str, depth: int = 0, plain: bool = False) -> str:
    """Math source as escaped HTML, or (plain) as Unicode text to be escaped later."""
    escape = (lambda t: t) if plain else html.escape
    if depth > 20:  # hostile nesting: show the rest as text
        return escape(text)
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "^_":
            argument, i = _group(text, i + 1)
            inner = _math(argument, depth + 1, plain)
            if plain:
                out.append(_script(inner, _SUPERSCRIPT if char == "^" else _SUBSCRIPT, char))
            else:
                tag = "sup" if char == "^" else "sub"
                out.append(f"<{tag}>{inner}</{tag}>")
        elif char == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", text[i:])
            name = match[1] if match else ""
            i += len(match[0]) if match else 1
            if name in STYLES:
                argument, i = _group(text, i)
                inner = _math(argument, depth + 1, plain)
                out.append(inner if plain else f"<{STYLES[name]}>{inner}</{STYLES[name]}>")
            elif name in PLAIN:
                argument, i = _group(text, i)
                out.append(_math(argument, depth + 1, plain))
            elif name == "frac":
                top, i = _group(text, i)
                bottom, i = _group(text, i)
                out.append(f"({_math(top, depth + 1, plain)})/({_math(bottom, depth + 1, plain)})")
            else:
                out.append(escape(SYMBOLS.get(name, name)))
        elif char in "{}":
            i += 1
        else:
            out.append(escape(char))
            i += 1
    return "".join(out)


def plain_text(text: str) -> str:
    """Text with its math and accents turned into Unicode, no markup: O(n^2) -> O(n²). Not escaped."""
    if "$" not in text and "\\" not in text:
        return text
    out: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        out.append(latex_to_unicode(text[position:match.start()]))
        out.append(_math(next(group for group in match.groups() if group is not None), plain=True))
        position = match.end()
    out.append(latex_to_unicode(text[position:]))
    return "".join(out)


def render_tex(text: str) -> SafeString:
    """Text with $...$ math rendered as HTML and LaTeX accents as Unicode; everything else escaped."""
    out: list[str] = []
    position = 0
    for match in _MATH.finditer(text or ""):
        out.append(html.escape(latex_to_unicode(text[position:match.start()])))
        source = next(group for group in match.groups() if group is not None)
        out.append(f'<span class="math">{_math(source)}</span>')
        position = match.end()
    out.append(html.escape(latex_to_unicode((text or "")[position:])))
    return mark_safe("".join(out))  # noqa: S308 (built from escaped pieces and our own tags)


def render_abstract(text: str) -> SafeString:
    """An abstract as paragraphs of rendered text."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return mark_safe("".join(f"<p>{render_tex(' '.join(p.split()))}</p>" for p in paragraphs))  # noqa: S308
