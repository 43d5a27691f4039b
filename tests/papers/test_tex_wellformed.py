"""The TeX renderer's HTML is marked safe with no sanitiser after it: whatever a title or abstract holds, the
output must parse back into only the renderer's own tags, with only the attribute it writes, and text whose every
"<" and ">" is escaped. Combining marks are the sharp case: composed (NFC) with a tag's ">" they made "≯"."""

import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperhub.papers.links import LINK_REL
from paperhub.papers.tex import math_html, render_abstract, render_tex
from paperhub.papers.texspans import _OPENERS, spans
from paperhub.papers.textrender import _ADDRESS, _BRACE_OR_ESCAPE, _text_braces, web_addresses
from tests.hostile.payloads import CONTROL, IMG, SCRIPT, SVG
from tests.papers.test_tex import HOSTILE

ALLOWED = {"sup": [], "sub": [], "i": [], "b": [], "em": [], "strong": [], "code": [], "p": [],
           "span": [("class", "math")]}
MARKS = ["\u0338", "\u0300", "\u0301", "\u0302", "\u0308", "\u0327", "\u0345", "\u036f"]
# Every kind of construct whose output ends in a tag, an entity or a mark, for a combining mark to follow.
CONSTRUCTS = ["x^{a}", "x_{a}", "x^a", "\\hat{x}", "\\hat{ab}", "\\bar{x^{2}}", "\\not", "\\not=", "\\overline{AB}",
              "\\mathbb{R}", "\\mathbf{v}", "\\mathit{x}", "\\boldsymbol{x^{a}}", "\\frac{a}{b}", "\\sqrt[3]{x}",
              "\\sqrt{x_{i}}", "\\log", "\\operatorname{arg}", "\\begin{pmatrix}a&b\\\\c\\end{pmatrix}", "\\text{a}",
              "\\left(", "\\alpha", "<", ">", "&", '"', "'", "&lt;", "\\vec{x^{<}}", "\\hat{x^{"]
PIECES = [*CONSTRUCTS, *MARKS, "$", "$$", "\\(", "\\)", "{", "}", "^", "_", "\\", " ", "\n\n", "\\emph{",
          "\\textbf{", "\\textsuperscript{", "\\texttt{", "{\\em ", "\\'e", '\\"{o}', "~", "--", "``", "\\cite{k}",
          " onmouseover=alert(1) ", "=", SCRIPT, IMG, SVG, "\\href{https://a.b/\"<x>'}{", "\\url{http://a/",
          "\\href{javascript:alert(1)}{", "\\url{https://a}"]


class _Checked(HTMLParser):
    """Fails on anything but the renderer's tags, properly nested, and text with no raw "<" or ">"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":  # a link: to a web address, marked as someone else's, never inside another
            assert [name for name, _ in attrs] == ["href", "rel"] and attrs[1][1] == LINK_REL, attrs
            assert attrs[0][1].startswith(("http://", "https://")) and "a" not in self.open, attrs
        else:
            assert ALLOWED.get(tag) == attrs, (tag, attrs)
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data):
        assert "<" not in data and ">" not in data, data

    def handle_startendtag(self, tag, attrs):
        raise AssertionError(tag)

    def handle_comment(self, data):
        raise AssertionError(data)

    def handle_decl(self, decl):
        raise AssertionError(decl)

    def handle_pi(self, data):
        raise AssertionError(data)

    def unknown_decl(self, data):
        raise AssertionError(data)


def assert_well_formed(html: str) -> None:
    """`html` is only the renderer's tags, balanced, around escaped text."""
    parser = _Checked()
    parser.feed(html)
    parser.close()
    assert not parser.open and not parser.rawdata, (parser.open, parser.rawdata)


def assert_renders_well_formed(text: str) -> None:
    """Every HTML the renderer makes of `text` is well formed, and stays so when composed (NFC) later."""
    for html in (render_tex(text), render_abstract(text), f'<span class="math">{math_html(text)}</span>'):
        assert_well_formed(html)
        assert_well_formed(unicodedata.normalize("NFC", html))


def test_the_checker_refuses_what_the_bug_made():
    assert_well_formed('<p><span class="math">x\u0302<sup>\u0338 on</sup> &lt;&gt;&amp;</span></p>')
    for broken in ('<span class="math">x<sup\u226f on=1 x</sup></span>', "<sup>a</sup", "a > b", "<i>a",
                   "<span>a</span>", '<b onmouseover="x">a</b>', "<img src=x>", "<!-- a -->",
                   f'<a href="javascript:x" rel="{LINK_REL}">a</a>', '<a href="https://a">a</a>'):
        with pytest.raises(AssertionError):
            assert_well_formed(broken)


def test_a_combining_mark_after_any_construct_never_joins_a_tag():
    for construct in CONSTRUCTS:
        for mark in MARKS:
            for text in (f"${construct}{mark} onmouseover=alert(1) x$", f"$\\hat{{{construct}{mark} x}}$",
                         f"$\\hat{{x^{{{mark} onmouseover=alert(1) x}}}}$", f"$\\overline{{{construct}{mark}}}$",
                         f"\\emph{{{construct}}}{mark} x", f"$x$\\textbf{{${construct}{mark}$}}{mark}"):
                assert_renders_well_formed(text)


def test_the_reported_input_keeps_its_tag_and_its_text():
    html = render_tex("$\\hat{x^{\u0338 onmouseover=alert(1) x}}$")
    assert_well_formed(html)
    assert html.startswith('<span class="math">x\u0302<sup>&#x338; ') and "\u226f" not in html


@pytest.mark.parametrize("text", ["\u0300\u0338", "$x^{\u0300\u0345\u0338 onmouseover=alert(1)}$",
                                  "\\emph{a}\u0301\u0338 x"])
def test_an_overlay_later_in_a_run_of_marks_never_joins_a_tag(text):
    # NFC sorts a run of marks by class: U+0338 (class 1) moves next to the tag's ">" and composes with it
    assert_renders_well_formed(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.characters(min_codepoint=0x300, max_codepoint=0x36F)
                | st.characters(codec="utf-8"), max_size=40).map("".join))
def test_any_text_renders_as_well_formed_html(text):
    assert_renders_well_formed(text)


# The renderer's slow inputs of old, cut short: their shapes matter here, their length only for time.
@pytest.mark.parametrize("text", [
    *(text[:3000] for text in HOSTILE.values()), SCRIPT, IMG, SVG, CONTROL,
    f"Attention {SCRIPT} is all {IMG} you need $x{SVG}$",
    f"We show $\\href{{javascript:alert(1)}}{{x}}$ and {SCRIPT} and $<img src=x onerror=alert(1)>$"
    f" \\textbf{{{IMG}}} with \\url{{javascript:alert(2)}}.",
    f"${SCRIPT}$ \\({IMG}\\) $$\\text{{{SVG}}}$$ [$x$](javascript:alert(3))",
], ids=lambda text: ascii(text[:30]))
def test_the_hostile_corpus_renders_as_well_formed_html(text):
    assert_renders_well_formed(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["://", "www.", "WWW.", "Www.", "ww.", "http", "FTP:", "/", "a", "x-y", " ", "$", "{",
                                 "\\url{", ":", ".", "~", "İ"]), max_size=14))
def test_web_addresses_are_sought_only_where_one_can_be(pieces):
    """The renderer looks for web addresses only in a text holding "://" or "www." (the search tried every word's
    start: a quarter of rendering a card's texts): it finds every one the pattern finds."""
    text = "".join(pieces)
    assert web_addresses(text) == [(m.start(), m.end()) for m in _ADDRESS.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["$", "$$", "\\$", "\\(", "\\)", "(", "\\", "{", "}", "\\{", "a", " ", "x^2"]),
                max_size=14))
def test_math_and_braces_are_sought_only_where_one_can_be(pieces):
    """spans() and the brace pairing return at once for a text without "$" or "\\(" (no math can open) or without
    "{" (nothing to pair): what the scans would have found there is nothing."""
    text = "".join(pieces)
    if "$" not in text and "\\(" not in text:
        assert _OPENERS.search(text) is None and list(spans(text)) == []
    if "{" not in text:
        math = {start: (low, high, end) for start, low, high, end in spans(text)}
        assert _text_braces(text, math) == {}
        assert all(found[0] != "{" for found in _BRACE_OR_ESCAPE.finditer(text))
