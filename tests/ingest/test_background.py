import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperhub import cli
from paperhub.ingest import snapshot
from paperhub.ingest.background import NICENESS, in_background, start


def _numbers(count: int):
    yield from range(count)


def _numbers_then_failure(count: int):
    yield from range(count)
    raise ValueError("line 7 is not JSON")


def _niceness():
    yield os.nice(0)


def _pid(label: str):
    yield os.getpid()


@pytest.fixture
def no_children():
    yield
    for child in multiprocessing.active_children():  # a producer started and never taken up
        child.terminate()
        child.join()


def test_items_come_back_in_order_across_chunks():
    assert list(in_background(_numbers, 2_500, chunk=1000)) == list(range(2_500))


def test_a_failure_in_the_producer_is_raised_here_after_the_items_before_it():
    seen = []
    with pytest.raises(ValueError, match="line 7 is not JSON"):
        seen.extend(in_background(_numbers_then_failure, 5, chunk=2))
    assert seen == [0, 1, 2, 3, 4]


def test_the_producer_runs_at_a_lower_cpu_priority_than_its_consumer():
    assert list(in_background(_niceness)) == [min(19, os.nice(0) + NICENESS)]


def test_a_producer_started_ahead_is_taken_up_by_the_same_request(no_children):
    start(_pid, "a")
    [early] = multiprocessing.active_children()
    assert list(in_background(_pid, "a")) == [early.pid]
    assert list(in_background(_pid, "a")) != [early.pid]  # taken once: the next request starts its own


def test_a_producer_started_for_other_arguments_is_left_alone(no_children):
    start(_pid, "a")
    [early] = multiprocessing.active_children()
    assert list(in_background(_pid, "b")) != [early.pid]
    assert list(in_background(_pid, "a")) == [early.pid]


def test_the_command_line_starts_parsing_a_snapshot_file_before_django_sets_up(tmp_path, no_children):
    path = tmp_path / "papers.jsonl"
    path.write_text("")
    for args in (["ingest", "arxiv"], ["ingest", "snapshot", str(tmp_path / "missing.jsonl")], ["serve"]):
        cli._head_start(args)
        assert multiprocessing.active_children() == []
    cli._head_start(["ingest", "snapshot", str(path), "--limit", "5"])
    [early] = multiprocessing.active_children()
    assert list(in_background(snapshot.read_snapshot, path)) == []
    assert not early.is_alive()


REPO = Path(__file__).resolve().parents[2]

#: A consumer of in_background() in a process of its own, as a worker runs an ingest; started in a session of its
#: own, so the test can signal its whole process group as Ctrl+C and systemd do.
CONSUMER = """
import os, signal, sys, time
sys.path.insert(0, {repo!r})
from paperhub.ingest.background import in_background

def slowly(count):
    for i in range(count):
        time.sleep(0.01)
        yield os.getpid()

if __name__ == "__main__":
    stops = []
    for signum in (signal.SIGINT, signal.SIGTERM):  # as a worker's first stop signal: the task goes on
        signal.signal(signum, lambda signum, frame: stops.append(signum))
    items = []
    for item in in_background(slowly, int(sys.argv[1]), chunk=1, depth=2):
        if not items:
            print(item, flush=True)
            if sys.argv[2] == "hang":
                time.sleep(60)
        items.append(item)
    print(len(items), len(stops), flush=True)
"""


def _consumer(tmp_path: Path, count: int, then: str) -> tuple[subprocess.Popen[str], int]:
    """The consumer's process, and its producer's pid (once it produced its first item)."""
    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER.format(repo=str(REPO)))
    process = subprocess.Popen([sys.executable, str(script), str(count), then], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    assert process.stdout is not None
    return process, int(process.stdout.readline())


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"  # a zombie: ended, not yet reaped
    except FileNotFoundError:
        return True


def test_stop_signals_to_the_process_group_are_left_to_the_consumer(tmp_path):
    """Ctrl+C or systemd's stop reach the producer too: it goes on, and the consumer decides (a worker finishes its
    task), instead of the producer sending KeyboardInterrupt up to fail the task."""
    process, _ = _consumer(tmp_path, 200, "go on")
    os.killpg(process.pid, signal.SIGINT)
    time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    assert (process.returncode, out.split()) == (0, ["200", "2"])


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_the_producer_ends_when_its_consumer_is_killed(tmp_path):
    """A worker killed mid-ingest does not leave its parser running for ever, blocked on a queue no one reads."""
    process, producer = _consumer(tmp_path, 1_000_000, "hang")
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while not _gone(producer) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        assert _gone(producer)
    finally:
        if not _gone(producer):
            os.kill(producer, signal.SIGKILL)
