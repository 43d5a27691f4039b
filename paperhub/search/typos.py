"""What a typo is: the strings one edit from a word, words at most two edits apart (optimal string alignment), a word
that starts two edits from a stem, and a difference in a prefix or an ending, which is no typo. Pure."""

import os
import string

from paperhub.search.keyword import TYPO_LENGTH

_LETTERS = string.ascii_lowercase


def edits(word: str) -> set[str]:
    """Every string one edit from a lowercase word: a letter dropped, swapped with the next, changed or added."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS}) - {word}


def within_two(typed: str, word: str) -> bool:
    """Whether two lowercase words are at most two edits apart (a letter dropped, added or changed, or two neighbours
    swapped: the optimal string alignment distance)."""
    # each edit changes the set of letters by two at most: most words of a sample fail here, cheaply
    if abs(len(typed) - len(word)) > 2 or len(set(typed) ^ set(word)) > 4:
        return False
    row = _distances(typed, word)
    return row is not None and row[-1] <= 2


def starts_within_two(stem: str, word: str) -> bool:
    """Whether a lowercase word starts with a string at most two edits from a stem, the rest of it an ending
    ("trasnfromers": "transform", whose ending the stemmer cuts from "transformers" but not from the typo)."""
    # a short stem starts too many words ("trans"), and the ending is the shorter part of a word; two edits bring two
    # letters at most into the start, or take two out of it, and seldom both fall on its first letters: most stems
    # fail here, cheaply (10,000 of them in a few ms)
    if (not len(word) / 2 <= len(stem) <= len(word) + 2 or len(stem) < TYPO_LENGTH
            or (stem[0] not in word[:2] and word[0] not in stem[:2])
            or len(set(stem) - set(word[:len(stem) + 2])) > 2 or len(set(word[:len(stem) - 2]) - set(stem)) > 2):
        return False
    row = _distances(stem, word)
    return row is not None and min(row) <= 2


def _distances(typed: str, word: str) -> list[int] | None:
    """The optimal string alignment distances from `typed` to each prefix of `word` (the last: to the word), any over
    two as 3; None as soon as every one is over two. Only the band of prefixes within two letters of each length is
    computed: the rest are further than two edits."""
    far = 3
    before: list[int] = []
    row = [min(j, far) for j in range(len(word) + 1)]
    for i, a in enumerate(typed, start=1):
        current = [min(i, far)] + [far] * len(word)
        for j in range(max(1, i - 2), min(len(word), i + 2) + 1):
            b = word[j - 1]
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a != b))
            if before and j > 1 and a == word[j - 2] and typed[i - 2] == b:
                cost = min(cost, before[j - 2] + 1)
            current[j] = min(cost, far)
        if min(current) == far:
            return None
        before, row = row, current
    return row


def at_an_end(typed: str, word: str) -> bool:
    """Whether two words differ only in their first two letters or their last two: a word's prefix or ending
    ("biconvex", "unranking", "bacterium": real words a hub may lack, two edits from "convex", "ranking",
    "bacterial"), seldom two slips of the fingers."""
    shorter = min(len(typed), len(word)) - 2
    return (len(os.path.commonprefix([typed, word])) >= shorter
            or len(os.path.commonprefix([typed[::-1], word[::-1]])) >= shorter)
