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
from paperhub.jobs.models import EmbedFrontier
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search import embed
from paperhub.search.models import PaperVector
from paperhub.search.stored import embed_papers
from tests.factories import hub_count, queued_tasks, record, snapshot_object, wait_until
from tests.jobs.test_jobs import _stop


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


def _embedded(ids: list[int]) -> None:
    """As if these papers' batches were done: their vectors stored, the batches of only these papers finished."""
    PaperVector.objects.bulk_create([PaperVector(paper_id=i, model=embed.transformer_name(), vector=b"\0\0")
                                     for i in ids], ignore_conflicts=True)
    done = [pk for pk, row in DBTaskResult.objects.values_list("id", "args_kwargs") if set(row["args"][1]) <= set(ids)]
    DBTaskResult.objects.filter(id__in=done).update(status=TaskResultStatus.SUCCESSFUL)


def test_planning_on_a_mostly_embedded_hub_queues_the_rest_newest_first_and_disjoint(db, settings):
    settings.PAPERHUB_EMBED_TASK_PAPERS = 10
    newest_first = _papers(300)
    _embedded(newest_first[:200] + newest_first[250:260])  # the newest two thirds, and a few older ones
    missing = newest_first[200:250] + newest_first[260:]
    assert embedding.plan(batches=3) == 3
    assert sum(_batches(), []) == missing[:30]
    _embedded(missing[:20])  # two batches done, one still queued
    assert embedding.plan(batches=3) == 2
    assert embedding.plan(batches=100) == 4  # the other 40, to the oldest paper
    queued = sum(_batches(), [])
    assert queued == missing and len(set(queued)) == len(queued)  # in order, each paper once
    assert embedding.plan(batches=100) == 0


def test_planning_walks_on_from_where_it_stopped_and_starts_over_from_the_newest_after_a_rest(db, settings):
    settings.PAPERHUB_EMBED_TASK_PAPERS = 10
    newest_first = _papers(60)
    assert embedding.plan(batches=2) == 2
    _embedded(newest_first[:20])
    PaperVector.objects.filter(paper_id=newest_first[3]).delete()  # above the walk: a vector lost meanwhile
    assert embedding.plan(batches=2) == 2
    assert sum(_batches(), [])[20:] == newest_first[20:40]  # onward from the last place, not from the top
    _embedded(newest_first[20:60])
    assert embedding.plan(batches=2) == 0  # the walk reached the oldest paper: it rests
    mark = EmbedFrontier.objects.get(model=embed.transformer_name())
    assert mark.paper_id is None and mark.swept_at is not None
    mark.swept_at -= embedding.RESWEEP
    mark.save()
    assert embedding.plan(batches=2) == 1
    assert _batches()[-1] == [newest_first[3]]  # a new walk from the newest found it


def test_papers_added_after_the_walk_passed_are_queued_first(db, settings):
    settings.PAPERHUB_EMBED_TASK_PAPERS = 10
    newest_first = _papers(30)
    assert embedding.plan(batches=1) == 1  # the walk stops at the 10th newest
    upsert_papers([record("2412.00001", title="Late arrival, old", published=datetime(2024, 12, 1, tzinfo=UTC)),
                   record("2601.00001", title="Newest", published=datetime(2026, 1, 1, tzinfo=UTC)),
                   record("2601.00002", title="Undated", published=None)])
    added = {uid: pk for uid, pk in Paper.objects.filter(uid__startswith=("26")).values_list("uid", "id")}
    added["2412.00001"] = Paper.objects.get(uid="2412.00001").id
    _embedded(newest_first[:10])
    assert embedding.plan(batches=1) == 1
    assert sorted(_batches()[-1][:3]) == sorted(added.values())  # (both above the walk and below it)
    assert _batches()[-1][3:] == newest_first[10:17]
    assert embedding.plan(batches=100) == 2
    assert sorted(sum(_batches(), [])) == sorted(newest_first + list(added.values()))  # each once


def test_undated_papers_come_after_dated_ones_and_a_backfill_queues_all_at_once(db, settings):
    settings.PAPERHUB_EMBED_TASK_PAPERS = 4
    newest_first = _papers(6)
    upsert_papers([record(f"2502.{i:05d}", published=None) for i in range(3)])
    undated = list(Paper.objects.filter(published=None).order_by("-id").values_list("id", flat=True))
    assert embedding.plan(batches=10) == 3
    assert sum(_batches(), []) == newest_first + undated
    _embedded(newest_first + undated)
    PaperVector.objects.filter(paper_id__in=[newest_first[0], undated[-1]]).delete()
    assert embedding.plan(batches=10) == 0  # resting (RESWEEP)
    assert embedding.enqueue_all() == 1  # ...but a backfill looks at every paper now
    assert _batches()[-1] == [newest_first[0], undated[-1]]


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


VECTORS = "SELECT count(*) FROM search_papervector WHERE model = 'minilm'"
DOUBLED = ("SELECT count(*) FROM (SELECT paper_id FROM search_papervector GROUP BY paper_id, model HAVING count(*) > 1)"
           " AS doubled")


def test_embed_workers_share_disjoint_batches_and_a_killed_workers_batch_is_redone(hub):
    hub.env["PAPERHUB_EMBED_TASK_PAPERS"] = "12"
    words = "structure prediction of folded proteins from sequence with attention over residues and contacts "
    hub.ingest("papers.jsonl", [snapshot_object(f"2503.{i:05d}", title=f"Work {i} on protein folding",
                                                abstract=f"Study {i}: " + words * 16)  # 256 tokens, as arXiv's
                                for i in range(300)])
    queued = hub.run("index", "embed", "--enqueue")
    assert "25 batches queued" in queued.stdout

    def tasks() -> list:
        return [[t["status"], t["workers"], t["args"][1]] for t in queued_tasks(hub, "embed")]

    def claims(worker: subprocess.Popen, status: str) -> list:
        return [t for t in tasks() if t[0] == status and t[1] and t[1][-1].split(":")[1] == str(worker.pid)]

    first = _embed_worker(hub)
    second = None
    try:
        wait_until(lambda: claims(first, "RUNNING"), 120, "a batch running in the first worker")
        second = _embed_worker(hub)  # the two now take batches from the same queue
        wait_until(lambda: claims(second, "SUCCESSFUL"), 120, "a batch done by the second worker")
        wait_until(lambda: claims(first, "RUNNING"), 60, "the first worker in a batch")
        os.killpg(first.pid, signal.SIGKILL)  # mid-batch, most likely: its claim stays RUNNING until noticed
        first.wait()
        orphaned = [t[2] for t in claims(first, "RUNNING")]  # (empty if the batch ended before the kill landed)
        wait_until(lambda: hub_count(hub, VECTORS) == 300, 240, "every paper's vector")
        wait_until(lambda: all(t[0] == "SUCCESSFUL" for t in tasks()), 60, "every batch done")
    finally:
        _stop([w for w in (first, second) if w is not None])
    done = tasks()
    stored, doubled = hub_count(hub, VECTORS), hub_count(hub, DOUBLED)
    assert stored == 300 and doubled == 0
    ids = [paper_id for _, _, batch in done for paper_id in batch]
    assert len(ids) == len(set(ids)) == 300  # disjoint batches covering every paper
    assert len({workers[0] for _, workers, _ in done}) == 2  # both workers took batches
    redone = [(workers, batch) for _, workers, batch in done if len(workers) == 2]
    assert [batch for _, batch in redone] == orphaned  # the killed worker's batch, run again to the end
    assert all(str(first.pid) in workers[0] and str(second.pid) in workers[1] for workers, _ in redone)
    status = hub.run("index", "status").stdout
    assert "transformer embedding: 0 batches queued, 0 running" in status and "papers/s" in status
