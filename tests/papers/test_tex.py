import time

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from paperhub.papers.bibtex import bibtex
from paperhub.papers.models import Paper
from paperhub.papers.tex import MAX_MATH, plain_text, render_abstract, render_tex
from tests.factories import add_paper, user

# Inputs that took seconds (the first one 42 s on a paper's page) while the renderer was quadratic: an opener
# without a closer made every later opener scan to the end of the text again.
HOSTILE = {
    "openers without closers": "\\(" * 40_000,
    "openers between words": "\\( x " * 16_000,
    "dollars": "$" * 100_000,
    "double dollars, one closed": "$$a$" * 25_000,
    "nested braces": ("$" + "{" * (MAX_MATH - 1) + "$ ") * 100,
    "nested scripts": ("$" + "^{" * 400 + "x" + "}" * 400 + "$ ") * 100,
    "fraction chains": ("$" + "\\frac{1}" * 140 + "$ ") * 100,
    "carets": ("$" + "^" * (MAX_MATH - 1) + "$ ") * 100,
    "backslashes": ("$" + "\\a" * 450 + "$ ") * 100,
    "one long span": "$" + "\\alpha^{" * 20_000 + "$",
}


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


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_inputs_render_in_linear_time(name):
    """Each input is 80,000 to 100,000 characters; linear rendering takes milliseconds, quadratic took seconds
    to minutes, so a bound of a second catches it without being a flaky timing test."""
    text = HOSTILE[name]
    for render in (render_tex, plain_text, render_abstract):
        started = time.perf_counter()
        render(text)
        assert time.perf_counter() - started < 1.0, (name, render.__name__)


def test_long_math_span_is_shown_as_escaped_text():
    source = "$" + "x<y " * MAX_MATH + "$ then $z$"
    out = str(render_tex(source))
    assert out.startswith("$x&lt;y x&lt;y") and out.endswith('then <span class="math">z</span>')
    assert str(render_tex("\\(" * 3 + "x")) == "\\(\\(\\(x"


def test_real_titles_and_abstracts():
    """From the arXiv snapshot (1612.08550, 1912.08484, 1810.01605, 1305.6215, 1909.11146, cs/0612121)."""
    assert str(render_tex("Unravelling Mg$^{2+}$-RNA binding")) == (
        'Unravelling Mg<span class="math"><sup>2+</sup></span>-RNA binding')
    assert plain_text("dynamics of CH$_2$NH$_2^+$: From") == "dynamics of CH₂NH₂⁺: From"
    assert str(render_tex(r"$\mathbf{h_\alpha}$: An index")) == (
        '<span class="math"><b>h<sub>α</sub></b></span>: An index')
    assert plain_text(r"including a Cram\'er-Rao inequality") == "including a Cramér-Rao inequality"
    assert str(render_tex(r"function of $\frac{2\pi(K)}{N}$ and")) == (
        'function of <span class="math">(2π(K))/(N)</span> and')
    assert plain_text(r"in $O(\lceil \ln n \rceil)$ rounds, $\rm poly$ size") == "in O(⌈ ln n ⌉) rounds,  poly size"
    # A $ opening in one place and closing in another is taken as written, and still escaped.
    assert str(render_tex(r"$O(n^{1/2})$ as reported (\cite{Bilo}) to $O(n + k<2)$")) == (
        '<span class="math">O(n<sup>1/2</sup>)</span> as reported (\\cite{Bilo}) to '
        '<span class="math">O(n + k&lt;2)</span>')


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/papers/2501.00042", "/for-you"])
def test_pages_with_a_hostile_abstract_answer_fast(path):
    """The paper page and the For-you page (its starters show the newest papers) took 42 s and 6.4 s."""
    add_paper("2501.00042", title="\\(" * 50 + "x", abstract="short")
    # Ingest now refuses an abstract this long; a row stored before that must still render fast.
    Paper.objects.filter(uid="2501.00042").update(abstract="\\(" * 20_000)
    client = Client()
    client.force_login(user("reader"))
    assert client.get(path).status_code == 200  # warm: templates compiled, models loaded, caches filled
    started = time.perf_counter()
    page = client.get(path)
    assert time.perf_counter() - started < 1.0
    assert page.status_code == 200 and "\\(\\(\\(" in page.content.decode()


def test_abstract_keeps_paragraphs():
    assert str(render_abstract("First\nline.\n\n  Second $x$.")) == (
        '<p>First line.</p><p>Second <span class="math">x</span>.</p>')


@pytest.mark.django_db
def test_bibtex_entry_escapes_and_names_the_primary_category():
    from datetime import UTC, datetime

    paper = add_paper("2501.01234", title="Attention {is} All & You Need", categories=("cs.LG", "cs.CL"),
                      published=datetime(2025, 1, 3, tzinfo=UTC), doi="10.1/x")
    entry = bibtex(paper, ["Ada Lovelace", "C. Babbage"])
    assert entry.startswith("@misc{lovelace2025attention,\n")
    assert r"title = {{Attention \{is\} All \& You Need}}" in entry
    assert "author = {Ada Lovelace and C. Babbage}" in entry
    assert "eprint = {2501.01234}" in entry and "primaryClass = {cs.LG}" in entry and "doi = {10.1/x}" in entry
    # inline math is LaTeX already (kept when its braces pair); a bare _ or $ outside it is escaped
    paper.title = r"PM$_{2.5}$ from Bengal-HP_RU for 5$"
    assert r"title = {{PM$_{2.5}$ from Bengal-HP\_RU for 5\$}}" in bibtex(paper, ["A"])
    paper.title = r"Broken $x_{1$ math"
    assert r"title = {{Broken \$x\_\{1\$ math}}" in bibtex(paper, ["A"])
