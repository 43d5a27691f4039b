"""What a process loads once (a model, a table) however many threads ask for it at the same moment.

functools.cache alone lets two threads that ask before the first load ends each load a copy: a web worker warms its
models in a thread of its own while requests are served (management/commands/serve.py), and a search arriving then
must wait for that same load, not make a second copy of a transformer in memory. What is loaded already is answered
without any lock, and a load holds only its own key's: a search on the static model's index does not wait while the
transformer's loads.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class LoadedOnce(Generic[P, T]):
    """A loader whose results are kept by their arguments (the oldest dropped past `maxsize`; None: all kept), each
    loaded under its key's lock: a caller that comes during that load waits for it and gets what it loaded."""

    def __init__(self, load: Callable[P, T], maxsize: int | None) -> None:
        self._load, self._maxsize = load, maxsize
        self._kept: OrderedDict[Hashable, T] = OrderedDict()
        self._loading: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()  # held only to read and change the two dicts, never during a load
        self.__wrapped__ = load
        self.__doc__, self.__name__ = load.__doc__, getattr(load, "__name__", "loader")

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        key: Hashable = (args, tuple(sorted(kwargs.items())))
        with self._lock:
            if key in self._kept:
                return self._kept[key]
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            with self._lock:
                if key in self._kept:  # loaded by the caller this one waited for
                    return self._kept[key]
            value = self._load(*args, **kwargs)  # (a failure keeps nothing: the next caller tries again)
            with self._lock:
                self._kept[key] = value
                while self._maxsize is not None and len(self._kept) > self._maxsize:
                    self._kept.popitem(last=False)
                self._loading.pop(key, None)
            return value

    def cache_clear(self) -> None:
        """Forget what was loaded (the next call loads again)."""
        with self._lock:
            self._kept.clear()


def loaded_once(maxsize: int | None = None) -> Callable[[Callable[P, T]], LoadedOnce[P, T]]:
    """As functools.lru_cache(maxsize) (None: every result kept), each result loaded once however many threads ask."""
    def wrap(load: Callable[P, T]) -> LoadedOnce[P, T]:
        return LoadedOnce(load, maxsize)
    return wrap


