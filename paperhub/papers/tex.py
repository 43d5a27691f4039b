"""LaTeX in titles and abstracts shown as HTML or Unicode text, safely: every character of the source is escaped,
and only the few tags made here (<sup>, <sub>, <i>, <b>, <em>, <strong>, <code>, <span class="math">, and in an
abstract <a> to an http(s) address) are added. Math (texmath.py) and text mode (textrender.py: \\emph{...},
\\cite{...}, \\%, ~, --) both; unknown commands are shown as written. Pure, one pass: linear in the text. No
JavaScript needed. Here: the outputs (HTML, Unicode text, words) and the entry points."""

import html
import re
from dataclasses import replace

from django.utils.safestring import SafeString, mark_safe

from paperhub.papers.links import anchor
from paperhub.papers.texfonts import unjoinable
from paperhub.papers.texgroups import COMMAND
from paperhub.papers.texmacros import expand_macros
from paperhub.papers.texmath import (
    BRACES,
    MAX_DEPTH,
    MAX_MATH,
    SUBSCRIPT,
    SUPERSCRIPT,
    Math,
    script,
)
from paperhub.papers.texspans import split_math
from paperhub.papers.textmode import HTML_TAGS, closed_prefix
from paperhub.papers.textrender import TEXT_SPECIAL, Output, Text

__all__ = ["MAX_DEPTH", "MAX_MATH", "split_math", "Output", "convert", "plain_text", "words_only", "math_html",
           "render_tex", "render_abstract", "closed_prefix", "AS_HTML", "AS_TEXT", "AS_WORDS"]


def _html_style(command: str, inner: str) -> str:
    tag = HTML_TAGS.get(command)
    return f"<{tag}>{inner}</{tag}>" if tag else inner


def _plain_style(command: str, inner: str) -> str:
    if command in ("textsuperscript", "textsubscript"):
        return script(inner, SUPERSCRIPT, "^") if command == "textsuperscript" else script(inner, SUBSCRIPT, "_")
    return inner


def _math_html(content: str, _delimiter: str) -> str:
    return f'<span class="math">{Math(content, 0, len(content), plain=False).render(0, len(content))}</span>'


def _math_plain(content: str, _delimiter: str) -> str:
    return Math(content, 0, len(content), plain=True).render(0, len(content))


AS_HTML = Output(html.escape, _html_style, _math_html, link=anchor)
AS_TEXT = Output(str, _plain_style, _math_plain)
AS_WORDS = Output(str, _plain_style, lambda _content, _delimiter: " , ", keys=False,  # math ends a phrase
                  link=lambda _url, inner: inner)
#: HTML that is inside a link already (a card's title, an excerpt): a link's text alone.
_AS_HTML_UNLINKED = replace(AS_HTML, link=lambda _url, inner: inner)
_AS_TEXT_WITHOUT_KEYS = replace(AS_TEXT, keys=False)

def convert(text: str, out: Output) -> str:
    """Text with its LaTeX (math and text mode) rendered as `out` writes it, the macros it defines expanded."""
    text = expand_macros(text)
    return Text(text, out).render(0, len(text))


def plain_text(text: str, keys: bool = True) -> str:
    """Text with its math, accents and text-mode LaTeX as Unicode, no markup: O(n^2) -> O(n²); textual citations'
    keys in brackets unless `keys` is False (text whose words are counted). Not escaped."""
    if not TEXT_SPECIAL.search(text):
        return text
    return convert(text, AS_TEXT if keys else _AS_TEXT_WITHOUT_KEYS)


def words_only(text: str) -> str:
    """The words of a text for counting them: math spans become a comma (they end a phrase), accents Unicode,
    citations dropped, other commands and braces dropped too. Not escaped."""
    return BRACES.sub(" ", COMMAND.sub(" ", convert(text, AS_WORDS)))


def math_html(source: str) -> str:
    """The contents of one math span (no delimiters) as escaped HTML, as render_tex shows math."""
    return unjoinable(Math(source, 0, len(source), plain=False).render(0, len(source)))


def math_text(source: str) -> str:
    """The contents of one math span (no delimiters) as Unicode text, as plain_text shows math. Not escaped."""
    return _math_plain(source, "")


def render_tex(text: str, links: bool = False) -> SafeString:
    """Text with $...$ math and text-mode LaTeX rendered as HTML, LaTeX accents as Unicode; everything else escaped.
    With `links`, an \\href or \\url to a web address is a link, else its text (a title is shown inside a link)."""
    html_output = AS_HTML if links else _AS_HTML_UNLINKED
    return mark_safe(unjoinable(convert(text or "", html_output)))  # noqa: S308 (escaped pieces and our own tags)


def render_abstract(text: str) -> SafeString:
    """An abstract as paragraphs of rendered text, its \\href and \\url to web addresses links."""
    paragraphs = [p for p in re.split(r"\n\s*\n", expand_macros(text or "")) if p.strip()]  # defined for all
    return mark_safe("".join(f"<p>{render_tex(' '.join(p.split()), links=True)}</p>"  # noqa: S308
                             for p in paragraphs))
