"""Authors' own macros defined in the text that uses them: expanded there, bounded, the definitions not shown."""

import time

import pytest

from paperhub.papers.tex import plain_text, render_abstract, render_tex
from paperhub.papers.texmacros import MAX_EXPANDED, expand_macros

# (source, HTML, plain text)
CASES = [
    (r"\newcommand{\R}{\mathbb{R}} Let $x \in \R^n$.", 'Let <span class="math">x ∈ ℝ<sup>n</sup></span>.',
     "Let x ∈ ℝⁿ."),
    (r"$\newcommand\R{\mathbb{R}}\def\eps{\varepsilon}$ $\R, \eps$ end", '<span class="math">ℝ, ε</span> end',
     "ℝ, ε end"),  # a math span holding only definitions goes with them
    (r"\DeclareMathOperator*{\poly}{poly} in $\poly(n)$ time", 'in <span class="math">poly(n)</span> time',
     "in poly(n) time"),
    (r"\renewcommand{\x}[2]{(#1, #2)} $\x{a}{b} + \x cd$", '<span class="math">(a, b) + (c, d)</span>',
     "(a, b) + (c, d)"),
    (r"\def\f#1{f(#1)} $\f{x}$ and \def\g{\f{y}} $\g$", '<span class="math">f(x)</span> and <span class="math">'
     'f(y)</span>', "f(x) and f(y)"),
    (r"\newcommand{\Rn}{X} $\R \Rn$", '<span class="math">ℝ X</span>', "ℝ X"),  # \R is not \Rn's prefix
    (r"a \def\x{<b>} $\x$", 'a <span class="math">&lt;b&gt;</span>', "a <b>"),
    # an optional first argument: [what follows the use], else its default
    (r"\newcommand{\f}[2][a]{f_{#1}(#2)} $\f{x} + \f[b]{y}$", '<span class="math">f<sub>a</sub>(x) + '
     'f<sub>b</sub>(y)</span>', "f_a(x) + f_b(y)"),
    (r"\newcommand\n[1][2]{\|#1\|_{#1}} $\n$, $\n [p]$", '<span class="math">‖2‖<sub>2</sub></span>, '
     '<span class="math">‖p‖<sub>p</sub></span>', "‖2‖₂, ‖p‖_p"),
    # a replacement ending in a macro that takes arguments: they follow the use
    (r"\def\f#1{f(#1)}\def\g{\f} $\g y + \g{z}$", '<span class="math">f(y) + f(z)</span>', "f(y) + f(z)"),
    (r"\def\f#1{f(#1)}\def\g{\f}\def\h{\g} $\h x$", '<span class="math">f(x)</span>', "f(x)"),
    (r"\def\f#1{f(#1)}\def\g{\f} $\g$", '<span class="math">f</span>', "f"),  # none follow: as written
    # or some of its arguments: the rest follow the use
    (r"\def\f#1#2{f(#1,#2)}\def\g{\f a} $\g{b} + \g c + \g$", '<span class="math">f(a,b) + f(a,c) + f a</span>',
     "f(a,b) + f(a,c) + f a"),
    (r"\def\f#1#2#3{(#1#2#3)}\def\g{\f a}\def\h{\g b} $\h c$", '<span class="math">(abc)</span>', "(abc)"),
    (r"\newcommand{\f}[3][o]{f_{#1}(#2,#3)}\def\g{\f[p]{a}}\def\h{\f{a}} $\g{b}, \h c$",
     '<span class="math">f<sub>p</sub>(a,b), f<sub>o</sub>(a,c)</span>', "f_p(a,b), f_o(a,c)"),
]


@pytest.mark.parametrize(("source", "shown", "plain"), CASES)
def test_macros_defined_in_the_text_are_expanded(source: str, shown: str, plain: str) -> None:
    assert str(render_tex(source)) == shown
    assert plain_text(source) == plain


def test_an_abstract_defines_once_for_all_its_paragraphs() -> None:
    assert str(render_abstract("\\def\\R{\\mathbb{R}} First.\n\n$\\R$")) == \
        '<p>First.</p><p><span class="math">ℝ</span></p>'


def test_text_without_definitions_is_left_alone() -> None:
    text = r"$\R$ and \command{x}"
    assert expand_macros(text) is text


@pytest.mark.parametrize("source", [
    r"\def\a{\a\a} " + r"\a" * 2000,  # each use doubles, five deep
    r"\newcommand{\a}{\b}\newcommand{\b}{\a} " + r"\a \b " * 2000,  # each the other's
    "".join(rf"\newcommand{{\m{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}}}{{x}}" for i in range(10_000)) + r" \maa",
    r"\newcommand{\x}[1]{#1#1#1#1#1#1#1#1#1} " + r"\x{" * 5000 + "y" + "}" * 5000,
    r"\def\a{\def\a{\a\a}\a\a}" * 500 + r"\a",
    r"\newcommand{\o}[2][\o]{#1#1#1#2#2} " + r"\o[" * 10_000 + r"\o{" * 5000 + "]" * 10_000,  # optional args
    r"\newcommand{\o}[1][" + "x" * 200 + "]{#1#1#1#1} " + r"\o " * 10_000,  # defaults to grow by
    r"\def\f#1{\g#1\g}\def\g{\f} " + r"\g{" * 5000 + "}" * 5000,  # tails that read the text after them
    r"\def\f{\f}" + r"\f x" * 10_000,  # a tail that is its own use
    r"\def\f#1#2{\g{#1#2}#1}\def\g{\f x} " + r"\g{" * 5000 + "}" * 5000,  # tails with some of their arguments
    r"\def\f#1#2#3{#3\g}\def\g{\f{ab}c} " + r"\g" * 10_000,
    r"\def\f#1{#1}" + r"\f x" * 8000,  # many uses with arguments and no braces: the braces read once, not per use
    r"\newcommand{\f}[1][a]{#1}" + r"\f[x]" * 4000,
])
def test_hostile_definitions_are_bounded_and_fast(source: str) -> None:
    started = time.perf_counter()
    expanded = expand_macros(source)
    plain_text(source)
    assert time.perf_counter() - started < 2
    assert len(expanded) <= min(4 * len(source), MAX_EXPANDED) + len(source)
    assert "newcommand" not in expanded


def test_only_the_first_fifty_definitions_count() -> None:
    definitions = "".join(rf"\def\m{chr(97 + i // 26)}{chr(97 + i % 26)}{{{i}}}" for i in range(60))
    assert plain_text(definitions + r" $\maa \mbx \mcb$") == "0 49 mcb"  # the 54th shown as an unknown command
