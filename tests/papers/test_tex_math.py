"""Math that arXiv abstracts write: accents, letters, operator names, environments (HTML and plain text)."""

import time
import unicodedata

import pytest

from paperhub.papers.tex import math_html, plain_text, render_tex

# (source in math, HTML, plain text)
CASES = [
    # accents: one letter takes the combining mark; a longer argument a line, or the mark on each letter
    (r"\hat{x}", "x̂", "x̂"),
    (r"\tilde{y}_i", "ỹ<sub>i</sub>", "ỹ_i"),
    (r"\bar x + \vec{v} + \dot{x} + \ddot q", "x̄ + v⃗ + ẋ + q̈", "x̄ + v⃗ + ẋ + q̈"),
    (r"\check{a}\breve{b}\acute{c}\grave{d}", "ǎb̆ćd̀", "ǎb̆ćd̀"),
    (r"\hat\theta", "θ̂", "θ̂"),
    (r"\widetilde{\mathcal{O}}(n)", "𝒪̃(n)", "𝒪̃(n)"),
    (r"\overline{AB}", "A̅B̅", "A̅B̅"),
    (r"\overline{x_i}", "x̅<sub>i̅</sub>", "x̅_̅i̅"),
    (r"\widehat{f(x)}", "f̂(x̂)", "f̂(x̂)"),
    (r"\overline{a<b}", "a̅&lt;̅b̅", "a̅<̅b̅"),
    (r"a\not= b, x\not\in A, \lVert x\rVert", "a≠ b, x∉ A, ‖ x‖", "a≠ b, x∉ A, ‖ x‖"),
    (r"\not\vDash \not\foo", "⊭ foo", "⊭ foo"),
    (r"\not< \not\subset \not\equiv \not\sim \not\le", "≮ ⊄ ≢ ≁ ≰", "≮ ⊄ ≢ ≁ ≰"),  # precomposed where Unicode has it
    (r"\not\lesssim \not\propto", "≲\u0338 ∝\u0338", "≲\u0338 ∝\u0338"),  # else the symbol and U+0338
    (r"a \not", "a ", "a "),  # at the end: nothing to strike
    (r"\not> \not\&", "≯ &amp;\u0338", "≯ &\u0338"),  # an escaped character takes it too
    # fractions as \frac writes them, binomials C(n, k); plain TeX's infix forms split their group
    (r"\dfrac{a}{b} + \tfrac12", "(a)/(b) + (1)/(2)", "(a)/(b) + (1)/(2)"),
    (r"{a \over b} + 1", "(a)/(b) + 1", "(a)/(b) + 1"),
    (r"x^{1 \over 2}", "x<sup>(1)/(2)</sup>", "x^((1)/(2))"),
    (r"n+1 \over 2", "(n+1)/(2)", "(n+1)/(2)"),  # no braces: the whole span is the group
    (r"{{\alpha}\over{\beta_i}}", "(α)/(β<sub>i</sub>)", "(α)/(β_i)"),
    (r"\sqrt{n \over 2}", "√((n)/(2))", "√((n)/(2))"),
    (r"{n \choose k} p^k", "C(n, k) p<sup>k</sup>", "C(n, k) p^k"),
    (r"\binom{n}{k} + \dbinom nk + \tbinom{n+1}{2}", "C(n, k) + C(n, k) + C(n+1, 2)", "C(n, k) + C(n, k) + C(n+1, 2)"),
    (r"{a \over}", "(a)/()", "(a)/()"),
    # undefined macros with one meaning: paired delimiters, big O, \unicode (a combining mark prints on no character)
    (r"\norm{x}_2 + \abs{y} + \set{0,1} + \norm*{z} + \norm", "‖x‖<sub>2</sub> + |y| + {0,1} + ‖z‖ + norm",
     "‖x‖₂ + |y| + {0,1} + ‖z‖ + norm"),
    # an optional subscript on a norm or absolute value, mathtools' size option dropped; no other takes one
    (r"\norm[A]{x} + \abs [p] {y} + \norm[\big]{z} + \norm[L^2(\mu)]{f} + \set[a]{b} + \norm[x]",
     "‖x‖<sub>A</sub> + |y|<sub>p</sub> + ‖z‖ + ‖f‖<sub>L<sup>2</sup>(μ)</sub> + set[a]b + norm[x]",
     "‖x‖_A + |y|_p + ‖z‖ + ‖f‖_(L²(μ)) + set[a]b + norm[x]"),
    (r"\Oh(n) + \bigO{n} + \bigO(m) + \polylog(n)", "O(n) + O(n) + O(m) + polylog(n)",
     "O(n) + O(n) + O(m) + polylog(n)"),
    (r"a\unicode{x2013}b\unicode{8211} \unicode{x338}\unicode{x110000}", r"a–b– \unicode{x338}\unicode{x110000}",
     r"a–b– \unicode{x338}\unicode{x110000}"),
    (r"x + \href{https://a}{y} + \url{z}", "x + y + z", "x + y + z"),  # a formula makes no link
    (r"{a \over b \over c}", "(a)/(b / c)", "(a)/(b / c)"),  # TeX's "ambiguous fraction": the second a slash
    (r"\{a \over b\}", "{(a)/(b)}", "{(a)/(b)}"),  # \{ is a character, not a group: kept around it
    # old-style font switches: the rest of their group in their font; other packages' names of the same fonts
    (r"{\cal L}(x) + {\rm d}x", "ℒ(x) + dx", "ℒ(x) + dx"),
    (r"{\bf x}^T {\it y} + \rm poly", "<b>x</b><sup>T</sup> <i>y</i> + poly", "x^T y + poly"),
    (r"{\cal {\rm A}B}C \mathcal{\mathrm{D}}", "AℬC D", "AℬC D"),  # upright resets the font
    (r"\Bbb R \mathds{1} \pmb{x}", "ℝ 𝟙 <b>x</b>", "ℝ 𝟙 x"),
    # modular arithmetic, \mathop, stacked relations, symbols
    (r"a \equiv b \pmod{n}, a\bmod b, a \mod p", "a ≡ b (mod n), a mod b, a mod p",
     "a ≡ b (mod n), a mod b, a mod p"),
    (r"x\mathop{\rm arg\,max}\limits_x f", "x arg max<sub>x</sub> f", "x arg max_x f"),
    (r"\stackrel{\rm def}{=} \overset{?}{=} \underset{x}{\sim}", "=<sup>def</sup> =<sup>?</sup> ∼<sub>x</sub>",
     "=^(def) =^? ∼_x"),
    (r"x \leqslant y \geqslant z \subsetneq \asymp \varrho \backslash \lbrace \rbrace", "x ⩽ y ⩾ z ⊊ ≍ ϱ \\ { }",
     "x ⩽ y ⩾ z ⊊ ≍ ϱ \\ { }"),
    # letters
    (r"\overline{\overline{x}}", "x̅̅", "x̅̅"),
    (r"\mathbb{R}^n", "ℝ<sup>n</sup>", "ℝⁿ"),
    (r"\mathbb{N}\mathbb{Z}\mathbb{Q}\mathbb{C}\mathbb{E}\mathbb{1}", "ℕℤℚℂ𝔼𝟙", "ℕℤℚℂ𝔼𝟙"),
    (r"\mathcal{O}(n\log n)", "𝒪(n log n)", "𝒪(n log n)"),
    (r"\mathcal{L} \mathscr{B} \mathcal{D}", "ℒ ℬ 𝒟", "ℒ ℬ 𝒟"),
    (r"\mathfrak{g} \mathfrak{R}", "𝔤 ℜ", "𝔤 ℜ"),
    (r"\mathbf{x} \boldsymbol{\mu}", "<b>x</b> <b>μ</b>", "x μ"),
    (r"\mathrm{KL} \text{ if } \mathsf{GPT} \mathtt{id}", "KL  if  GPT id", "KL  if  GPT id"),
    (r"\mathbb{R}_{\geq 0}", "ℝ<sub>≥ 0</sub>", "ℝ_(≥ 0)"),  # the font is its argument's alone
    # roots: a longer argument in brackets
    (r"\sqrt{2} + \sqrt{n+1} + \sqrt[3]{x}", "√2 + √(n+1) + <sup>3</sup>√x", "√2 + √(n+1) + ³√x"),
    (r"1/\sqrt{d_k}", "1/√(d<sub>k</sub>)", "1/√(d_k)"),
    # operator names, spaced as TeX spaces them
    (r"n\log n", "n log n", "n log n"),
    (r"\log(n) + \max_x f", "log(n) + max<sub>x</sub> f", "log(n) + max_x f"),
    (r"\sin\theta\cos\phi", "sin θ cos φ", "sin θ cos φ"),
    (r"\operatorname*{argmax}_x f(x)", "argmax<sub>x</sub> f(x)", "argmax_x f(x)"),
    (r"x\operatorname{sgn}(x)", "x sgn(x)", "x sgn(x)"),
    (r"\deg p + \gcd(a,b) + \ker A + \exp x", "deg p + gcd(a,b) + ker A + exp x", "deg p + gcd(a,b) + ker A + exp x"),
    (r"a\,b\;c\quad d", "a b c  d", "a b c  d"),
    # environments, on one line with their delimiters; \left and \right keep theirs, "." none
    (r"\begin{pmatrix}a&b\\c&d\end{pmatrix}", "(a b; c d)", "(a b; c d)"),
    (r"\begin{bmatrix}1\\2\end{bmatrix}", "[1; 2]", "[1; 2]"),
    (r"\begin{vmatrix}a&b\\c&d\end{vmatrix}", "|a b; c d|", "|a b; c d|"),
    (r"\begin{Bmatrix}x\end{Bmatrix}", "{x}", "{x}"),
    (r"\left(\begin{matrix}a&b\end{matrix}\right)", "(a b)", "(a b)"),
    (r"\begin{array}{cc}1&2\\3&4\end{array}", "1 2; 3 4", "1 2; 3 4"),
    (r"f=\begin{cases}x&\text{if } x>0\\0&\text{otherwise}\end{cases}", "f={ x if x&gt;0, 0 otherwise",
     "f={ x if x>0, 0 otherwise"),
    (r"\begin{aligned}a&=b\\c&\le d\\\end{aligned}", "a =b; c ≤ d", "a =b; c ≤ d"),
    (r"\begin{gathered}a\\b\end{gathered}", "a; b", "a; b"),
    (r"\begin{pmatrix}\begin{bmatrix}a&b\end{bmatrix}&{c&d}\end{pmatrix}", "([a b] c&amp;d)", "([a b] c&d)"),
    (r"\left\{ x \right.", "{ x ", "{ x "),
    (r"\left\| x \right\|_2", "‖ x ‖<sub>2</sub>", "‖ x ‖₂"),
    (r"\bigl( x \bigr)", "( x )", "( x )"),
]


@pytest.mark.parametrize(("source", "shown", "plain"), CASES)
def test_math_as_html_and_plain_text(source, shown, plain):
    # composed as the renderer writes it (ỹ one character), however this file spells it
    assert math_html(source) == unicodedata.normalize("NFC", shown)
    assert plain_text(f"${source}$") == unicodedata.normalize("NFC", plain)


def test_operator_names_and_delimiter_sizes_written_outside_math_are_read_as_math():
    assert plain_text(r"bounds n/\log n and \left( x") == "bounds n/log n and ( x"


@pytest.mark.parametrize(("source", "shown", "plain"), [
    (r"a \frac{1}{2} share of \mathbb{R}", 'a <span class="math">(1)/(2)</span> share of <span class="math">ℝ</span>',
     "a (1)/(2) share of ℝ"),
    (r"\frac{a} x", "\\frac{a} x", "\\frac{a} x"),  # one argument: as written
    (r"\eg \ie \etal{} \guillemotleft x\guillemotright", "e.g. i.e. et al. « x»", "e.g. i.e. et al. « x»"),
    (r"\enquote{hi} \hyperlink{a}{text}\label{x} 5\textdegree C", "“hi” text 5° C", "“hi” text 5° C"),
])
def test_text_mode_commands(source, shown, plain):
    assert str(render_tex(source)) == shown
    assert plain_text(source) == plain


@pytest.mark.parametrize(("source", "shown"), [
    (r"\begin{pmatrix}a&b", "(a b)"),  # unclosed: to the end of the span
    (r"\begin{cases}", "{ "),
    (r"\end{pmatrix} x", "endpmatrix x"),  # an end without a begin is a command shown as its name, as before
    (r"\begin{<script>}a&b\end{<script>}", "a b"),
    (r"\hat{}", ""),  # no stray mark
    (r"\mathbb{<}", "&lt;"),
])
def test_broken_math_is_shown_safely(source, shown):
    assert math_html(source) == shown


@pytest.mark.parametrize("text", [
    "$" + r"\begin{pmatrix}" * 400 + "$ ",
    ("$" + r"\begin{pmatrix}" * 60 + "a&b\\\\" * 20 + "$ ") * 100,
    ("$" + "{" * 300 + r"\hat{x}" + "}" * 300 + "$ ") * 100,
    ("$" + r"\overline{" * 120 + "x" + "}" * 120 + "$ ") * 100,
    ("$" + r"\mathbb{\mathcal{" * 60 + "$ ") * 100,
    "\\" * 100_000,
    ("$" + "\\" * 999 + "$ ") * 100,
    ("$" + r"\log\left." * 90 + "$ ") * 100,
    "$" + r"\overline{" * 90 + "ab" + "}" * 90 + "$",  # each level marked the marks too: 2^20 times the text
    r"\overline{" * 200 + "ab" + "}" * 200,  # math outside math: a command's span is capped too
    ("$" + r"{a \over " * 300 + "b" + "}" * 300 + "$ ") * 30,
    ("$" + r"\over" * 150 + "$ ") * 100,
    ("$" + r"{\choose{\over" * 120 + "$ ") * 100,
    ("$" + r"\left[{\choose\left\{\over" * 120 + r"\right]" * 240 + "$ ") * 30,
    ("$" + r"\left[ n \choose k \right]" * 40 + "$ ") * 30,
    ("$" + r"\not" * 300 + "$ ") * 100,
])
def test_hostile_math_renders_fast_and_safely(text):
    started = time.perf_counter()
    out = str(render_tex(text))
    plain_text(text)
    assert time.perf_counter() - started < 1.0
    for tag in ('<span class="math">', "</span>", "<sup>", "</sup>", "<sub>", "</sub>", "<b>", "</b>", "<i>", "</i>"):
        out = out.replace(tag, "")
    assert "<" not in out and ">" not in out


@pytest.mark.parametrize(("source", "shown"), [
    (r"\left( n \choose k \right)", "C(n, k)"),
    (r"( n \choose k )", "C(n, k)"),
    (r"\left( a \over b \right)", "(a)/(b)"),
    (r"\left( {n \choose k} \right) x", "C(n, k) x"),
    (r"\bigl( \frac{a}{b} \bigr) + 1", "(a)/(b) + 1"),
    (r"\left(\frac{a}{b}\right)^2", "((a)/(b))²"),  # the square is the whole fraction's: its brackets stay
    (r"(a+b) \over (c+d)", "((a+b))/((c+d))"),  # brackets of one side only are that side's
    (r"{\left[ n \choose k \right]}", "[C(n, k)]"),  # brackets of another kind are kept around it
    (r"x=\left[ n \choose k \right]+1", "x=[C(n, k)]+1"),  # \left...\right is a group: it holds the fraction
    (r"[ n \choose k ]", "[C(n, k)]"),
    (r"\left\{ n \choose k \right\}", "{C(n, k)}"),
    (r"\langle a \over b \rangle", "⟨(a)/(b)⟩"),
    (r"\bigl| a \over b \bigr|", "|(a)/(b)|"),
    (r"\left. a \over b \right|", "(a)/(b)|"),
    (r"[a] \over [b]", "([a])/([b])"),  # brackets of one side only are that side's
    (r"{\left( n \choose k} x", "C(( n, k) x"),  # a \left never closed is no group
    (r")a \over b(", "()a)/(b()"),  # closing brackets first are no brackets around it
])
def test_a_fraction_inside_brackets_writes_them_once(source: str, shown: str) -> None:
    assert plain_text(f"${source}$") == shown
    assert render_tex(f"${source}$") == f'<span class="math">{shown.replace("²", "<sup>2</sup>")}</span>'


def test_common_shorthands_in_math_only() -> None:
    assert plain_text(r"$\eps > 0$, $x \in \R^n$, $\N \subset \Z \subset \Q \subset \C$, $\RR$") == \
        "ε > 0, x ∈ ℝⁿ, ℕ ⊂ ℤ ⊂ ℚ ⊂ ℂ, ℝ"
    assert plain_text(r"$\F_q$ and $\poly(n)$") == "F_q and poly(n)"  # ambiguous: the bare name, as before
    assert plain_text(r"over \R for any \eps>0") == r"over \R for any ε>0"  # outside math: \eps alone
