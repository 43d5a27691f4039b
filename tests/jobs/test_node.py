"""The watcher's duties, driven one round at a time without the command line (jobs/node.py)."""

import subprocess
import sys

import numpy as np
import pytest

from paperhub import search
from paperhub.jobs import node
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.recommend import space
from paperhub.search.stored import store_vectors
from tests.factories import record


class Commands:
    """Starts what a round asks for as a short real process exiting with `exit_code`, and keeps the command lines."""

    def __init__(self, exit_code: int = 0) -> None:
        self.asked: list[tuple[str, ...]] = []
        self.exit_code = exit_code

    def __call__(self, *args: str) -> node.Process:
        self.asked.append(args)
        return subprocess.Popen([sys.executable, "-c", f"raise SystemExit({self.exit_code})"])


@pytest.fixture
def hub(db, search_dir, settings, tmp_path):
    """100 papers with stored static vectors: enough for a topic map, too few to distil a static model."""
    settings.DATA_DIR = tmp_path  # (no distilled static model here)
    upsert_papers([record(f"2501.{i:05d}", title=f"Zebrafish study {i}") for i in range(100)])
    ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
    store_vectors(search.LEGACY_STATIC, ids, np.random.default_rng(0).normal(size=(len(ids), 8)).astype(np.float32))
    return ids


def test_a_round_indexes_takes_the_lease_and_starts_what_is_due(hub):
    commands = Commands()
    here = node.Node(start=commands, holder="node-a")
    done = here.tick()
    assert done == node.Round(embedder=True, indexed=100, map_started=True, space_started=True)
    assert commands.asked == [("map", "build"), ("recommend", "refresh", "--force")]  # slow work: processes
    assert search.search("zebrafish", mode="keyword").total == 100
    assert search.static_vector_count() == 100
    here.mapping.wait(30)
    here.refreshing.wait(30)
    upsert_papers([record("2501.99999", title="Zebrafish fins")])
    again = here.tick()  # the new paper is indexed; the map and the space wait for their intervals
    assert again == node.Round(embedder=True, indexed=1)
    assert commands.asked == [("map", "build"), ("recommend", "refresh", "--force")] and space.stale()
    here.stop()


def test_one_node_at_a_time_holds_the_lease(hub):
    first = node.Node(start=Commands(), holder="node-a", map=False)
    second = node.Node(start=Commands(), holder="node-b", map=False)
    assert first.tick().embedder
    assert not second.tick().embedder
    first.stop()  # gives the lease up at once
    assert second.tick().embedder


def test_a_failed_static_model_build_is_reported_once_and_tried_again_later(hub):
    commands = Commands(exit_code=1)
    here = node.Node(start=commands, holder="node-a", map=False)
    here.distilling = commands("index", "distill")
    here.distilling.wait(30)
    assert here.tick().distill_failed
    assert here.distilling is None and here.distill_checked > here.synced + node.DISTILL_CHECK_EVERY
    assert not here.tick().distill_failed


def test_the_watcher_waits_out_a_locked_database_and_logs_its_lines(transactional_db, monkeypatch, caplog):
    """Locked past its busy timeout (or out of reach), the database costs the watcher a round, not its life; and
    what it says goes through logging, each line with its time and level in the hub's log (it wrote bare lines
    such as "indexed 3 changed papers")."""
    import io
    import logging
    import os
    import signal

    from django.core.management import call_command
    from django.db import OperationalError

    rounds = []

    def tick(self):
        rounds.append(1)
        if len(rounds) == 1:
            raise OperationalError("database is locked")
        os.kill(os.getpid(), signal.SIGTERM)  # (the watcher's stop: it ends after this round)
        return node.Round(indexed=3, map_started=True)

    monkeypatch.setattr(node.Node, "tick", tick)
    monkeypatch.setattr(os, "nice", lambda increment: 0)
    caplog.set_level(logging.INFO)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    out, errors = io.StringIO(), io.StringIO()
    try:
        call_command("index", "watch", "--interval", "0", stdout=out, stderr=errors)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    assert len(rounds) == 2
    assert (out.getvalue(), errors.getvalue()) == ("", "")
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name.endswith("commands.index")] == [
        ("INFO", "watching for changes every 0.0 s"),
        ("WARNING", "the database is busy or out of reach (database is locked); trying again in 0.0 s"),
        ("INFO", "indexed 3 changed papers"), ("INFO", "building the topic map")]


def test_a_distill_started_by_the_watcher_logs_its_steps(caplog):
    """The watcher's `index distill` wrote "distilling token embeddings from the transformer" bare into serve's log;
    off a terminal its steps are log lines now, its per-batch ones still left out."""
    import io
    import logging

    from paperhub.management.commands.index import Command

    caplog.set_level(logging.INFO)
    errors = io.StringIO()
    for step in ("distilling token embeddings from the transformer", "training, epoch 2"):
        Command(stderr=errors)._say(step)
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name.endswith("commands.index")] == [
        ("INFO", "distilling token embeddings from the transformer")]
    assert errors.getvalue() == ""
