"""What math fonts, accents and operator names look like in Unicode, for papers.texmath: \\mathbb{R} is ℝ,
\\mathcal{O} 𝒪, \\hat{x} x̂ (the letter and a combining mark), \\log a word spaced as TeX spaces it."""

import html
import re
import unicodedata

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
    "deg", "gcd", "hom", "argmax", "argmin", "Tr", "tr", "rank", "diag", "sgn", "Var", "Cov", "softmax")}
OPERATORS |= {"limsup": "lim sup", "liminf": "lim inf"}
