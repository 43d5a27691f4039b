"""Which process this is, as claims, leases and workers record it, and whether a recorded process still runs.

An identity is "host:pid" (a worker adds ":random"). Only a process of this machine can be seen to be gone;
one of another machine may always still be running, so its claims are left to expire.
"""

import ctypes
import os
import signal
import socket
import sys
import threading
import time

#: Set when this process is asked to stop (a worker's first Ctrl+C or SIGTERM): a wait that only lets time pass before
#: trying again (a network backoff) ends then, rather than holding the stop for a minute (pause()).
stopping = threading.Event()


class StopWaiting(BaseException):  # (not an Exception: a task's own `except Exception` must not take it for a failure)
    """A pause cut short because the process is stopping: the task it was in is interrupted, not failed (the worker
    gives it back to the queue)."""


def pause(seconds: float) -> None:
    """Sleep `seconds`, or raise StopWaiting as soon as the process is asked to stop (looked at every half second: a
    signal handler sets `stopping` in the very thread that sleeps, so it cannot wake a wait on the event)."""
    ends = time.monotonic() + seconds
    while not stopping.is_set():
        if (left := ends - time.monotonic()) <= 0:
            return
        time.sleep(min(left, 0.5))
    raise StopWaiting(f"stopped while waiting {seconds:.1f} s to try again")


#: This machine's name as identities give it: short enough for a worker id of 64 characters (django-tasks-db).
HOST = socket.gethostname()[:40]


#: Set by `paperhub serve` for each process it runs beside gunicorn: serve's pid, which that process ends with.
ENDS_WITH = "PAPERHUB_ENDS_WITH"
_PR_SET_PDEATHSIG = 1  # prctl(2)


def end_with_parent() -> None:
    """In a process serve started (ENDS_WITH), have Linux send it SIGTERM when serve ends, however serve ends (a
    SIGKILL, the OOM killer): a worker or index watcher that outlived it would run on beside the next serve's. Its
    own children are not bound to serve (the variable is taken out of the environment)."""
    parent = os.environ.pop(ENDS_WITH, "")
    if not parent.isdigit() or not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(parent):  # serve ended before the line above: no signal will come
        os.kill(os.getpid(), signal.SIGTERM)


def identity() -> str:
    """This process: "host:pid" (read each time, so a forked child is not taken for its parent)."""
    return f"{HOST}:{os.getpid()}"


def alive(name: str) -> bool:
    """Whether the process an identity ("host:pid", maybe ":more") names may still be running: False only when it
    is of this machine and no such process exists."""
    host, _, rest = name.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        return True
    return True
