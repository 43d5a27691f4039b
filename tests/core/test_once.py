"""core/once.py: a load asked for by two threads at once is made once, and both get it."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from paperhub.core.once import loaded_once


def test_threads_asking_during_a_load_wait_for_that_same_load():
    """A web worker warms its models in a thread while searches come: with functools.cache each would load its own
    copy of the transformer."""
    loads = []

    @loaded_once()
    def model(name: str) -> object:
        loads.append(name)
        time.sleep(0.3)
        return object()

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(model, ["minilm"] * 4))
    assert loads == ["minilm"]
    assert all(value is got[0] for value in got)
    assert model("other") is not got[0] and loads == ["minilm", "other"]


def test_a_failed_load_is_tried_again_by_the_next_caller():
    tries = []

    @loaded_once()
    def model() -> str:
        tries.append(1)
        if len(tries) == 1:
            raise RuntimeError("no weights yet")
        return "loaded"

    with pytest.raises(RuntimeError):
        model()
    assert model() == "loaded" and model() == "loaded" and len(tries) == 2


def test_a_kept_size_drops_the_oldest_and_clearing_forgets_all():
    loads = []

    @loaded_once(maxsize=1)
    def table(path: str) -> str:
        loads.append(path)
        return path.upper()

    assert [table("a"), table("a"), table("b"), table("a")] == ["A", "A", "B", "A"]
    assert loads == ["a", "b", "a"]
    table.cache_clear()
    table("a")
    assert loads == ["a", "b", "a", "a"]


def test_a_load_under_way_does_not_stop_another_loaders_callers():
    """Each loader has its own lock: the static model answers while the transformer is still loading."""
    release = threading.Event()

    @loaded_once()
    def slow() -> str:
        release.wait(10)
        return "slow"

    @loaded_once()
    def quick() -> str:
        return "quick"

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(slow)
        time.sleep(0.05)
        assert quick() == "quick" and not pending.done()
        release.set()
        assert pending.result(10) == "slow"


def test_a_key_loaded_answers_while_another_key_of_the_same_loader_loads():
    """A search on the static model's vector index does not wait while the transformer's index loads (review53)."""
    release = threading.Event()

    @loaded_once()
    def index(name: str) -> str:
        if name == "dense":
            release.wait(10)
        return name

    assert index("static") == "static"
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(index, "dense")
        time.sleep(0.05)
        started = time.monotonic()
        assert index("static") == "static" and not pending.done()
        assert time.monotonic() - started < 0.5
        release.set()
        assert pending.result(10) == "dense"
