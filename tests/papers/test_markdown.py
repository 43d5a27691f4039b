"""A paper as Markdown (papers/markdown.py): stored text shown as itself, math kept, nothing live but our links."""

import re
from datetime import date
from html import unescape

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from paperhub.papers.markdown import PaperSheet, Similar, inline, paragraphs, render
from paperhub.papers.tex import plain_text

# A renderer that passes raw HTML through, as many do: what our Markdown must never use.
PERMISSIVE = MarkdownIt("commonmark", {"html": True})


def _html(markdown: str) -> str:
    return PERMISSIVE.render(markdown)


def _hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*)"', html)


def sheet(**fields) -> PaperSheet:
    return PaperSheet(**{"uid": "2611.00001", "title": "A title", "url": "http://hub.test/papers/2611.00001", **fields})


def test_a_full_sheet_has_every_part_in_order():
    text = render(
        sheet(
            title="Sparse attention",
            authors=["Ada Lovelace", "Alan Turing"],
            published=date(2026, 11, 22),
            updated=date(2026, 11, 24),
            version=2,
            categories=["cs.CL", "cs.LG"],
            abs_url="https://arxiv.org/abs/2611.00001",
            pdf_url="https://arxiv.org/pdf/2611.00001",
            code_url="https://github.com/ada/sparse",
            project_url="https://ada.github.io/sparse/",
            upvotes=3,
            keywords=["sparse attention", "long documents"],
            summary="We propose sparse attention.",
            abstract="Long documents are long.\n\nWe propose sparse attention.",
            similar=[Similar("2611.00002", "Dense retrieval", "http://hub.test/papers/2611.00002", date(2026, 11, 21))],
        )
    )
    assert text.startswith("# Sparse attention\n\n- **Authors:** Ada Lovelace, Alan Turing\n")
    assert "- **Published:** 2026-11-22 · **Updated:** 2026-11-24 · **Version:** v2\n" in text
    assert "- **Categories:** cs.CL, cs.LG\n- **Upvotes:** 3\n" in text
    assert (
        "- **Links:** [arXiv](https://arxiv.org/abs/2611.00001) · [PDF](https://arxiv.org/pdf/2611.00001) · "
        "[Code](https://github.com/ada/sparse) · [Project page](https://ada.github.io/sparse/) · "
        "[paperhub](http://hub.test/papers/2611.00001)\n"
    ) in text
    assert "- **Keywords:** sparse attention, long documents\n" in text
    assert "- **Summary (extracted from the abstract):** We propose sparse attention.\n" in text
    assert "\n\n## Abstract\n\nLong documents are long.\n\nWe propose sparse attention.\n\n" in text
    assert text.endswith(
        "## Similar papers\n\n- Dense retrieval ([2611.00002](http://hub.test/papers/2611.00002), 2026-11-21)\n"
    )


def test_missing_fields_leave_no_empty_lines_or_labels():
    text = render(
        PaperSheet(
            uid="doi:10.1/x", title="", url="http://hub.test/papers/doi:10.1/x", abs_url="https://doi.org/10.1/x"
        )
    )
    assert text == (
        "# doi:10.1/x\n\n- **Upvotes:** 0\n"
        "- **Links:** [DOI](https://doi.org/10.1/x) · [paperhub](http://hub.test/papers/doi:10.1/x)\n"
    )
    assert "Abstract" not in text and "Similar" not in text and "Authors" not in text


def test_math_is_kept_as_dollars_and_other_delimiters_become_them():
    assert inline(r"Error $O(n^2)$ with \(\alpha_{t+1}\)") == r"Error $O(n^2)$ with $\alpha_{t+1}$"
    assert inline(r"Sum $$\sum_i x_i$$ here") == r"Sum $$\sum_i x_i$$ here"
    assert inline("$x < y$ and $a>b$") == r"$x \lt  y$ and $a\gt b$"


def test_text_latex_becomes_what_it_shows_and_long_math_stays_text():
    assert inline(r"M{\"u}ller's \emph{new} 10\% gain, \textbf{bold}") == "Müller's *new* 10% gain, **bold**"
    long = "$" + "x" * 1001 + "$"
    assert inline(long) == "\\$" + "x" * 1001 + "\\$"


def test_text_mode_latex_is_rendered_by_the_pages_pass():
    """The audit: \\textsc, \\cite, \\%, ~ and -- showed raw; tex.py's text-mode pass now writes Markdown."""
    stored = r"\textsc{DiARC}: {\em fast} \texttt{x_y} at 50\% -- ``see''~Fig.~3 (\cite{a}) \url{http://a.org/~me}"
    assert inline(stored) == r"DiARC: *fast* x\_y at 50% – “see” Fig. 3 http://a.org/\~me"
    # spaces go outside the marks ("** bold **" is no emphasis); \texttt is no code span, where "\_" shows as is
    assert inline(r"\textbf{ bold } and \emph{} $\alpha$ \textsubscript{ab}") == r"**bold**  and  $\alpha$ \_(ab)"
    assert _html(inline(r"\textbf{\emph{both}} x")) == "<p><em><strong>both</strong></em> x</p>\n"  # ***both***


def test_emphasis_that_stars_cannot_mark_is_written_as_tags():
    """A star between a letter and punctuation is no emphasis in CommonMark: "a*(x)*b" showed its stars."""
    assert inline(r"a\emph{(x)}b") == "a<em>(x)</em>b"
    assert _html(inline(r"a\emph{(x)}b")) == "<p>a<em>(x)</em>b</p>\n"
    assert inline(r"a\textbf{(x)}b") == "a<strong>(x)</strong>b"
    assert inline(r"a\emph{$x$}b \textit{\_}c \emph{\_} c") == r"a<em>$x$</em>b <em>\_</em>c *\_* c"
    assert _html(inline(r"x\emph{\_}b")) == "<p>x<em>_</em>b</p>\n"
    # where stars read as emphasis they stay
    assert inline(r"a \emph{(x)} b, a\emph{x}b (\textbf{x}).") == "a *(x)* b, a*x*b (**x**)."


def test_emphasis_keeps_spaces_outside_and_empty_emphasis_goes():
    assert inline(r"a\emph{ x }b \textbf{\emph{ y} }z") == "a *x* b  ***y*** z"
    assert inline(r"a\emph{}b \textbf{ } \emph{\textbf{}}c") == "ab   c"
    assert _html(inline(r"a\emph{ x }b")) == "<p>a <em>x</em> b</p>\n"


def test_nested_emphasis_reads_as_latex_sets_it():
    """\\emph in italics is upright again; "*a *b* c*" read all italic, and \\emph{\\emph{x}} as "**x**", bold."""
    for text in (r"\emph{a \emph{b} c}", r"{\em a {\em b} c}", r"\textit{a \emph{b} c}"):
        assert inline(text) == "*a* b *c*", text
    assert inline(r"\emph{\emph{x}} \emph{a \textit{b} c} \textbf{\textbf{y}}") == "x *a b c* **y**"
    assert inline(r"\textbf{\emph{x}}") == inline(r"\emph{\textbf{x}}") == "***x***"
    assert inline(r"\emph{a \textbf{b} c}") == "*a* ***b*** *c*"
    assert _html(inline(r"\emph{a \textbf{b} c}")) == "<p><em>a</em> <em><strong>b</strong></em> <em>c</em></p>\n"


def test_emphasis_side_by_side_joins_or_is_written_as_tags():
    """Stars against stars make one run: "*x**y*" showed its middle "**"."""
    assert inline(r"\emph{x}\emph{y} \textbf{x}{\bf y}") == "*xy* **xy**"
    assert inline(r"\emph{x}\textbf{y}") == "*x*<strong>y</strong>"
    assert _html(inline(r"\emph{x}\textbf{y}")) == "<p><em>x</em><strong>y</strong></p>\n"


EMPHASIS = st.sampled_from(
    ["\\emph{", "\\textbf{", "\\textit{", "{\\em ", "{\\bf ", "}", "}", *"a (.*_!", "\\_", "$x$", "é", "©"]
)


@given(st.lists(EMPHASIS, max_size=20).map("".join))
def test_emphasis_shows_no_star_the_text_does_not_hold(text):
    html = _html(inline(text))
    assert re.search(r"<(?!/?(p|em|strong)>)", html) is None, html
    assert unescape(re.sub(r"</?(p|em|strong)>", "", html)).count("*") == plain_text(text).count("*"), html


def test_a_textual_citation_leaves_its_key_and_a_parenthetical_one_goes():
    text = r"As shown by~\citet{smith2020} and \citeauthor{a_b, c} [1], graphs help~\citep{d}."
    assert inline(text) == r"As shown by Smith (2020) and \[a\_b, c\] \[1\], graphs help."
    assert _html(inline(text)) == "<p>As shown by Smith (2020) and [a_b, c] [1], graphs help.</p>\n"


def test_text_rendered_in_pieces_joins_into_no_link_or_entity():
    # A dropped citation took the "~" of an escaped "\\~" with it, and the backslash left escaped the next "\\[".
    assert _hrefs(_html(inline(r"a ~\cite{x}[evil ~\cite{y}](http://e.test)"))) == []
    # "\\-" prints nothing: "&" and "lt;" escaped apart must not make "&lt;" once joined.
    assert _html(inline(r"&\-lt;b&\-gt;")) == "<p>&amp;lt;b&amp;gt;</p>\n"
    # spaces that LaTeX prints, first on a line, make no code block and let no "-" begin a list
    assert _html(inline(r"\ \ \ \ code")) == "<p>code</p>\n" and _html(inline(r"\, - item")) == "<p>- item</p>\n"


LATEX = st.sampled_from([*"{}~-`'\\<>&*_[]()!#: \nab1.", "\\emph{", "{\\bf ", "\\textbf{", "\\texttt{", "\\citet{",
                         "\\cite{", "\\url{", "\\-", "\\%", "--", "](", "&lt;", "http://x"])


@given(st.lists(LATEX, max_size=30).map("".join))
def test_markdown_shows_what_plain_text_shows_but_for_emphasis(text):
    """Escaping keeps stored text inert: rendered, the Markdown reads as the page's plain text, emphasis aside."""
    html = _html(inline(text))
    assert re.search(r"<(?!/?(p|em|strong)>)", html) is None, html
    shown = unescape(re.sub(r"</?(p|em|strong)>", "", html)).replace("*", "")
    assert shown.split() == plain_text(" ".join(text.split())).replace("*", "").split()


def test_white_space_and_control_characters_are_cleaned_and_paragraphs_kept():
    assert inline("A\x00 title\x1b[31m\n  wrapped\x7f") == "A title\\[31m wrapped"
    assert paragraphs("First\nline.\n\n \n\nSecond.") == ["First line.", "Second."]
    assert paragraphs("") == []


def test_markdown_in_stored_text_is_shown_as_text():
    for stored in (
        "**bold** _it_ `code` ~~gone~~",
        "[x](javascript:alert(1))",
        "![i](http://x/i.png)",
        "<b>bold</b> &lt;",
        "<http://auto.link>",
        "# heading #",
    ):
        html = _html(inline(stored))
        shown = plain_text(stored)  # as the page shows it: "~~gone~~" holds two LaTeX ties
        assert html == f"<p>{shown.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</p>\n", stored


def test_a_paragraph_that_looks_like_a_block_stays_a_paragraph():
    for stored in ("- item", "+ item", "1. first", "2) second", "-----", "=== x", "> quote", "    code"):  # "---": a dash
        html = _html(inline(stored))
        assert html == f"<p>{stored.strip().replace('>', '&gt;')}</p>\n", stored


def test_hostile_fields_produce_no_html_and_no_link_but_ours():
    danger = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    text = render(
        sheet(
            title=f"T {danger} $[a](javascript:alert(2))$ $<img src=x>$",
            authors=[f"Eve {danger}"],
            categories=[danger],
            code_url="javascript:alert(1)",
            project_url="data:text/html,<script>x</script>",
            keywords=[danger],
            summary=danger,
            abstract=f"$\\href{{javascript:alert(1)}}{{x}}$ {danger}",
            similar=[Similar(f"2611.0000{danger}", danger, "javascript:alert(3)")],
        )
    )
    html = _html(text)
    assert "<script" not in html and "<img" not in html
    assert _hrefs(html) == ["http://hub.test/papers/2611.00001"]
    assert "javascript:alert(1)" in html  # shown as text, not dropped silently
    assert "\\href" not in text


def test_link_destinations_are_encoded():
    text = render(sheet(project_url="https://x.test/a b(c)<d>"))
    assert "[Project page](https://x.test/a%20b%28c%29%3Cd%3E)" in text
    assert _hrefs(_html(text))[0] == "https://x.test/a%20b%28c%29%3Cd%3E"


# Pieces of Markdown, LaTeX and HTML, so that random titles hit the interesting cases.
TOKENS = st.sampled_from(
    [*"$\\[]()<>*_`&#;!:- \nabj1.", "javascript:", "](", "<img ", "\\(", "\\)", "$$", "&lt;", "http://x"]
)


@given(st.one_of(st.text(max_size=60), st.lists(TOKENS, max_size=25).map("".join)))
def test_any_title_renders_as_one_heading_without_html(title):
    html = _html(render(sheet(title=title, abstract=title)))
    assert html.count("<h1>") == 1 and "<h1>" in html.split("\n")[0]
    assert re.search(r"<(?!/?(h1|h2|p|ul|li|strong|em|code|a|br)\b)[a-z]", html) is None, html
    assert set(_hrefs(html)) == {"http://hub.test/papers/2611.00001"}
