"""Filler words and plurals: one rule for what a plural is, for filler words and for words of one idea."""

import pytest

from paperhub.search import wording
from paperhub.search.filler import FILLER, is_filler, singular


@pytest.mark.parametrize("word", ["DoS", "ins", "ons", "ass"])
def test_a_word_that_is_no_plural_of_a_filler_word_is_no_filler(word):
    """"DoS" (attacks) was left out of labels as the plural of "do"; the rule same_idea reads plurals by keeps it."""
    assert not is_filler(word) and singular(word) == word.lower() and not wording.same_idea(word, word[:-1])


def test_filler_and_one_idea_read_plurals_by_one_rule():
    assert is_filler("Designs") and is_filler("benchmarks") and is_filler("state-of-the-art")
    assert wording.same_idea("LLMs", "llm") and wording.same_idea("designs", "design") and not is_filler("class")
    words = [f"{word}s" for word in FILLER] + ["focus", "basis", "classes", "gas"]
    assert [w for w in words if is_filler(w) != (w in FILLER or singular(w) in FILLER)] == []
    plurals = [w for w in words if w not in FILLER and is_filler(w) and "-" not in w]  # (same_idea splits hyphens)
    assert plurals and all(wording.same_idea(w, singular(w)) for w in plurals)
