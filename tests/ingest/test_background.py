import os

import pytest

from paperhub.ingest.background import NICENESS, in_background


def _numbers(count: int):
    yield from range(count)


def _numbers_then_failure(count: int):
    yield from range(count)
    raise ValueError("line 7 is not JSON")


def _niceness():
    yield os.nice(0)


def test_items_come_back_in_order_across_chunks():
    assert list(in_background(_numbers, 2_500, chunk=1000)) == list(range(2_500))


def test_a_failure_in_the_producer_is_raised_here_after_the_items_before_it():
    seen = []
    with pytest.raises(ValueError, match="line 7 is not JSON"):
        seen.extend(in_background(_numbers_then_failure, 5, chunk=2))
    assert seen == [0, 1, 2, 3, 4]


def test_the_producer_runs_at_a_lower_cpu_priority_than_its_consumer():
    assert list(in_background(_niceness)) == [min(19, os.nice(0) + NICENESS)]
