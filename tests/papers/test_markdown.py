"""A paper as Markdown (papers/markdown.py): stored text shown as itself, math kept, nothing live but our links."""

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from paperhub.papers.markdown import PaperSheet, Similar, inline, paragraphs, render

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
    assert inline(r"M{\"u}ller's \emph{new} 10\% gain, \textbf{bold}") == "Müller's new 10% gain, bold"
    long = "$" + "x" * 1001 + "$"
    assert inline(long) == "\\$" + "x" * 1001 + "\\$"


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
        assert html == f"<p>{stored.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</p>\n", stored


def test_a_paragraph_that_looks_like_a_block_stays_a_paragraph():
    for stored in ("- item", "+ item", "1. first", "2) second", "---", "=== x", "> quote", "    code"):
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
