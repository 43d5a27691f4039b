"""Keeping the search indexes derived from the database: incremental updates, rebuilds, embedding, status.

Layout under PAPERHUB_SEARCH_DIR:
    keyword/CURRENT            the name of the generation being served
    keyword/<generation>/      a tantivy index, with state.json (how far it has caught up)
    vectors-<model>.usearch    one HNSW index per embedding model, replaced whole on save
"""

import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef

from paperhub.papers.models import Paper, PaperAuthor, PaperCategory
from paperhub.search import embed, keyword, vectors
from paperhub.search.models import PaperVector

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

def _to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def embed_missing(model: str, embedder: embed.Embedder, limit: int | None = None, batch: int = 256,
                  progress: Progress | None = None) -> int:
    """Embed papers that have no vector under `model`, newest first, storing vectors and indexing them."""
    missing = Paper.objects.filter(~Exists(PaperVector.objects.filter(paper=OuterRef("pk"), model=model))) \
        .order_by("-published", "-id").values_list("id", "title", "abstract")
    done = 0
    path = vector_path(model)
    index = vectors.load_for_writing(path, embedder.dim)
    last_save = time.monotonic()
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        rows = list(missing[:size])
        if not rows:
            break
        vecs = embedder.encode([embed.paper_text(title, abstract) for _, title, abstract in rows])
        PaperVector.objects.bulk_create(
            [PaperVector(paper_id=pid, model=model, vector=_to_bytes(v)) for (pid, _, _), v in zip(rows, vecs,
                                                                                                     strict=True)],
            ignore_conflicts=True)
        keys = np.array([pid for pid, _, _ in rows], dtype=np.uint64)
        present = np.array([index.contains(int(k)) for k in keys], dtype=bool)
        if (~present).any():
            index.add(keys[~present], vecs[~present])
        done += len(rows)
        if progress:
            progress(len(rows))
        if time.monotonic() - last_save > 30:  # searchable as it fills, not only at the end
            vectors.save(index, path)
            last_save = time.monotonic()
    if done or not path.exists():
        vectors.save(index, path)
    return done


def rebuild_vectors(model: str, batch: int = 20000, progress: Progress | None = None) -> int:
    """Recreate a model's vector index from the vectors stored in the database (no model is loaded)."""
    first = PaperVector.objects.filter(model=model).values_list("vector", flat=True).first()
    if first is None:
        return 0
    dim = len(bytes(first)) // 2  # float16
    index = vectors.new_index(dim)
    last = 0
    count = 0
    while True:
        rows = list(PaperVector.objects.filter(model=model, paper_id__gt=last).order_by("paper_id")
                    .values_list("paper_id", "vector")[:batch])
        if not rows:
            break
        keys = np.array([pid for pid, _ in rows], dtype=np.uint64)
        matrix = np.frombuffer(b"".join(bytes(v) for _, v in rows), dtype=np.float16).reshape(len(rows), dim)
        index.add(keys, matrix.astype(np.float32))
        last = rows[-1][0]
        count += len(rows)
        if progress:
            progress(len(rows))
    vectors.save(index, vector_path(model))
    return count


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
