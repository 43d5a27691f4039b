"""Text mode's commands, outside math (tex.py renders them): styles, declarations, citations, symbols, lists;
what a textual citation reads as, and an excerpt's prefix made whole (closed_prefix)."""

import re

# Text mode, outside math. Formatting commands keep their argument, with its style (canonical command name here,
# a tag in HTML); citations go, or leave their keys (below); escaped specials, ties, dashes and quotes become what
# they print. Any other command is left as written: guessing what it prints would be wrong more often than showing it.
TEXT_STYLES = {"textit": "textit", "emph": "emph", "textsl": "textit", "textbf": "textbf", "textsc": "textsc",
               "texttt": "texttt", "textrm": "", "textsf": "", "textup": "", "textnormal": "", "textmd": "",
               "text": "", "mbox": "", "underline": "", "textsuperscript": "textsuperscript",
               "textsubscript": "textsubscript", "ac": "", "acs": ""}  # \\ac{CNN}: the acronym package's short form
#: Declarations ({\em ...}, {\bf ...}): the style lasts to the end of the group.
DECLARATIONS = {"em": "emph", "it": "textit", "itshape": "textit", "sl": "textit", "bf": "textbf",
                "bfseries": "textbf", "sc": "textsc", "scshape": "textsc", "tt": "texttt", "ttfamily": "texttt",
                "rm": "", "sf": "", "normalfont": "", "upshape": ""}
#: Textual citations are words of their sentence ("as shown by \citet{smith2020} that", "Ref.~\citenum{a}"):
#: dropped, they would leave "as shown by that"; with no bibliography to name the authors from, their keys stand in.
TEXTUAL_CITATIONS = {"citet", "Citet", "citealt", "Citealt", "citeauthor", "Citeauthor", "citeyear", "citenum",
                     "textcite", "Textcite"}
#: Citations. The others print a reference beside the sentence, in brackets, a footnote or nothing (\nocite): the
#: sentence reads whole without them, so they go.
CITATIONS = {"cite", "citep", "Citep", "citealp", "Citealp", "citeyearpar", "nocite", "parencite", "Parencite",
             "autocite", "Autocite", "footcite", *TEXTUAL_CITATIONS}
TEXT_SYMBOLS = {"ldots": "…", "dots": "…", "textendash": "–", "textemdash": "—", "LaTeX": "LaTeX", "TeX": "TeX",
                "textasciitilde": "~", "textbackslash": "\\", "textbar": "|", "textless": "<", "textgreater": ">",
                "S": "§", "P": "¶", "copyright": "©", "texttrademark": "™", "textregistered": "®", "\\": " ",
                " ": " ", ",": " ", "-": "", "/": "", "@": "", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$",
                "{": "{", "}": "}", "guillemotleft": "«", "guillemotright": "»", "guillemetleft": "«",
                "guillemetright": "»", "textquotedblleft": "“", "textquotedblright": "”", "textquoteleft": "‘",
                "textquoteright": "’", "textdegree": "°", "pounds": "£", "texteuro": "€", "textmu": "µ",
                "textpm": "±", "texttimes": "×", "textbullet": "•", "dag": "†", "ddag": "‡", "slash": "/",
                "noindent": "", "par": " ", "newline": " ", "linebreak": " ",
                # the conference templates' abbreviations (\eg, \ie, \etal: CVPR's, ICCV's)
                "eg": "e.g.", "ie": "i.e.", "etal": "et al.", "etc": "etc.", "vs": "vs.", "wrt": "w.r.t.",
                "cf": "cf.", "iid": "i.i.d."}
HTML_TAGS = {"textit": "em", "emph": "em", "textbf": "strong", "texttt": "code", "textsuperscript": "sup",
             "textsubscript": "sub"}
MAX_OPTION = 200  # longest optional argument of a citation ([p.~3]); a longer "[" is text


#: A citation key of the common "name, year" kinds: vaswani2017attention, Smith_2020, liu-etal-2023-lost, Kim:2019.
_NAME_YEAR_KEY = re.compile(r"([A-Za-z][A-Za-z'\-]*?[A-Za-z])(?:[-_:]?(etal|EtAl))?[-_:]?((?:1[89]|20)\d\d)(?!\d)")


def cited(command: str, keys: list[str]) -> str:
    """What a textual citation reads as without the bibliography: "Vaswani (2017)" from a key of the name-year kind
    (\\citealt without the parentheses, \\citeauthor its name, \\citeyear its year); other keys in brackets, after
    those, "; " between."""
    said, unread = [], []
    kind = command.lower()
    for key in keys:
        found = _NAME_YEAR_KEY.match(key)
        if found is None or kind == "citenum":
            unread.append(key)
            continue
        name = found[1][0].upper() + found[1][1:] + (" et al." if found[2] else "")
        said.append(name if kind == "citeauthor" else found[3] if kind == "citeyear"
                    else f"{name} {found[3]}" if kind == "citealt" else f"{name} ({found[3]})")
    return "; ".join(said + ([f"[{', '.join(unread)}]"] if unread else []))


#: Lists in text mode: each \item a bullet, or (enumerate) its number, on the line (no list tags: the renderer's
#: few tags are inline ones). Any other environment's \begin and \end are dropped and its content kept.
LISTS = {"itemize": False, "description": False, "enumerate": True}
#: Display math written in text mode: rendered as math, up to its \end.
MATH_ENVIRONMENTS = {"equation", "align", "eqnarray", "gather", "multline", "displaymath", "math", "flalign"}


_PREFIX_TOKEN = re.compile(r"\\[()]|\\.|\$\$|\$|[{}]", re.DOTALL)
_MATH_CLOSER = {"$$": "$$", "$": "$", "\\(": "\\)"}


def closed_prefix(text: str) -> str:
    """A prefix of a longer text (an excerpt's first words) made whole: cut before a math span it leaves open (half
    a formula renders as nonsense), and each {group} it leaves open closed (\\textbf{Our method stays bold)."""
    open_groups = 0
    math: tuple[int, str] | None = None  # where an open span starts, and what would close it
    for token in _PREFIX_TOKEN.finditer(text):
        if math is not None:
            if token[0] == math[1]:
                math = None
        elif token[0] in _MATH_CLOSER:
            math = (token.start(), _MATH_CLOSER[token[0]])
        elif token[0] == "{":
            open_groups += 1
        elif token[0] == "}" and open_groups:
            open_groups -= 1
    kept = text[:math[0]].rstrip() if math is not None else text
    return kept + "}" * open_groups


#: What separates the items in brackets: one left before a citation dropped at the brackets' end (or before another
#: separator) goes with it, "(ARC;~\\cite{x})" reading "(ARC)", not "(ARC;)".
SEPARATORS = ";,"
#: Brackets a citation may fill alone, closing bracket to opening one.
BRACKETS = {")": "(", "]": "["}


def trim_end(parts: list[str], chars: str) -> None:
    """Drop these characters from the end of what is written so far (`parts`), parts they empty with them."""
    while parts and not parts[-1].rstrip(chars):
        parts.pop()
    if parts:
        parts[-1] = parts[-1].rstrip(chars)


def typed_separator(text: str, start: int) -> str:
    """The separator (SEPARATORS) the author typed before the citation at `start` of the TeX source, past the
    spaces and ties, or "": read in the source, since the output's own ";" may end an entity ("R\\&" is "R&amp;")
    and "\\;" is a command (a thin space), no separator."""
    end = start
    while end > 0 and text[end - 1] in " ~":
        end -= 1
    mark = text[end - 1:end]
    if not mark or mark not in SEPARATORS:
        return ""
    escape = end - 1
    while escape > 0 and text[escape - 1] == "\\":
        escape -= 1
    return mark if (end - 1 - escape) % 2 == 0 else ""  # "\\;" is a line break, then ";"


def tidy_before_citation(parts: list[str], blank: str, after: str, opening: str, separator: str) -> bool:
    """Tidy what a dropped citation leaves before it in `parts`, `after` the character that follows it: the ties or
    spaces (`blank`) before it, the `separator` typed before it (typed_separator) before a closing bracket or another
    separator, and the brackets it filled alone (`opening`: the opening one as written out; True: the closing one,
    `after`, goes too)."""
    trim_end(parts, blank)
    if separator and after and after in SEPARATORS + "".join(BRACKETS) and parts and parts[-1].endswith(separator):
        parts[-1] = parts[-1][:-1]
        trim_end(parts, blank)
    if opening and parts and parts[-1].endswith(opening):
        parts[-1] = parts[-1][:-len(opening)].rstrip(" ")
        return True
    return False
