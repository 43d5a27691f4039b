"""Keeping the search indexes derived from the database: incremental updates, rebuilds, embedding, status.

Layout under PAPERHUB_SEARCH_DIR:
    keyword/CURRENT            the name of the generation being served
    keyword/<generation>/      a tantivy index, with state.json (how far it has caught up)
    vectors-<model>.usearch    one HNSW index per embedding model, replaced whole on save
    vectors-<model>.state.json the last stored vector (PaperVector id) the file holds
"""

import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection

from paperhub.papers.models import Paper, PaperAuthor, PaperCategory
from paperhub.search import embed, keyword, stored, vectors
from paperhub.search.models import PaperVector, StaticModelFile

log = logging.getLogger(__name__)
Progress = Callable[[int], None]
STATIC = "static"


def search_dir() -> Path:
    return Path(settings.PAPERHUB_SEARCH_DIR)


def keyword_root() -> Path:
    return search_dir() / "keyword"


def _current_generation() -> str | None:
    try:
        return (keyword_root() / "CURRENT").read_text().strip() or None
    except FileNotFoundError:
        return None


def _set_current(generation: str) -> None:
    root = keyword_root()
    partial = root / "CURRENT.partial"
    partial.write_text(generation)
    os.replace(partial, root / "CURRENT")


class _Served:
    """The keyword index this process searches, re-opened when a rebuild switches generations."""

    def __init__(self) -> None:
        self.generation: str | None = None
        self.index: keyword.KeywordIndex | None = None

    def get(self) -> keyword.KeywordIndex | None:
        generation = _current_generation()
        if generation is None:
            return None
        if generation != self.generation or self.index is None:
            try:
                self.index = keyword.KeywordIndex(keyword_root() / generation)
            except ValueError as exc:  # written by an older schema: unusable until `paperhub index rebuild`
                log.error("keyword index %s cannot be opened (%s); run `paperhub index rebuild`", generation, exc)
                return None
            self.generation = generation
        return self.index


_served = _Served()


def keyword_index() -> keyword.KeywordIndex | None:
    """The keyword index being served, or None before the first build."""
    return _served.get()


@cache
def _vector_index(path: str) -> vectors.VectorIndex:
    return vectors.VectorIndex(Path(path))


def vector_name(kind: str) -> str:
    """The model name the vectors of a kind ("static" or "dense") are stored and indexed under."""
    return (embed.static_name() or embed.LEGACY_STATIC) if kind == STATIC else embed.transformer_name()


def vector_path(model: str) -> Path:
    return search_dir() / f"vectors-{model}.usearch"


def vector_index(model: str) -> vectors.VectorIndex:
    """The served vector index of a model (empty until built)."""
    return _vector_index(str(vector_path(model)))


# --- keyword -------------------------------------------------------------------------------------------------

def _state(directory: Path) -> dict[str, Any]:
    try:
        return json.loads((directory / "state.json").read_text())
    except FileNotFoundError:
        return {"changed_at": None, "id": 0, "complete": False}


def _save_state(directory: Path, state: dict[str, Any]) -> None:
    partial = directory / "state.json.partial"
    partial.write_text(json.dumps(state))
    os.replace(partial, directory / "state.json")


def indexed_papers(papers: list[dict[str, Any]]) -> list[keyword.IndexedPaper]:
    """IndexedPaper for rows of Paper.values(), with authors and categories in two queries."""
    ids = [p["id"] for p in papers]
    authors: dict[int, list[str]] = {}
    for paper_id, name in PaperAuthor.objects.filter(paper_id__in=ids).order_by("paper_id", "position") \
            .values_list("paper_id", "author__name"):
        authors.setdefault(paper_id, []).append(name)
    categories: dict[int, list[str]] = {}
    for paper_id, code in PaperCategory.objects.filter(paper_id__in=ids).order_by("paper_id", "-is_primary") \
            .values_list("paper_id", "category__code"):
        categories.setdefault(paper_id, []).append(code)
    return [
        keyword.IndexedPaper(
            id=p["id"], uid=p["uid"], title=p["title"], abstract=p["abstract"],
            authors=tuple(authors.get(p["id"], ())), categories=tuple(categories.get(p["id"], ())),
            day=keyword.day_number(p["published"].date() if p["published"] else None),
            upvotes=p.get("upvotes", 0),
        )
        for p in papers
    ]


_FIELDS = ("id", "uid", "title", "abstract", "published", "upvotes", "changed_at")


def _changed_since(changed_at: str | None, last_id: int, batch: int) -> Iterator[list[dict[str, Any]]]:
    """Papers in (changed_at, id) order after the given position, a batch at a time."""
    while True:
        rows = Paper.objects.order_by("changed_at", "id").values(*_FIELDS)
        if changed_at is not None:
            since = datetime.fromisoformat(changed_at)
            rows = rows.filter(changed_at__gte=since).exclude(changed_at=since, id__lte=last_id)
        page = list(rows[:batch])
        if not page:
            return
        yield page
        changed_at, last_id = page[-1]["changed_at"].isoformat(), page[-1]["id"]


def _catch_up(directory: Path, replace: bool, batch: int, progress: Progress | None) -> int:
    """Index every paper changed after the directory's recorded position; commit and record per batch."""
    index = keyword.KeywordIndex(directory)
    state = _state(directory)
    done = 0
    writer = index.writer()
    try:
        for page in _changed_since(state["changed_at"], state["id"], batch):
            if replace:  # (delete_documents_by_term does not match unsigned fields; a query does)
                writer.delete_documents_by_query(keyword.with_ids([p["id"] for p in page]))
            for paper in indexed_papers(page):
                writer.add_document(keyword.document(paper))
            writer.commit()
            state.update(changed_at=page[-1]["changed_at"].isoformat(), id=page[-1]["id"])
            _save_state(directory, state)  # after the commit: a killed run repeats at most one batch
            done += len(page)
            if progress:
                progress(len(page))
        writer.wait_merging_threads()
    finally:
        del writer  # releases tantivy's writer lock
    return done


def update_keyword(batch: int = 2000, progress: Progress | None = None) -> int:
    """Bring the served keyword index up to date with the database; builds it first if there is none."""
    generation = _current_generation()
    if generation is None or _served.get() is None:  # none yet, or one of an older schema
        return rebuild_keyword(progress=progress)
    with node_lock("keyword"):
        count = _catch_up(keyword_root() / generation, replace=True, batch=batch, progress=progress)
    served = _served.get()
    if count and served is not None:
        served.refresh()
    return count


def rebuild_keyword(batch: int = 5000, progress: Progress | None = None) -> int:
    """Build a new generation beside the served one and switch to it when complete.

    A rebuild that is killed leaves the served index alone; the next rebuild resumes the unfinished
    generation where its last commit got to.
    """
    with node_lock("keyword"):
        return _rebuild_keyword(batch, progress)


def _rebuild_keyword(batch: int, progress: Progress | None) -> int:
    root = keyword_root()
    root.mkdir(parents=True, exist_ok=True)
    building = root / "BUILDING"
    generation = building.read_text().strip() if building.exists() else ""
    if not generation or not (root / generation).is_dir():
        generation = f"g{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        building.write_text(generation)
    count = _catch_up(root / generation, replace=False, batch=batch, progress=progress)
    _set_current(generation)
    building.unlink(missing_ok=True)
    for old in root.iterdir():
        if old.is_dir() and old.name != generation:
            shutil.rmtree(old, ignore_errors=True)
    return count


# --- vectors -------------------------------------------------------------------------------------------------
#
# Embedding and indexing are separate: embed_missing() stores vectors in the database (any process, any
# machine); follow_vectors() adds the stored vectors this node's index file lacks, by a cursor over
# PaperVector ids. Vector rows are inserted under a lock (papers/changes.py), so ids grow in commit order
# and the cursor never skips a row committed late.

def embed_missing(model: str, embedder: embed.Embedder, limit: int | None = None, batch: int = 256,
                  progress: Progress | None = None, follow: bool = True) -> int:
    """Embed papers that have no vector under `model`, newest first, and store the vectors (in this process:
    the transformer's vectors are normally made by the embed queue's workers, jobs/embedding.py).

    With `follow`, this node's index takes them in at the end; other nodes' indexes take them in when they
    follow_vectors().
    """
    missing = stored.without_vector(model).values_list("id", "title", "abstract")
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        rows = list(missing[:size])
        if not rows:
            break
        vecs = embedder.encode([embed.paper_text(title, abstract) for _, title, abstract in rows])
        stored.store_vectors(model, [pid for pid, _, _ in rows], vecs)
        done += len(rows)
        if progress:
            progress(len(rows))
    if follow:
        follow_vectors(model)
    return done


@contextmanager
def node_lock(name: str) -> Iterator[None]:
    """One writer at a time of a file of this node's search directory (other processes wait)."""
    search_dir().mkdir(parents=True, exist_ok=True)
    with open(search_dir() / f"{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _vector_state_path(model: str) -> Path:
    return search_dir() / f"vectors-{model}.state.json"


def _vector_cursor(model: str) -> int:
    try:
        return int(json.loads(_vector_state_path(model).read_text())["last_id"])
    except (FileNotFoundError, ValueError, KeyError):
        return 0


def _save_vector_cursor(model: str, last_id: int) -> None:
    path = _vector_state_path(model)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"last_id": last_id}))
    os.replace(partial, path)


def _file_stamp(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


@dataclass
class _Writer:
    """A vector index this process keeps in memory between follow_vectors() calls (the watcher's)."""

    model: str
    path: Path
    index: Any
    stamp: float | None  # the file's mtime when this process last loaded or saved it
    cursor: int  # the last stored vector added, saved to the file or not
    saved: float = 0.0  # time.monotonic() of the last save
    dirty: bool = False

    def is_current(self) -> bool:
        """Whether the file is still the one this process read or wrote (a rebuild replaces it)."""
        return self.stamp == _file_stamp(self.path)

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
        _save_vector_cursor(self.model, self.cursor)
        self.stamp, self.saved, self.dirty = _file_stamp(self.path), time.monotonic(), False


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
    return _Writer(model, path, vectors.load_for_writing(path, first[2].shape[1]), _file_stamp(path),
                   _vector_cursor(model))


def follow_vectors(model: str, batch: int = 20000, progress: Progress | None = None, save_within: float = 0.0
                   ) -> int:
    """Add to this node's index of `model` the stored vectors it lacks; returns how many were added.

    The index stays in this process's memory between calls, so a watcher adding a few vectors every cycle does
    not read and write the whole file each time: with `save_within`, it saves at most that often (readers see
    new vectors that much later); 0 saves at once. The file is saved, then the cursor: a process killed
    between the two adds nothing twice (keys are checked), one killed before the save re-reads the same rows.
    Another process replacing the file (a rebuild) is noticed by its mtime, and the file is read again.
    """
    path = vector_path(model)
    writer = _kept_writer(path)
    cursor = writer.cursor if writer is not None else _vector_cursor(model)
    if not (writer is not None and writer.save_due(save_within)) and not stored.stored_after(model, cursor):
        return 0
    with node_lock(f"vectors-{model}"):
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
    with node_lock(f"vectors-{model}"):
        cursor = 0
        while found := stored.stored_rows(model, cursor, batch):
            cursor, keys, matrix = found
            index.add(keys, matrix.astype(np.float32))
            count += len(keys)
            if progress:
                progress(len(keys))
        vectors.save(index, vector_path(model))
        _save_vector_cursor(model, cursor)
        _writers.pop(vector_path(model), None)
    return count


def drop_stale_static(rows: bool = True, batch: int = 20000) -> int:
    """Forget the vectors of static models that are no longer current: this node's files of them, and with
    `rows` a batch of their stored rows (one node, the embedder, deletes them for the hub)."""
    current = embed.static_name()
    if current is None:
        return 0
    for path in search_dir().glob("vectors-static*"):
        if not path.name.startswith(f"vectors-{current}."):
            path.unlink(missing_ok=True)
    if not rows:
        return 0
    stale = set(StaticModelFile.objects.exclude(name=current).values_list("name", flat=True))
    stale |= {embed.LEGACY_STATIC} - {current}
    ids = list(PaperVector.objects.filter(model__in=stale).values_list("id", flat=True)[:batch])
    if ids:
        PaperVector.objects.filter(id__in=ids).delete()
    return len(ids)


def update(progress: Any = None, static_limit: int | None = 8192, embed_new: bool = True,
           save_within: float = 0.0) -> int:
    """Catch this node's indexes up with the database; with `embed_new`, give new papers static vectors.

    At most `static_limit` static vectors per call, so a watcher filling a large backlog still picks up
    new papers for keyword search every few seconds. Vectors other processes stored are taken in too, the
    vector files saved at most every `save_within` seconds (see follow_vectors).
    """
    changed = update_keyword(progress=progress)
    if embed_new:
        with suppress(embed.ModelError):  # no static model yet: keyword search still works
            embed_missing(vector_name(STATIC), embed.static(), limit=static_limit, batch=4096, progress=progress,
                          follow=False)
    follow_vectors(vector_name(STATIC), save_within=save_within)
    follow_vectors(embed.transformer_name(), save_within=save_within)
    return changed


@dataclass
class Coverage:
    """How much of the database each index covers."""

    papers: int
    keyword: int
    vectors: dict[str, int]


def coverage() -> Coverage:
    """Papers in the database, in the keyword index, and with vectors per model."""
    index = keyword_index()
    counts = {m: n for m, n in _vector_counts()}
    return Coverage(papers=Paper.objects.count(), keyword=index.num_docs if index else 0, vectors=counts)


def _vector_counts() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT model, COUNT(*) FROM {PaperVector._meta.db_table} GROUP BY model ORDER BY model")
        return [(str(m), int(n)) for m, n in cursor.fetchall()]
