import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperhub.papers.bibtex import bibtex
from paperhub.papers.models import Paper
from paperhub.papers.tex import plain_text, render_abstract, render_tex


def test_math_becomes_html():
    assert str(render_tex(r"Error $O(n^2)$ with $\alpha_{t+1}$")) == (
        'Error <span class="math">O(n<sup>2</sup>)</span> with <span class="math">α<sub>t+1</sub></span>')
    assert str(render_tex(r"$\mathbf{x} \leq \frac{1}{2}$")) == '<span class="math"><b>x</b> ≤ (1)/(2)</span>'
    assert str(render_tex(r"Schr\"odinger")) == "Schrödinger"


def test_html_in_titles_and_math_is_escaped():
    assert str(render_tex("<script>alert(1)</script>")) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    out = str(render_tex(r'$x^{<img src=x onerror=alert(1)>}$ and \textbf{"q"}'))
    assert "<img" not in out and "&lt;img" in out
    assert str(render_tex(r"$\mathbf{<b>}$")) == '<span class="math"><b>&lt;b&gt;</b></span>'


@given(st.lists(st.sampled_from([*"$^_{}\\<>&\"'ab ", "\\frac", "\\mathbf", "\\alpha"]), max_size=40).map("".join))
def test_no_input_yields_tags_other_than_ours(text):
    out = str(render_tex(text))
    stripped = out
    for tag in ('<span class="math">', "</span>", "<sup>", "</sup>", "<sub>", "</sub>", "<b>", "</b>", "<i>", "</i>"):
        stripped = stripped.replace(tag, "")
    assert "<" not in stripped and ">" not in stripped


def test_plain_text_for_snippets_and_highlights():
    assert plain_text(r"Cost $O(n^2)$ for $\alpha_{t}$, $x^{abc}$") == "Cost O(n²) for α_t, x^(abc)"
    assert plain_text(r"Schr\"odinger <b>") == "Schrödinger <b>"  # not escaped: the highlighter escapes
    assert plain_text("no math at all") == "no math at all"


def test_deep_nesting_does_not_recurse_forever():
    assert "x" in str(render_tex("$" + "^{" * 500 + "x" + "}" * 500 + "$"))


def test_abstract_keeps_paragraphs():
    assert str(render_abstract("First\nline.\n\n  Second $x$.")) == (
        '<p>First line.</p><p>Second <span class="math">x</span>.</p>')


@pytest.mark.django_db
def test_bibtex_entry_escapes_and_names_the_primary_category():
    from datetime import UTC, datetime

    from paperhub.papers.services import upsert_papers
    from tests.factories import record

    upsert_papers([record("2501.01234", title="Attention {is} All & You Need", categories=("cs.LG", "cs.CL"),
                          published=datetime(2025, 1, 3, tzinfo=UTC), doi="10.1/x")])
    paper = Paper.objects.get()
    entry = bibtex(paper, ["Ada Lovelace", "C. Babbage"])
    assert entry.startswith("@misc{lovelace2025attention,\n")
    assert r"title = {{Attention \{is\} All \& You Need}}" in entry
    assert "author = {Ada Lovelace and C. Babbage}" in entry
    assert "eprint = {2501.01234}" in entry and "primaryClass = {cs.LG}" in entry and "doi = {10.1/x}" in entry
