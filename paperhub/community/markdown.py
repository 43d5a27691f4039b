"""Comments in a safe Markdown subset: CommonMark without raw HTML, with TeX math, bare http(s) URLs and @mentions
of users linked, then an allowlist sanitiser (markdown_text.py: the same subset as plain text, for mail)."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

import nh3
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from paperhub.core.addresses import link
from paperhub.papers.links import LINK_REL
from paperhub.papers.tex import MAX_MATH, math_html

URL_SCHEMES = {"http", "https", "mailto"}  # the only links render_comment keeps (and a mail's text part shows)
TAGS = {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote",
        "span", "sup", "sub", "i", "b"}  # the last five: rendered math (papers.tex), never typed (html is off)
ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}}
CLASSES = {"span": {"math"}}

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

# @mentions: "@" then a username's characters (Django's: letters, digits and . @ + - _), in text only (not in code,
# math or a link, its URL included), not after a username's character (bob@ann.org is an address). Such an @word
# names the longest username it starts with that ends where the word does or before one of its . + - (so
# "thanks @ann." and "@ann.lee" name ann when no ann.lee exists, the rest text), never before an "@"
# (@cy@example.org names the user cy@example.org or no one). Only the first MENTIONS_MAX distinct @words of a
# comment count, linked or mailed, so one comment costs a bounded look-up (_names: at most NAME_MAX each).
_MENTION = re.compile(r"(?<![\w.+@-])@([\w.+@-]+)")
_NAME_ENDS = ".+-"
NAME_MAX = 150  # Django's longest username
NAME_ENDS_MAX = 5  # the . + - of an @word a name may end before: "@a.a.a.a..." asks for a few names, not 75
MENTIONS_MAX = 10

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


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
    """Core rule: bare http(s) URLs in text (not in links, code or math) become links, whole even where they hold
    an escaped "@" (its own token: _escaped_at_rule)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        run: list[Token] = []  # text and escaped "@"s side by side, outside links: where a bare URL may be
        in_link = 0
        for token in block.children:
            in_link += (token.type == "link_open") - (token.type == "link_close")
            if token.type in ("text", "escaped_at") and not in_link:
                run.append(token)
                continue
            children += _linked(state.md, run) + [token]
            run = []
        children += _linked(state.md, run)
        block.children = [child for child in children if child.type != "text" or child.content]


def _linked(md: MarkdownIt, run: list[Token]) -> list[Token]:
    """A run of text and escaped "@" tokens with the bare URLs in their text linked."""
    text = "".join(token.content for token in run)
    if "://" not in text:
        return run
    level, escaped, at = run[0].level, set[int](), 0
    for token in run:
        if token.type == "escaped_at":
            escaped.add(at)
        at += len(token.content)
    tokens: list[Token] = []
    position = 0
    for match in _BARE_URL.finditer(text):
        url = _trim(match[0])
        href = md.normalizeLink(url)
        if not url.partition("://")[2] or not md.validateLink(href):
            continue
        tokens += [*_unlinked(text, escaped, position, match.start(), level),
                   Token("link_open", "a", 1, attrs={"href": href}, markup="linkify", info="auto", level=level),
                   _text(url, level + 1),  # as typed: decoding xn-- would show look-alikes
                   Token("link_close", "a", -1, markup="linkify", info="auto", level=level)]
        position = match.start() + len(url)
    return tokens + _unlinked(text, escaped, position, len(text), level)


def _unlinked(text: str, escaped: set[int], start: int, end: int, level: int) -> list[Token]:
    """text[start:end] as tokens again: text, and each escaped "@" (at a position in `escaped`) its own token."""
    tokens: list[Token] = []
    position = start
    for at in sorted(at for at in escaped if start <= at < end):
        tokens += [_text(text[position:at], level), Token("escaped_at", "", 0, content="@", level=level)]
        position = at + 1
    return tokens + [_text(text[position:end], level)]


def _names(word: str, room: int) -> list[tuple[str, int]]:
    """The usernames an @word may name, longest first, each with how many of its characters it takes: the word up
    to each of its first NAME_ENDS_MAX . + - and the whole word, within its first `room` characters, never a name
    an "@" follows ("@first.last@uni.edu" is an address, naming no "first"), NFKC as a login form reads one."""
    after_ats = word.rfind("@") + 1
    ends = [k for k in range(max(1, after_ats), min(len(word), room + 1, NAME_MAX + 1)) if word[k] in _NAME_ENDS]
    ends = ends[:NAME_ENDS_MAX] + ([len(word)] if len(word) <= min(room, NAME_MAX) else [])
    return [(unicodedata.normalize("NFKC", word[:k]), k) for k in reversed(sorted(set(ends)))]


def _link_mentions(tokens: list[Token], env: dict[str, Any]) -> list[Token]:
    """A parse's tokens with @mentions linked, in a pass after the parse (which bare links came before: a parse is
    kept, its names looked up, then rendered with the people found): each of the first MENTIONS_MAX distinct @words
    in text names the longest of its names (_names) in env["people"], linked to their profile (an absolute address
    under env["root"] when given: mail); env["names"] gets every name those words may name (what to look up),
    env["mentions"] the people named, in order. The tokens given stay as they were (a block with a mention is a new
    one), so one parse renders again with other people or another root."""
    words: list[str] = []
    names: set[str] = env.setdefault("names", set())
    named: list[str] = env.setdefault("mentions", [])
    people, root = env.get("people", frozenset()), env.get("root", "")
    linked: list[Token] = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            linked.append(block)
            continue
        children: list[Token] = []
        in_link = 0
        for i, token in enumerate(block.children):
            in_link += (token.type == "link_open") - (token.type == "link_close")
            if token.type != "text" or in_link or "@" not in token.content:
                children.append(token)
                continue
            text, position = token.content, 0
            # an escaped "@" beside the text is still an "@" to a word's bounds: "\@@ann" names no one, as "@@ann",
            # and "@cy\@x" no one, as "@cy@x" names no cy (the escape is no part of a name: _names' room)
            siblings = block.children
            before = "@" if i > 0 and siblings[i - 1].type == "escaped_at" else ""
            after = "@" if i + 1 < len(siblings) and siblings[i + 1].type == "escaped_at" else ""
            for match in _MENTION.finditer(before + text + after, len(before)):
                start = match.start() - len(before)
                word = match[1][:len(text) - start - 1]
                if word not in words:
                    if len(words) >= MENTIONS_MAX:
                        continue
                    words.append(word)
                candidates = _names(match[1], len(text) - start - 1)
                names.update(name for name, _ in candidates)
                found = next(((name, k) for name, k in candidates if name in people), None)
                if found is None:
                    continue
                name, end = found[0], start + 1 + found[1]
                if name not in named:
                    named.append(name)
                children += [_text(text[position:start], token.level),
                             Token("link_open", "a", 1, attrs={"href": _profile(name, root)},
                                   markup="mention", level=token.level),
                             _text(text[start:end], token.level + 1),
                             Token("link_close", "a", -1, markup="mention", level=token.level)]
                position = end
            children.append(_text(text[position:], token.level))
        linked.append(block.copy(children=[child for child in children if child.type != "text" or child.content]))
    return linked


def _profile(name: str, root: str) -> str:
    return link(root, "profile", name) if root else reverse("profile", args=[name])


def absolute_links(tokens: list[Token], root: str) -> list[Token]:
    """A parse's tokens with, under `root` (mail), a relative link's address made absolute, as a browser on the hub's
    pages would follow it: a mail has no page for it to be relative to. The tokens given stay as they were (a kept
    parse renders again for a page)."""
    if not root:
        return tokens
    return [block.copy(children=[_absolute(token, root) for token in block.children]) if block.children else block
            for block in tokens]


def _absolute(token: Token, root: str) -> Token:
    href = str(token.attrGet("href") or "") if token.type == "link_open" else ""
    if not href or _SCHEME.match(href):
        return token
    return token.copy(attrs={**token.attrs, "href": urljoin(root + "/", href)})


def _text(content: str, level: int) -> Token:
    return Token("text", "", 0, content=content, level=level)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The comment Markdown parser (CommonMark's subset for comments, with $math$), made once."""
    # html off: "<script>" in a comment is shown as text; images and headings are not in the subset.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}) \
        .disable(["image", "heading", "lheading", "hr", "table"], ignoreInvalid=True)
    md.inline.ruler.before("escape", "math", _math_rule)  # before escapes: "\(" would become "("
    md.add_render_rule("math_inline", _render_math)
    md.inline.ruler.before("escape", "escaped_at", _escaped_at_rule)
    md.add_render_rule("escaped_at", _render_escaped_at)
    # bare links before mentions (_link_mentions, after the parse): https://example.org/@ann names no one
    md.core.ruler.push("bare_links", _link_bare_urls)
    return md


@dataclass(frozen=True)
class Parsed:
    """A comment's Markdown parsed once (math and bare links found, @mentions not linked yet) and every username its
    @words may name: look those up (community.named), then render it and read whom it names without a second parse."""

    tokens: list[Token]
    names: frozenset[str]


def parse_comment(body: str) -> Parsed:
    """A comment's one parse (render_parsed renders it, named_in reads its mentions)."""
    tokens = parser().parse(body or "", {})
    env: dict[str, Any] = {}
    if "@" in (body or ""):  # most comments: no names to find
        _link_mentions(tokens, env)
    return Parsed(tokens, frozenset(env.get("names", ())))


def mention_names(body: str) -> set[str]:
    """Every username a comment's @words may name (its first MENTIONS_MAX distinct ones): what to look up to know
    whom it mentions (community.named.people_named)."""
    return set(parse_comment(body).names) if "@" in (body or "") else set()  # no parse without @


def mentions(body: str, people: frozenset[str]) -> list[str]:
    """The users of `people` (the users that exist among mention_names) a comment @mentions, in order."""
    return named_in(parse_comment(body), people) if "@" in (body or "") else []


def named_in(parsed: Parsed, people: frozenset[str]) -> list[str]:
    """The users of `people` a parsed comment @mentions, in order."""
    env: dict[str, Any] = {"people": people}
    _link_mentions(parsed.tokens, env)
    return list(env["mentions"])


def render_comment(body: str, people: frozenset[str] = frozenset(), root: str = "") -> SafeString:
    """A comment's Markdown as HTML that cannot run script or load anything; an @mention of a name in `people` (the
    users that exist, community.named.people_named) links to their profile, it and every relative link under `root`
    (core.addresses.hub_root: mail's absolute links) when given."""
    return render_parsed(parse_comment(body), people, root)


def render_parsed(parsed: Parsed, people: frozenset[str] = frozenset(), root: str = "") -> SafeString:
    """render_comment of a comment parsed already (parse_comment), its names looked up since."""
    env: dict[str, Any] = {"people": people, "root": root}
    tokens = _link_mentions(parsed.tokens, env) if parsed.names & people else parsed.tokens  # else none links
    tokens = absolute_links(tokens, root)
    html = parser().renderer.render(tokens, parser().options, env)
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, allowed_classes=CLASSES,
                      url_schemes=URL_SCHEMES, link_rel=LINK_REL)
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)
