"""Comment and note Markdown as plain text, what mail's text part shows (community.markdown_text.markdown_text)."""

import time

import pytest

from paperhub.community.markdown import render_comment
from paperhub.community.markdown_text import markdown_text

ROOT = "https://hub.example/lab"


def test_paragraphs_and_lines_stay_and_emphasis_markers_go():
    assert markdown_text("Read **§3** _first_,\nthen *skim* ***all***.\n\nSecond  \nparagraph.") == \
        "Read §3 first,\nthen skim all.\n\nSecond\nparagraph."


def test_lists_and_quotes_keep_their_marks_and_lines():
    body = "Read:\n\n3. one\n4. two\n\n   more of two\n- a\n  - nested *b*\n- c\n\n> quoted **bold**\n> and on"
    assert markdown_text(body) == ("Read:\n\n3. one\n4. two\n\n   more of two\n\n- a\n  - nested b\n- c\n\n"
                                   "> quoted bold\n> and on")
    assert markdown_text("1) x\n2) y") == "1) x\n2) y"


def test_code_and_escapes_stay_as_written_and_math_is_unicode():
    body = "Use `x*y*` and \\*this\\*\n\n```py\ndef f(): return *x*\n```\n\n    indented *code*\n\n$x^2 + \\alpha$"
    assert markdown_text(body) == ("Use `x*y*` and *this*\n\n```py\ndef f(): return *x*\n```\n\n"
                                   "    indented *code*\n\nx² + α")


@pytest.mark.parametrize(("body", "text"), [
    ("see [the paper](https://arxiv.org/abs/2601.00001).", "see the paper <https://arxiv.org/abs/2601.00001>."),
    ("see [it](/papers/2601.00001)", "see it <https://hub.example/papers/2601.00001>"),  # as a browser follows it
    ("see https://e.org/a_(b) and <https://e.org/c>", "see https://e.org/a_(b) and https://e.org/c"),
    ("[https://e.org/x](https://e.org/x)", "https://e.org/x"),
    ("[](https://e.org/x)", "https://e.org/x"),
    ("<ann@e.org> or [mail](mailto:ann@e.org)", "ann@e.org or mail <mailto:ann@e.org>"),
    ("[**bold** `code`](https://e.org)", "bold `code` <https://e.org>"),
    ("[a b](https://e.org/a b)", "[a b](https://e.org/a b)"),  # no link in Markdown: the text as typed
])
def test_a_link_is_its_text_and_its_absolute_address_once(body, text):
    assert markdown_text(body, ROOT) == text


def test_mentions_stay_as_typed():
    assert markdown_text("Ask @ann. and \\@bob, `@cy`") == "Ask @ann. and @bob, `@cy`"


@pytest.mark.parametrize(("body", "text"), [
    ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),  # no link in Markdown: as the page shows it
    ("[click](JAVASCRIPT:alert(1))", "[click](JAVASCRIPT:alert(1))"),
    ("<javascript:alert(1)>", "<javascript:alert(1)>"),
    ("[click](data:text/html;base64,PHNjcmlwdD4=)", "[click](data:text/html;base64,PHNjcmlwdD4=)"),
    ("[click](file:///etc/passwd)", "[click](file:///etc/passwd)"),
    ("[click](ftp://e.org/x)", "click"),  # a link, but not one the page's HTML keeps (nh3's schemes)
    ("[click](tel:123) <irc://e.org/x>", "click irc://e.org/x"),
    ("[x](https://e.org\u202e/moc.live)", "x"),  # an address the page's sanitiser drops is not shown in the text
])
def test_a_link_to_another_scheme_gives_no_address(body, text):
    assert markdown_text(body, ROOT) == text


def test_control_bytes_go_and_tabs_and_lines_stay():
    text = markdown_text("a\x00b\x1b[31mred\x07 **x**\x85\x7f\tc\r\nd", ROOT)
    assert text == "ab[31mred x\tc\nd" and not any(ord(c) < 32 and c not in "\t\n" for c in text)


@pytest.mark.parametrize("body", [
    "[" * 10_000, "[" * 5_000 + "]" * 5_000, "[a](" * 2_500, "> " * 5_000 + "x", "- " * 5_000 + "x",
    "1. " * 3_333, "*a" * 5_000, "`" * 10_000, "$x" * 5_000, "\\(" * 5_000, "@a " * 3_333, "x\n" * 5_000,
    ("> - " * 10 + "x\n") * 250, "<" * 10_000,
])
def test_hostile_bodies_stay_linear(body):
    started = time.perf_counter()
    text = markdown_text(body, ROOT)
    assert time.perf_counter() - started < 2, body[:10]
    assert len(text) <= 3 * len(body)  # nesting is bounded (markdown-it's maxNesting): so is each line's marks


def test_a_relative_link_is_made_absolute_under_the_root_in_html_too_and_only_there():
    body = "[a](/papers/x#s) [b](c?d=1) [e](https://e.org/f) @ann"
    assert 'href="https://hub.example/papers/x#s"' in (html := str(render_comment(body, frozenset({"ann"}), ROOT)))
    assert 'href="https://hub.example/lab/c?d=1"' in html and 'href="https://e.org/f"' in html
    assert 'href="https://hub.example/lab/users/ann"' in html
    assert 'href="/papers/x#s"' in str(render_comment(body))  # on the hub's own pages: as written
