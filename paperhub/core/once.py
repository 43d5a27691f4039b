"""What a process loads once (a model, a table) however many threads ask for it at the same moment.

functools.cache alone lets two threads that ask before the first load ends each load a copy: a web worker warms its
models in a thread of its own while requests are served (management/commands/serve.py), and a search arriving then
must wait for that same load, not make a second copy of a transformer in memory.
"""

import functools
import threading
from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class LoadedOnce(Generic[P, T]):
    """A loader whose results are kept by their arguments, loaded under a lock: a caller that comes during a load
    waits for it and gets what it loaded."""

    def __init__(self, load: Callable[P, T], maxsize: int | None) -> None:
        self._kept = functools.lru_cache(maxsize=maxsize)(load)
        self._lock = threading.Lock()
        functools.update_wrapper(self, load)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        with self._lock:
            return self._kept(*args, **kwargs)  # type: ignore[arg-type]

    def cache_clear(self) -> None:
        """Forget what was loaded (the next call loads again)."""
        with self._lock:
            self._kept.cache_clear()


def loaded_once(maxsize: int | None = None) -> Callable[[Callable[P, T]], LoadedOnce[P, T]]:
    """As functools.lru_cache(maxsize) (None: every result kept), each result loaded once however many threads ask."""
    return lambda load: LoadedOnce(load, maxsize)
