"""Transformer embedding as work on the task queue: batches of papers, newest first, that any number of workers
on any machines take (`paperhub worker --queues embed`).

plan() keeps a few batches queued ahead of the workers: it runs under a lock (one planner at a time across the
hub), leaves out the papers already in a queued or running batch, and enqueues the newest papers still without
a vector. It remembers how far it looked (EmbedFrontier), so its cost follows the papers it queues, not the
millions already embedded: first the papers added since it last looked (ids above the highest it has seen),
then a walk down newest-first order from where the last plan stopped. Once the walk reaches the oldest paper it
rests, and starts again from the newest after RESWEEP, which finds what a failed batch left behind.

A batch is idempotent (search.embed_papers skips papers embedded meanwhile, and a paper has one vector per model
whatever races), so a batch whose worker was killed is simply run again when the worker's death is noticed
(jobs/worker.py). Every node's vector index takes the stored vectors in by itself.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperhub import search
from paperhub.core.queue import unfinished
from paperhub.jobs.models import EmbedFrontier
from paperhub.papers.changes import serialize
from paperhub.papers.models import Paper

log = logging.getLogger(__name__)
QUEUE = "embed"
#: Batches kept queued ahead of the workers; plan() tops the queue up when it holds fewer than half of these.
AHEAD = 16
#: The pg_advisory_xact_lock key of planning (SQLite's writers take turns anyway).
PLANNING = 7_301_000_003
#: How far back `paperhub index status` looks for the embedding rate.
RATE_WINDOW = timedelta(minutes=10)
#: How long a walk that reached the oldest paper rests before the next starts from the newest (a full pass:
#: the one planning cost that grows with the hub, paid once per RESWEEP).
RESWEEP = timedelta(hours=1)


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


def _pending() -> Any:
    return unfinished(embed_batch)


def plan(batches: int = AHEAD, size: int | None = None, low_only: bool = False, from_newest: bool = False) -> int:
    """Top the embed queue up to `batches` batches of `size` papers; returns how many batches were enqueued.

    With `low_only`, nothing happens unless fewer than half are left (a cheap count first); with `from_newest`,
    the walk starts again from the newest paper now.
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
        ids = _next_papers(model, (batches - len(queued)) * size, taken, from_newest)
        for start in range(0, len(ids), size):
            embed_batch.enqueue(model, ids[start:start + size])
    return (len(ids) + size - 1) // size


def _next_papers(model: str, want: int, taken: set[int], from_newest: bool) -> list[int]:
    """Up to `want` papers without a vector to queue, none of `taken`: papers added since the last plan, then the
    walk onward; moves the model's frontier past what was looked at."""
    top = Paper.objects.aggregate(top=Max("id"))["top"] or 0
    mark, _ = EmbedFrontier.objects.get_or_create(model=model, defaults={"seen_id": top})  # a new walk sees all
    if from_newest:
        mark.published, mark.paper_id, mark.swept_at = None, None, None
    found = _added(mark, want, taken, top)
    if len(found) < want and _walking(mark):
        found += _walk(mark, want - len(found), taken | set(found))
    mark.save()
    return found


def _added(mark: EmbedFrontier, want: int, taken: set[int], top: int) -> list[int]:
    """The papers added since the last plan (ids above seen_id, up to `top`) that still lack a vector."""
    if mark.seen_id >= top:
        return []
    asked = want + len(taken)
    ids = search.missing_between(mark.model, mark.seen_id, top, asked)
    fresh = [paper_id for paper_id in ids if paper_id not in taken]
    found = fresh[:want]
    # Stopped short of `top`: the ids past the last one queued are looked at next time.
    mark.seen_id = found[-1] if len(fresh) > want or len(ids) == asked else top
    return found


def _walking(mark: EmbedFrontier) -> bool:
    """Whether the walk goes on: it has not reached the oldest paper yet, or did so over RESWEEP ago."""
    return mark.paper_id is not None or mark.swept_at is None or mark.swept_at < timezone.now() - RESWEEP


def _walk(mark: EmbedFrontier, want: int, taken: set[int]) -> list[int]:
    """The next papers without a vector down newest-first order from where the walk stopped, none of `taken`."""
    after = (mark.published, mark.paper_id) if mark.paper_id is not None else None
    found: list[int] = []
    for published, paper_id in search.missing_after(mark.model, want + len(taken), after):
        if paper_id in taken:
            continue
        found.append(paper_id)
        if len(found) == want:
            mark.published, mark.paper_id = published, paper_id
            return found
    mark.published, mark.paper_id, mark.swept_at = None, None, timezone.now()  # the oldest paper: rest
    return found


def enqueue_all(size: int | None = None) -> int:
    """Queue every paper without a vector at once (what a benchmark or a one-off backfill wants)."""
    return plan(batches=10**9, size=size, from_newest=True)


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
    recent = DBTaskResult.objects.filter(task_path=embed_batch.module_path, status=TaskResultStatus.SUCCESSFUL,
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
