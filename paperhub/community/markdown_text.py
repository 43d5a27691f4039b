"""Comment and note Markdown as plain text, for mail's text part (markdown.py parses it and renders the HTML)."""

from collections.abc import Sequence
from html import escape

import nh3
from markdown_it.token import Token

from paperhub.community.markdown import URL_SCHEMES, Parsed, absolute_links, parser
from paperhub.papers.records import strip_controls
from paperhub.papers.tex import math_text


def markdown_text(body: str, root: str = "") -> str:
    """A comment's or note's Markdown as plain text, for mail's text part: paragraphs and list items as lines
    (items marked "- " or "1. ", quotes "> "), emphasis markers dropped, code as typed, math as Unicode, a link as
    "text <address>" (its address alone when that is its text; relative ones under `root`, mail's hub_root; other
    schemes than http(s) and mailto: the text alone), @mentions as typed. Linear in the body's length (markdown-it
    nests at most maxNesting deep)."""
    return _tokens_text(parser().parse(strip_controls(body or ""), {}), root)


def parsed_text(parsed: Parsed, root: str = "") -> str:
    """markdown_text of a comment parsed already (markdown.parse_comment of its stored, control-free body)."""
    return _tokens_text(parsed.tokens, root)


def _tokens_text(tokens: list[Token], root: str) -> str:
    """A parse's tokens as markdown_text writes them."""
    lines: list[str] = []
    marks: list[list[str]] = []  # each open quote's and list item's [mark of its next line, mark of later lines]
    numbers: list[int | None] = []  # each open list's next item number, None for a bullet list
    opened = True  # a container was just opened (or nothing written yet): its first block needs no blank line
    for token in absolute_links(tokens, root):
        kind = token.type
        starts_block = kind in ("paragraph_open", "code_block", "fence", "blockquote_open") or \
            (kind in ("bullet_list_open", "ordered_list_open") and not numbers)
        if starts_block and not token.hidden and not opened:
            lines.append("".join(mark[1] for mark in marks).rstrip())
        if starts_block:
            opened = False
        if kind in ("bullet_list_open", "ordered_list_open"):
            numbers.append(int(token.attrGet("start") or 1) if kind == "ordered_list_open" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
        elif kind == "list_item_open":
            number = numbers[-1]
            mark = "- " if number is None else f"{number}{token.markup} "
            numbers[-1] = None if number is None else number + 1
            marks.append([mark, " " * len(mark)])
            opened = True
        elif kind == "blockquote_open":
            marks.append(["> ", "> "])
            opened = True
        elif kind in ("list_item_close", "blockquote_close"):
            marks.pop()
        elif kind == "inline":
            _write(lines, marks, _inline_text(token.children or []))
        elif kind == "fence":
            _write(lines, marks, f"{token.markup}{token.info}\n{token.content}{token.markup}")
        elif kind == "code_block":
            _write(lines, marks, "".join(f"    {line}\n" for line in token.content.splitlines()).rstrip("\n"))
    return "\n".join(lines)


def _write(lines: list[str], marks: list[list[str]], text: str) -> None:
    """Append a block's lines, each after its containers' marks (a list item's marker on its first line only)."""
    for line in text.split("\n"):
        lines.append(("".join(mark[0] for mark in marks) + line).rstrip())
        for mark in marks:
            mark[0] = mark[1]


def _inline_text(children: Sequence[Token]) -> str:
    """A paragraph's inline tokens as plain text (_plain_link for each link's end)."""
    out: list[str] = []
    link_at, href = 0, ""
    for token in children:
        if token.type in ("text", "escaped_at"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif token.type == "code_inline":
            out.append(f"{token.markup}{token.content}{token.markup}")
        elif token.type == "math_inline":
            out.append(math_text(token.content))
        elif token.type == "link_open":
            link_at, href = len(out), "" if token.markup == "mention" else str(token.attrGet("href") or "")
        elif token.type == "link_close" and href:
            out[link_at:] = [_plain_link("".join(out[link_at:]), href)]
    return "".join(out)


def _plain_link(text: str, href: str) -> str:
    """A link as plain text: "text <address>", the address alone when it is the text (a bare or <auto> link); the
    text alone for an address the page's sanitiser drops (another scheme, one no URL parser reads)."""
    kept = nh3.clean(f'<a href="{escape(href)}"></a>', tags={"a"}, attributes={"a": {"href"}},
                     url_schemes=URL_SCHEMES, link_rel=None)
    if "href=" not in kept:
        return text
    if not text.strip():
        return href
    return text if text in (href, href.removeprefix("mailto:")) else f"{text} <{href}>"
