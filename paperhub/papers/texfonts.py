"""What math symbols, fonts, accents and operator names look like in Unicode, for papers.texmath: \\alpha is α,
\\mathbb{R} ℝ, \\mathcal{O} 𝒪, \\hat{x} x̂ (the letter and a combining mark), \\log a word spaced as TeX spaces it;
and how HTML holding those marks stays whole (unjoinable)."""

import html
import re
import unicodedata

#: Greek letters and symbols: what each command prints.
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
    "prime": "′", "quad": " ", "qquad": "  ", ",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "!": "",
    "%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "|": "‖", "\\": " ", "hline": "", "displaystyle": "",
    "{": "{", "}": "}", "lceil": "⌈", "rceil": "⌉",
    "lfloor": "⌊", "rfloor": "⌋", "oplus": "⊕", "otimes": "⊗", "setminus": "∖", "mid": "∣", "uparrow": "↑",
    "downarrow": "↓", "colon": ":", "lesssim": "≲", "gtrsim": "≳", "land": "∧", "lor": "∨", "top": "⊤",
    "bot": "⊥", "parallel": "∥", "Box": "□", "Diamond": "◇", "odot": "⊙", "bullet": "•", "aleph": "ℵ",
    "models": "⊨", "lVert": "‖", "rVert": "‖", "lvert": "|", "rvert": "|",
    "vert": "|", "Vert": "‖", "bigwedge": "⋀", "bigvee": "⋁", "bigcup": "⋃", "bigcap": "⋂", "bigoplus": "⨁",
    "bigotimes": "⨂", "Re": "ℜ", "Im": "ℑ", "rightleftharpoons": "⇌", "vdots": "⋮", "ddots": "⋱", "iint": "∬",
    "oint": "∮", "angle": "∠", "perp": "⊥", "cong": "≅", "prec": "≺", "succ": "≻", "preceq": "⪯", "succeq": "⪰",
    "Leftrightarrow": "⇔", "iff": "⟺", "implies": "⟹", "longrightarrow": "⟶", "hookrightarrow": "↪", "varnothing": "∅",
    "dagger": "†", "triangleq": "≜", "coloneqq": "≔", "small": "", "tiny": "", "large": "", "Large": "",
    "scriptstyle": "", "textstyle": "", "vdash": "⊢", "vDash": "⊨", "Vdash": "⊩",
    "leqslant": "⩽", "geqslant": "⩾", "leqq": "≦", "geqq": "≧", "backslash": "\\", "varrho": "ϱ", "varsigma": "ς",
    "varkappa": "ϰ", "varpi": "ϖ", "Upsilon": "ϒ", "subsetneq": "⊊", "supsetneq": "⊋", "supseteq": "⊇",
    "nsubseteq": "⊈", "nsupseteq": "⊉", "asymp": "≍", "square": "□", "natural": "♮", "sharp": "♯", "flat": "♭",
    "lbrace": "{", "rbrace": "}", "lbrack": "[", "rbrack": "]", "circledR": "®", "ni": "∋", "nmid": "∤",
    "nleq": "≰", "ngeq": "≱", "nless": "≮", "ngtr": "≯", "nsim": "≁", "ncong": "≇", "nparallel": "∦",
    "nexists": "∄", "ddagger": "‡", "diamond": "⋄", "triangle": "△", "checkmark": "✓", "wp": "℘", "beth": "ℶ",
    "imath": "ı", "jmath": "ȷ", "ltimes": "⋉", "rtimes": "⋊", "uplus": "⊎", "sqcup": "⊔", "sqcap": "⊓",
    "sqsubseteq": "⊑", "sqsupseteq": "⊒", "preccurlyeq": "≼", "succcurlyeq": "≽", "precsim": "≾", "succsim": "≿",
    "lessapprox": "⪅", "gtrapprox": "⪆", "approxeq": "≊", "doteq": "≐", "eqsim": "≂", "therefore": "∴",
    "because": "∵", "gets": "←", "longleftarrow": "⟵", "longleftrightarrow": "⟷", "Longrightarrow": "⟹",
    "Longleftarrow": "⟸", "Longleftrightarrow": "⟺", "longmapsto": "⟼", "twoheadrightarrow": "↠",
    "rightrightarrows": "⇉", "nearrow": "↗", "searrow": "↘", "Uparrow": "⇑", "Downarrow": "⇓",
    "updownarrow": "↕", "coprod": "∐", "bigsqcup": "⨆", "iiint": "∭", "smallsetminus": "∖", "complement": "∁",
    "nvdash": "⊬", "nvDash": "⊭", "lll": "⋘", "ggg": "⋙", "lhd": "⊲", "rhd": "⊳", "unlhd": "⊴", "unrhd": "⊵",
    "trianglelefteq": "⊴", "trianglerighteq": "⊵", "bigstar": "★", "blacksquare": "■", "lozenge": "◊",
    "limits": "", "nolimits": "",
}

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _alphabet(capital: int, small: int, digit: int | None, holes: dict[str, str]) -> dict[int, str]:
    """A Mathematical Alphanumeric Symbols alphabet as a str.translate table; `holes` are the letters Unicode
    had encoded before that block (ℝ, ℬ, ℭ), whose places in it are left empty."""
    table = {ord(c): chr(capital + i) for i, c in enumerate(_LETTERS[:26])}
    table |= {ord(c): chr(small + i) for i, c in enumerate(_LETTERS[26:])}
    if digit is not None:
        table |= {ord(str(d)): chr(digit + d) for d in range(10)}
    return table | {ord(c): letter for c, letter in holes.items()}


_SCRIPT = _alphabet(0x1D49C, 0x1D4B6, None, {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ",
                                             "R": "ℛ", "e": "ℯ", "g": "ℊ", "o": "ℴ"})
#: Font commands whose letters Unicode has: their argument's letters (and digits) are translated.
FONTS = {
    "mathbb": _alphabet(0x1D538, 0x1D552, 0x1D7D8, {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ",
                                                    "Z": "ℤ"}),
    "mathcal": _SCRIPT, "mathscr": _SCRIPT,
    "mathfrak": _alphabet(0x1D504, 0x1D51E, None, {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"}),
}

#: Accents: the combining mark put on one letter (x̂); \bar and \overline over more than one character use
#: OVERLINE on each, which joins into one line, and the others put their mark on each letter or digit.
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303", "bar": "\u0304",
           "overline": "\u0305", "widebar": "\u0305", "vec": "\u20d7", "overrightarrow": "\u20d7",
           "overleftarrow": "\u20d6", "dot": "\u0307", "ddot": "\u0308", "check": "\u030c", "breve": "\u0306",
           "acute": "\u0301", "grave": "\u0300", "mathring": "\u030a", "underline": "\u0332",
           "not": "\u0338"}  # \not= is ≠ once composed
_LINES = {"bar", "overline", "widebar", "underline"}
OVERLINE = "\u0305"
_MARKED = re.compile(r"(<[^>]*>)|(&[#\w]+;|\S)")  # a tag of ours, or a character (an escaped one whole)
_MARKED_PLAIN = re.compile(r"()(\S)")  # plain text has no tags: its "<" is a character
_TAG = re.compile(r"(<[^>]*>)")
_ENTITY = re.compile(r"&[#\w]+;")


def _composed(text: str, plain: bool) -> str:
    """`text` in NFC, HTML's text between tags only: composing a tag's ">" with a combining mark after it (">" and
    U+0338 are "≯") would break the tag and let typed text become its attributes."""
    if plain:
        return unicodedata.normalize("NFC", text)
    return "".join(piece if index % 2 else unicodedata.normalize("NFC", piece)
                   for index, piece in enumerate(_TAG.split(text)))


def accented(inner: str, command: str, plain: bool) -> str:
    """`inner` (rendered) under the accent `command`: one letter takes the accent's mark; a longer argument takes
    a line on every character (\\overline{AB} A̅B̅) or the mark on every letter and digit. Composed (NFC: ỹ is one
    character where Unicode has it, which fonts draw better)."""
    mark = ACCENTS[command]
    stripped = inner.strip()
    if not plain and _ENTITY.fullmatch(stripped):  # one escaped character (\not<): its mark on the character
        return html.escape(_composed(html.unescape(stripped) + mark, plain))
    if stripped and not unicodedata.combining(stripped[0]) and all(unicodedata.combining(c) for c in stripped[1:]):
        return _composed(stripped + mark, plain)  # one character, perhaps accented (\hat{\bar{x}})
    if command == "not":  # a slash through each letter of a word would not read as "not"
        return inner
    line = command in _LINES
    if line and command != "underline":
        mark = OVERLINE

    def marked(found: re.Match[str]) -> str:
        if found[1]:
            return found[1]
        character = found[0]
        # a mark takes none: marking marks doubled the text at every level of nesting (2^20 times at the cap)
        if len(character) == 1 and unicodedata.combining(character):
            return character
        return character + mark if line or character.isalnum() else character

    return _composed((_MARKED_PLAIN if plain else _MARKED).sub(marked, inner), plain)


#: Operator names, set upright with a space between them and a letter on either side, as TeX's \mathop spacing
#: does ("n\log n" is "n log n", "\log(n)" keeps "log(n)").
OPERATORS = {name: name for name in (
    "log", "ln", "lg", "exp", "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "arcsin",
    "arccos", "arctan", "max", "min", "arg", "lim", "limsup", "liminf", "sup", "inf", "det", "dim", "ker", "Pr",
    "deg", "gcd", "hom", "argmax", "argmin", "Tr", "tr", "rank", "diag", "sgn", "Var", "Cov", "softmax", "polylog")}
OPERATORS |= {"limsup": "lim sup", "liminf": "lim inf"}


# its text holds no ">" (escaped): each is a tag's, ours or a caller's
_AFTER_A_TAG = re.compile("(^|>)([^\x00-\x7f]+)")


def _overlays_escaped(found: re.Match[str]) -> str:
    run = found[2]
    marks = 0
    while marks < len(run) and unicodedata.combining(run[marks]):
        marks += 1
    return found[1] + run[:marks].replace("\u0338", "&#x338;") + run[marks:]


def unjoinable(rendered: str) -> str:
    """Rendered HTML with each U+0338 among the combining marks after a tag, or first (a caller puts it after its own
    tag), written as a reference: ">" and U+0338 are "≯" once composed (NFC, which first sorts a run of marks, so
    one later in the run moves next to the ">"), and whatever composes this HTML later must not break the tag."""
    return _AFTER_A_TAG.sub(_overlays_escaped, rendered) if "\u0338" in rendered else rendered
