"""A paper as Markdown, for readers that are tools and agents (/papers/{id}.md, huggingface_hub's read_paper).
Pure: the data is gathered by community.queries.paper_sheet.

Stored text is text, never Markdown: in titles, names and abstracts every character that could start a link,
an image, raw HTML, an entity, emphasis, code or a heading is backslash-escaped (CommonMark shows an escaped
character as itself), and a line that would begin a list or a quote is escaped too. Text-mode LaTeX is rendered
by tex.py's one pass, as on the page: `\\emph`/`\\textit` become `*...*`, `\\textbf` `**...**` (`<em>`, `<strong>`
where CommonMark would not read the stars, as in `a<em>(x)</em>b`; `\\emph` in italics upright, as in LaTeX), other
styles their text, textual citations their keys. Math is kept as `$...$` for renderers with math support, made inert
for those without: `<`, `>` become `\\lt`, `\\gt`, `&` becomes `\\&`, a space parts `](`, and `\\href`/`\\url`
lose their URL. Link destinations are ours, or http(s) only.
"""

import re
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter
from urllib.parse import quote

from paperhub.papers.links import web_url
from paperhub.papers.records import strip_controls
from paperhub.papers.tex import AS_TEXT, Output, convert
from paperhub.papers.texmath import SUBSCRIPT, script


@dataclass(frozen=True)
class Similar:
    """A similar paper: its id, title (raw LaTeX), page on the hub and date."""

    uid: str
    title: str
    url: str
    day: date | None = None


@dataclass(frozen=True)
class PaperSheet:
    """What a paper's Markdown shows, as plain values: links are absolute URLs, text is as stored."""

    uid: str
    title: str
    url: str  # the paper's page on the hub
    authors: list[str] = field(default_factory=list)
    published: date | None = None
    updated: date | None = None
    version: int | None = None
    categories: list[str] = field(default_factory=list)
    abs_url: str = ""
    pdf_url: str = ""
    doi_url: str = ""  # beside an arXiv paper's own links
    code_url: str = ""
    project_url: str = ""
    upvotes: int = 0
    keywords: list[str] = field(default_factory=list)
    summary: str = ""
    abstract: str = ""
    similar: list[Similar] = field(default_factory=list)


# Every "&": text is escaped piece by piece, and "&" + "\-" + "lt;" must not join into an entity.
_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]<>#$~&"})
_LINE_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)])(?=\s|$))")
# Emphasis is marked while a line is built and written once the line is whole: whether CommonMark reads a "*"
# depends on the characters around it, which a style does not see. Control characters: stored text has none left.
_EMPHASIS = {"emph": "\x01", "textit": "\x02", "textbf": "\x03"}
_END = "\x04"
_MARK = re.compile("([\x01-\x04])")
_PLAIN = (False, False)
_STARS = {(True, False): ("*", "*"), (False, True): ("**", "**"), (True, True): ("***", "***")}
_TAGS = {
    (True, False): ("<em>", "</em>"),
    (False, True): ("<strong>", "</strong>"),
    (True, True): ("<em><strong>", "</strong></em>"),
}
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"  # kept as they are in a link's destination; spaces, <>, () and the rest encoded
_MATH_LINK = re.compile(r"\\href\s*\{[^{}]*\}|\\url\b")


def _one_line(text: str) -> str:
    return " ".join(strip_controls(text).split())


def _escape(text: str) -> str:
    """Plain text as Markdown that shows exactly it (ASCII punctuation that means something, backslashed)."""
    return text.translate(_SPECIAL)


def _style(command: str, inner: str) -> str:
    """Emphasis marked for _emphasis(), its spaces outside the marks; other styles as plain text. \\texttt is no
    code span: one shows backslashes literally, so escaped text would read wrong."""
    if command == "textsubscript":  # as plain text's, with its "_" escaped
        return script(inner, SUBSCRIPT, "\\_")
    mark = _EMPHASIS.get(command)
    if mark is None:
        return AS_TEXT.style(command, inner)
    core = inner.strip()
    if not core:
        return inner
    start = inner.index(core)
    return f"{inner[:start]}{mark}{core}{_END}{inner[start + len(core):]}"


def _inside(mark: str, italic: bool, bold: bool) -> tuple[bool, bool]:
    """(italic, bold) inside an emphasis mark, from those around it: \\emph toggles, as LaTeX's (upright in italics)."""
    if mark == _EMPHASIS["emph"]:
        return not italic, bold
    return (True, bold) if mark == _EMPHASIS["textit"] else (italic, True)


def _stretches(marked: str) -> list[tuple[str, tuple[bool, bool]]]:
    """A marked line as stretches of text, each with its (italic, bold), the marks gone."""
    pieces: list[tuple[str, tuple[bool, bool]]] = []
    outer: list[tuple[bool, bool]] = []
    style = _PLAIN
    for piece in _MARK.split(marked):
        if piece == _END:
            style = outer.pop()
        elif piece in _EMPHASIS.values():
            outer.append(style)
            style = _inside(piece, *style)
        elif piece:
            pieces.append((piece, style))
    # one stretch for "\emph{x}\emph{y}": "*x**y*" would show the middle "**"
    return [("".join(text for text, _ in same), style) for style, same in groupby(pieces, key=itemgetter(1))]


def _kind(char: str) -> str:
    """A character as CommonMark's flanking rules see it ("" is the line's edge): space, punct, word or symbol."""
    # A symbol (©, →) is punctuation since CommonMark 0.31 only: trusted as neither, so stars hold under both.
    category = unicodedata.category(char) if char else "Zs"
    if category == "Zs" or char in "\t\n\f\r":
        return "space"
    if category[0] == "P" or char in string.punctuation:
        return "punct"
    return "symbol" if category[0] == "S" else "word"


def _stars_work(before: str, core: str, after: str) -> bool:
    """Whether `*core*` between `before` and `after` opens and closes (left-, right-flanking); core is unspaced."""
    opens = _kind(core[0]) == "word" or _kind(before) in ("space", "punct")
    closes = _kind(core[-1]) == "word" or _kind(after) in ("space", "punct")
    return opens and closes


def _emphasis(marked: str) -> str:
    """A marked line's emphasis as stars where CommonMark reads them, else as <em>/<strong>; spaces outside."""
    # Tags where stars fail: "a*(x)*b" shows its stars, and stars against ours would join theirs into one run.
    stretches = _stretches(marked)
    written: list[str] = []
    starred = False  # the last thing written ends with a closing star
    for index, (text, style) in enumerate(stretches):
        core = text.strip()
        if style == _PLAIN or not core:
            written.append(text)
            starred = False
            continue
        start = text.index(core)
        lead, trail = text[:start], text[start + len(core):]
        before = lead[-1:] or (written[-1][-1:] if written else "")
        after = trail[:1] or _next_character(stretches, index + 1)
        stars = not (starred and not lead) and _stars_work(before, core, after)  # "*x***y**" is one run
        opening, closing = (_STARS if stars else _TAGS)[style]
        written.append(f"{lead}{opening}{core}{closing}{trail}")
        starred = stars and not trail
    return "".join(written)


def _next_character(stretches: list[tuple[str, tuple[bool, bool]]], index: int) -> str:
    """The first character written for stretches[index:]: a styled stretch's is a star or "<", punctuation both."""
    if index == len(stretches):
        return ""
    text, style = stretches[index]
    return "*" if style != _PLAIN and not text[0].isspace() else text[0]


def _math(content: str, delimiter: str) -> str:
    """A math span as `$...$` (`$$...$$` for display math), inert where math is not rendered."""
    content = _MATH_LINK.sub("", content).replace("$", "\\$").replace("&", "\\&")
    content = content.replace("<", "\\lt ").replace(">", "\\gt ").replace("](", "] (").strip().rstrip("\\")
    if not content:
        return ""
    fence = "$$" if delimiter == "$$" else "$"
    return f"{fence}{content}{fence}"


AS_MARKDOWN = Output(_escape, _style, _math)


def inline(text: str) -> str:
    """Stored text (a title, a sentence) as one line of Markdown: math kept, LaTeX rendered, the rest shown as is."""
    line = _emphasis(convert(_one_line(text), AS_MARKDOWN)).strip()  # a leading space would let "- x" begin a list
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", line)


def paragraphs(text: str) -> list[str]:
    """An abstract's paragraphs, each one line of Markdown."""
    return [inline(p) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _link(label: str, url: str) -> str:
    """[label](url) for an http(s) URL (spaces and parentheses percent-encoded), else nothing."""
    url = web_url(_one_line(url))
    return f"[{label}]({quote(url, safe=_URL_SAFE)})" if url else ""


def _links(sheet: PaperSheet) -> str:
    found = [
        _link("DOI" if sheet.abs_url.startswith("https://doi.org/") else "arXiv", sheet.abs_url),
        _link("PDF", sheet.pdf_url),
        _link("DOI", sheet.doi_url),
        _link("Code", sheet.code_url),
        _link("Project page", sheet.project_url),
        _link("paperhub", sheet.url),
    ]
    return " · ".join(link for link in found if link)


def _dates(sheet: PaperSheet) -> str:
    found = [
        f"**Published:** {sheet.published.isoformat()}" if sheet.published else "",
        f"**Updated:** {sheet.updated.isoformat()}" if sheet.updated and sheet.updated != sheet.published else "",
        f"**Version:** v{sheet.version}" if sheet.version else "",
    ]
    return " · ".join(part for part in found if part)


def _similar(item: Similar) -> str:
    """A list item: the title as text (math in a link's text could unbalance its brackets), then the link."""
    link = _link(_escape(_one_line(item.uid)), item.url)
    return f"- {inline(item.title)} ({', '.join(p for p in (link, item.day.isoformat() if item.day else '') if p)})"


def render(sheet: PaperSheet) -> str:
    """The paper as a Markdown document: title, authors, dates, links, keywords, summary, abstract, similar."""
    facts = [
        f"**Authors:** {', '.join(inline(a) for a in sheet.authors)}" if sheet.authors else "",
        _dates(sheet),
        f"**Categories:** {', '.join(_escape(_one_line(c)) for c in sheet.categories)}" if sheet.categories else "",
        f"**Upvotes:** {sheet.upvotes}",
        f"**Links:** {_links(sheet)}",
        f"**Keywords:** {', '.join(inline(k) for k in sheet.keywords)}" if sheet.keywords else "",
        f"**Summary (extracted from the abstract):** {inline(sheet.summary)}" if sheet.summary.strip() else "",
    ]
    blocks = [f"# {inline(sheet.title) or _escape(sheet.uid)}", "\n".join(f"- {f}" for f in facts if f)]
    abstract = paragraphs(sheet.abstract)
    if abstract:
        blocks += ["## Abstract", *abstract]
    if sheet.similar:
        blocks += ["## Similar papers", "\n".join(_similar(item) for item in sheet.similar)]
    return "\n\n".join(blocks) + "\n"
