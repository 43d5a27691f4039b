"""Vectors stored in the database (PaperVector): writing them, reading them back, and the papers still without.

Indexes are built from these rows (vector_files.py), so a vector is computed once per paper and model, on any
machine, and every node's index file takes it in without embedding again.
"""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from paperhub.papers.changes import VECTOR_WRITES, serialize
from paperhub.papers.models import Paper
from paperhub.search import embed
from paperhub.search.models import PaperVector

#: Paper ids per query when reading vectors back (SQLite's limit on query parameters is 32766).
READ_CHUNK = 5000


def _to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def store_vectors(model: str, paper_ids: list[int], matrix: np.ndarray) -> None:
    """Store papers' vectors under `model` (a paper that already has one keeps it)."""
    with transaction.atomic():
        serialize(VECTOR_WRITES)
        PaperVector.objects.bulk_create(
            [PaperVector(paper_id=pid, model=model, vector=_to_bytes(v))
             for pid, v in zip(paper_ids, matrix, strict=True)], ignore_conflicts=True)


def stored_vectors(model: str, paper_ids: Sequence[int]) -> dict[int, np.ndarray]:
    """The stored vectors under `model` of the papers among `paper_ids` that have one, as float32."""
    ids = list(paper_ids)
    found: dict[int, np.ndarray] = {}
    for start in range(0, len(ids), READ_CHUNK):
        for pid, blob in PaperVector.objects.filter(model=model, paper_id__in=ids[start:start + READ_CHUNK]) \
                .values_list("paper_id", "vector"):
            found[pid] = np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)
    return found


def stored_width(model: str) -> int | None:
    """How many dimensions the vectors stored under `model` have (None while none is stored): known without
    loading the model."""
    first = PaperVector.objects.filter(model=model).values_list("vector", flat=True)[:1]
    return len(bytes(first[0])) // 2 if first else None


def stored_count(model: str, paper_ids: Sequence[int]) -> int:
    """How many of the papers among `paper_ids` have a vector stored under `model`."""
    return PaperVector.objects.filter(model=model, paper_id__in=list(paper_ids)).count()


def stored_rows(model: str, after: int, batch: int) -> tuple[int, np.ndarray, np.ndarray] | None:
    """The next stored vectors after a PaperVector id: (last id, paper ids, float16 matrix), or None."""
    rows = list(PaperVector.objects.filter(model=model, id__gt=after).order_by("id")
                .values_list("id", "paper_id", "vector")[:batch])
    if not rows:
        return None
    blobs = [bytes(v) for _, _, v in rows]
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(rows), len(blobs[0]) // 2)
    return rows[-1][0], np.array([pid for _, pid, _ in rows], dtype=np.uint64), matrix


def stored_after(model: str, after: int) -> bool:
    """Whether any vector is stored under `model` after a PaperVector id."""
    return PaperVector.objects.filter(model=model, id__gt=after).exists()


#: A place in newest-first order: a paper's (published, id); undated papers come after every dated one.
Place = tuple[datetime | None, int]


def _lacking(model: str) -> Any:
    return Paper.objects.filter(~Exists(PaperVector.objects.filter(paper=OuterRef("pk"), model=model)))


def without_vector(model: str) -> Any:
    """Papers with no vector under `model`, newest first (a queryset)."""
    return _lacking(model).order_by("-published", "-id")


def missing_after(model: str, limit: int, after: Place | None) -> list[Place]:
    """Up to `limit` papers without a vector under `model` that come after the place `after` (None: from the
    newest) in newest-first order, as places. A keyset walk of the paper_newest index: it starts at `after`,
    whatever number of papers come before it."""
    lacking = _lacking(model)
    found: list[Place] = []
    if after is None or after[0] is not None:
        dated = lacking.filter(published__isnull=False)  # (written out: NULLs sort last on SQLite, first on PG)
        if after is not None:
            # (published, id) < after, with `published <= ` alone as well: an OR alone makes SQLite scan the
            # index from its start, while a plain bound lets it seek to `after`.
            dated = dated.filter(published__lte=after[0]).filter(Q(published__lt=after[0]) | Q(id__lt=after[1]))
        found = list(dated.order_by("-published", "-id").values_list("published", "id")[:limit])
    if len(found) < limit:
        undated = lacking.filter(published__isnull=True)
        if after is not None and after[0] is None:
            undated = undated.filter(id__lt=after[1])
        found += undated.order_by("-id").values_list("published", "id")[:limit - len(found)]
    return found


def missing_between(model: str, above: int, upto: int, limit: int) -> list[int]:
    """Ids of up to `limit` papers with `above` < id <= `upto` without a vector under `model`, in id order (the
    papers added since a walk began: a range of the primary key)."""
    return list(_lacking(model).filter(id__gt=above, id__lte=upto).order_by("id").values_list("id", flat=True)
                [:limit])


def missing_papers(model: str, limit: int, skip: Collection[int] = ()) -> list[int]:
    """Ids of up to `limit` papers without a vector under `model`, newest first, leaving out `skip`."""
    found: list[int] = []
    for paper_id in without_vector(model).values_list("id", flat=True)[:limit + len(skip)].iterator():
        if paper_id not in skip:
            found.append(paper_id)
            if len(found) == limit:
                break
    return found


def embed_papers(model: str, embedder: embed.Embedder, paper_ids: Collection[int]) -> int:
    """Embed and store the papers among `paper_ids` that still lack a vector under `model`; returns how many.

    Idempotent: a paper embedded meanwhile (a retried task, another worker) is skipped or, in a race, kept once
    (one row per paper and model).
    """
    have = set(PaperVector.objects.filter(model=model, paper_id__in=paper_ids).values_list("paper_id", flat=True))
    rows = list(Paper.objects.filter(id__in=[i for i in paper_ids if i not in have])
                .values_list("id", "title", "abstract"))
    if not rows:
        return 0
    vecs = embedder.encode([embed.paper_text(title, abstract) for _, title, abstract in rows])
    store_vectors(model, [pid for pid, _, _ in rows], vecs)
    return len(rows)
