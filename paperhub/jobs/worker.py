"""Workers: django-tasks-db's database worker, plus heartbeats and the recovery of tasks whose worker died.

django-tasks-db claims a task atomically (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, an exclusive
transaction on SQLite) and marks it RUNNING, so two workers never take the same task. What it does not do is
notice a worker that was killed: its task would stay RUNNING for ever. Nor does it record a task's outcome
through a database outage (three tries in 0.3 s, then the task stays RUNNING under a live worker, where no one
would retry or report it).

Here each worker writes a heartbeat every few seconds, naming the task it runs; any worker requeues a RUNNING task
whose worker is gone (its process no longer exists on this machine, or its heartbeat is older than DEAD_AFTER) or
alive but running something else (a claim committed as the worker's connection dropped, so it never knew), and
fails it after MAX_ATTEMPTS claims. Every task runs an idempotent command, so running it again finishes what the
first claim started. A task's outcome is recorded again, on a new connection, until the database is back.
"""

import contextlib
import logging
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from paperhub.core import process
from paperhub.jobs import embedding, schedule
from paperhub.jobs.models import WorkerBeat

log = logging.getLogger(__name__)

BEAT_EVERY = 5.0  # seconds between heartbeats
DEAD_AFTER = timedelta(seconds=60)  # a worker silent this long is dead
MAX_ATTEMPTS = 5  # claims of one task before it is failed for good
DATABASE_RETRY = 5.0  # seconds before polling again after the database could not be reached
#: A live worker's heartbeat this long past its claim of a task, naming another task or none: the task was lost.
ABANDONED_AFTER = timedelta(seconds=30)


def queue_names(text: str) -> list[str]:
    """The queues a comma-separated list names ('*': all); a name the task backend lacks is a ValueError that lists
    the known ones (a worker on no queue at all would wait for ever, saying nothing)."""
    known = settings.TASKS["default"]["QUEUES"]
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name != "*" and name not in known]
    if unknown or not names:
        raise ValueError(f"unknown queues: {', '.join(unknown) or repr(text)} (the queues: {', '.join(known)}, "
                         "or '*' for all)")
    return names


def new_worker_id() -> str:
    """host:pid:random, unique across the hub's machines (at most 64 characters, as django-tasks-db allows)."""
    return f"{process.identity()}:{secrets.token_hex(4)}"


def is_dead(worker_id: str, beats: dict[str, WorkerBeat], now: datetime, trust_stale: bool = True) -> bool:
    """Whether the worker that claimed a task is gone: no such process here, or a heartbeat too old (unless
    `trust_stale` is off: the database itself was out of reach lately, so every heartbeat is old)."""
    if not process.alive(worker_id):
        return True
    beat = beats.get(worker_id)
    return beat is None or (trust_stale and beat.seen_at < now - DEAD_AFTER)


def alive_workers() -> list[WorkerBeat]:
    """The workers alive now, by worker id: a fresh heartbeat, and a process that still runs where this machine can
    tell (a worker stopped at once leaves its heartbeat for up to DEAD_AFTER)."""
    now = timezone.now()
    beats = {beat.worker_id: beat for beat in WorkerBeat.objects.filter(seen_at__gte=now - DEAD_AFTER)}
    return [beats[worker_id] for worker_id in sorted(beats) if not is_dead(worker_id, beats, now)]


def abandoned(task_id: str, started_at: datetime | None, beat: WorkerBeat | None) -> bool:
    """Whether a live worker has lost a task it claimed: a heartbeat written ABANDONED_AFTER past the claim says it
    runs another task or none (a claim whose commit it never heard of, the connection dropped at that moment)."""
    return (beat is not None and beat.task_id is not None and beat.task_id != task_id and started_at is not None
            and beat.seen_at >= started_at + ABANDONED_AFTER)


def recover_orphans(trust_stale: bool = True) -> tuple[int, int]:
    """Requeue RUNNING tasks of dead workers, and those live workers lost (fail those claimed MAX_ATTEMPTS times);
    (requeued, failed). Without `trust_stale`, an old heartbeat alone does not make a worker dead (is_dead)."""
    now = timezone.now()
    running = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
                   .values("id", "worker_ids", "started_at"))
    if not running:
        return 0, 0
    beats = WorkerBeat.objects.in_bulk([r["worker_ids"][-1] for r in running if r["worker_ids"]])
    requeued = failed = 0
    for row in running:
        worker_ids = row["worker_ids"] or [""]
        if abandoned(str(row["id"]), row["started_at"], beats.get(worker_ids[-1])):
            log.warning("task %s is RUNNING under worker %s, which is alive but no longer runs it", row["id"],
                        worker_ids[-1])
        elif not is_dead(worker_ids[-1], beats, now, trust_stale):  # (a first heartbeat precedes a first claim)
            continue
        # Conditional on the claim we looked at, so two workers recovering at once act once.
        claim = DBTaskResult.objects.filter(id=row["id"], status=TaskResultStatus.RUNNING,
                                            started_at=row["started_at"])
        if len(worker_ids) >= MAX_ATTEMPTS:
            failed += claim.update(status=TaskResultStatus.FAILED, finished_at=now,
                                   exception_class_path="paperhub.jobs.worker.WorkerDied",
                                   traceback=f"its worker died {len(worker_ids)} times: {', '.join(worker_ids)}")
        else:
            requeued += claim.update(status=TaskResultStatus.READY)
    if requeued or failed:
        log.warning("recovered tasks of dead workers: %d requeued, %d failed", requeued, failed)
    return requeued, failed


def _until_recorded(row: DBTaskResult[..., Any], record: Callable[[Any], None]) -> Callable[[Any], None]:
    """`record` (a result's set_successful or set_failed) tried again every DATABASE_RETRY seconds while the
    database is locked or out of reach, on a new connection (a dropped one stays broken: the library's own tries
    all fail on it), and only while the claim is still this run's: a task housekeeping gave back to the queue meanwhile
    may be another worker's now, whose outcome this one must not overwrite. Other errors (a return value that is not
    JSON) still fail the task, as the library does."""
    claim = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)

    def durably(outcome: Any) -> None:
        while True:
            try:
                if not claim.exists():
                    log.warning("task %s was given back to the queue while it ran; its outcome here is not recorded",
                                row.pk)
                    return None
                return record(outcome)
            except (OperationalError, InterfaceError) as exc:
                log.warning("the database is busy or out of reach (%s) as a task's outcome is recorded; "
                            "recording it again in %.0f s", exc, DATABASE_RETRY)
                close_old_connections()
                time.sleep(DATABASE_RETRY)

    return durably


def _given_back(row: DBTaskResult[..., Any]) -> None:
    """A task interrupted while it only waited (process.pause: a network backoff) as its worker stops: back to the
    queue, as a killed worker's task is, for the next worker to run from the start."""
    if DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at).update(
            status=TaskResultStatus.READY):
        log.warning("task %s stopped while waiting to try again: back to the queue", row.pk)


class Heartbeat:
    """Writes this worker's heartbeat, and the task it runs (`doing()`), every BEAT_EVERY seconds from a thread of
    its own."""

    def __init__(self, worker_id: str, doing: Callable[[], str]) -> None:
        self.worker_id = worker_id
        self.doing = doing
        self.failed_at: float | None = None  # time.monotonic() of its last beat that failed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def beat(self) -> None:
        now = timezone.now()
        task_id = self.doing()  # read after `now`: what it runs at the time the beat says, or later
        updated = WorkerBeat.objects.filter(worker_id=self.worker_id).update(seen_at=now, task_id=task_id)
        if not updated:
            WorkerBeat.objects.update_or_create(worker_id=self.worker_id, defaults={
                "host": process.HOST, "pid": os.getpid(), "started_at": now, "seen_at": now, "task_id": task_id})

    def _run(self) -> None:
        try:
            while not self._stop.wait(BEAT_EVERY):
                try:
                    self.beat()
                except Exception:  # noqa: BLE001 (a database hiccup must not end the heartbeat)
                    self.failed_at = time.monotonic()
                    log.exception("heartbeat failed")
                    close_old_connections()
        finally:
            connection.close()

    def steady(self) -> bool:
        """Whether its beats have all landed for long enough that every live worker's heartbeat is fresh: after
        the database was out of reach, every heartbeat is old for a while, the living's too."""
        return self.failed_at is None or time.monotonic() - self.failed_at > (DEAD_AFTER.total_seconds() + BEAT_EVERY)

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        WorkerBeat.objects.filter(worker_id=self.worker_id).delete()


class HubWorker(Worker):
    """django-tasks-db's worker that also recovers dead workers' tasks and enqueues scheduled jobs."""

    HOUSEKEEPING_EVERY = 15.0

    def __init__(self, *, queue_names: list[str], interval: float, batch: bool = False,
                 max_tasks: int | None = None, worker_id: str | None = None, scheduler: bool = True) -> None:
        super().__init__(queue_names=queue_names, interval=interval, batch=batch, backend_name="default",
                         startup_delay=not batch, max_tasks=max_tasks, worker_id=worker_id or new_worker_id(),
                         excluded_queue_names=[])
        self.scheduler = scheduler
        self.embeds = embedding.QUEUE in queue_names or "*" in queue_names
        self.current_task: str | None = None  # the task it runs now, as its log names it
        self.current_task_id = ""  # ... and as its heartbeat gives it
        self.heartbeat = Heartbeat(self.worker_id, doing=lambda: self.current_task_id)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """The first signal lets the current task finish; a second one (a second Ctrl+C on `make run`, which `serve`
        passes on to its helpers) ends the process at once, as a kill would. django-tasks-db would exit
        inside the task instead, which marks it FAILED, with a traceback in the log, for work that is only
        interrupted: left claimed by a process that is gone, the task is requeued by the next worker (every task
        can be killed and rerun)."""
        if not self.running and self.running_task:
            log.warning("%s again: stopping now; the running task goes back to the queue", signal.strsignal(signum))
            for handler in logging.getLogger().handlers:  # the line above, before the process ends unflushed
                with contextlib.suppress(ValueError, OSError):  # a stream closed already must not keep it alive
                    handler.flush()
            os._exit(1)
        if self.running and self.running_task:  # one line of its own, naming the task (not the library's)
            process.stopping.set()  # a task only waiting to try again stops waiting, and goes back to the queue
            task = self.current_task or "its task"
            log.warning("%s: finishing %s first; Ctrl+C again to stop now (the task goes back to the queue)",
                        signal.strsignal(signum), task)
            self.running = False
            return
        super().shutdown(signum, frame)

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        """django-tasks-db's run, the task's outcome recorded however long the database takes to come back."""
        for name in ("set_successful", "set_failed"):
            setattr(db_task_result, name, _until_recorded(db_task_result, getattr(db_task_result, name)))
        record_failure = db_task_result.set_failed

        def set_failed(error: BaseException) -> None:
            if isinstance(error, process.StopWaiting):  # interrupted while waiting, not failed
                _given_back(db_task_result)
            else:
                record_failure(error)

        db_task_result.set_failed = set_failed
        self.current_task = f"task {db_task_result.id} ({db_task_result.task_name})"
        self.current_task_id = str(db_task_result.id)
        with contextlib.suppress(DatabaseError):  # said at once: a claim that took long to commit is not "lost"
            self.heartbeat.beat()
        try:
            super().run_task(db_task_result)
        finally:
            self.current_task, self.current_task_id = None, ""

    def housekeeping(self) -> None:
        """Recover orphaned tasks, forget long-dead workers, enqueue the schedule's due jobs and, in a worker
        of the embed queue, the next batches of papers to embed."""
        try:
            recover_orphans(trust_stale=self.heartbeat.steady())
            WorkerBeat.objects.filter(seen_at__lt=timezone.now() - 10 * DEAD_AFTER).delete()
            if self.scheduler:
                for name in schedule.enqueue_due():
                    log.info("scheduled job enqueued: %s", name)
            if self.embeds:
                embedding.plan(low_only=True)
        except Exception:  # noqa: BLE001 (housekeeping must not stop the worker; it runs again soon)
            log.exception("worker housekeeping failed")
            close_old_connections()

    def _poll(self) -> None:
        """django-tasks-db's loop, started again after the database was locked (past its busy timeout) or out of
        reach while claiming: the worker waits for it rather than exiting (the loop closes a broken connection as it
        starts). A task's own errors fail the task."""
        while True:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running:
                    raise
                log.warning("the database is busy or out of reach (%s); polling again in %.0f s", exc, DATABASE_RETRY)
                time.sleep(DATABASE_RETRY)

    def run(self) -> None:
        heartbeat = self.heartbeat
        heartbeat.start()
        self.housekeeping()
        stop = threading.Event()

        def keep_house() -> None:  # in a thread: the base loop is busy running tasks or sleeping between polls
            while not stop.wait(self.HOUSEKEEPING_EVERY):
                self.housekeeping()
            connection.close()

        keeper = threading.Thread(target=keep_house, name="housekeeping", daemon=True)
        keeper.start()
        try:
            self._poll()
        finally:
            stop.set()
            heartbeat.stop()
