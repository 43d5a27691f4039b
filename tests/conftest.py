"""Shared fixtures: a local HTTP server that answers like arXiv/OAI-PMH/Hugging Face, and the shared data."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

SHARED_DATA = Path(os.environ.get("PAPERHUB_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))


@dataclass
class Reply:
    """What the server answers: a status, a body, headers."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[dict[str, str]], Reply]


class SourceServer:
    """A loopback HTTP server: routes by path to functions of the query, and a log of every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.headers: list[dict[str, str]] = []  # each request's headers, in the order of `requests`
        self.bodies: list[bytes] = []  # each request's body (empty for a GET), in the same order
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                outer.requests.append((url.path, query))
                outer.headers.append(dict(self.headers.items()))
                outer.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                route = outer.routes.get(url.path)
                reply = route(query) if route else Reply(b"not found", 404)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_POST = do_GET  # noqa: N815 (a route answers both; `bodies` holds what was posted)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def source_server() -> Iterator[SourceServer]:
    server = SourceServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _no_waiting(settings: pytest.FixtureRequest) -> None:
    """No politeness pauses or long retries against the local server."""
    settings.PAPERHUB_ARXIV_API_DELAY = 0
    settings.PAPERHUB_OAI_DELAY = 0
    settings.PAPERHUB_HTTP_RETRIES = 2
    settings.PAPERHUB_HTTP_TIMEOUT = 5


@pytest.fixture(autouse=True)
def _rate_windows_start_with_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count in fixed windows; each test's clock starts a second into a day, so a window of a minute,
    an hour or a day never ends in the middle of a test (one did in CI at 22:00, and a limit of three
    mails an hour let five through)."""
    from types import SimpleNamespace

    from paperhub.core import limits

    start = time.time()
    offset = (start // 86400 + 1) * 86400 + 1 - start
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: time.time() + offset))


@pytest.fixture(autouse=True)
def _not_stopping() -> Iterator[None]:
    """A worker told to stop in a test (its shutdown() called in this process) leaves the process's `stopping` set:
    cleared, so the next test's waits are waits."""
    from paperhub.core import process

    yield
    process.stopping.clear()


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries back off in real time; tests shrink the wait, not the logic."""
    from paperhub.ingest import http

    real = http.PoliteClient.__init__

    def quick(self: http.PoliteClient, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        self.backoff = 0.01

    monkeypatch.setattr(http.PoliteClient, "__init__", quick)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data: fails under CI (it must be there), skips elsewhere with the reason."""
    if not (SHARED_DATA / "arxiv").is_dir():
        message = f"the shared data is not at {SHARED_DATA} (set PAPERHUB_SHARED_DATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


def free_port() -> int:
    """A port nothing listens on now, for a server about to bind it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections for the whole test: held bound and not listening, so no other test
    worker's server can take it between picking and connecting (as a port from free_port() could be)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


def own_database_url() -> str:
    """The DATABASE_URL of this test run's own database, for a `paperhub` command run on it in a subprocess."""
    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return (f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}")


@dataclass
class Served:
    """A hub served by `paperhub serve`: its address, its process, and (once stopped) what it printed."""

    url: str
    port: int
    process: "subprocess.Popen[bytes]"
    log: str = ""


class Hub:
    """A hub in a scratch directory, driven through the real `paperhub` command in subprocesses.

    Its database is of the kind the suite runs on: a SQLite file, or a new database on the PostgreSQL server
    of DATABASE_URL (dropped afterwards). No periodic jobs and no embed workers beside `serve`: a test enqueues
    and starts what it wants run.
    """

    def __init__(self, root: Path) -> None:
        from testbed.scratch import new_database

        self.root = root
        self.database_url = new_database(root, os.environ.get("DATABASE_URL", ""))
        self.env = {**os.environ, "PAPERHUB_DATA_DIR": str(root), "DATABASE_URL": self.database_url,
                    "PAPERHUB_SCHEDULE": "", "PAPERHUB_EMBED_WORKERS": "0"}
        self.cli = [sys.executable, "-m", "paperhub.cli"]

    def close(self) -> None:
        from testbed.scratch import drop_database

        drop_database(self.database_url)

    def run(self, *args: str, check: bool = True) -> "subprocess.CompletedProcess[str]":
        return subprocess.run([*self.cli, *args], env=self.env, check=check, capture_output=True, text=True)

    def start(self, *args: str) -> "subprocess.Popen[bytes]":
        """A `paperhub` command started in a session of its own, so that `stop()` can end it with its children."""
        return subprocess.Popen([*self.cli, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)

    @contextmanager
    def serving(self, workers: int, *options: str, port: int | None = None) -> Iterator["Served"]:
        """`paperhub serve` on a free port (or `port`), once it answers; stopped afterwards, its output kept."""
        port = port or free_port()
        process = self.start("serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--no-index-watch",
                             *options)
        served = Served(f"http://127.0.0.1:{port}", port, process)
        # generous: workers load the models as they start, and the suite runs a test per core beside this one
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(served.url + "/", timeout=10).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    _kill_group(process)
                    raise
                time.sleep(0.2)
        try:
            yield served
        finally:
            process.terminate()
            try:
                served.log = process.communicate(timeout=30)[0].decode(errors="replace")
            finally:
                _kill_group(process)  # workers left behind by a server that did not stop in time

    def ingest(self, name: str, objects: list) -> None:
        from tests.factories import write_snapshot

        self.run("ingest", "snapshot", str(write_snapshot(self.root / name, objects)))


def _kill_group(process: "subprocess.Popen[bytes]") -> None:
    """SIGKILL a process started by Hub.start and whatever it started in its process group, if any of them is still
    there (serve's helpers have groups of their own: they end with serve, core.process.end_with_parent)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextmanager
def _migrated_hub(root: Path) -> Iterator[Hub]:
    instance = Hub(root)
    try:
        instance.run("migrate", "-v0")
        yield instance
    finally:
        instance.close()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    """A migrated hub in tmp_path, run as a user runs it."""
    with _migrated_hub(tmp_path) as instance:
        yield instance


@pytest.fixture(scope="module")
def module_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A migrated hub that a module's tests share: for tests that only read what a fixture put in it."""
    with _migrated_hub(tmp_path_factory.mktemp("hub")) as instance:
        yield instance


@pytest.fixture
def search_dir(settings: Any, tmp_path: Path) -> Path:
    """Search indexes (and the recommendation space) in a directory of the test's own."""
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    from paperhub.search import indexing

    indexing.forget()
    return Path(settings.PAPERHUB_SEARCH_DIR)


@pytest.fixture
def mail_sink(settings: Any) -> Iterator[Any]:
    """Django's SMTP backend pointed at a loopback SMTP server; read what arrived from `.messages`."""
    from testbed.smtpsink import SmtpSink

    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    yield sink
    sink.close()


@pytest.fixture
def run_tasks() -> Callable[[], list[Any]]:
    """Run every queued task here, oldest first, as a worker runs it (django-tasks-db's own run_task)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test-worker", excluded_queue_names=[])

    def run() -> list[Any]:
        ran = []
        while (row := DBTaskResult.objects.ready().order_by("enqueued_at", "id").first()) is not None:
            row.claim(worker.worker_id)
            worker.run_task(row)
            row.refresh_from_db()
            ran.append(row)
        return ran

    return run


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the SQLite test database's -wal and -shm files that outlive it (Django deletes only the database)."""
    from django.conf import settings

    name = str(settings.DATABASES["default"].get("TEST", {}).get("NAME") or "")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and name and not Path(name).exists():
        for leftover in Path(name).parent.glob(Path(name).name + "-*"):
            leftover.unlink(missing_ok=True)
