"""Comments in a safe Markdown subset: CommonMark without raw HTML, with TeX math, bare http(s) URLs and @mentions
of users linked, then an allowlist sanitiser."""

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import nh3
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from paperhub.papers.tex import MAX_MATH, math_html

TAGS = {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote",
        "span", "sup", "sub", "i", "b"}  # the last five: rendered math (papers.tex), never typed (html is off)
ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}}
CLASSES = {"span": {"math"}}
LINK_REL = "nofollow noopener noreferrer ugc"

# Math as paper pages show it (papers.tex), but found as Pandoc finds it, not as in an abstract: comments are
# written by people who also write prices, so "$5 and $10" is no math. A single $ opens only before a
# non-space, closes only after a non-space and not before a digit; $$...$$, \(...\) and \[...\] are math
# whatever their spacing. The content of a single-dollar span holds no unescaped $. Each pattern is matched in
# a window of MAX_MATH characters (a longer span stays text, as on paper pages), so a comment full of openers
# without closers costs at most MAX_MATH steps per opener.
_SINGLE = re.compile(r"\$((?:[^$\\]|\\.)+)\$", re.DOTALL)
_CLOSERS = {"$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_DELIMITED = 4  # the most characters a span's delimiters add to its content

# Bare URLs: http(s) only, starting at a word boundary; trailing punctuation is the sentence's, not the URL's.
_BARE_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_~"
_CLOSING = {")": "(", "]": "[", "}": "{"}

# @mentions: "@" then a username's characters (Django's: letters, digits and . + - _), in text only (not in code,
# math or a link, its URL included), not after a username's character (bob@ann.org is an address) nor before an
# "@" (@ann@example.org is one too). A name's last . + or - is the sentence's ("thanks @ann."). Only the first
# MENTIONS_MAX distinct names of a comment count, linked or mailed, so one comment costs a bounded look-up.
_MENTION = re.compile(r"(?<![\w.+@-])@([\w.+-]{1,150})(?![\w.+@-])")
MENTIONS_MAX = 10


def _math_span(src: str, pos: int, stop: int) -> tuple[str, int] | None:
    """The math span starting at src[pos], as (content, where it ends); None when none starts there."""
    window = min(stop, pos + MAX_MATH + _DELIMITED)
    opener = src[pos:pos + 2]
    if opener in _CLOSERS:
        end = src.find(_CLOSERS[opener], pos + 2, window)
        content = src[pos + 2:end]
        return (content, end + 2) if end != -1 and content.strip() else None
    if opener[:1] != "$":
        return None
    match = _SINGLE.match(src, pos, window)
    if match is None or match[1][0].isspace() or match[1][-1].isspace():
        return None
    return None if match.end() < len(src) and src[match.end()].isdigit() else (match[1], match.end())


def _math_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule, before escapes and emphasis: a math span becomes one token that Markdown leaves alone."""
    if state.src[state.pos] not in "$\\":
        return False
    found = _math_span(state.src, state.pos, state.posMax)
    if found is None:
        return False
    content, end = found
    if not silent:
        token = state.push("math_inline", "span", 0)
        token.content = content
    state.pos = end
    return True


def _render_math(_renderer: Any, tokens: Sequence[Token], idx: int, _options: OptionsDict, _env: EnvType) -> str:
    return f'<span class="math">{math_html(tokens[idx].content)}</span>'


def _escaped_at_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule, before escapes: "\\@" is an "@" that names no one, a token of its own (an escape's text is
    joined to the text around it, and the mentions rule would find it there)."""
    if not state.src.startswith("\\@", state.pos):
        return False
    if not silent:
        state.push("escaped_at", "", 0).content = "@"
    state.pos += 2
    return True


def _render_escaped_at(_renderer: Any, _tokens: Sequence[Token], _idx: int, _options: OptionsDict,
                       _env: EnvType) -> str:
    return "@"


def _trim(url: str) -> str:
    """The URL without the punctuation that ends the sentence around it, or a bracket it sits in."""
    while url and (url[-1] in _TRAILING or (url[-1] in _CLOSING and url.count(url[-1]) > url.count(_CLOSING[url[-1]]))):
        url = url[:-1]
    return url


def _link_bare_urls(state: StateCore) -> None:
    """Core rule: bare http(s) URLs in text (not in links, code or math) become links."""
    md = state.md
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            in_link += (token.type == "link_open") - (token.type == "link_close")
            if token.type != "text" or in_link or "://" not in token.content:
                children.append(token)
                continue
            text, position = token.content, 0
            for match in _BARE_URL.finditer(text):
                url = _trim(match[0])
                href = md.normalizeLink(url)
                if not url.partition("://")[2] or not md.validateLink(href):
                    continue
                children += [_text(text[position:match.start()], token.level),
                             Token("link_open", "a", 1, attrs={"href": href}, markup="linkify", info="auto",
                                   level=token.level),
                             _text(url, token.level + 1),  # as typed: decoding xn-- would show look-alikes
                             Token("link_close", "a", -1, markup="linkify", info="auto", level=token.level)]
                position = match.start() + len(url)
            children.append(_text(text[position:], token.level))
        block.children = [child for child in children if child.type != "text" or child.content]


def _mention_name(typed: str) -> str:
    """The username an @mention names: NFKC, as a login form reads a username, without the sentence's last mark."""
    return unicodedata.normalize("NFKC", typed.rstrip(".+-"))


def _link_mentions(state: StateCore) -> None:
    """Core rule, after bare links: @names in text become links to the profiles of those in env["people"]; the
    first MENTIONS_MAX distinct names, users or not, are listed in env["mentions"]."""
    named: list[str] = state.env.setdefault("mentions", [])
    people = state.env.get("people", frozenset())
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for i, token in enumerate(block.children):
            in_link += (token.type == "link_open") - (token.type == "link_close")
            if token.type != "text" or in_link or "@" not in token.content:
                children.append(token)
                continue
            text, position = token.content, 0
            # an escaped "@" beside the text is still an "@" to a name's bounds: "\@@ann" names no one, as "@@ann"
            siblings = block.children
            before = "@" if i > 0 and siblings[i - 1].type == "escaped_at" else ""
            after = "@" if i + 1 < len(siblings) and siblings[i + 1].type == "escaped_at" else ""
            for match in _MENTION.finditer(before + text + after, len(before)):
                name = _mention_name(match[1])
                if not name:
                    continue
                if name not in named and len(named) < MENTIONS_MAX:
                    named.append(name)
                if name not in people or name not in named:
                    continue
                start = match.start() - len(before)
                end = start + 1 + len(match[1].rstrip(".+-"))
                children += [_text(text[position:start], token.level),
                             Token("link_open", "a", 1, attrs={"href": reverse("profile", args=[name])},
                                   markup="mention", level=token.level),
                             _text(text[start:end], token.level + 1),
                             Token("link_close", "a", -1, markup="mention", level=token.level)]
                position = end
            children.append(_text(text[position:], token.level))
        block.children = [child for child in children if child.type != "text" or child.content]


def _text(content: str, level: int) -> Token:
    return Token("text", "", 0, content=content, level=level)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html off: "<script>" in a comment is shown as text; images and headings are not in the subset.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}) \
        .disable(["image", "heading", "lheading", "hr", "table"], ignoreInvalid=True)
    md.inline.ruler.before("escape", "math", _math_rule)  # before escapes: "\(" would become "("
    md.add_render_rule("math_inline", _render_math)
    md.inline.ruler.before("escape", "escaped_at", _escaped_at_rule)
    md.add_render_rule("escaped_at", _render_escaped_at)
    md.core.ruler.push("bare_links", _link_bare_urls)
    md.core.ruler.push("mentions", _link_mentions)  # after bare links: https://example.org/@ann names no one
    return md


def mentions(body: str) -> list[str]:
    """The usernames a comment @mentions, users or not: the first MENTIONS_MAX distinct ones, in order."""
    if "@" not in (body or ""):  # most comments: no parse
        return []
    env: dict[str, Any] = {}
    _parser().parse(body, env)
    return list(env["mentions"])


def render_comment(body: str, people: frozenset[str] = frozenset()) -> SafeString:
    """A comment's Markdown as HTML that cannot run script or load anything; an @mention of a name in `people` (the
    users that exist, community.queries.people_named) links to their profile."""
    html = _parser().render(body or "", {"people": people})
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, allowed_classes=CLASSES,
                      url_schemes={"http", "https", "mailto"}, link_rel=LINK_REL)
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)
