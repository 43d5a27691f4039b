"""LaTeX math in titles and abstracts ($...$, $$...$$, \\(...\\)) rendered as HTML or Unicode text: the math half of
papers.tex, which renders text mode around it and is what other modules import. Pure, linear in the text."""

import html
import re
import unicodedata

from paperhub.papers.texfonts import ACCENTS, FONTS, OPERATORS, accented
from paperhub.papers.texfonts import SYMBOLS as SYMBOLS  # where the others have always imported it
from paperhub.papers.texgroups import (
    BRACKETS,
    CLOSING,
    CLOSING_LAST,
    COMMAND,
    INFIX,
    OPENING,
    SWITCHES,
    Groups,
    balanced,
)

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
#: Upright text: its argument as it is (\mathsf and \mathtt too: Unicode's sans-serif and monospace letters would
#: make words in feeds and exports unsearchable, and the page's math font shows them well enough upright).
PLAIN = {"mathrm", "text", "textrm", "mathsf", "mathtt", "texttt", "mbox", "hbox", "textnormal", "mathnormal",
         "textsf", "textup", "textsc", "textmd"}
#: Sizes of delimiters: the delimiter after them is kept as it is, "." (no delimiter) dropped.
SIZES = {"left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
         "Biggl", "Biggr"}
#: Other packages' names of the same fonts (amsfonts' \Bbb, dsfont's \mathds).
ALIASES = {"Bbb": "mathbb", "mathds": "mathbb", "mathbbm": "mathbb", "pmb": "boldsymbol"}
#: Environments' delimiters; any other (aligned, gathered, matrix, array...) is shown without.
ENVIRONMENTS = {"pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"), "vmatrix": ("|", "|"),
                "Vmatrix": ("‖", "‖"), "smallmatrix": ("", ""), "cases": ("{ ", ""), "dcases": ("{ ", ""),
                "rcases": ("", " }")}
MAX_MATH = 1000  # longest math span rendered; real ones stay under 400 characters, longer ones show as text
MAX_DEPTH = 20  # deepest nesting of arguments rendered; deeper ones show as text

#: Fractions: \frac and its display and text sizes, and the binomial coefficients, written C(n, k).
FRACTIONS = {"frac": "frac", "dfrac": "frac", "tfrac": "frac", "cfrac": "frac", "binom": "binom", "dbinom": "binom",
             "tbinom": "binom"}

#: Shorthands arXiv abstracts use undefined (a preamble's macros) that mean one thing in math: \eps is ε, \R ℝ
#: (\RR too). Ambiguous ones (\F a field or a function class, \E, \poly) stay as written.
SHORTHANDS = {"eps": "ε", "veps": "ε", "R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "RR": "ℝ",
              "NN": "ℕ", "ZZ": "ℤ", "QQ": "ℚ", "CC": "ℂ", "reals": "ℝ", "naturals": "ℕ", "integers": "ℤ",
              "rationals": "ℚ", "complexes": "ℂ"}

#: Undefined macros with one meaning that take a {group}: mathtools' paired delimiters as authors name them (\\norm{x}
#: ‖x‖), and big O (\\bigO{n} O(n); \\Oh alone O). Without a group they show as their name, as any other does.
PAIRED = {"norm": ("‖", "‖"), "abs": ("|", "|"), "set": ("{", "}"), "bigO": ("O(", ")"), "Oh": ("O(", ")")}
BIG_O = {"Oh": "O", "bigO": "O"}
#: Those of them an author's own definition gives an optional subscript (\\norm[A]{x}: ‖x‖_A); mathtools' option is a
#: size (\\norm[\\big]{x}), dropped as any size is.
SUBSCRIPTED = frozenset({"norm", "abs"})
_SIZE_OPTIONS = frozenset(f"\\{size}" for size in SIZES)
#: Every command math renders as something other than its bare name.
KNOWN = frozenset({*SYMBOLS, *SHORTHANDS, *STYLES, *PLAIN, *SIZES, *FONTS, *ACCENTS, *OPERATORS, *FRACTIONS, *INFIX,
                   *SWITCHES, *ALIASES, "operatorname", "mathop", "pmod", "mod", "bmod", "stackrel", "overset",
                   "underset", "begin", "end", "href", "url", "unicode", *PAIRED})

BRACES = re.compile(r"[{}]")
_GROUP_NEXT = re.compile(r"\*?\s*(?=\{)")  # a {group} next (a starred paired delimiter's too)
_OPTION_NEXT = re.compile(r"\s*\[([^\[\]{}$]{1,100})\]\s*(?=\{)")  # [an option] before it


def code_point(code: str) -> str:
    """The character \\unicode{code} names (x2013 hexadecimal, 8211 decimal), or "" where it is none that prints on
    its own (a control, a combining mark, a surrogate)."""
    code = code.strip()
    digits, base = (code[1:], 16) if code[:1] in "xX" else (code, 10)
    if not digits.isascii() or not digits.isalnum() or len(digits) > 8:
        return ""
    try:
        char = chr(int(digits, base))
    except ValueError:  # not a number, or past U+10FFFF
        return ""
    return char if char.isprintable() and not unicodedata.category(char).startswith(("M", "C")) else ""


def fraction(kind: str, top: str, bottom: str) -> str:
    """A rendered fraction ("frac": (a)/(b)) or binomial coefficient ("binom": C(n, k)) on one line."""
    return f"C({top}, {bottom})" if kind == "binom" else f"({top})/({bottom})"


class Math:
    """One math span rendered in one pass: each argument is a (start, stop) range of the source, never a copy,
    and each character is visited once per nesting level (at most MAX_DEPTH)."""

    def __init__(self, text: str, start: int, stop: int, plain: bool) -> None:
        self.text, self.plain = text, plain
        groups = Groups(text, start, stop)
        self.pairs, self.lefts, self.infix, self.switched = groups.pairs, groups.lefts, groups.infix, groups.switched
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

    def render(self, start: int, stop: int, depth: int = 0, font: dict[int, str] | None = None) -> str:
        """text[start:stop] as escaped HTML, or (plain) as Unicode text to be escaped later; `font` translates its
        letters (\\mathbb's)."""
        text, escape = self.text, self.escape
        if depth > MAX_DEPTH:  # hostile nesting: show the rest as text
            return escape(text[start:stop])
        infix = self.infix.get(start)
        if infix is not None and infix[0] < stop:  # {a \over b}: the group split at it, each side rendered
            low, high = self.unwrapped(start, infix[0], infix[1], stop)
            top = self.render(low, infix[0], depth + 1, font).strip()
            inner = fraction(INFIX[infix[2]], top, self.render(infix[1], high, depth + 1, font).strip())
            if low == start or text[low - 1] == "(":  # no brackets, or round ones: the fraction's own
                return inner
            before, after = self.render(start, low, depth + 1, font), self.render(high, stop, depth + 1, font)
            return before.strip() + inner + after.strip()
        out: list[str] = []
        i = start
        while i < stop:
            char = text[i]
            if char in "^_":
                low, high, i = self.argument(i + 1, stop)
                out.append(self.scripted(char, low, high, depth, font))
            elif char == "\\" and i in self.lefts and self.lefts[i][0] in self.infix and self.lefts[i][0] < stop:
                # \\left[ n \\choose k \\right]: a group, split at its \\choose, inside its delimiters
                low, high, end = self.lefts[i]
                inner = self.render(low, high, depth + 1, font)
                if text[low - 1] == "(" and text[end - 1] == ")":  # round brackets: the fraction's own
                    out.append(inner)
                else:
                    out.append(self.render(i, low, depth + 1, font) + inner + self.render(high, end, depth + 1, font))
                i = end
            elif char == "\\":
                i = self.command(i, stop, depth, font, out)
            elif char == "{" and i + 1 in self.infix:  # a group holding \over: rendered whole, as a fraction
                close = min(self.pairs[i], stop)
                out.append(self.render(i + 1, close, depth + 1, font))
                i = min(close + 1, stop)
            elif char in "{}":
                i += 1
            elif char == "(" and (inside := self.bracketed_fraction(i + 1, stop)) is not None:
                low, high, i = inside  # (\frac{a}{b}) or \left( {n \choose k} \right): the fraction's own brackets
                out.append(self.render(low, high, depth + 1, font))
            else:
                out.append(escape(char.translate(font) if font else char))
                i += 1
        return "".join(out)

    def unwrapped(self, start: int, over: int, after: int, stop: int) -> tuple[int, int]:
        """Where an infix fraction's top starts and its bottom ends, inside the brackets around both when there
        are ("( n \\choose k )" is C(n, k), not C(( n, k )); "[ n \\choose k ]" [C(n, k)]); `over` to `after` is the
        \\over."""
        text = self.text
        opening = OPENING.match(text, start, over)
        closing = CLOSING_LAST.search(text, after, stop) if opening else None
        if opening and closing and BRACKETS.get(opening[1]) == closing[1] and balanced(
                text[opening.end():over], opening[1], closing[1]) and balanced(text[after:closing.start()],
                                                                                  opening[1], closing[1]):
            return opening.end(), closing.start()
        return start, stop

    def bracketed_fraction(self, i: int, stop: int) -> tuple[int, int, int] | None:
        """After a "(" at i - 1, a fraction alone up to its ")" ({a \\over b} or \\frac{a}{b}): its range and where
        the ")" ends; None for anything else."""
        text = self.text
        while i < stop and text[i] == " ":
            i += 1
        if text[i:i + 1] == "{" and i + 1 in self.infix:
            end = min(self.pairs[i] + 1, stop)
        elif (match := COMMAND.match(text, i, stop)) and match[1] in FRACTIONS:
            end = self.argument(self.argument(match.end(), stop)[2], stop)[2]
        else:
            return None
        closing = CLOSING.match(text, end, stop)
        after = closing.end() if closing else stop
        while after < stop and text[after] == " ":
            after += 1
        if closing is None or text[after:after + 1] in ("^", "_"):  # (a/b)^2 keeps them
            return None
        return i, end, closing.end()

    def scripted(self, char: str, low: int, high: int, depth: int, font: dict[int, str] | None) -> str:
        """text[low:high] rendered as a superscript (`char` "^") or subscript ("_")."""
        inner = self.render(low, high, depth + 1, font)
        if self.plain:
            return script(inner, SUPERSCRIPT if char == "^" else SUBSCRIPT, char)
        tag = "sup" if char == "^" else "sub"
        return f"<{tag}>{inner}</{tag}>"

    def styled(self, name: str, low: int, high: int, depth: int, font: dict[int, str] | None) -> str:
        """text[low:high] rendered under the style, font or accent command `name`."""
        inner = self.render(low, high, depth + 1, FONTS.get(name, None if name in PLAIN else font))
        if name in STYLES and not self.plain:
            inner = f"<{STYLES[name]}>{inner}</{STYLES[name]}>"
        return accented(inner, name, self.plain) if name in ACCENTS else inner

    def command(self, i: int, stop: int, depth: int, font: dict[int, str] | None, out: list[str]) -> int:
        """The command at text[i] rendered into `out`; where rendering goes on."""
        text = self.text
        match = COMMAND.match(text, i, stop)
        name = match[1] if match else ""
        if name in SWITCHES:  # as if the rest of its group were the switch's argument
            end, low = min(self.switched.get(i, stop), stop), match.end() if match else i
            while low < end and text[low] == " ":  # the space ending a command's name is no space
                low += 1
            out.append(self.styled(SWITCHES[name], low, end, depth, font))
            return end
        i = match.end() if match else i + 1
        name = ALIASES.get(name, name)
        if name in STYLES or name in PLAIN or name in FONTS or name in ACCENTS:
            low, high, i = self.argument(i, stop)
            out.append(self.styled(name, low, high, depth, font))
        elif name in ("stackrel", "overset", "underset"):  # \stackrel{def}{=}: the symbol, the other as its script
            low, high, i = self.argument(i, stop)
            base_low, base_high, i = self.argument(i, stop)
            base = self.render(base_low, base_high, depth + 1, font)
            out.append(base + self.scripted("_" if name == "underset" else "^", low, high, depth, font))
        elif name in ("pmod", "mod", "bmod"):  # a ≡ b \pmod{n}: "a ≡ b (mod n)", a \bmod b: "a mod b"
            low, high, i = self.argument(i, stop) if name != "bmod" else (i, i, i)
            inner = self.render(low, high, depth + 1, font).strip()
            space = " " * (not out or not out[-1].endswith(" "))
            out.append(space + (f"(mod {inner})" if name == "pmod" else f"mod {inner}" if inner else "mod"))
        elif name in FRACTIONS:
            top_low, top_high, i = self.argument(i, stop)
            bottom_low, bottom_high, i = self.argument(i, stop)
            top = self.render(top_low, top_high, depth + 1, font)
            out.append(fraction(FRACTIONS[name], top, self.render(bottom_low, bottom_high, depth + 1, font)))
        elif name == "sqrt":
            i = self.root(i, stop, depth, font, out)
        elif name in OPERATORS or name in ("operatorname", "mathop"):  # \mathop{\rm arg\,max} as \operatorname
            if name in ("operatorname", "mathop"):
                low, high, i = self.argument(i + (text[i:i + 1] == "*"), stop)
                word = self.render(low, high, depth + 1).strip()
            else:
                word = self.escape(OPERATORS[name])
            # TeX spaces an operator from a letter, number or closing bracket before it, not from "(" or "+"
            before = out and (out[-1][-1:].isalnum() or out[-1][-1:] in ")]}′'" or out[-1].endswith(("</sub>",
                                                                                                    "</sup>")))
            after = text[i:i + 1].isalnum() or (text[i:i + 1] == "\\" and text[i + 1:i + 2].isalpha()
                                                and not text.startswith("\\limits", i))
            out.append(" " * bool(before) + word + " " * after)
        elif name in SIZES:
            while i < stop and text[i] == " ":
                i += 1
            i += text[i:i + 1] == "."  # \left. is no delimiter
        elif name == "begin":
            i = self.environment(i, stop, depth, font, out)
        elif name == "over":  # one no group split at (after \{, or a second one): a slash reads as TeX sets it
            out.append("/")
        elif name in PAIRED and (group := _GROUP_NEXT.match(text, i, stop) or (
                _OPTION_NEXT.match(text, i, stop) if name in SUBSCRIPTED else None)):
            low, high, i = self.argument(group.end(), stop)
            opening, closing = PAIRED[name]
            out.append(self.escape(opening) + self.render(low, high, depth + 1, font) + self.escape(closing))
            if group.lastindex and text[group.start(1):group.end(1)].strip() not in _SIZE_OPTIONS:  # [A]: ‖x‖_A
                out.append(self.scripted("_", group.start(1), group.end(1), depth, font))
        elif name == "unicode" and (group := _GROUP_NEXT.match(text, i, stop)):  # MathJax's \\unicode{x2013}: –
            low, high, i = self.argument(group.end(), stop)
            out.append(self.escape(code_point(text[low:high]) or text[match.start():i]))  # type: ignore[union-attr]
        elif name in ("href", "url"):  # a link inside a formula (MathJax's): its text, or its address as written
            low, high, i = self.argument(i, stop)
            if name == "href":
                low, high, i = self.argument(i, stop)
                out.append(self.render(low, high, depth + 1, font))
            else:
                out.append(self.escape(text[low:high]))
        else:
            shown = SYMBOLS[name] if name in SYMBOLS else SHORTHANDS.get(name) or BIG_O.get(name, name)
            out.append(self.escape(shown))
        return i

    def root(self, i: int, stop: int, depth: int, font: dict[int, str] | None, out: list[str]) -> int:
        """\\sqrt[n]{x} rendered into `out`: √ before one character (√2), else before its argument in brackets,
        √(n+1) rather than √n+1; its index as a superscript before it; where rendering goes on."""
        text = self.text
        if text[i:i + 1] == "[" and (close := text.find("]", i, min(stop, i + 20))) != -1:
            index = self.render(i + 1, close, depth + 1, font)
            out.append(script(index, SUPERSCRIPT, "^") if self.plain else f"<sup>{index}</sup>")
            i = close + 1
        low, high, i = self.argument(i, stop)
        inner = self.render(low, high, depth + 1, font).strip()
        out.append("√" + (inner if len(inner) <= 1 or inner.isalnum() else f"({inner})"))
        return i

    def environment(self, i: int, stop: int, depth: int, font: dict[int, str] | None, out: list[str]) -> int:
        """The environment whose \\begin ends at `i` (matrix, cases, aligned...) rendered on one line into `out`:
        cells apart, rows split by "; " (cases by ", ") inside its delimiters; where rendering goes on."""
        text = self.text
        low, high, i = self.argument(i, stop)
        name = text[low:high].strip().rstrip("*")
        if name in ("array", "subarray", "alignat", "alignedat", "tabular"):  # a column spec: not shown
            i = self.argument(i, stop)[2]
        while i < stop and text[i] == " ":
            i += 1
        if text[i:i + 1] == "[" and (close := text.find("]", i, min(stop, i + 20))) != -1:  # [t], placement
            i = close + 1
        rows, end = self.rows(i, stop)
        # spaces collapsed: "\\text{if } x" is one space, as TeX sets it (no tag of ours holds a space)
        cells = [" ".join(" ".join(self.render(*cell, depth + 1, font) for cell in row).split()) for row in rows]
        opening, closing = ENVIRONMENTS.get(name, ("", ""))
        inside = (", " if name in ("cases", "dcases", "rcases") else "; ").join(cell for cell in cells if cell)
        out.append(self.escape(opening) + inside + self.escape(closing))
        return end

    def rows(self, i: int, stop: int) -> tuple[list[list[tuple[int, int]]], int]:
        """The cells (ranges) of each row of the environment whose body starts at `i`, split at its own & and \\\\
        (not those of a group or an environment inside it), and where its \\end{...} ends (`stop` if it has none)."""
        text, pairs = self.text, self.pairs
        rows: list[list[tuple[int, int]]] = [[]]
        cell, nested = i, 0
        while i < stop:
            char = text[i]
            if char == "{":
                i = pairs[i] + 1
            elif char == "&" and not nested:
                rows[-1].append((cell, i))
                i = cell = i + 1
            elif char == "\\":
                match = COMMAND.match(text, i, stop)
                name = match[1] if match else ""
                if name in ("begin", "end") and (nested or name == "begin"):
                    nested += 1 if name == "begin" else -1
                elif name == "end":
                    rows[-1].append((cell, i))
                    return rows, self.argument(i + 4, stop)[2]
                elif name == "\\" and not nested:
                    rows[-1].append((cell, i))
                    rows.append([])
                    cell = i + 2
                i = match.end() if match else i + 1
            else:
                i += 1
        rows[-1].append((cell, stop))
        return rows, stop
