"""Parse in a second process while this one writes to the database: the two halves of ingest overlap."""

import multiprocessing as mp
import queue
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

_DONE = "__done__"


def _produce(out: Any, make: Callable[..., Iterator[Any]], args: tuple[Any, ...], chunk: int) -> None:
    try:
        items = make(*args)
        while batch := list(islice(items, chunk)):
            out.put(batch)
        out.put(_DONE)
    except BaseException as exc:  # the parent re-raises it
        out.put(exc)


def in_background(make: Callable[..., Iterator[Any]], *args: Any, chunk: int = 1000,
                  depth: int = 16) -> Iterator[Any]:
    """The items of make(*args), produced in a child process; at most `depth` chunks wait in memory."""
    # A fresh interpreter, not a fork: a fork copies locks that other threads of this process (a model's thread
    # pool, a server thread in tests) may hold at that instant, and the child then waits on them for ever.
    context = mp.get_context("spawn")
    out = context.Queue(maxsize=depth)
    child = context.Process(target=_produce, args=(out, make, args, chunk), daemon=True)
    child.start()
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
