"""The built map on disk, and what the pages ask of it: a sample, the points in view, where papers are.

    PAPERHUB_SEARCH_DIR/map/points.npz   ids, x, y, top and fine cluster per paper, in random order (so the
                                        first N points in any rectangle are a fair sample of it)
    PAPERHUB_SEARCH_DIR/map/meta.json    clusters with their labels and centres, when and how it was built
A rebuild writes beside these and renames over them; readers re-open them when they change.
"""

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from paperhub.core import derived


def map_dir() -> Path:
    return derived.directory("map")


@dataclass
class TopicMap:
    """A built map: arrays in random order, and its meta (clusters, build facts)."""

    ids: np.ndarray  # uint32
    x: np.ndarray  # float32 in [0, 1]
    y: np.ndarray
    top: np.ndarray  # uint16 cluster numbers
    fine: np.ndarray
    meta: dict[str, Any]
    _by_id: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def in_view(self, x0: float, y0: float, x1: float, y1: float, limit: int) -> np.ndarray:
        """Indices of at most `limit` points inside the rectangle (a fair sample of it)."""
        inside = np.flatnonzero((self.x >= x0) & (self.x <= x1) & (self.y >= y0) & (self.y <= y1))
        return inside[:limit]

    def positions(self, paper_ids: list[int]) -> list[tuple[int, float, float]]:
        """(paper id, x, y) of the given papers that are on the map, in the order given."""
        if self._by_id is None:
            self._by_id = np.argsort(self.ids)
        order = self._by_id
        wanted = np.asarray(paper_ids, dtype=np.int64)
        slots = np.searchsorted(self.ids[order], wanted)
        found = []
        for paper_id, slot in zip(paper_ids, slots, strict=True):
            if slot < len(order) and int(self.ids[order[slot]]) == paper_id:
                i = order[slot]
                found.append((paper_id, float(self.x[i]), float(self.y[i])))
        return found

    def pack(self, indices: np.ndarray) -> bytes:
        """Points as the page's script reads them: count (uint32), then x, y (float32), ids (uint32) and top
        clusters (uint16), each as one little-endian block."""
        return b"".join([struct.pack("<I", len(indices)), self.x[indices].astype("<f4").tobytes(),
                         self.y[indices].astype("<f4").tobytes(), self.ids[indices].astype("<u4").tobytes(),
                         self.top[indices].astype("<u2").tobytes()])


def save(directory: Path, ids: np.ndarray, xy: np.ndarray, top: np.ndarray, fine: np.ndarray,
         meta: dict[str, Any], seed: int = 0) -> None:
    """Write a map (points shuffled) beside the served one, then switch to it."""
    order = np.random.default_rng(seed).permutation(len(ids))
    points: dict[str, Any] = {"ids": ids[order].astype(np.uint32), "x": xy[order, 0].astype(np.float32),
              "y": xy[order, 1].astype(np.float32), "top": top[order].astype(np.uint16),
              "fine": fine[order].astype(np.uint16)}
    derived.replace(directory / "points.npz", lambda partial: _write_points(partial, points))
    derived.replace_text(directory / "meta.json", json.dumps(meta))


def _write_points(target: Path, points: dict[str, Any]) -> None:
    with target.open("wb") as stream:  # (given a name, savez would add .npz to it)
        np.savez(stream, **points)


def _read() -> TopicMap:
    directory = map_dir()
    with np.load(directory / "points.npz") as arrays:
        return TopicMap(ids=arrays["ids"], x=arrays["x"], y=arrays["y"], top=arrays["top"], fine=arrays["fine"],
                        meta=json.loads((directory / "meta.json").read_text()))


_served = derived.Loaded(lambda: derived.stamp(map_dir() / "meta.json", map_dir() / "points.npz"), _read)


def exists() -> bool:
    """Whether a map has been built (its files are there: no reading them), for pages that would link to it."""
    return all((map_dir() / name).is_file() for name in ("meta.json", "points.npz"))


def current() -> TopicMap | None:
    """The served map (re-read when a build replaced it), or None before the first build."""
    return _served.get()
