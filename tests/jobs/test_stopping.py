"""A worker told to stop (Ctrl+C) says at once which task it finishes first, and how to stop it now."""

import os
import signal

from django_tasks import task
from django_tasks_db.models import DBTaskResult

from paperhub.jobs import worker as workers


@task()
def interrupted() -> str:
    """A task during which its worker gets a Ctrl+C."""
    os.kill(os.getpid(), signal.SIGINT)
    return "finished"


def test_a_ctrl_c_names_the_task_the_worker_finishes_first(db, caplog):
    worker = workers.HubWorker(queue_names=["default"], interval=0, worker_id="test:1:ab")
    row = DBTaskResult.objects.get(id=interrupted.enqueue().id)
    row.claim(worker.worker_id)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    worker.configure_signals()
    try:
        worker.run_task(row)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    row.refresh_from_db()
    assert (row.status, row.return_value, worker.running) == ("SUCCESSFUL", "finished", False)
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"Interrupt: finishing task {row.id} (interrupted) first; Ctrl+C again to stop now "
        "(the task goes back to the queue)"]
