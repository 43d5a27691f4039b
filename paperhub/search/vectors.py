"""Approximate nearest neighbours with usearch (HNSW), one index file per embedding model."""

from pathlib import Path
from typing import Any

import numpy as np
from usearch.index import Index

from paperhub.core import derived

CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 96


def new_index(dim: int) -> Index:
    """An empty HNSW index over cosine similarity, vectors kept as float16."""
    return Index(ndim=dim, metric="cos", dtype="f16", connectivity=CONNECTIVITY,
                 expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)


class VectorIndex:
    """An index file shared by processes: readers memory-map it and re-open it when the file is replaced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._served = derived.Loaded(lambda: derived.stamp(self.path), self._open)

    def _open(self) -> Index | None:
        index = Index.restore(str(self.path), view=True)
        if index is not None:
            index.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]
        return index

    def _current(self) -> Index | None:
        return self._served.get()

    def __len__(self) -> int:
        index = self._current()
        return 0 if index is None else len(index)

    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        """(paper id, cosine similarity) of the `count` nearest vectors, nearest first."""
        index = self._current()
        if index is None or len(index) == 0 or count <= 0:
            return []
        matches = index.search(vector.astype(np.float32), min(count, len(index)))
        return [(int(key), 1.0 - float(distance)) for key, distance in zip(matches.keys, matches.distances,
                                                                             strict=True)]

    def similarities(self, vector: np.ndarray, keys: list[int]) -> dict[int, float]:
        """Cosine similarity of `vector` to each stored key (keys without a vector are left out)."""
        index = self._current()
        if index is None or not keys:
            return {}
        found: Any = index.get(np.asarray(keys, dtype=np.uint64))
        present = [i for i, stored in enumerate(found) if stored is not None]
        if not present:
            return {}
        stored = np.asarray([found[i] for i in present], dtype=np.float32)
        norms = np.linalg.norm(stored, axis=1)
        cosines = (stored @ vector.astype(np.float32)) / np.where(norms > 0, norms, 1.0)
        return {keys[i]: float(c) for i, c in zip(present, cosines.tolist(), strict=True)}

    def everything(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key (int64, ascending) and its vector (float32); empty arrays when there is no file."""
        index = self._current()
        if index is None or len(index) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        keys = np.asarray(index.keys, dtype=np.uint64)
        keys.sort()
        return keys.astype(np.int64), np.asarray(index.get(keys), dtype=np.float32)

    def vector(self, key: int) -> np.ndarray | None:
        """The stored vector of a paper, or None."""
        index = self._current()
        if index is None or not index.contains(key):
            return None
        return np.asarray(index.get(key), dtype=np.float32).reshape(-1)


def load_for_writing(path: Path, dim: int) -> Index:
    """The index in memory, to add to (a new one if there is no file yet)."""
    index = new_index(dim)
    if path.exists():
        index.load(str(path))
    return index


def save(index: Index, path: Path) -> None:
    """Write the index beside its final place and rename it over, so readers never see half a file."""
    derived.replace(path, lambda partial: index.save(str(partial)))
