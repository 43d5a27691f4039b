"""This node's vector files: one HNSW index per embedding model under PAPERHUB_SEARCH_DIR, following the vectors
stored in the database by a cursor over PaperVector ids (core/derived.py: replaced whole, re-read when changed).

    vectors-<model>.usearch    one HNSW index per embedding model, replaced whole on save
    vectors-<model>.state.json the last stored vector (PaperVector id) the file holds

Vector rows are inserted under a lock (papers/changes.py), so ids grow in commit order and the cursor never skips
a row committed late.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from usearch.index import Index

from paperhub.core import derived
from paperhub.core.once import loaded_once
from paperhub.search import stored, vectors

Progress = Callable[[int], None]


def vector_path(model: str) -> Path:
    return derived.directory(f"vectors-{model}.usearch")


@loaded_once()
def _vector_index(path: str) -> vectors.VectorIndex:
    return vectors.VectorIndex(Path(path))


def vector_index(model: str) -> vectors.VectorIndex:
    """The served vector index of a model (empty until built)."""
    return _vector_index(str(vector_path(model)))


def _lock(model: str) -> str:
    return f"vectors-{model}"


def _state_path(model: str) -> Path:
    return derived.directory(f"vectors-{model}.state.json")


def _cursor(model: str) -> int:
    try:
        return int(json.loads(_state_path(model).read_text())["last_id"])
    except (FileNotFoundError, ValueError, KeyError):
        return 0


def _save_cursor(model: str, last_id: int) -> None:
    derived.replace_text(_state_path(model), json.dumps({"last_id": last_id}))


@dataclass
class _Writer:
    """A vector index this process keeps in memory between follow_vectors() calls (the watcher's)."""

    model: str
    path: Path
    index: Index
    stamp: derived.Stamp | None  # the file's when this process last loaded or saved it
    cursor: int  # the last stored vector added, saved to the file or not
    saved: float = 0.0  # time.monotonic() of the last save
    dirty: bool = False

    def is_current(self) -> bool:
        """Whether the file is still the one this process read or wrote (a rebuild replaces it)."""
        return self.stamp == derived.stamp(self.path)

    def save_due(self, save_within: float) -> bool:
        """Whether there is something unsaved and the last save is at least `save_within` seconds old."""
        return self.dirty and time.monotonic() - self.saved >= save_within

    def take_in(self, batch: int, progress: Progress | None) -> int:
        """Add the stored vectors past the cursor (keys the index holds are skipped); returns how many were new."""
        added = 0
        while found := stored.stored_rows(self.model, self.cursor, batch):
            self.cursor, keys, matrix = found
            new = ~np.asarray(self.index.contains(keys), dtype=bool)
            if new.any():
                self.index.add(keys[new], matrix[new].astype(np.float32))
            added += int(new.sum())
            self.dirty = True
            if progress:
                progress(len(keys))
        return added

    def save(self) -> None:
        """The file, then the cursor: killed between the two, the next run re-reads rows it already holds."""
        vectors.save(self.index, self.path)
        _save_cursor(self.model, self.cursor)
        self.stamp, self.saved, self.dirty = derived.stamp(self.path), time.monotonic(), False


_writers: dict[Path, _Writer] = {}  # by index file


def _kept_writer(path: Path) -> _Writer | None:
    """This process's index of a file in memory, unless another process has replaced the file since."""
    writer = _writers.get(path)
    return writer if writer is not None and writer.is_current() else None


def _open_writer(model: str, path: Path) -> _Writer | None:
    """The index file read into memory to add to, or None while no vector is stored under `model`."""
    first = stored.stored_rows(model, 0, 1)
    if first is None:
        return None
    return _Writer(model, path, vectors.load_for_writing(path, first[2].shape[1]), derived.stamp(path),
                   _cursor(model))


def follow_vectors(model: str, batch: int = 20000, progress: Progress | None = None, save_within: float = 0.0
                   ) -> int:
    """Add to this node's index of `model` the stored vectors it lacks; returns how many were added.

    The index stays in this process's memory between calls, so a watcher adding a few vectors every cycle does
    not read and write the whole file each time: with `save_within`, it saves at most that often (readers see
    new vectors that much later); 0 saves at once. The file is saved, then the cursor: a process killed
    between the two adds nothing twice (keys are checked), one killed before the save re-reads the same rows.
    Another process replacing the file (a rebuild) is noticed by its stamp, and the file is read again.
    """
    path = vector_path(model)
    writer = _kept_writer(path)
    cursor = writer.cursor if writer is not None else _cursor(model)
    if not (writer is not None and writer.save_due(save_within)) and not stored.stored_after(model, cursor):
        return 0
    with derived.lock(_lock(model)):
        if writer is None or not writer.is_current():
            writer = _open_writer(model, path)
            if writer is None:
                return 0
        added = writer.take_in(batch, progress)
        if writer.save_due(save_within):
            writer.save()
        _writers[path] = writer
    return added


def rebuild_vectors(model: str, batch: int = 20000, progress: Progress | None = None) -> int:
    """Recreate a model's vector index from the vectors stored in the database (no model is loaded)."""
    first = stored.stored_rows(model, 0, 1)
    if first is None:
        return 0
    index = vectors.new_index(first[2].shape[1])
    count = 0
    with derived.lock(_lock(model)):
        cursor = 0
        while found := stored.stored_rows(model, cursor, batch):
            cursor, keys, matrix = found
            index.add(keys, matrix.astype(np.float32))
            count += len(keys)
            if progress:
                progress(len(keys))
        vectors.save(index, vector_path(model))
        _save_cursor(model, cursor)
        _writers.pop(vector_path(model), None)
    return count


def drop_files_except(current: str) -> None:
    """Remove this node's files of static models other than `current`."""
    for path in derived.directory().glob("vectors-static*"):
        if not path.name.startswith(f"vectors-{current}."):
            path.unlink(missing_ok=True)


def forget() -> None:
    """Drop the vector indexes this process has open or in memory (they are read again when next used)."""
    _vector_index.cache_clear()
    _writers.clear()
