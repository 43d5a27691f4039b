"""Process identity and liveness, as digests' claims, leases and workers record them."""

import os
import subprocess
import sys

from paperhub.core import process


def _gone_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)


def test_identity_names_this_machine_and_process():
    assert process.identity() == f"{process.HOST}:{os.getpid()}" and len(process.HOST) <= 40
    assert process.alive(process.identity()) and process.alive(f"{process.identity()}:ab12cd34")


def test_only_a_process_of_this_machine_can_be_seen_gone():
    gone = _gone_pid()
    assert not process.alive(f"{process.HOST}:{gone}")
    assert not process.alive(f"{process.HOST}:{gone}:ab12cd34")  # a worker's id
    assert process.alive(f"another-machine:{gone}")  # unknowable: its claims wait for their lease
    assert process.alive(f"{process.HOST}:not-a-pid") and process.alive("")
