"""A worker told to stop (Ctrl+C) says at once which task it finishes first, and how to stop it now."""

import os
import signal
import time

import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from paperhub.core import process
from paperhub.jobs import worker as workers


@task()
def interrupted() -> str:
    """A task during which its worker gets a Ctrl+C."""
    os.kill(os.getpid(), signal.SIGINT)
    return "finished"


def run_claimed(queued) -> tuple[workers.HubWorker, DBTaskResult]:  # noqa: ANN001 (a django-tasks task)
    """A worker with its signal handlers runs a task it claimed (the test's own handlers put back after); the
    task's row read again."""
    worker = workers.HubWorker(queue_names=["default"], interval=0, worker_id="test:1:ab")
    row = DBTaskResult.objects.get(id=queued.enqueue().id)
    row.claim(worker.worker_id)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    worker.configure_signals()
    try:
        worker.run_task(row)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    row.refresh_from_db()
    return worker, row


def test_a_ctrl_c_names_the_task_the_worker_finishes_first(db, caplog):
    worker, row = run_claimed(interrupted)
    assert (row.status, row.return_value, worker.running) == ("SUCCESSFUL", "finished", False)
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"Interrupt: finishing task {row.id} (interrupted) first; Ctrl+C again to stop now "
        "(the task goes back to the queue)"]


@task()
def waiting_to_try_again() -> str:
    """A task in a network backoff (PoliteClient's pause) when its worker gets a Ctrl+C."""
    os.kill(os.getpid(), signal.SIGINT)
    process.pause(30)
    return "finished"


def test_a_ctrl_c_ends_a_wait_to_try_again_and_gives_the_task_back(db, caplog):
    """An offline `make run` took ~40 s to stop: its worker finished an HF fetch retrying an unreachable host."""
    started = time.monotonic()
    worker, row = run_claimed(waiting_to_try_again)
    assert time.monotonic() - started < 5
    assert (row.status, worker.running) == ("READY", False)  # back to the queue, for the next worker
    assert f"task {row.id} stopped while waiting to try again: back to the queue" in caplog.text


def test_a_pause_is_a_sleep_until_the_process_stops():
    started = time.monotonic()
    process.pause(0.2)
    assert time.monotonic() - started >= 0.2
    process.stopping.set()  # (cleared after each test: conftest)
    with pytest.raises(process.StopWaiting):
        process.pause(30)
