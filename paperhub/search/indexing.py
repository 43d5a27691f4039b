"""Keeping this node's search indexes derived from the database: the keyword index (keyword_files.py) and the
vector files (vector_files.py) caught up together, static vectors for new papers, coverage.

Embedding and indexing are separate: embed_missing() stores vectors in the database (any process, any machine);
follow_vectors() adds the stored vectors this node's index file lacks.
"""

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.db import connection

from paperhub.papers.models import Paper
from paperhub.search import embed, keyword_files, stored, vector_files
from paperhub.search.models import PaperVector, StaticModelFile

Progress = Callable[[int], None]
STATIC = "static"


def vector_name(kind: str) -> str:
    """The model name the vectors of a kind ("static" or "dense") are stored and indexed under."""
    return (embed.static_name() or embed.LEGACY_STATIC) if kind == STATIC else embed.transformer_name()


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
        vector_files.follow_vectors(model)
    return done


def drop_stale_static(rows: bool = True, batch: int = 20000) -> int:
    """Forget the vectors of static models that are no longer current: this node's files of them, and with
    `rows` a batch of their stored rows (one node, the embedder, deletes them for the hub)."""
    current = embed.static_name()
    if current is None:
        return 0
    vector_files.drop_files_except(current)
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
    changed = keyword_files.update_keyword(progress=progress)
    if embed_new:
        with suppress(embed.ModelError):  # no static model yet: keyword search still works
            embed_missing(vector_name(STATIC), embed.static(), limit=static_limit, batch=4096, progress=progress,
                          follow=False)
    vector_files.follow_vectors(vector_name(STATIC), save_within=save_within)
    vector_files.follow_vectors(embed.transformer_name(), save_within=save_within)
    return changed


def forget() -> None:
    """Drop the indexes this process has open (a test acting as another node; they are opened again when used)."""
    keyword_files.served.forget()
    vector_files.forget()


@dataclass
class Coverage:
    """How much of the database each index covers."""

    papers: int
    keyword: int
    vectors: dict[str, int]


def coverage() -> Coverage:
    """Papers in the database, in the keyword index, and with vectors per model."""
    index = keyword_files.keyword_index()
    counts = {m: n for m, n in _vector_counts()}
    return Coverage(papers=Paper.objects.count(), keyword=index.num_docs if index else 0, vectors=counts)


def _vector_counts() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT model, COUNT(*) FROM {PaperVector._meta.db_table} GROUP BY model ORDER BY model")
        return [(str(m), int(n)) for m, n in cursor.fetchall()]
