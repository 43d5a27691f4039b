"""Text-mode environments in abstracts: lists inline, display math as math, any other's markers dropped."""

import pytest

from paperhub.papers.tex import plain_text, render_tex

# (source, HTML, plain text)
CASES = [
    (r"We show: \begin{itemize} \item fast; \item safe. \end{itemize} Then.", "We show: • fast; • safe. Then.",
     "We show: • fast; • safe. Then."),
    (r"\begin{enumerate}[(i)] \item A \item B \end{enumerate} done", "1. A 2. B done", "1. A 2. B done"),
    (r"a \begin{enumerate} \item x \begin{itemize}\item y\end{itemize} \item z \end{enumerate}",
     "a 1. x • y 2. z", "a 1. x • y 2. z"),  # an inner list counts apart, and the outer one goes on
    (r"\begin{itemize}\item[a)] x \item[<b>] \emph{y}\end{itemize}", "a) x &lt;b&gt; <em>y</em>", "a) x <b> y"),
    (r"\item alone", "• alone", "• alone"),
    (r"\item[\textbf{A}:] b", "<strong>A</strong>: b", "A: b"),
    (r"\begin{abstract} We study \textbf{x}. \end{abstract}", "We study <strong>x</strong>.", "We study x."),
    (r"\begin{quote}<q>\end{quote} and \begin{center}c\end{center}", "&lt;q&gt; and c", "<q> and c"),
    (r"\begin{mything}[opt] kept \end{mything}.", "kept.", "kept."),
    (r"Loss \begin{equation} a = \frac{1}{2} \end{equation} here",
     'Loss <span class="math">a = (1)/(2)</span> here', "Loss a = (1)/(2) here"),
    (r"\begin{align*} x &= 1 \\ y &= 2 \end{align*}", '<span class="math">x = 1; y = 2</span>', "x = 1; y = 2"),
]


@pytest.mark.parametrize(("source", "shown", "plain"), CASES)
def test_environments_in_text_mode(source: str, shown: str, plain: str) -> None:
    assert str(render_tex(source)) == shown
    assert plain_text(source) == plain
    assert "begin" not in plain and "end{" not in plain


def test_an_unclosed_equation_drops_its_marker_only() -> None:
    assert plain_text(r"\begin{equation} x + y") == "x + y"
