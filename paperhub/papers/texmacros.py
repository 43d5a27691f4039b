"""Authors' own macros, defined in the text that uses them (\\newcommand{\\R}{\\mathbb{R}}, \\def\\R{...},
\\DeclareMathOperator{\\poly}{poly}, arguments #1..#9): the definitions dropped and their uses expanded, within
that text only and bounded (MAX_DEFINITIONS, MAX_EXPANSION deep, the text grown to at most GROWTH times its length
or MAX_EXPANDED characters, the smaller; past that the rest is shown as written). Pure, linear in the text and
what it may grow to."""

import re

from paperhub.papers.texspans import spans

MAX_DEFINITIONS = 50  # the first ones are used; later ones are dropped all the same
MAX_EXPANSION = 5  # deepest expansion of a macro inside a macro (\def\a{\a\a} stops there)
GROWTH = 4
MAX_EXPANDED = 20_000
MAX_BODY = 1000  # longest definition; a longer one is shown as written
MAX_OPTION = 200  # longest optional argument, or its default: a longer one is no optional argument

_DEFINITION = re.compile(
    r"\\(?:(?:renew|new|provide)command\*?|(DeclareMathOperator\*?)|def)\s*"
    r"(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))\s*(?:\[([1-9])\]\s*(?:\[([^\]]{0," + str(MAX_OPTION) + r"})\]\s*)?)?"
    r"((?:#[1-9])*)\s*\{")
_USE = re.compile(r"\\([A-Za-z]+)|\\.", re.DOTALL)
_BRACE = re.compile(r"\\.|[{}]", re.DOTALL)
_PARAMETER = re.compile(r"#([1-9])")
_SPACES = re.compile(r"\s*")
MAX_TAIL = 100  # a use ending an expansion is looked for in its last characters only

#: A macro: how many arguments it takes, its body, and its first argument's default when that one is optional.
Macro = tuple[int, str, str | None]


def _pairs(text: str, start: int = 0) -> dict[int, int]:
    """Each '{' of text[start:] (not escaped) mapped to its matching '}'."""
    pairs: dict[int, int] = {}
    open_at: list[int] = []
    for found in _BRACE.finditer(text, start):
        if found[0] == "{":
            open_at.append(found.start())
        elif found[0] == "}" and open_at:
            pairs[open_at.pop()] = found.start()
    return pairs


def _definitions(text: str) -> tuple[dict[str, Macro], list[tuple[int, int]]]:
    """The macros the text defines and where each definition stands."""
    pairs = _pairs(text)
    macros: dict[str, Macro] = {}
    places: list[tuple[int, int]] = []
    position = 0
    while (found := _DEFINITION.search(text, position)) is not None:
        opening = found.end() - 1
        close = pairs.get(opening, -1)
        if close == -1 or close - opening > MAX_BODY:
            position = found.end()
            continue
        body = text[opening + 1:close]
        if found[1]:  # an operator name, upright and spaced (the starred one's limits are all one line here)
            body = f"\\operatorname{{{body}}}"
        arguments = int(found[4] or 0) or found[6].count("#")
        if len(macros) < MAX_DEFINITIONS or (found[2] or found[3]) in macros:
            macros[found[2] or found[3]] = (arguments, body, found[5])
        places.append((found.start(), close + 1))
        position = close + 1
    return macros, places


def _without(text: str, places: list[tuple[int, int]]) -> str:
    """The text without the definitions at `places`, nor a math span that held nothing else ("$\\def\\R{x}$")."""
    around = {low: (start, high, end) for start, low, high, end in spans(text)}
    kept: list[str] = []
    position = index = 0
    while index < len(places):
        start, end = places[index]
        index += 1
        while index < len(places) and not text[end:places[index][0]].strip():  # a run of them
            end = places[index][1]
            index += 1
        low = start
        while low > position and text[low - 1].isspace():
            low -= 1
        span = around.get(low)
        if span is not None and not text[end:span[1]].strip():
            start, end = span[0], span[2]
        if start == 0 or text[start - 1].isspace():  # the space after it too: "a \\def\\R{x} b" is "a b"
            end = _SPACES.match(text, end).end()  # type: ignore[union-attr]
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    return "".join(kept)


class _Expander:
    """Uses of `macros` expanded, each replacement expanded in turn to MAX_EXPANSION deep, while `budget` (how
    many characters the text may still grow) lasts; once it does not, the rest is kept as written. A replacement
    ending in a use of a macro that takes arguments (\\def\\g{\\f}), or some of them (\\def\\g{\\f a}), reads the
    rest from after its own use, as TeX does."""

    def __init__(self, macros: dict[str, Macro], budget: int) -> None:
        self.macros, self.budget, self.spent = macros, budget, False

    def expand(self, text: str, depth: int) -> str:
        """The text with its uses expanded."""
        out: list[str] = []
        position = 0
        pairs: dict[int, int] | None = None  # read once, when a use first needs its arguments
        while not self.spent and (found := _USE.search(text, position)) is not None:
            out.append(text[position:found.end()])
            position = found.end()
            name, use, level = found[1] or "", found[0], depth
            given: list[str] = []  # the arguments a tail's use has already
            while name in self.macros and level < MAX_EXPANSION:  # each round one use: its own, then a tail's
                if self.macros[name][0] and pairs is None:
                    pairs = _pairs(text)
                expanded, end = self.applied(self.macros[name], text, position, pairs or {}, len(use), level, given)
                if expanded is None:
                    break
                out[-1] = out[-1][:len(out[-1]) - len(use)]
                out.append(expanded)  # its tail as written until the rest of its arguments are read
                tail = _tail(expanded, self.macros)
                name, use, given, level = ("", "", [], level) if tail is None else (
                    tail[1], expanded[tail[0]:], tail[2], level + 1)
                position = end
        out.append(text[position:])
        return "".join(out)

    def applied(self, macro: Macro, text: str, index: int, pairs: dict[int, int], used: int,
                depth: int, given: list[str]) -> tuple[str | None, int]:
        """A use's replacement, its arguments (after those `given`) read from text[index:] (the use itself `used`
        characters long), expanded in turn, and where the use ends; None when its arguments are missing or the
        budget is spent."""
        count, body, default = macro
        arguments = list(given)
        end = index
        if default is not None and not given:  # \\newcommand{\\f}[2][x]: #1 is [what follows], or x
            option, end = _option(text, end)
            arguments.append(default if option is None else option)
        while len(arguments) < count:
            argument, end = _argument(text, end, pairs)
            if argument is None:
                return None, index
            arguments.append(argument)
        grown = len(body) + sum(len(arguments[int(n) - 1]) - 2 for n in _PARAMETER.findall(body)
                                if int(n) <= len(arguments)) - used - (end - index)
        if grown > self.budget:
            self.spent = True
            return None, index
        self.budget -= grown
        return self.expand(_substituted(body, arguments), depth + 1), end


def _tail(expanded: str, macros: dict[str, Macro]) -> tuple[int, str, list[str]] | None:
    """The use of a macro ending an expansion with fewer arguments than it takes (\\def\\g{\\f a}: \\f, "a"), looked
    for in its last MAX_TAIL characters: where it starts, its name and the arguments it has; the first such use is
    the outermost (in "\\f a\\h" \\h is \\f's argument)."""
    window = max(0, len(expanded) - MAX_TAIL)
    pairs: dict[int, int] | None = None
    for found in _USE.finditer(expanded, window):
        macro = macros.get(found[1] or "")
        if macro is None or macro[0] == 0:
            continue
        if pairs is None:
            pairs = _pairs(expanded, window)
        if (given := _given(expanded, found.end(), pairs, macro)) is not None:
            return found.start(), found[1], given
    return None


def _given(text: str, index: int, pairs: dict[int, int], macro: Macro) -> list[str] | None:
    """The arguments of `macro` from text[index:] to the text's end, when they are fewer than it takes; None when
    it has them all or something else follows."""
    count, _, default = macro
    given: list[str] = []
    while len(given) < count:
        if _SPACES.match(text, index).end() == len(text):  # type: ignore[union-attr]
            return given
        if default is not None and not given:  # the optional one first: [as written], or its default
            option, index = _option(text, index)
            given.append(default if option is None else option)
            continue
        argument, index = _argument(text, index, pairs)
        if argument is None:
            return None
        given.append(argument)
    return None


def _option(text: str, index: int) -> tuple[str | None, int]:
    """The optional argument at `index` (after spaces): [its content], at most MAX_OPTION characters."""
    start = _SPACES.match(text, index).end()  # type: ignore[union-attr]
    if text[start:start + 1] != "[" or (close := text.find("]", start, start + MAX_OPTION + 2)) == -1:
        return None, index
    return text[start + 1:close], close + 1


def _substituted(body: str, arguments: list[str]) -> str:
    """A macro's body with its arguments in place of #1..#9."""
    return _PARAMETER.sub(lambda p: arguments[int(p[1]) - 1] if int(p[1]) <= len(arguments) else p[0], body)


def _argument(text: str, index: int, pairs: dict[int, int]) -> tuple[str | None, int]:
    """The argument at `index` (after spaces): a {group}'s content, or one command or character (not a "}" or "$")."""
    index = _SPACES.match(text, index).end()  # type: ignore[union-attr]
    if index >= len(text) or text[index] in "}$":  # nor the end of a math span
        return None, index
    if text[index] == "{":
        close = pairs.get(index, -1)
        return (None, index) if close == -1 else (text[index + 1:close], close + 1)
    end = found.end() if (found := _USE.match(text, index)) else index + 1
    return text[index:end], end


def expand_macros(text: str) -> str:
    """The text with the macros it defines expanded and their definitions dropped (unchanged if it has none)."""
    if "command" not in text and "\\def" not in text and "Operator" not in text:
        return text
    macros, places = _definitions(text)
    if not places:
        return text
    text = _without(text, places)
    return _Expander(macros, min(GROWTH * len(text), MAX_EXPANDED) - len(text)).expand(text, 0)
