"""Background work: leases, the schedule, and real `paperhub worker` processes sharing one queue."""

import io
import json
import os
import re
import signal
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from paperhub.env import SettingError
from paperhub.jobs import leases, schedule, tasks
from paperhub.jobs import worker as workers
from paperhub.jobs.models import ScheduledRun
from paperhub.management import queue
from paperhub.papers.models import FeedEntry, Paper
from tests.conftest import Reply
from tests.factories import FIXTURES, at_once, hub_count, queued_tasks, snapshot_object, wait_until


def test_a_lease_has_one_holder_until_it_expires(db):
    assert leases.hold("embedder", 60, holder="node-a")
    assert not leases.hold("embedder", 60, holder="node-b")
    assert leases.hold("embedder", 60, holder="node-a")  # renewed by its holder
    assert leases.hold("embedder", -1, holder="node-a")  # (renewed into the past: as if node-a died)
    assert leases.hold("embedder", 60, holder="node-b")
    leases.release("embedder", holder="node-a")  # not its lease any more: nothing happens
    assert not leases.hold("embedder", 60, holder="node-a")
    leases.release("embedder", holder="node-b")
    assert leases.hold("embedder", 60, holder="node-a")


def test_the_schedule_enqueues_each_slot_once(db, settings):
    settings.PAPERHUB_SCHEDULE = ["digests", "arxiv"]
    now = 1_800_000_000.0
    assert sorted(schedule.enqueue_due(now)) == ["arxiv", "digests"]
    assert schedule.enqueue_due(now + 60) == []
    assert schedule.enqueue_due(now + 3600) == ["digests"]
    queued = [r.task_path for r in DBTaskResult.objects.order_by("enqueued_at")]
    assert queued[0] in (tasks.ingest_arxiv.module_path, tasks.send_digests.module_path)
    assert queued.count(tasks.send_digests.module_path) == 2
    settings.PAPERHUB_SCHEDULE = ["digests", "coffee"]
    with pytest.raises(SettingError, match="PAPERHUB_SCHEDULE names unknown jobs: coffee"):
        schedule.enqueue_due(now)


@pytest.mark.django_db(transaction=True)
def test_many_workers_reaching_a_slot_at_once_enqueue_it_once(settings):
    settings.PAPERHUB_SCHEDULE = ["digests"]
    now = 1_800_000_000.0
    at_once(lambda _: schedule.enqueue_due(now), range(6))
    assert ScheduledRun.objects.count() == 1 and DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # the digests' SMTP connections are threads with their own connections
def test_scheduled_jobs_run_the_services_and_report_failures(settings, source_server, run_tasks, mail_sink, caplog):
    """The schedule's tasks call ingest and digests themselves (no command line): what they did is their result;
    a source that keeps failing fails the task, and `jobs status` names the task and the reason."""
    from django.core.management import call_command

    settings.PAPERHUB_HF_URL = source_server.url
    settings.PAPERHUB_ARXIV_API_URL = source_server.url + "/api/query"
    source_server.routes["/api/daily_papers"] = lambda q: Reply((FIXTURES / "hf_daily_papers.json").read_bytes())
    source_server.routes["/api/query"] = lambda q: Reply(b"unavailable", 503)
    settings.PAPERHUB_SCHEDULE = ["hf-daily", "digests", "arxiv"]
    assert sorted(schedule.enqueue_due(1_800_000_000.0)) == ["arxiv", "digests", "hf-daily"]
    done = {row.task_path.rpartition(".")[2]: row for row in run_tasks()}
    assert done["ingest_hf_daily"].status == "SUCCESSFUL"
    assert "2 new" in done["ingest_hf_daily"].return_value["summary"]
    assert Paper.objects.count() == 2 and FeedEntry.objects.count() == done["ingest_hf_daily"].return_value[
        "feed_entries"] > 0
    assert done["send_digests"].status == "SUCCESSFUL"
    assert done["send_digests"].return_value["daily"].startswith("0 newly planned, 0 sent")
    assert done["ingest_arxiv"].status == "FAILED"
    out = io.StringIO()
    call_command("jobs", "status", stdout=out)
    assert "task ingest_arxiv 20" in out.getvalue() and "503" in out.getvalue(), out.getvalue()
    # The log says it in one line, without a traceback (the settings' filter on django-tasks' logger).
    logged = [r for r in caplog.records if r.name == "django_tasks" and "state=FAILED" in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is None and "503" in logged[0].getMessage(), logged


def test_only_a_described_failure_loses_its_traceback_in_the_log(caplog):
    import logging

    log = logging.getLogger("django_tasks")
    for failure in (tasks.JobFailed("read 0 papers\narXiv could not be reached: 503."), ValueError("a bug")):
        try:
            raise failure
        except Exception:
            log.exception("Task id=%s state=%s", 7, "FAILED")
    described, bug = caplog.records[-2:]
    assert described.getMessage() == "Task id=7 state=FAILED: read 0 papers; arXiv could not be reached: 503."
    assert described.exc_info is None
    assert bug.getMessage() == "Task id=7 state=FAILED" and bug.exc_info is not None


def test_tasks_run_only_the_hubs_own_jobs():
    assert queue.check_argv(["digests", "send"]) == ["digests", "send"]
    for argv in (["shell", "-c", "print(1)"], ["migrate"], ["flush"], []):
        with pytest.raises(ValueError, match="not a command tasks run"):
            queue.check_argv(argv)


@pytest.mark.parametrize(("option", "refusal"), [
    (["--queues", "default,nosuch"], "unknown queues: nosuch (the queues: default, embed, mail, or '*' for all)"),
    (["--queues", ","], "unknown queues: ','"),
    (["--threads", "0"], "0 is out of range: 1 or more"),
])
def test_a_worker_refuses_queues_it_would_wait_on_for_ever_and_no_threads(db, option, refusal):
    """`worker --queues nosuch` started and waited for ever, silently; `--threads 0` was taken too."""
    with pytest.raises(CommandError, match=re.escape(refusal)):
        call_command("worker", *option, "--batch", "--no-schedule", "-v0")
    assert workers.queue_names("*") == ["*"] and workers.queue_names("default, mail") == ["default", "mail"]


def test_a_queued_command_is_parsed_and_its_files_made_absolute_when_queued(tmp_path, monkeypatch):
    """A bad option, or a file named relative to the enqueuing shell's directory, failed later in the worker."""
    (tmp_path / "full.jsonl").write_text("")
    monkeypatch.chdir(tmp_path)
    assert queue.checked(["ingest", "snapshot", "full.jsonl", "--errors=bad.jsonl"]) == [
        "ingest", "snapshot", str(tmp_path / "full.jsonl"), f"--errors={tmp_path / 'bad.jsonl'}"]
    with pytest.raises(ValueError, match="no such file: .*missing.jsonl"):
        queue.checked(["ingest", "snapshot", "missing.jsonl"])
    with pytest.raises(ValueError, match="unrecognized arguments: --bogus x"):
        queue.checked(["ingest", "snapshot", "full.jsonl", "--bogus", "x"])
    with pytest.raises(ValueError, match="--limit: not a whole number"):
        queue.checked(["links", "stars", "--limit", "many"])
    assert queue.checked(["links", "stars"]) == ["links", "stars"]  # in the docs' cron lines, so queued too


def _tasks(hub) -> list[dict]:
    return [{**task, "args": task["args"][0]} for task in queued_tasks(hub)]


def _papers(hub) -> int:
    return hub_count(hub, "SELECT count(*) FROM papers_paper")


def _worker(hub) -> subprocess.Popen:
    return subprocess.Popen([*hub.cli, "worker", "--no-schedule", "--interval", "0.2"], env=hub.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def test_workers_share_the_queue_and_run_each_task_once(hub, tmp_path):
    from tests.factories import write_snapshot

    refused = hub.run("jobs", "enqueue", "shell", "-c", "print(1)", check=False)
    assert refused.returncode != 0 and "not a command tasks run" in refused.stderr
    workers = [_worker(hub) for _ in range(3)]
    try:
        paths = [str(write_snapshot(tmp_path / f"part{n}.jsonl", [snapshot_object(f"2501.{n:02d}{i:03d}")
                                                                  for i in range(40)])) for n in range(12)]
        # All three idle and polling, then the twelve tasks at once: one fast worker cannot take them all first.
        wait_until(lambda: len(json.loads(hub.run("jobs", "status", "--json").stdout)["workers"]) == 3, 60, "workers")
        hub.run("shell", "-v0", "-c", "from paperhub.management import queue\n"
                f"for path in {paths!r}: queue.enqueue(['ingest', 'snapshot', path])")
        wait_until(lambda: all(t["status"] in ("SUCCESSFUL", "FAILED") for t in _tasks(hub)), 120, "the tasks")
    finally:
        _stop(workers)
    done = _tasks(hub)
    assert [t["status"] for t in done] == ["SUCCESSFUL"] * 12, [t["error"] for t in done]
    assert all(len(t["workers"]) == 1 for t in done)  # claimed once each
    assert all("40 new" in t["result"]["stdout"] for t in done)
    assert len({t["workers"][0] for t in done}) >= 2  # the work was shared
    assert _papers(hub) == 480
    status = json.loads(hub.run("jobs", "status", "--json").stdout)
    assert status["tasks"] == {"SUCCESSFUL": 12} and status["workers"] == []  # stopped workers sign off


def test_a_task_whose_worker_was_killed_runs_again_to_the_end(hub, tmp_path):
    from tests.factories import write_snapshot

    path = write_snapshot(tmp_path / "big.jsonl", [snapshot_object(f"2502.{i:05d}", title=f"Paper number {i}")
                                                   for i in range(30000)])
    hub.env["PAPERHUB_INGEST_BATCH"] = "20"  # 1,500 small commits: slow enough to be killed midway, for sure
    hub.run("jobs", "enqueue", "ingest", "snapshot", str(path))
    first = _worker(hub)
    try:
        wait_until(lambda: _tasks(hub)[0]["status"] == "RUNNING", 60, "the task to start")
        wait_until(lambda: _papers(hub) > 0, 60, "the first papers to land")
        os.killpg(first.pid, signal.SIGKILL)  # the worker and the ingest's parser process with it
        first.wait()
        assert _tasks(hub)[0]["status"] == "RUNNING" and _papers(hub) < 30000  # killed midway, left claimed
        second = _worker(hub)  # notices the dead worker's task at start-up and runs it again
        try:
            wait_until(lambda: _tasks(hub)[0]["status"] in ("SUCCESSFUL", "FAILED"), 180, "the rerun")
        finally:
            _stop([second])
    finally:
        _stop([first])
    task = _tasks(hub)[0]
    assert task["status"] == "SUCCESSFUL", task["error"]
    assert len(task["workers"]) == 2
    assert _papers(hub) == 30000


def test_a_second_stop_signal_ends_the_worker_as_a_kill_would(monkeypatch):
    """Not inside the task, which django-tasks-db would mark FAILED: the task stays claimed by a process that is gone,
    and the next worker requeues it (test_a_task_whose_worker_was_killed_runs_again_to_the_end)."""
    from paperhub.jobs.worker import HubWorker

    exits = []

    def exit_now(code: int) -> None:
        exits.append(code)
        raise InterruptedError  # os._exit does not return

    monkeypatch.setattr(os, "_exit", exit_now)
    worker = HubWorker(queue_names=["default"], interval=0.1, worker_id="test:1:ab")
    worker.running_task = True
    worker.shutdown(signal.SIGINT, None)  # Ctrl+C: the task goes on
    assert not worker.running and exits == []
    with pytest.raises(InterruptedError):
        worker.shutdown(signal.SIGTERM, None)  # serve stopping its helpers: now
    assert exits == [1]


def test_a_worker_waits_out_a_locked_database(monkeypatch, caplog):
    """Locked past its busy timeout (or out of reach) while claiming, the database is waited for, not fatal."""
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Worker

    from paperhub.jobs import worker as workers

    polls = []

    def poll(self):
        polls.append(1)
        if len(polls) == 1:
            raise OperationalError("database is locked")

    monkeypatch.setattr(Worker, "run", poll)
    monkeypatch.setattr(workers.time, "sleep", lambda seconds: None)
    workers.HubWorker(queue_names=["default"], interval=0.1, worker_id="test:1:ab")._poll()
    assert len(polls) == 2
    assert [r.getMessage() for r in caplog.records] == [
        "the database is busy or out of reach (database is locked); polling again in 5 s"]
