"""Topics: latent semantic analysis of the hub's own papers, a third "close in meaning" beside the two models.

A truncated SVD of the tf-idf matrix of a sample of the hub's papers (their key terms, weighted as search/terms.py
weighs them) gives each term a vector of DIMS topics; a paper's topic vector is the sum of its terms' vectors,
weighted as its tf-idf vector is, so any paper has one from its term counts alone: no model has to reach it first.
Two papers' topic cosine finds papers that share few words but the words that go together in this hub's papers
("driver", "cabin", "distraction"); on CSFCube's dev fold it ranks a paper's judged pool at 0.56 nDCG@20 alone, the
best single signal measured, and lifts the fused list by one to three points (docs/benchmarks.md).

The table is learnt with the static model (`paperhub index distill`, search/static.py) and saved in its directory
(TABLE_FILE), so it travels with the model to every node. Pure functions but for save() and load().
"""

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from paperhub.core.once import loaded_once
from paperhub.search import terms
from paperhub.search.terms import Weights

#: Topics a term's vector has; 100-300 read within a point of each other on CSFCube's dev fold (200: 0.564 alone).
DIMS = 200
#: Fewer papers than this teach no topics (an SVD of a handful of papers says nothing).
MIN_PAPERS = 50
TABLE_FILE = "topics.npz"


@dataclass(frozen=True, eq=False)
class Topics:
    """Each known term's topic vector (rows of `table`, in the order of `terms`)."""

    terms: tuple[str, ...]
    table: np.ndarray
    row: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "row", {term: i for i, term in enumerate(self.terms)})

    def vector(self, weights: Weights) -> np.ndarray | None:
        """A paper's unit topic vector from its tf-idf vector (terms.weights), None when no term of it is known."""
        vector = self.vectors([weights])[0]
        return vector if vector.any() else None

    def vectors(self, papers: Sequence[Weights]) -> np.ndarray:
        """Papers' unit topic vectors from their tf-idf vectors, one row each (zeros where no term is known), in one
        sparse product."""
        from scipy.sparse import csr_matrix

        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for at, weights in enumerate(papers):
            for term, weight in weights.items():
                if (column := self.row.get(term)) is not None:
                    rows.append(at)
                    columns.append(column)
                    values.append(weight)
        counted = csr_matrix((values, (rows, columns)), shape=(len(papers), len(self.terms)), dtype=np.float32)
        summed = np.asarray(counted @ self.table, dtype=np.float32)
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        unit: np.ndarray = np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0)
        return unit

    def digest(self) -> str:
        """The sha256 of the table as saved (its terms and half-precision values)."""
        found = hashlib.sha256("\x1f".join(self.terms).encode())
        found.update(np.ascontiguousarray(self.table, dtype=np.float16).tobytes())
        return found.hexdigest()


#: What a model learnt where there was too little to learn topics from (saved all the same: the model was built by a
#: version that learns them, so it is not built again for them: static.due()).
NONE = Topics((), np.zeros((0, DIMS), dtype=np.float32))


def fit(papers: Sequence[Mapping[str, int]], dims: int = DIMS, seed: int = 0) -> Topics | None:
    """Topics of papers' term counts (terms.paper_counts), None for too few papers or terms to learn from."""
    from scipy.sparse import csr_matrix
    from sklearn.decomposition import TruncatedSVD

    if len(papers) < MIN_PAPERS:
        return None
    doc_freq: Counter[str] = Counter()
    for counts in papers:
        doc_freq.update(counts.keys())
    n_docs = len(papers)
    idfs = {term: value for term, df in doc_freq.items() if (value := terms.idf(df, n_docs))}
    vocabulary = sorted(idfs)
    column = {term: i for i, term in enumerate(vocabulary)}
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for at, counts in enumerate(papers):
        for term, weight in terms.weights(counts, lambda t: idfs.get(t, 0.0)).items():
            rows.append(at)
            columns.append(column[term])
            values.append(weight)
    dims = min(dims, n_docs - 1, len(vocabulary) - 1)
    if dims < 2:
        return None
    matrix = csr_matrix((values, (rows, columns)), shape=(n_docs, len(vocabulary)), dtype=np.float32)
    svd = TruncatedSVD(dims, algorithm="randomized", n_iter=7, random_state=seed).fit(matrix)
    return Topics(tuple(vocabulary), np.ascontiguousarray(svd.components_.T, dtype=np.float32))


def save(topics: Topics, directory: Path) -> None:
    """Write the table into a model's directory (half precision: cosines of sums need no more)."""
    with open(directory / TABLE_FILE, "wb") as out:
        np.savez(out, terms=np.asarray(topics.terms, dtype=str), table=topics.table.astype(np.float16))


def load(directory: Path) -> Topics | None:
    """The table saved in a model's directory, None where there is none (a model built before topics, or where
    there was too little to learn them from)."""
    return _load(directory / TABLE_FILE)


@loaded_once(maxsize=1)  # (the current model's: a new one replaces it)
def _load(path: Path) -> Topics | None:
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as saved:
        found = Topics(tuple(str(term) for term in saved["terms"]), saved["table"].astype(np.float32))
    return found if found.terms else None
