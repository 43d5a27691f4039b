"""The extracted one-line summary (papers/summary.py)."""

import pytest

from paperhub.papers.summary import (
    _ABBREVIATION,
    ABBREVIATIONS,
    MAX_CHARS,
    ends_in_abbreviation,
    one_line,
    one_line_beyond,
    opening,
    sentences,
)
from paperhub.papers.tex import render_tex


def test_sentences_keep_abbreviations_and_math_whole():
    assert sentences("Models, e.g. GPT, fail at $x. Y$ tasks. We fix it.") == [
        "Models, e.g. GPT, fail at $x. Y$ tasks.", "We fix it."]


@pytest.mark.parametrize("text", [
    "as shown by Smith et al.", "see approx.", "a long clause (e.g.", "Figs.", "x-No.", "-approx.", "iapprox.",
    "bigFig.", "eFig.", "We use Fig. 2.", "ETC.", "et al", "as in Eq.", "the vs.", "no.", "casino.", ".", "",
])
def test_the_end_of_a_text_alone_says_whether_it_ends_in_an_abbreviation(text):
    """Looking only at the tail (the page's summaries took 5 of 6 ms searching whole sentences) finds what a search of
    the whole text finds, words that merely end like one ("casino.", "bigFig.") included."""
    for prefix in ("", "A sentence before it, rather long, ", "word"):
        assert ends_in_abbreviation(prefix + text) == (_ABBREVIATION.search(prefix + text) is not None)


def test_every_abbreviation_is_seen_from_the_tail_whatever_precedes_it():
    """The tail is long enough for the longest abbreviation and the character before it (a new, longer one too)."""
    for abbreviation in ABBREVIATIONS:
        for prefix in ("", " ", "(", "-", "x", "A long sentence ", "ne"):
            for text in (f"{prefix}{abbreviation}.", f"{prefix}{abbreviation.upper()}.", f"{prefix}{abbreviation}.\n"):
                assert ends_in_abbreviation(text) == (_ABBREVIATION.search(text) is not None), text
        assert ends_in_abbreviation(f"see {abbreviation}.") and not ends_in_abbreviation(f"see {abbreviation}.\n")


@pytest.mark.parametrize(("abstract", "expected"), [
    ("Transformers are everywhere. In this paper, we study their limits. We propose FlashNet, a sparse "
     "transformer. Experiments show gains.", "We propose FlashNet, a sparse transformer."),
    ("Graphs are hard. In this work we study spectral methods for them. Results are good.",
     "In this work we study spectral methods for them."),
    ("Dark matter is elusive. This paper reports a search for axions. No signal is seen.",
     "This paper reports a search for axions."),
    ("Dark matter is elusive. Here we bound the axion mass. No signal is seen.", "Here we bound the axion mass."),
    ("Nothing here says what was done. Another sentence.", "Nothing here says what was done."),
    ("", ""),
])
def test_the_contribution_sentence_is_chosen(abstract, expected):
    assert one_line(abstract) == expected


def test_a_long_sentence_is_trimmed_at_a_word_and_never_inside_math():
    long = "We propose " + "a very long method " * 12 + "with $O(n \\log n + m \\log m)$ cost and more words."
    line = one_line(long)
    assert len(line) <= MAX_CHARS and line.endswith("…") and line.count("$") % 2 == 0
    assert long.startswith(line[:-1])


def test_a_trimmed_sentence_closes_the_latex_group_it_cuts():
    # 2606.29296's summary showed "...pathologies in turn: \emph{Advantage..." on its page, cards and Markdown.
    long = "We study three pathologies in turn: \\emph{" + "advantage collapse and more words " * 10 + "} and so on."
    line = one_line(long)
    assert line.endswith("}…") and line.count("{") == line.count("}") and len(line) <= MAX_CHARS + 1
    assert str(render_tex(line)).startswith("We study three pathologies in turn: <em>advantage collapse")


def test_the_summary_beyond_an_opening_is_left_out_where_the_opening_already_starts_its_sentence():
    """A card's excerpt cut inside the contribution sentence, or a long one trimmed with "…", showed the sentence's
    start twice (666 of the bundled sample's 2,162 cards with a summary): where the sentence starts within what
    the reader has, the summary is left out; where it starts after, it is shown, trimmed as one_line trims."""
    context = " ".join(["Context words here."] * 8)
    abstract = f"{context} We propose   sparse attention for long inputs. It is fast."
    cut_inside = f"{context} We propose sparse …"  # an excerpt that stops inside the sentence
    assert one_line_beyond(abstract, cut_inside) == ""
    assert one_line_beyond(abstract, f"{context} …") == "We propose sparse attention for long inputs."
    assert one_line_beyond(abstract, "") == one_line(abstract)
    long = "We propose " + "very " * 80 + "long things. Then more."
    assert one_line(long).endswith("…") and one_line_beyond(long, "We propose very very …") == ""
    assert one_line_beyond("", "") == ""


def test_the_paper_pages_summary_is_left_out_where_it_is_the_abstracts_first_sentence():
    first = "We propose sparse attention."
    assert opening(f"{first} It is fast.") == first
    assert one_line_beyond(f"{first} It is fast.", opening(f"{first} It is fast.")) == ""
    later = "Attention is slow. We propose sparse attention."
    assert one_line_beyond(later, opening(later)) == "We propose sparse attention."
