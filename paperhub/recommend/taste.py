"""A reader's taste, pure: the per-user model, arrays in, scores and reasons out. Shared by the hub and bench.recommend.

A user's signals are papers they liked (upvotes, saves, seeds) and papers they marked "not interested".
Four views of a candidate are scored and blended after standardising each:
- terms: logistic regression on tf-idf rows, liked papers against sampled other papers and the disliked;
- meaning: the same on embeddings;
- nearest: tf-idf cosine to the closest liked paper, so that each liked paper is an interest of its own and a
  small interest is not drowned by a big one (one direction, as in the two models above, averages them);
- authors: affinity to the authors of liked papers (and followed authors), less those of disliked ones.
Liked papers are also grouped into a few interest profiles, to describe them.
"""

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

#: Weights of the standardised views, chosen on an earlier time split than the one reported (bench.recommend).
TERMS, MEANING, NEAREST, AUTHORS = 1.0, 0.5, 0.5, 1.0
#: A "not interested" counts as this many sampled negatives.
DISLIKE_WEIGHT = 5.0
#: A followed author counts as this many liked papers by them.
FOLLOW_WEIGHT = 5.0
MAX_PROFILES = 4


@dataclass(frozen=True)
class Signals:
    """What is known of one user, as rows of the feature matrices."""

    liked_dense: np.ndarray  # (n_liked, dim), unit length
    liked_terms: sparse.csr_matrix  # (n_liked, vocabulary)
    liked_authors: Sequence[Sequence[Hashable]]
    disliked_dense: np.ndarray
    disliked_terms: sparse.csr_matrix
    disliked_authors: Sequence[Sequence[Hashable]]
    background_dense: np.ndarray  # sampled other papers: the implicit negatives
    background_terms: sparse.csr_matrix
    followed: frozenset[Hashable] = frozenset()


@dataclass
class UserModel:
    """What train() learnt: a direction in each space, author weights and interest profiles."""

    terms: np.ndarray | None
    meaning: np.ndarray | None
    authors: dict[Hashable, float]
    profiles: np.ndarray  # (n_profiles, dim) unit centroids of the liked papers' groups
    liked_dense: np.ndarray = field(repr=False)
    liked_terms: sparse.csr_matrix | None = field(default=None, repr=False)


def _fit(liked: np.ndarray | sparse.csr_matrix, negatives: np.ndarray | sparse.csr_matrix, weights: np.ndarray,
         c: float) -> np.ndarray | None:
    if liked.shape[0] == 0 or negatives.shape[0] == 0:
        return None
    stack = sparse.vstack([liked, negatives]).tocsr() if sparse.issparse(liked) else np.vstack([liked, negatives])
    labels = np.r_[np.ones(liked.shape[0]), np.zeros(negatives.shape[0])]
    # Balance the classes by weight: a user has a handful of likes against a thousand negatives.
    sample = np.r_[np.full(liked.shape[0], negatives.shape[0] / liked.shape[0]), weights]
    from sklearn.linear_model import LogisticRegression  # here: scikit-learn takes 0.6 s to import, every command

    model = LogisticRegression(C=c, solver="liblinear").fit(stack, labels, sample_weight=sample)
    coefficients: np.ndarray = model.coef_[0]
    return coefficients


def author_weights(liked: Sequence[Sequence[Hashable]], disliked: Sequence[Sequence[Hashable]],
                   followed: frozenset[Hashable] = frozenset()) -> dict[Hashable, float]:
    """log(1 + papers liked by an author), less the same for disliked ones, plus a bonus for followed authors."""
    plus = Counter(a for authors in liked for a in set(authors))
    minus = Counter(a for authors in disliked for a in set(authors))
    weights = {a: float(np.log1p(plus[a] + (FOLLOW_WEIGHT if a in followed else 0)) - np.log1p(minus[a]))
               for a in set(plus) | set(minus) | set(followed)}
    return {a: w for a, w in weights.items() if w != 0}


def interest_profiles(vectors: np.ndarray, most: int = MAX_PROFILES, seed: int = 0) -> np.ndarray:
    """Unit centroids of up to `most` groups of liked papers (spherical k-means; one group per 3 papers at most)."""
    if len(vectors) == 0:
        return np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32)
    k = max(1, min(most, len(vectors) // 3))
    rng = np.random.default_rng(seed)
    centroids = vectors[rng.choice(len(vectors), k, replace=False)]
    for _ in range(10):
        labels = np.argmax(vectors @ centroids.T, axis=1)
        centroids = np.stack([vectors[labels == i].sum(0) if (labels == i).any() else centroids[i] for i in range(k)])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    return centroids.astype(np.float32)


def train(signals: Signals, terms_c: float = 10.0, meaning_c: float = 1.0) -> UserModel:
    """Fit a user's model: milliseconds for hundreds of signals and a thousand background papers."""
    weights = np.r_[np.full(signals.disliked_dense.shape[0], DISLIKE_WEIGHT),
                    np.ones(signals.background_dense.shape[0])]
    terms = _fit(signals.liked_terms, sparse.vstack([signals.disliked_terms, signals.background_terms]).tocsr(),
                 weights, terms_c)
    meaning = _fit(signals.liked_dense, np.vstack([signals.disliked_dense, signals.background_dense]), weights,
                   meaning_c)
    return UserModel(terms=terms, meaning=meaning,
                     authors=author_weights(signals.liked_authors, signals.disliked_authors, signals.followed),
                     profiles=interest_profiles(signals.liked_dense), liked_dense=signals.liked_dense,
                     liked_terms=signals.liked_terms.tocsr())


def _standard(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


@dataclass(frozen=True)
class Views:
    """Each view's raw score for every candidate, kept for explanations."""

    terms: np.ndarray
    meaning: np.ndarray
    authors: np.ndarray
    nearest: np.ndarray

    def blend(self, terms: float = TERMS, meaning: float = MEANING, authors: float = AUTHORS,
              nearest: float = NEAREST) -> np.ndarray:
        """The ranking score: a weighted sum of the standardised views."""
        return (terms * _standard(self.terms) + meaning * _standard(self.meaning)
                + authors * _standard(self.authors) + nearest * _standard(self.nearest))


def author_matrix(authors: Sequence[Sequence[Hashable]]) -> tuple[sparse.csr_matrix, dict[Hashable, int]]:
    """Candidates x authors incidence, and each author's column: the authors view as one product."""
    columns: dict[Hashable, int] = {}
    rows, cols = [], []
    for row, names in enumerate(authors):
        for name in names:
            rows.append(row)
            cols.append(columns.setdefault(name, len(columns)))
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                               shape=(len(authors), max(len(columns), 1)))
    return matrix, columns


def views(model: UserModel, dense: np.ndarray, terms: sparse.csr_matrix, authors: Sequence[Sequence[Hashable]],
          incidence: tuple[sparse.csr_matrix, dict[Hashable, int]] | None = None) -> Views:
    """Score candidates (rows of `dense`/`terms`, their author lists; `incidence` from author_matrix() saves
    recomputing it per user) in each view."""
    count = dense.shape[0]
    by_terms = terms @ model.terms if model.terms is not None else np.zeros(count)
    by_meaning = dense @ model.meaning if model.meaning is not None else np.zeros(count)
    by_authors = np.zeros(count)
    if model.authors:
        matrix, columns = incidence or author_matrix(authors)
        weights = np.zeros(matrix.shape[1])
        for name, weight in model.authors.items():
            if name in columns:
                weights[columns[name]] = weight
        by_authors = np.asarray(matrix @ weights, dtype=np.float64).ravel()
    liked = model.liked_terms
    by_nearest = np.asarray((terms @ liked.T).max(axis=1).todense(), dtype=np.float64).ravel() \
        if liked is not None and liked.shape[0] and terms.shape[1] == liked.shape[1] else np.zeros(count)
    return Views(np.asarray(by_terms, dtype=np.float64).ravel(), np.asarray(by_meaning, dtype=np.float64),
                 by_authors, by_nearest)


def diversify(order: np.ndarray, dense: np.ndarray, profiles: np.ndarray, slots: int = 10,
              depth: int = 200) -> np.ndarray:
    """Make room in the first `slots` for the best pick of every interest profile that has none there."""
    if len(profiles) < 2:
        return order
    head = list(order[:depth])
    owner = np.argmax(dense[np.asarray(head)] @ profiles.T, axis=1)
    shown = set(owner[:slots].tolist())
    missing = [int(np.flatnonzero(owner == p)[0]) for p in range(len(profiles))
               if p not in shown and (owner == p).any()]
    for position, index in enumerate(sorted(missing)):
        head.insert(slots - len(missing) + position, head.pop(index))
    return np.concatenate([np.asarray(head, dtype=order.dtype), order[depth:]])


def top_terms(row: sparse.csr_matrix, coef: np.ndarray | None, vocabulary: Sequence[str], count: int = 9) -> list[str]:
    """The terms of one candidate that pushed its score up most, most first (at most `count`; one word may be
    among them in several forms, "experts" and "expert": search.spelt_terms keeps one)."""
    if coef is None or row.nnz == 0:
        return []
    contributions = row.data * coef[row.indices]
    best = np.argsort(-contributions)[:count]
    return [vocabulary[row.indices[i]] for i in best if contributions[i] > 0]


def nearest_liked(model: UserModel, row: sparse.csr_matrix) -> tuple[int, float]:
    """Which liked paper a candidate (its tf-idf row) is closest to, and the cosine."""
    liked = model.liked_terms
    if liked is None or liked.shape[0] == 0 or row.shape[1] != liked.shape[1]:
        return -1, 0.0
    cosines = np.asarray((liked @ row.T).todense()).ravel()
    best = int(np.argmax(cosines))
    return best, float(cosines[best])


def term_vectorizer(documents: int) -> "TfidfVectorizer":
    """arxiv-sanity-lite's tf-idf settings (words and bigrams, sublinear tf); looser pruning for small hubs."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    large = documents >= 2000
    return TfidfVectorizer(strip_accents="unicode", lowercase=True, analyzer="word", stop_words="english",
                           token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2), max_features=20000,
                           norm="l2", sublinear_tf=True, max_df=0.1 if large else 1.0, min_df=5 if large else 1,
                           dtype=np.float32)
