"""`paperhub serve` beyond answering requests: its gunicorn settings and the helper processes it runs."""

import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperhub.accounts import services as accounts
from paperhub.core import process
from paperhub.jobs import tasks
from paperhub.jobs.models import WorkerBeat
from paperhub.management.commands.serve import HubArbiter, Server, ThreadWorker, helper_commands
from paperhub.management.helpers import STEADY_AFTER, Helpers
from tests.conftest import own_database_url
from tests.factories import user

OPTIONS = {"bind": "127.0.0.1:0", "workers": 1, "threads": 1}


def test_gunicorn_has_no_control_socket_that_another_hub_on_the_machine_would_share():
    assert Server(OPTIONS).cfg.control_socket_disable


@pytest.mark.parametrize("option", ["--workers=0", "--threads=0", "--workers=-1", "--task-workers=-1"])
def test_serve_refuses_a_server_without_workers_or_threads(option):
    """`serve --workers 0` started gunicorn with no web worker: every request hung (PAPERHUB_WEB_WORKERS=0 was
    refused already)."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="out of range"):
        call_command("serve", option)


#: How long the web worker of the tests below waits before it warms search: longer than they take to start serving.
WARMING_S = 60


def test_a_worker_answers_at_once_while_it_is_still_warming_search(hub):
    """Search was warmed in gunicorn's post_worker_init, before the worker's loop and its heartbeat: on the 346K hub
    /api/health answered 12-83 s after start. Now a threaded worker (the default) serves while a thread warms: what
    needs no model does not wait. (One thread a worker, gunicorn's sync worker, still warms first: its heartbeat beats
    only between requests, so a search waiting on a slow warm-up would have it killed for ever.)"""
    hub.env["PAPERHUB_WARM_DELAY"] = str(WARMING_S)
    started = time.monotonic()
    with hub.serving(1, "--threads", "4") as served:
        statuses = {path: urllib.request.urlopen(served.url + path, timeout=10).status
                    for path in ("/api/health", "/", "/static/web/site.css", "/api/search?q=graph+networks")}
        seconds = time.monotonic() - started
    assert statuses == dict.fromkeys(statuses, 200)
    assert seconds < WARMING_S, served.log
    assert "search ready" not in served.log and "WORKER TIMEOUT" not in served.log  # still warming when stopped


def _output_until(process: "subprocess.Popen[bytes]", text: str, seconds: float) -> str:
    """What the process printed until a line holding `text` (or the deadline)."""
    printed, deadline = b"", time.monotonic() + seconds
    while text.encode() not in printed and time.monotonic() < deadline:
        if select.select([process.stdout], [], [], 1)[0]:
            printed += os.read(process.stdout.fileno(), 65536)
    return printed.decode(errors="replace")


def test_a_worker_says_when_search_is_warm(hub):
    with hub.serving(1) as served:
        printed = _output_until(served.process, "search ready in", 120)
    assert re.search(r"INFO serve\[\d+\] gunicorn.error: search ready in \d+\.\d s", printed), printed
    assert "warming search failed" not in printed


def _exiting(code: int) -> list[str]:
    return [sys.executable, "-c", f"raise SystemExit({code})"]


#: A helper that ignores SIGTERM, as does the process it starts (which writes its pid to argv[1]).
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(60)
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a zombie, left to whoever adopted it, has ended
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:  # reaped in between
        return True


def test_a_helper_that_ends_is_logged_and_started_again_after_a_growing_pause(caplog):
    helpers = Helpers([("quitter", _exiting(3))])
    helpers.start()
    [helper] = helpers.helpers
    assert helper.process is not None
    helper.process.wait()
    now, pid = helper.started, helper.process.pid
    helpers.check(now + 0.5)
    assert caplog.messages == [f"helper `quitter` (pid {pid}) exited with code 3; starting it again in 1 s"]
    assert helper.process is None
    helpers.check(now + 1.4)
    assert helper.process is None  # not yet
    helpers.check(now + 1.6)
    assert helper.process is not None
    helper.process.wait()
    helpers.check(now + 1.7)
    assert caplog.messages[-1].endswith("starting it again in 2 s")
    helpers.check(now + 3.8)
    helper.process.wait()
    helpers.check(now + 3.8 + STEADY_AFTER)  # it ran a while: back to the first pause
    assert caplog.messages[-1].endswith("starting it again in 1 s")
    helpers.stop(5)


def test_stopping_waits_for_all_helpers_within_one_deadline_then_kills_what_they_started(tmp_path, caplog):
    scripts = []
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(STUBBORN)
        scripts.append((name, [sys.executable, str(tmp_path / f"{name}.py"), str(tmp_path / f"{name}.pid")]))
    helpers = Helpers(scripts)
    helpers.start()
    deadline = time.monotonic() + 30
    while not all((tmp_path / f"{name}.pid").exists() for name in "ab") and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchildren = [int((tmp_path / f"{name}.pid").read_text()) for name in "ab"]
    started = time.monotonic()
    helpers.stop(1)
    assert time.monotonic() - started < 5
    assert all(h.process is not None and h.process.returncode == -signal.SIGKILL for h in helpers.helpers)
    deadline = time.monotonic() + 5
    while not all(_gone(pid) for pid in grandchildren) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in grandchildren)
    assert [m.partition(" (")[0] for m in caplog.messages] == ["helper `a`", "helper `b`"]


def test_a_fork_that_exits_leaves_the_helpers_alone(tmp_path):
    """gunicorn's web workers are forks of serve: one that exited unwound through serve's `finally` and killed
    every helper (SIGKILL, on every Ctrl+C and every web worker's restart)."""
    (tmp_path / "a.py").write_text(STUBBORN)
    helpers = Helpers([("a", [sys.executable, str(tmp_path / "a.py"), str(tmp_path / "a.pid")])])
    helpers.start()
    child = os.fork()
    if child == 0:  # a web worker's exit, as gunicorn's: through every finally of the stack it was forked in
        try:
            helpers.stop(0)
            helpers.check()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    try:
        assert helpers.helpers[0].process.poll() is None and not helpers.stopping
    finally:
        helpers.stop(1)
    assert helpers.helpers[0].process.returncode is not None  # the owner stops it


def test_a_helper_that_gunicorn_reaps_is_logged_with_its_real_status_and_started_again(tmp_path, caplog):
    """A helper that ended between the arbiter's look at its helpers and gunicorn's own waitpid(-1) was reaped
    there without a word, then logged (if at all) as "exited with code 0". In a fork of its own, whose only
    children are the helpers: gunicorn's waitpid(-1) would reap any other test's ended child too."""
    child = os.fork()
    if child == 0:
        try:
            helpers = Helpers([("quitter", _exiting(3)), ("sleeper", [sys.executable, "-c", "import time; "
                                                                                           "time.sleep(60)"])])
            helpers.start()
            os.kill(helpers.helpers[1].process.pid, signal.SIGKILL)
            for helper in helpers.helpers:  # both ended, neither reaped yet
                os.waitid(os.P_PID, helper.process.pid, os.WEXITED | os.WNOWAIT)
            arbiter = HubArbiter(Server(OPTIONS, helpers))
            arbiter.helpers = helpers
            arbiter.reap_workers()  # gunicorn's waitpid(-1) meets them first
            helpers.check(time.monotonic() + 1.5)  # after its pause
            (tmp_path / "log").write_text("\n".join(caplog.messages) + "\n" + str(
                [h.process is not None and h.process.poll() is None for h in helpers.helpers]))
            helpers.stop(5)
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    *messages, restarted = (tmp_path / "log").read_text().splitlines()
    assert [re.sub(r"pid \d+", "pid N", m) for m in messages] == [
        "helper `quitter` (pid N) exited with code 3; starting it again in 1 s",
        "helper `sleeper` (pid N) exited with code -9; starting it again in 1 s"]
    assert restarted == "[True, True]"


def _children(pid: int) -> list[tuple[int, str]]:
    """The child processes of pid, with their command lines."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            children.append((int(child), cmdline))
    return children


def _task_worker(cmdline: str) -> bool:
    """Whether a command line is serve's task worker (not its mail worker, which names its queue)."""
    return cmdline.split()[-2:] == ["worker", "-v0"]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_serve_starts_a_killed_worker_again(hub):
    with hub.serving(1, "--task-workers", "1") as served:
        [(worker, _)] = [c for c in _children(served.process.pid) if _task_worker(c[1])]
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            workers = [pid for pid, cmdline in _children(served.process.pid) if _task_worker(cmdline)]
            if workers and workers != [worker]:
                break
            time.sleep(0.2)
        assert workers and workers != [worker]
    assert f"helper `worker` (pid {worker}) exited with code -9; starting it again in 1 s" in served.log
    assert served.log.count("exited with code") == 1  # the stop ended the others, no web worker's exit killed them
    assert served.process.returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_serves_helpers_end_when_serve_is_killed(hub):
    """A SIGKILL (the OOM killer) gives serve no time to stop its helpers: they end by themselves, not running on
    beside the next serve's."""
    with hub.serving(1, "--task-workers", "1") as served:
        helpers = [pid for pid, cmdline in _children(served.process.pid) if "paperhub.cli worker" in cmdline]
        assert len(helpers) == 2  # the task worker and the mail worker
        os.kill(served.process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 60  # a worker finishes its task first, if it has one
        while not all(_gone(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(_gone(pid) for pid in helpers)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_stops_within_seconds_while_a_client_has_not_finished_its_request(hub, stop):
    """Ctrl+C (SIGINT to the process group) took 30 s where a connection had sent half a request (as a browser's
    can be): the web worker's thread sat in a read without end, Python's exit waited for it, and gunicorn killed the
    worker at its graceful timeout ("was sent SIGKILL! Perhaps out of memory?"). A SIGTERM waited the same 30 s. So
    did a request whose headers had come but not all its body."""
    with hub.serving(1) as served, socket.create_connection(("127.0.0.1", served.port)) as half, \
            socket.create_connection(("127.0.0.1", served.port)) as body, \
            socket.create_connection(("127.0.0.1", served.port)):  # and one that has sent nothing yet
        half.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        body.sendall(b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrftoken=" + b"a" * 32 +
                     b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nuser")
        # (its CSRF cookie has Django read the form, so the app waits for the rest of the body)
        time.sleep(1)  # taken by the worker's threads
        started = time.monotonic()
        os.killpg(served.process.pid, stop)
        served.process.wait(timeout=40)
        seconds = time.monotonic() - started
    assert "was sent SIGKILL" not in served.log
    assert seconds < 10, served.log  # a graceful stop leaves reads 2 s; 30 s was the symptom
    assert served.process.returncode == 0


def _quit_in_a_thread(worker: ThreadWorker, act) -> str:
    """What `act` (which signals the worker) came to within 5 s, in a thread of its own: a deadlock must not hang
    the suite."""
    outcome = ["waiting for ever"]

    def run() -> None:
        try:
            act()
            outcome[0] = "returned"
        except SystemExit:
            outcome[0] = "stopped"

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(5)
    return outcome[0]


def test_a_quit_signal_landing_while_a_connection_is_handed_to_the_pool_stops_the_worker():
    """gthread's stop shuts its thread pool down, taking the lock the pool holds while a connection is handed to it:
    Ctrl+C landing there (the main thread's signal handler runs inside submit) waited on that lock for ever, and the
    master killed the worker 30 s later. A second quit signal while stopping (Ctrl+C reaches a worker twice: the
    terminal's SIGINT and the SIGQUIT its master passes on) is let be."""
    server = Server(OPTIONS)
    worker = ThreadWorker(0, os.getpid(), [], server, 60, server.cfg, server.cfg.logger_class(server.cfg))

    class Interrupted(ThreadPoolExecutor):
        def _adjust_thread_count(self) -> None:  # runs inside submit, under the pool's shutdown lock
            worker.handle_quit(signal.SIGINT, None)

    worker.tpool = Interrupted(1)
    assert _quit_in_a_thread(worker, lambda: worker.tpool.submit(print)) == "stopped"
    assert _quit_in_a_thread(worker, lambda: worker.handle_quit(signal.SIGQUIT, None)) == "returned"
    assert worker.handle(object()) is False  # a connection the pool takes up after the stop is not read


_DEATH_SIGNAL = """
import ctypes, os
from paperhub.core import process
process.end_with_parent()
sig = ctypes.c_int()
ctypes.CDLL(None).prctl(2, ctypes.byref(sig))  # PR_GET_PDEATHSIG
print(sig.value, process.ENDS_WITH in os.environ)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_only_a_process_serve_started_ends_with_it_and_its_own_children_do_not():
    def run(ends_with: str | None) -> "subprocess.CompletedProcess[str]":
        env = {k: v for k, v in os.environ.items() if k != process.ENDS_WITH}
        env.update({process.ENDS_WITH: ends_with} if ends_with else {})
        return subprocess.run([sys.executable, "-c", _DEATH_SIGNAL], env=env, capture_output=True, text=True)

    assert run(None).stdout.split() == ["0", "False"]  # any other process: nothing
    assert run(str(os.getpid())).stdout.split() == [str(int(signal.SIGTERM)), "False"]  # bound; children are not
    assert run("1").returncode == -signal.SIGTERM  # serve had already ended: it stops at once


def test_serve_starts_one_mail_worker_where_task_workers_run():
    """A sign-up's mail waited 49 s under `make run`: the task worker held by a long job, the embed workers (which
    took mail then) at idle priority, starved by the first static model's build. Mail has a worker of its own,
    at normal priority, which loads no model; a node without task workers (maybe without mail settings) sends none."""
    def names(task_workers: int, embed_workers: int = 1) -> list[str]:
        options = {"no_index_watch": False, "task_workers": task_workers, "embed_workers": embed_workers}
        return [name for name, _ in helper_commands(options)]

    assert names(2) == ["index watch", "worker", "worker", "mail worker", "embed worker"]
    assert names(0) == ["index watch", "embed worker"] and names(0, 0) == ["index watch"]
    commands = dict(helper_commands({"no_index_watch": True, "task_workers": 1, "embed_workers": 1}))
    worker = [sys.executable, "-m", "paperhub.cli", "worker", "-v0"]
    assert commands["worker"] == worker  # `paperhub worker`'s own queues: default,mail
    assert commands["mail worker"] == [*worker, "--queues", "mail", "--no-schedule"]  # the schedule: task workers'
    assert commands["embed worker"] == [*worker, "--queues", "embed", "--no-schedule"]


@pytest.mark.django_db(transaction=True)
def test_serves_mail_worker_sends_a_mail_within_seconds_whatever_holds_the_task_workers(mail_sink, tmp_path):
    """serve's mail worker, as a process: a mail queued behind a long job that no free task worker takes (here no
    task worker runs at all, which is what the queue sees of one held by a long job) reaches the SMTP server within
    seconds, and the worker loads no model (torch) and never takes the long job."""
    long_job = tasks.ingest_arxiv.enqueue("2026-11-20")
    ann = user("ann")
    commands = dict(helper_commands({"no_index_watch": True, "task_workers": 1, "embed_workers": 0}))
    env = {**os.environ, "DATABASE_URL": own_database_url(), "PAPERHUB_DATA_DIR": str(tmp_path),
           "PAPERHUB_EMAIL_HOST": "127.0.0.1", "PAPERHUB_EMAIL_PORT": str(mail_sink.port)}
    worker = subprocess.Popen(commands["mail worker"], env=env)
    try:
        deadline = time.monotonic() + 60
        while not WorkerBeat.objects.exists():  # it has started: its first heartbeat
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        queued = time.monotonic()
        accounts.queue_verification(ann, "http://hub.example")
        while not mail_sink.accepted and time.monotonic() < queued + 10:
            time.sleep(0.05)
        waited = time.monotonic() - queued
        assert [m["To"] for m in mail_sink.messages] == ["ann@example.org"]
        assert waited < 5, waited  # its claim: a random start of up to 1 s, then a look at the queue every second
        assert "torch" not in Path(f"/proc/{worker.pid}/maps").read_text()
    finally:
        worker.terminate()
        worker.wait(30)
    assert DBTaskResult.objects.get(id=long_job.id).status == TaskResultStatus.READY
