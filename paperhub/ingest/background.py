"""Parse in a second process while this one writes to the database: the two halves of ingest overlap."""

import contextlib
import gc
import multiprocessing as mp
import os
import queue
import signal
from collections.abc import Callable, Iterator
from typing import Any

_DONE = "__done__"
#: How much lower the producing process's CPU priority is. The consumer (a database writer) is the one serial
#: step; its producer runs two threads (decompressing, parsing). On two cores the three threads took turns, the
#: writer waiting its turn; a step lower, the producer takes what the writer leaves (ingest 7% quicker).
NICENESS = 5


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cycle collector run a hundredth as often. A bulk load makes millions of short-lived containers, in
    no cycles (reference counting frees them), and each time enough of them pile up the collector walks every
    live object: 0.6 s of CPU in writing 75K papers. It still runs, so cycles made meanwhile are still freed."""
    before = gc.get_threshold()
    gc.set_threshold(70_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


#: Stop signals, which the producer leaves to its parent (blocked from before it starts until it ignores them).
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _put(out: Any, item: Any) -> None:
    """out.put(item), unless the parent is gone: then this process ends (killed, it no longer reads the queue)."""
    parent = mp.parent_process()
    while True:
        if parent is not None and not parent.is_alive():
            os._exit(0)  # not sys.exit: the queue's feeder thread, blocked on a pipe no one reads, would hold it
        try:
            out.put(item, timeout=1.0)
            return
        except queue.Full:
            continue


def _produce(out: Any, make: Callable[..., Iterator[Any]], args: tuple[Any, ...], chunk: int) -> None:
    # Ctrl+C (and systemd's SIGTERM) reach the whole process group. The parent decides: a worker finishes its task
    # or goes, and ends this process either way; interrupted here, it would fail the task with KeyboardInterrupt.
    for signum in _STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    os.nice(NICENESS)
    batch: list[Any] = []
    try:
        with fewer_collections():
            for item in make(*args):
                batch.append(item)
                if len(batch) >= chunk:
                    _put(out, batch)
                    batch = []
        _put(out, batch)
        _put(out, _DONE)
    except BaseException as exc:  # the parent re-raises it, after the items made before it
        _put(out, batch)
        _put(out, exc)


class _Producer(mp.get_context("spawn").Process):  # type: ignore[misc]
    """The producing process; stopped with SIGKILL, as it ignores SIGTERM (multiprocessing ends a daemon child
    left running at exit with terminate(), then waits for it)."""

    def terminate(self) -> None:
        self.kill()


#: Producers started ahead of time (start()), by what they make, for in_background() to take up.
_started: dict[tuple[Any, ...], tuple[Any, Any]] = {}


def _spawn(make: Callable[..., Iterator[Any]], args: tuple[Any, ...], chunk: int, depth: int) -> tuple[Any, Any]:
    # A fresh interpreter, not a fork: a fork copies locks that other threads of this process (a model's thread
    # pool, a server thread in tests) may hold at that instant, and the child then waits on them for ever.
    context = mp.get_context("spawn")
    out = context.Queue(maxsize=depth)
    child = _Producer(target=_produce, args=(out, make, args, chunk), daemon=True)
    # Blocked in this thread while the child starts, which inherits the mask: a stop signal during its start-up
    # (before _produce ignores it) stays pending, then is discarded; here it is delivered once unblocked.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        child.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return child, out


def start(make: Callable[..., Iterator[Any]], *args: Any, chunk: int = 1000, depth: int = 16) -> None:
    """Start producing make(*args) now, for a later in_background(make, *args) to take up: a head start while
    this process gets ready (a producer never taken up ends with this process)."""
    _started.setdefault((make, *args, chunk, depth), _spawn(make, args, chunk, depth))


def in_background(make: Callable[..., Iterator[Any]], *args: Any, chunk: int = 1000,
                  depth: int = 16) -> Iterator[Any]:
    """The items of make(*args), produced in a child process; at most `depth` chunks wait in memory."""
    started = _started.pop((make, *args, chunk, depth), None)
    child, out = started or _spawn(make, args, chunk, depth)
    try:
        while True:
            try:
                batch = out.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"the parsing process died (exit code {child.exitcode})") from None
                continue
            if isinstance(batch, BaseException):
                raise batch
            if isinstance(batch, str) and batch == _DONE:
                break
            yield from batch
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
        out.close()
