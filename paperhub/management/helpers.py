"""The processes `paperhub serve` runs beside gunicorn (task, mail and embed workers, the index watcher): each is
logged with its exit status and started again when it ends, with a back-off, whichever of serve and gunicorn reaps it,
and all are stopped with the server, within one deadline."""

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from paperhub.core.process import ENDS_WITH

log = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0  # seconds before a helper that ended is started again; doubled each time it ends again
MAX_BACKOFF = 60.0
STEADY_AFTER = 60.0  # a helper that ran this long before it ended gets FIRST_BACKOFF again
STOP_SECONDS = 60.0  # how long helpers have to stop (all together) before they are killed


@dataclass
class Helper:
    """A command line and the process that runs it."""

    name: str
    argv: list[str]
    process: "subprocess.Popen[bytes] | None" = None
    started: float = 0.0  # time.monotonic() of its start
    backoff: float = FIRST_BACKOFF
    due: float = 0.0  # when to start it again, once it ended


class Helpers:
    """Helper processes, each in a process group of its own: stopping one ends what it started too (the watcher's
    `index distill`). Ctrl+C on a terminal reaches the server only, which stops them."""

    def __init__(self, commands: list[tuple[str, list[str]]]) -> None:
        self.helpers = [Helper(name, argv) for name, argv in commands]
        self.stopping = False
        self.owner = os.getpid()

    def _mine(self) -> bool:
        """Whether this is the process that started the helpers: gunicorn's web workers are forks of it, and one
        that exits unwinds through serve's `finally` too (it killed every helper whenever a web worker ended)."""
        return os.getpid() == self.owner

    def _running(self) -> Iterator[Helper]:
        return (h for h in self.helpers if h.process is not None and h.process.poll() is None)

    def _start(self, helper: Helper, now: float) -> None:
        helper.process = subprocess.Popen(helper.argv, process_group=0,
                                          env={**os.environ, ENDS_WITH: str(os.getpid())})
        helper.started = now

    def start(self) -> None:
        """Start every helper."""
        self.owner = os.getpid()
        for helper in self.helpers:
            self._start(helper, time.monotonic())

    def ended(self, pid: int, status: int) -> bool:
        """Whether `pid` is a helper's process; if so, keep its end (a wait status) for check() to log."""
        for helper in self.helpers:
            if helper.process is not None and helper.process.pid == pid and helper.process.returncode is None:
                helper.process.returncode = os.waitstatus_to_exitcode(status)
                return True
        return False

    @contextlib.contextmanager
    def ends_kept_from(self, module: types.ModuleType) -> Iterator[None]:
        """While it lasts, `module`'s waitpid (gunicorn.arbiter's: waitpid(-1) reaps any child, and drops one it
        does not know without a word, a helper that ended a moment before too) keeps a helper's end for check()
        with its real status, and returns the other children's."""
        helpers, real = self, module.os

        class KeepingOs:
            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)

            def waitpid(self, pid: int, options: int) -> tuple[int, int]:
                while True:
                    ended, status = real.waitpid(pid, options)
                    if not (ended and helpers.ended(ended, status)):
                        return ended, status

        module.os = KeepingOs()  # type: ignore[attr-defined]
        try:
            yield
        finally:
            module.os = real  # type: ignore[attr-defined]

    def check(self, now: float | None = None) -> None:
        """Log each helper that ended, and start it again once its back-off has passed."""
        if self.stopping or not self._mine():
            return
        now = time.monotonic() if now is None else now
        for helper in self.helpers:
            if helper.process is not None and helper.process.poll() is not None:
                if now - helper.started >= STEADY_AFTER:
                    helper.backoff = FIRST_BACKOFF
                log.error("helper `%s` (pid %d) exited with code %s; starting it again in %.0f s", helper.name,
                          helper.process.pid, helper.process.returncode, helper.backoff)
                helper.due = now + helper.backoff
                helper.backoff = min(2 * helper.backoff, MAX_BACKOFF)
                helper.process = None
            if helper.process is None and now >= helper.due:
                self._start(helper, now)

    def _signal(self, signum: int) -> None:
        for helper in self._running():
            assert helper.process is not None
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.killpg(helper.process.pid, signum)

    def terminate(self) -> None:
        """Ask every helper to stop (once: a worker told twice stops at once, leaving its task to another)."""
        if not self.stopping and self._mine():
            self.stopping = True
            self._signal(signal.SIGTERM)

    def stop(self, seconds: float = STOP_SECONDS) -> None:
        """Ask every helper to stop, wait for all of them for up to `seconds` together, then kill the process
        groups of those still running. A stop signal meanwhile is passed on: a worker stops at once. Nothing in
        another process than the one that started them."""
        if not self._mine():
            return
        self.terminate()
        deadline = time.monotonic() + seconds
        handlers: dict[signal.Signals, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                handlers[signum] = signal.signal(signum, lambda *_: self._signal(signal.SIGTERM))
        try:
            while any(self._running()) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
        for helper in self.helpers:
            if helper.process is None:
                continue
            if helper.process.poll() is None:
                log.warning("helper `%s` (pid %d) did not stop within %.0f s: killed", helper.name,
                            helper.process.pid, seconds)
            with contextlib.suppress(ProcessLookupError):  # what it started, too, if that outlived it
                os.killpg(helper.process.pid, signal.SIGKILL)
            helper.process.wait()
