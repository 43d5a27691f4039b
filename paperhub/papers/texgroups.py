"""The structure of a math span, found in one pass before it is rendered (texmath.Math): its {groups}, its
\\left...\\right pairs (groups in TeX too), the infix fraction (\\over, \\choose) that splits a group, the group
each old-style font switch sets, and the brackets around a whole fraction. Pure, linear in the span."""

import re

COMMAND = re.compile(r"\\([A-Za-z]+|.)")
#: Old-style font switches ({\cal L}, \rm d): the rest of their group in the font the command names.
SWITCHES = {"cal": "mathcal", "rm": "mathrm", "bf": "mathbf", "sf": "mathsf", "it": "mathit", "tt": "mathtt"}
#: Plain TeX's infix fractions: {a \over b} is \frac{a}{b}, {n \choose k} \binom{n}{k}, splitting their group.
INFIX = {"over": "frac", "choose": "binom"}
#: Brackets around a whole fraction, opening and closing ("\\left[ n \\choose k \\right]"): round ones are the
#: fraction's own, any other is kept around it ([C(n, k)]).
BRACKETS = {"(": ")", "[": "]", "\\{": "\\}", "\\lbrace": "\\rbrace", "\\lbrack": "\\rbrack", "\\langle": "\\rangle",
            "|": "|", "\\|": "\\|", "\\vert": "\\vert", "\\Vert": "\\Vert", "\\lvert": "\\rvert", "\\lVert": "\\rVert",
            "\\lfloor": "\\rfloor", "\\lceil": "\\rceil"}
_SIZE = r"(?:\\(?:left|right|[bB]igg?[lr]?)(?![A-Za-z])\s*)?"
_DELIMITER = "|".join(re.escape(name) + ("(?![A-Za-z])" if name[-1].isalpha() else "")
                      for name in sorted({*BRACKETS, *BRACKETS.values()}, key=len, reverse=True))
OPENING = re.compile(rf"\s*{_SIZE}({_DELIMITER})")
CLOSING = re.compile(rf"\s*{_SIZE}\)")
CLOSING_LAST = re.compile(rf"{_SIZE}({_DELIMITER})\s*$")


def balanced(text: str, opening: str, closing: str) -> bool:
    """Whether text's brackets of one kind pair up (a bracket that both opens and closes, |, is not in it at all)."""
    if opening == closing:
        return opening not in text
    depth = 0
    for found in re.finditer("|".join(map(re.escape, (opening, closing))), text):
        depth += 1 if found[0] == opening else -1
        if depth < 0:
            return False
    return depth == 0


def _delimiter_end(text: str, index: int, stop: int) -> int:
    """Where the delimiter after \\left or \\right (spaces, then one command or character) ending at `index` ends."""
    while index < stop and text[index] == " ":
        index += 1
    match = COMMAND.match(text, index, stop) if text[index:index + 1] == "\\" else None
    return match.end() if match else min(index + 1, stop)


class Groups:
    """Each '{' in text[start:stop] mapped to the index of its matching '}' (stop when it has none); each
    \\left...\\right pair (a group in TeX) as \\left's index: (content start, \\right's index, its delimiter's end);
    the first infix fraction (\\over, \\choose) of each group, as (where it starts, where it ends, its name), keyed by
    where the group's content starts (`start` for the span's own); and where the group around each font switch ends.
    \\{ and \\} are characters, no group."""

    def __init__(self, text: str, start: int, stop: int) -> None:
        self.pairs: dict[int, int] = {}
        self.lefts: dict[int, tuple[int, int, int]] = {}
        self.infix: dict[int, tuple[int, int, str]] = {}
        switched: dict[int, int] = {}
        self.open_at: list[tuple[int, int]] = []  # each open group: (its '{' or \\left, where its content starts)
        braces: list[int] = []  # the open '{'s alone: a font switch lasts to the end of its brace group
        self.start = start
        index = start
        while index < stop:
            char = text[index]
            if char == "{":
                self.open_at.append((index, index + 1))
                braces.append(index)
            elif char == "}":
                while self.open_at and text[self.open_at[-1][0]] != "{":  # a \\left with no \\right before it
                    self.abandon()
                if self.open_at:
                    self.pairs[self.open_at.pop()[0]] = index
                    braces.pop()
            elif char == "\\" and (match := COMMAND.match(text, index, stop)):
                name, index = match[1], match.end()
                if name == "left":
                    index = _delimiter_end(text, index, stop)
                    self.open_at.append((match.start(), index))
                elif name == "right" and self.open_at and text[self.open_at[-1][0]] == "\\":
                    left, low = self.open_at.pop()
                    index = _delimiter_end(text, index, stop)
                    self.lefts[left] = (low, match.start(), index)
                elif name in INFIX:
                    self.infix.setdefault(self.open_at[-1][1] if self.open_at else start,
                                          (match.start(), match.end(), name))
                elif name in SWITCHES:
                    switched[match.start()] = braces[-1] if braces else -1
                continue
            index += 1
        while self.open_at:
            if text[self.open_at[-1][0]] == "{":
                self.pairs[self.open_at.pop()[0]] = stop
            else:
                self.abandon()
        self.switched = {index: self.pairs[brace] if brace != -1 else stop for index, brace in switched.items()}

    def abandon(self) -> None:
        """The innermost open group is a \\left never closed: no group, its fraction its enclosing group's."""
        fraction = self.infix.pop(self.open_at.pop()[1], None)
        if fraction is not None:
            self.infix.setdefault(self.open_at[-1][1] if self.open_at else self.start, fraction)
