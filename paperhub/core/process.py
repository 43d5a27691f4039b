"""Which process this is, as claims, leases and workers record it, and whether a recorded process still runs.

An identity is "host:pid" (a worker adds ":random"). Only a process of this machine can be seen to be gone;
one of another machine may always still be running, so its claims are left to expire.
"""

import os
import socket

#: This machine's name as identities give it: short enough for a worker id of 64 characters (django-tasks-db).
HOST = socket.gethostname()[:40]


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
