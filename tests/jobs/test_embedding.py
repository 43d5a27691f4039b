"""Transformer embedding on the task queue: planning batches, idempotent batches, and real embed workers sharing
the work on one hub while one of them is killed."""

import os
import signal
import subprocess
from datetime import UTC, datetime, timedelta

import numpy as np
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperhub.jobs import embedding
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search import embed
from paperhub.search.models import PaperVector
from paperhub.search.stored import embed_papers
from tests.factories import record, snapshot_object
from tests.jobs.test_jobs import _stop, _wait


def _papers(count: int) -> list[int]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    upsert_papers([record(f"2501.{i:05d}", title=f"Paper {i} on graphs", published=start + timedelta(days=i))
                   for i in range(count)])
    return list(Paper.objects.order_by("-published").values_list("id", flat=True))


def _batches() -> list[list[int]]:
    return [row["args"][1] for row in DBTaskResult.objects.filter(queue_name="embed").order_by("enqueued_at", "id")
            .values_list("args_kwargs", flat=True)]


class Counting:
    """An embedder that counts what it was asked to embed."""

    name, dim = "counting", 4

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts.extend(texts)
        return np.ones((len(texts), self.dim), dtype=np.float32) / 2


def test_planning_queues_the_newest_papers_once_and_tops_up(db, settings):
    settings.PAPERHUB_EMBED_TASK_PAPERS = 10
    newest_first = _papers(75)
    assert embedding.plan(batches=4) == 4
    batches = _batches()
    assert [len(b) for b in batches] == [10] * 4
    assert sum(batches, []) == newest_first[:40]  # newest first, each paper in one batch
    assert embedding.plan(batches=4) == 0  # full: nothing more
    assert embedding.plan(batches=4, low_only=True) == 0
    DBTaskResult.objects.filter(id__in=DBTaskResult.objects.order_by("enqueued_at")[:3].values("id")) \
        .update(status=TaskResultStatus.SUCCESSFUL)  # as if three batches were done...
    PaperVector.objects.bulk_create([PaperVector(paper_id=i, model=embed.transformer_name(), vector=b"\0\0")
                                     for i in newest_first[:30]])  # ...and their vectors stored
    assert embedding.plan(batches=4, low_only=True) == 3  # one left of four: topped up
    batches = _batches()
    assert len(sum(batches, [])) == len(set(sum(batches, []))) == 70  # no paper queued twice
    assert embedding.enqueue_all() == 1  # the last five
    assert sorted(sum(_batches(), [])) == sorted(newest_first)


def test_a_batch_embeds_only_what_still_lacks_a_vector(db):
    ids = _papers(6)
    embedder = Counting()
    assert embed_papers("counting", embedder, ids[:4]) == 4
    assert embed_papers("counting", embedder, ids) == 2  # a retried or overlapping batch: the rest only
    assert embed_papers("counting", embedder, ids) == 0
    assert len(embedder.texts) == 6
    assert PaperVector.objects.filter(model="counting").count() == 6


def test_a_batch_of_another_model_is_left_for_the_planner(db):
    ids = _papers(3)
    result = embedding.embed_batch.call("some-earlier-model", ids)
    assert result["embedded"] == 0 and not PaperVector.objects.exists()


def _embed_worker(hub) -> subprocess.Popen:
    return subprocess.Popen([*hub.cli, "worker", "--queues", "embed", "--no-schedule", "--interval", "0.2"],
                            env=hub.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _query(hub, code: str) -> str:
    return hub.run("shell", "-v0", "-c", code).stdout.strip()


TASKS = ("import json; from django_tasks_db.models import DBTaskResult as T; print(json.dumps([[t.status, t.worker_ids,"
         " t.args_kwargs['args'][1]] for t in T.objects.filter(queue_name='embed')]))")
VECTORS = ("from paperhub.search.models import PaperVector as V; from django.db.models import Count;"
           " print(V.objects.filter(model='minilm').count(),"
           " V.objects.values('paper_id', 'model').annotate(n=Count('id')).filter(n__gt=1).count())")


def test_embed_workers_share_disjoint_batches_and_a_killed_workers_batch_is_redone(hub):
    import json

    hub.env["PAPERHUB_EMBED_TASK_PAPERS"] = "12"
    words = "structure prediction of folded proteins from sequence with attention over residues and contacts "
    hub.ingest("papers.jsonl", [snapshot_object(f"2503.{i:05d}", title=f"Work {i} on protein folding",
                                                abstract=f"Study {i}: " + words * 16)  # 256 tokens, as arXiv's
                                for i in range(300)])
    queued = hub.run("index", "embed", "--enqueue")
    assert "25 batches queued" in queued.stdout

    def tasks() -> list:
        return json.loads(_query(hub, TASKS))

    def claims(worker: subprocess.Popen, status: str) -> list:
        return [t for t in tasks() if t[0] == status and t[1] and t[1][-1].split(":")[1] == str(worker.pid)]

    first = _embed_worker(hub)
    second = None
    try:
        _wait(lambda: claims(first, "RUNNING"), 120, "a batch running in the first worker")
        second = _embed_worker(hub)  # the two now take batches from the same queue
        _wait(lambda: claims(second, "SUCCESSFUL"), 120, "a batch done by the second worker")
        _wait(lambda: claims(first, "RUNNING"), 60, "the first worker in a batch")
        os.killpg(first.pid, signal.SIGKILL)  # mid-batch, most likely: its claim stays RUNNING until noticed
        first.wait()
        orphaned = [t[2] for t in claims(first, "RUNNING")]  # (empty if the batch ended before the kill landed)
        _wait(lambda: _query(hub, VECTORS).split()[0] == "300", 240, "every paper's vector")
        _wait(lambda: all(t[0] == "SUCCESSFUL" for t in tasks()), 60, "every batch done")
    finally:
        _stop([w for w in (first, second) if w is not None])
    done = tasks()
    stored, doubled = map(int, _query(hub, VECTORS).split())
    assert stored == 300 and doubled == 0
    ids = [paper_id for _, _, batch in done for paper_id in batch]
    assert len(ids) == len(set(ids)) == 300  # disjoint batches covering every paper
    assert len({workers[0] for _, workers, _ in done}) == 2  # both workers took batches
    redone = [(workers, batch) for _, workers, batch in done if len(workers) == 2]
    assert [batch for _, batch in redone] == orphaned  # the killed worker's batch, run again to the end
    assert all(str(first.pid) in workers[0] and str(second.pid) in workers[1] for workers, _ in redone)
    status = hub.run("index", "status").stdout
    assert "transformer embedding: 0 batches queued, 0 running" in status and "papers/s" in status
