"""Cluster labels: the words that set a cluster's titles apart from the rest (class-based tf-idf, pure)."""

import re
from collections.abc import Sequence

import numpy as np

_EXTRA_STOP = {"using", "based", "via", "new", "approach", "method", "methods", "study", "analysis", "model",
               "models", "paper", "results", "towards", "toward", "learning", "data", "use", "case", "non"}


def characteristic_terms(texts: Sequence[str], groups: np.ndarray, count: int, top: int = 3) -> list[list[str]]:
    """For each group 0..count-1, its `top` most characteristic words or two-word phrases.

    Score: the term's frequency in the group times log(1 + average words per group / the term's frequency
    overall), the c-TF-IDF of BERTopic, among terms at least 1.5 times as common in the group as overall (a word
    every group uses says nothing about one); a phrase is skipped when it only repeats words already chosen.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    cleaned = [re.sub(r"\$[^$]*\$|\\[a-zA-Z]+", " ", t) for t in texts]
    vectorizer = CountVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | _EXTRA_STOP), ngram_range=(1, 2),
                                 min_df=3, max_features=60000, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z\-]{2,}\b")
    try:
        matrix = vectorizer.fit_transform(cleaned)
    except ValueError:  # no words at all
        return [[] for _ in range(count)]
    from scipy.sparse import csr_matrix

    member = csr_matrix((np.ones(len(groups)), (groups.astype(np.int64), np.arange(len(groups)))),
                        shape=(count, len(groups)))
    per_group = (member @ matrix).toarray().astype(np.float64)  # count x terms
    totals = per_group.sum(axis=0)
    average = per_group.sum() / max(1, count)
    tf = per_group / np.maximum(per_group.sum(axis=1, keepdims=True), 1)
    scores = tf * np.log1p(average / np.maximum(totals, 1))
    overall = totals / max(1.0, float(totals.sum()))
    scores[tf < 1.5 * overall] = 0.0
    vocabulary = vectorizer.get_feature_names_out()
    labels = []
    for row in scores:
        chosen: list[str] = []
        words: set[str] = set()
        for index in np.argsort(-row)[: top * 6]:
            if row[index] <= 0 or len(chosen) == top:
                break
            term = str(vocabulary[index])
            parts = set(term.split())
            if parts <= words:
                continue
            chosen = [c for c in chosen if not set(c.split()) < parts]  # a phrase replaces its own word
            chosen.append(term)
            words |= parts
        labels.append(chosen[:top])
    return labels
