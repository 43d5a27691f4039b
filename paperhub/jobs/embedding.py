"""Transformer embedding as work on the task queue: batches of papers, newest first, that any number of workers
on any machines take (`paperhub worker --queues embed`).

plan() keeps a few batches queued ahead of the workers: it runs under a lock (one planner at a time across the
hub), leaves out the papers already in a queued or running batch, and enqueues the newest papers still without
a vector. A batch is idempotent (search.embed_papers skips papers embedded meanwhile, and a paper
has one vector per model whatever races), so a batch whose worker was killed is simply run again when the
worker's death is noticed (jobs/worker.py). Every node's vector index takes the stored vectors in by itself.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperhub import search
from paperhub.papers.changes import serialize

log = logging.getLogger(__name__)
QUEUE = "embed"
#: Batches kept queued ahead of the workers; plan() tops the queue up when it holds fewer than half of these.
AHEAD = 16
#: The pg_advisory_xact_lock key of planning (SQLite's writers take turns anyway).
PLANNING = 7_301_000_003
#: How far back `paperhub index status` looks for the embedding rate.
RATE_WINDOW = timedelta(minutes=10)


@task(queue_name=QUEUE)
def embed_batch(model: str, paper_ids: list[int]) -> dict[str, Any]:
    """Embed the papers of one batch that still lack a vector under `model` (the configured transformer)."""
    if model != search.transformer_name():  # queued before the hub changed models: the planner will redo it
        return {"model": model, "papers": len(paper_ids), "embedded": 0, "skipped": "not the configured model"}
    started = time.monotonic()
    done = search.embed_papers(model, search.transformer(), paper_ids)
    try:
        plan(low_only=True)  # a fast worker (a GPU) must not wait for the next housekeeping round
    except DatabaseError:  # (the batch is done either way; housekeeping plans again within seconds)
        log.warning("could not plan more embedding batches just now", exc_info=True)
    return {"model": model, "papers": len(paper_ids), "embedded": done,
            "seconds": round(time.monotonic() - started, 3)}


_TASK_PATH = f"{embed_batch.func.__module__}.{embed_batch.func.__qualname__}"


def _pending() -> Any:
    return DBTaskResult.objects.filter(task_path=_TASK_PATH, status__in=[TaskResultStatus.READY,
                                                                        TaskResultStatus.RUNNING])


def plan(batches: int = AHEAD, size: int | None = None, low_only: bool = False) -> int:
    """Top the embed queue up to `batches` batches of `size` papers; returns how many batches were enqueued.

    With `low_only`, nothing happens unless fewer than half are left (a cheap count first).
    """
    size = size or settings.PAPERHUB_EMBED_TASK_PAPERS
    if low_only and _pending().count() >= batches // 2:
        return 0
    model = search.transformer_name()
    with transaction.atomic():
        serialize(PLANNING)
        queued = [row for row in _pending().values_list("args_kwargs", flat=True)]
        if len(queued) >= batches:
            return 0
        taken = {paper_id for row in queued for paper_id in row["args"][1]}
        ids = search.missing_papers(model, (batches - len(queued)) * size, skip=taken)
        for start in range(0, len(ids), size):
            embed_batch.enqueue(model, ids[start:start + size])
    return (len(ids) + size - 1) // size


def enqueue_all(size: int | None = None) -> int:
    """Queue every paper without a vector at once (what a benchmark or a one-off backfill wants)."""
    return plan(batches=10**9, size=size)


@dataclass
class Progress:
    """How transformer embedding is getting on across the hub."""

    model: str
    papers: int
    embedded: int
    queued_batches: int
    running_batches: int
    per_second: float  # over the last RATE_WINDOW

    @property
    def seconds_left(self) -> float | None:
        """At the recent rate, how long until every paper has a vector (None when nothing is embedding)."""
        left = self.papers - self.embedded
        if left <= 0:
            return 0.0
        return left / self.per_second if self.per_second > 0 else None


def progress() -> Progress:
    """The transformer's coverage, the queue, and the recent rate."""
    model = search.transformer_name()
    cover = search.coverage()
    since = timezone.now() - RATE_WINDOW
    recent = DBTaskResult.objects.filter(task_path=_TASK_PATH, status=TaskResultStatus.SUCCESSFUL,
                                         finished_at__gte=since).values_list("return_value", "started_at")
    done = 0
    first = None
    for value, started in recent:
        done += int((value or {}).get("embedded", 0))
        first = started if first is None or (started and started < first) else first
    span = (timezone.now() - first).total_seconds() if first else 0.0
    statuses = list(_pending().values_list("status", flat=True))
    return Progress(model=model, papers=cover.papers, embedded=cover.vectors.get(model, 0),
                    queued_batches=statuses.count(TaskResultStatus.READY),
                    running_batches=statuses.count(TaskResultStatus.RUNNING),
                    per_second=done / span if span > 0 else 0.0)
