"""`paperhub serve`: the hub on gunicorn, a production WSGI server."""

import contextlib
import gc
import logging
import socket
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from gunicorn import arbiter, glogging
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers import gthread
from gunicorn.workers.base import Worker

from paperhub import search
from paperhub.core import mail
from paperhub.jobs import embedding
from paperhub.logs import REDACTED, ProcessRole, RedactSecrets, redact
from paperhub.management import arguments
from paperhub.management.helpers import Helpers


def _warm_in_background(worker: Any) -> None:
    """In each web worker as it starts: warm search (_warm) in a thread of its own, so that the worker serves at once.

    gunicorn starts a worker's heartbeat only after this hook returns: warming here (the transformer alone takes
    15 s, over a minute on a busy machine) held every request, a health check's too, and a warm-up past the timeout
    would have the worker killed and started again, for ever (gunicorn 27.0.1 happens not to check a worker before
    its first heartbeat: docs/benchmarks.md). A request that needs a part still loading waits for that same load
    (core/once.py); one that needs none of it (health, a static file, a page that does not search) does not wait."""
    threading.Thread(target=_warm, args=(worker,), name="warm-search", daemon=True).start()


def _warm(worker: Any) -> None:
    """Load the models, open the indexes, then freeze what is loaded out of the garbage collector's walks."""
    time.sleep(settings.PAPERHUB_WARM_DELAY)
    try:
        seconds = search.warm()
    except Exception:  # a worker without a warm search still serves: each part loads at its first use instead
        worker.log.exception("warming search failed")
        seconds = None
    finally:
        connections.close_all()  # this thread's own: requests run in threads of their own
    # What is loaded now (models, indexes, Django: ~550K objects) lives as long as the worker, yet each full garbage
    # collection walked it all again: a ~290 ms pause in whichever request set one off. Collected once here, then
    # frozen out of later collections (docs/benchmarks.md). (Requests answered meanwhile have theirs frozen too: those
    # in reference cycles, a few, then stay for the worker's life.)
    gc.collect()
    gc.freeze()
    if seconds is not None:
        worker.log.info("search ready in %.1f s", seconds)


#: gunicorn's access line without its own time (each line starts with the hub's: settings.LOGGING), "%(M)s ms" added.
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


class RedactingLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger, its lines in the hub's one format (settings.LOGGING's "line": time, level, serve[pid],
    logger), its access log without the secrets some URLs and headers carry (paperhub.logs)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        line: dict[str, str] = settings.LOGGING["formatters"]["line"]  # type: ignore[index]
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(logging.Formatter(line["format"], line["datefmt"]))
                handler.addFilter(ProcessRole())
                handler.addFilter(RedactSecrets())  # its error lines name a request's path ("Error handling request")

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in ("{authorization}i", "{cookie}i", "{proxy-authorization}i", "{set-cookie}o"):
                atoms[key] = REDACTED
            elif isinstance(value, str):
                atoms[key] = redact(value)
        return dict(atoms)


class ThreadWorker(gthread.ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded web worker, whose stop does not wait on a client that has not finished its request.

    A thread reads a request (its headers, then its body as the app asks for it) with no time limit, and Python's
    exit waits for every thread of the pool: one connection that had sent half a request (or a browser's that had
    sent nothing yet) kept a stopping worker alive until gunicorn killed it, 30 s later. So each connection a thread
    is handling is kept here, and a stop ends its reads (the read side only: what has arrived is still read, and
    an answer still goes out): a quick stop (Ctrl+C) at once, a graceful one (SIGTERM) once kept-alive connections
    have had their linger, for a request a client may just be sending. Connections accepted but not yet taken up by
    a thread when a quick stop comes are closed unread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: set[Any] = set()
        self.reading_lock = threading.RLock()  # taken by the signal handlers too, in the main thread
        self.reads_end_at: float | None = None
        self.quitting = False

    def handle(self, conn: Any) -> Any:
        with self.reading_lock:
            if self.quitting:  # set before end_reads takes the lock: a connection added here is always ended
                return False
            self.reading.add(conn)
        try:
            return super().handle(conn)
        finally:
            with self.reading_lock:
                self.reading.discard(conn)

    def end_reads(self) -> None:
        """End the reads of the connections being handled: a thread waiting on one finds it closed."""
        with self.reading_lock:
            for conn in self.reading:
                with contextlib.suppress(OSError):  # closed by the client meanwhile
                    conn.sock.shutdown(socket.SHUT_RD)

    def handle_quit(self, sig: Any, frame: Any) -> None:
        # Ctrl+C sends SIGINT to the worker and the master, which sends SIGQUIT: a second signal while stopping is
        # let be. And gthread's own handler shuts the thread pool down, taking the pool's lock, which the main
        # thread holds while it hands a connection to the pool: a signal landing there waited on it for ever (the
        # master killed the worker 30 s later). So the pool is not touched here: the base worker's stop raises
        # SystemExit, and the pool's threads, joined at exit, find their reads ended and the queue's connections
        # refused (handle).
        if self.quitting:
            return
        self.quitting = True
        self.end_reads()
        Worker.handle_quit(self, sig, frame)

    def handle_exit(self, sig: Any, frame: Any) -> None:
        if self.alive:
            self.reads_end_at = time.monotonic() + gthread.STOP_KEEPALIVE_LINGER
        super().handle_exit(sig, frame)

    def murder_pending(self) -> None:
        # Called in each round of the loop, and of the wait for open connections once the worker stops.
        super().murder_pending()
        if self.reads_end_at is not None and time.monotonic() >= self.reads_end_at:
            self.end_reads()


class HubArbiter(Arbiter):  # type: ignore[misc]
    """gunicorn's master process, which also watches serve's helpers in its loop (about once a second)."""

    helpers: Helpers

    def reap_workers(self) -> None:
        # gunicorn's waitpid(-1) reaps helpers too: each one's end is kept, with its status, for check() to log.
        with self.helpers.ends_kept_from(arbiter):
            super().reap_workers()
        self.helpers.check()

    def manage_workers(self) -> None:
        self.helpers.check()
        super().manage_workers()

    def halt(self, reason: Any = None, exit_status: int = 0) -> None:
        self.helpers.terminate()  # now, so they stop while the web workers do
        super().halt(reason, exit_status)


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn running the hub in this process, configured by serve's options."""

    def __init__(self, options: dict[str, Any], helpers: Helpers | None = None) -> None:
        self.options = options
        self.helpers = helpers or Helpers([])
        super().__init__()

    def run(self) -> None:
        arbiter = HubArbiter(self)
        arbiter.helpers = self.helpers
        arbiter.run()

    def load_config(self) -> None:
        options = self.options
        self.cfg.set("bind", [options["bind"]])
        self.cfg.set("workers", options["workers"])
        self.cfg.set("threads", options["threads"])
        self.cfg.set("worker_class", ThreadWorker if options["threads"] > 1 else "sync")
        self.cfg.set("accesslog", "-")
        self.cfg.set("access_log_format", ACCESS_FORMAT)
        self.cfg.set("logger_class", RedactingLogger)
        self.cfg.set("timeout", 60)
        # One thread a worker is gunicorn's sync worker, whose heartbeat beats only between requests: a search waiting
        # there for a slow warm-up (over the 60 s timeout on a busy machine) would have it killed and warming again,
        # for ever. It warms before its first request, as before; a threaded worker beats from its main thread.
        self.cfg.set("post_worker_init", _warm_in_background if options["threads"] > 1 else _warm)
        # Its control socket is one per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): a second hub on the
        # machine would share it, and stopping either deleted the other's. The hub does not use it.
        self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from paperhub.wsgi import application

        return application


def helper_commands(options: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The processes serve runs beside gunicorn, by serve's options: (name, command line) each."""
    cli = [sys.executable, "-m", "paperhub.cli"]
    commands = []
    if not options["no_index_watch"]:
        # The search indexes follow the database from a process of their own, so new papers become
        # searchable within seconds whatever writes them (ingest, cron, the admin).
        commands.append(("index watch", [*cli, "index", "watch"]))
    for _ in range(max(0, options["task_workers"])):
        commands.append(("worker", [*cli, "worker", "-v0"]))
    if options["task_workers"] > 0:
        # Mail from a worker of its own, at normal CPU priority: a task worker may be held for minutes by a long job
        # and an embed worker (idle priority) gets no CPU while anything else computes, and someone is waiting
        # for the link. Only where task workers run: a node without them may have no mail settings.
        commands.append(("mail worker", [*cli, "worker", "-v0", "--queues", mail.QUEUE, "--no-schedule"]))
    for _ in range(max(0, options["embed_workers"])):
        commands.append(("embed worker", [*cli, "worker", "-v0", "--queues", embedding.QUEUE, "--no-schedule"]))
    return commands


class Command(BaseCommand):
    help = "Serve the hub with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.PAPERHUB_BIND, help="host:port (PAPERHUB_BIND)")
        # (As their settings: no web worker, or no thread, is a server whose every request hangs.)
        parser.add_argument("--workers", type=arguments.whole_number(1), default=settings.PAPERHUB_WEB_WORKERS,
                            help="web worker processes (PAPERHUB_WEB_WORKERS)")
        parser.add_argument("--threads", type=arguments.whole_number(1), default=settings.PAPERHUB_WEB_THREADS,
                            help="threads per web worker (PAPERHUB_WEB_THREADS)")
        parser.add_argument("--no-index-watch", action="store_true",
                            help="do not start `paperhub index watch` beside the server")
        parser.add_argument("--task-workers", type=arguments.whole_number(0), default=settings.PAPERHUB_WORKERS,
                            help="`paperhub worker` processes to start beside the server (PAPERHUB_WORKERS; 0: none)")
        parser.add_argument("--embed-workers", type=arguments.whole_number(0), default=settings.PAPERHUB_EMBED_WORKERS,
                            help="workers of the embed queue to start beside the server (PAPERHUB_EMBED_WORKERS)")

    def handle(self, *args: Any, **options: Any) -> None:
        from paperhub.wsgi import application  # noqa: F401 (loaded here, before gunicorn forks its workers)

        call_command("collectstatic", interactive=False, verbosity=0)

        helpers = Helpers(helper_commands(options))
        server = Server(options, helpers)
        helpers.start()
        self.stdout.write(f"paperhub serving on http://{options['bind']}/")
        try:
            server.run()
        finally:
            helpers.stop()
