"""A task's outcome is recorded even when the database fails at that moment (a real failure, made at the database:
a table locked by another connection on SQLite, the worker's connection dropped on PostgreSQL); a task RUNNING
under a live worker that no longer runs it goes back to the queue."""

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from paperhub.jobs import tasks
from paperhub.jobs import worker as workers
from paperhub.jobs.models import WorkerBeat

HELD = 1.5  # seconds the database stays unusable: past django-tasks-db's own three tries (0.3 s, plus waits)


def _lock_the_results_table(locked: threading.Event) -> None:
    """Hold a write lock on the task results (another connection's open transaction) for HELD seconds."""
    from django.db import transaction

    try:
        with transaction.atomic():
            DBTaskResult.objects.update(priority=0)
            locked.set()
            threading.Event().wait(HELD)
    finally:
        connection.close()


def _drop_the_connection(pid: int, dropped: threading.Event) -> None:
    """End the worker's PostgreSQL session from another one, as a server restart or a network cut would."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        dropped.set()
    finally:
        connection.close()


@task()
def lose_the_database() -> str:
    """A task that ends just as the database becomes unusable to its worker."""
    done = threading.Event()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        other = threading.Thread(target=_drop_the_connection, args=(pid, done))
    else:
        with connection.cursor() as cursor:  # the worker waits 0.1 s for a lock, not 30 (the test closes it)
            cursor.execute("PRAGMA busy_timeout=100")
        other = threading.Thread(target=_lock_the_results_table, args=(done,), daemon=True)
    other.start()
    assert done.wait(10)
    return "done"


@pytest.mark.django_db(transaction=True)
def test_a_tasks_outcome_is_recorded_once_the_database_is_back(monkeypatch, caplog):
    """django-tasks-db alone gives up after 0.3 s and leaves the task RUNNING under its live worker for ever."""
    monkeypatch.setattr(workers, "DATABASE_RETRY", 0.4)
    worker = workers.HubWorker(queue_names=["default"], interval=0, worker_id="test:1:ab")
    row = DBTaskResult.objects.get(id=lose_the_database.enqueue().id)
    row.claim(worker.worker_id)
    try:
        worker.run_task(row)
    finally:
        connection.close()  # SQLite's busy timeout as it was
    row.refresh_from_db()
    assert (row.status, row.return_value, row.worker_ids) == ("SUCCESSFUL", "done", [worker.worker_id])
    retries = [r.getMessage() for r in caplog.records if "outcome is recorded" in r.getMessage()]
    assert retries and all("recording it again in 0 s" in message for message in retries)


def test_a_task_its_live_worker_no_longer_runs_goes_back_to_the_queue(db, caplog):
    """As when a claim commits while the worker's connection drops: the worker never heard it had the task."""
    worker = workers.HubWorker(queue_names=["default"], interval=0)  # this process: alive
    lost, running, young = [DBTaskResult.objects.get(id=tasks.prune_finished.enqueue().id) for _ in range(3)]
    for row in (lost, running, young):
        row.claim(worker.worker_id)
    DBTaskResult.objects.exclude(id=young.id).update(started_at=timezone.now() - workers.ABANDONED_AFTER)
    worker.current_task_id = str(running.id)
    workers.Heartbeat(worker.worker_id, doing=lambda: worker.current_task_id).beat()

    WorkerBeat.objects.update(task_id=None)  # a worker that does not say what it runs (older code) is trusted
    assert workers.recover_orphans() == (0, 0)
    WorkerBeat.objects.update(task_id=str(running.id))
    assert workers.recover_orphans() == (1, 0)
    assert {row.id: row.status for row in DBTaskResult.objects.all()} == {
        lost.id: "READY", running.id: "RUNNING", young.id: "RUNNING"}  # young: its worker may not have said yet
    assert f"task {lost.id} is RUNNING under worker {worker.worker_id}, which is alive but no longer runs it" in [
        r.getMessage() for r in caplog.records]


def test_after_the_database_was_out_an_old_heartbeat_alone_kills_no_one(db):
    """Every heartbeat is old when the database comes back, the living workers' too: until this worker's own
    beats have landed for a while, only a worker whose process is gone counts as dead."""
    worker = workers.HubWorker(queue_names=["default"], interval=0)  # this process: alive
    row = DBTaskResult.objects.get(id=tasks.prune_finished.enqueue().id)
    row.claim(worker.worker_id)
    worker.heartbeat.beat()
    WorkerBeat.objects.update(seen_at=timezone.now() - 2 * workers.DEAD_AFTER)  # no beat landed for two minutes
    worker.heartbeat.failed_at = time.monotonic()  # its own beats failed meanwhile
    assert not worker.heartbeat.steady()
    worker.housekeeping()
    assert DBTaskResult.objects.get(id=row.id).status == "RUNNING"
    worker.heartbeat.failed_at = time.monotonic() - workers.DEAD_AFTER.total_seconds() - 2 * workers.BEAT_EVERY
    assert worker.heartbeat.steady()
    worker.housekeeping()  # its own beats have landed long enough: this heartbeat is really old
    assert DBTaskResult.objects.get(id=row.id).status == "READY"


def test_a_task_is_said_in_the_heartbeat_as_it_starts(db):
    """A claim that took long to commit is not taken for lost: the beat names the task before the task runs."""
    worker = workers.HubWorker(queue_names=["default"], interval=0)
    worker.heartbeat.beat()
    row = DBTaskResult.objects.get(id=tasks.prune_finished.enqueue().id)
    row.claim(worker.worker_id)
    worker.run_task(row)
    assert WorkerBeat.objects.get(worker_id=worker.worker_id).task_id == str(row.id)  # the beat as it started


def test_an_outcome_is_not_written_over_another_workers_claim(db, caplog):
    """Housekeeping gave the task back while it ran, and another worker claimed it: that claim's, not this one's."""
    worker = workers.HubWorker(queue_names=["default"], interval=0)
    row = DBTaskResult.objects.get(id=tasks.prune_finished.enqueue().id)
    row.claim(worker.worker_id)
    theirs = timezone.now() + workers.ABANDONED_AFTER
    DBTaskResult.objects.filter(id=row.id).update(started_at=theirs, worker_ids=[worker.worker_id, "other:2:cd"])
    worker.run_task(row)
    stored = DBTaskResult.objects.get(id=row.id)
    assert (stored.status, stored.started_at, stored.worker_ids[-1]) == ("RUNNING", theirs, "other:2:cd")
    assert f"task {row.id} was given back to the queue while it ran; its outcome here is not recorded" in [
        r.getMessage() for r in caplog.records]
