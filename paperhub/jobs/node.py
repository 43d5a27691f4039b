"""This node's duties, one round at a time (`paperhub index watch` runs a round every few seconds): keep its
search indexes up with the database; as the one holder of the hub's static-model lease, give new papers static
vectors and build the static model when due; rebuild its topic map and its recommendation space when due.

Building the static model, the map and the recommendation space take from seconds to minutes (the space loads
the transformer), so each runs as a command in a process of its own, and keyword indexing goes on meanwhile: a
new paper is searchable within seconds whatever else is due.
"""

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from paperhub import search
from paperhub.jobs import leases
from paperhub.recommend import space
from paperhub.topicmap import build as topicmap

#: How often the watcher rebuilds the recommendation space at most, when papers arrived (seconds).
RECOMMEND_EVERY = 600
#: The lease of the one watcher of the hub that gives new papers static vectors and builds the static model (both
#: quick, or single by nature); transformer vectors are made by the embed queue's workers (jobs/embedding.py).
STATIC_LEASE = "static-model"
STATIC_LEASE_SECONDS = 120
#: The watcher keeps vector indexes in memory and writes them out at most this often (seconds), not each cycle.
VECTOR_SAVE_EVERY = 30.0
#: How often the watcher looks for a newer static model in the database, and whether to build one (seconds).
STATIC_SYNC_EVERY = 30.0
DISTILL_CHECK_EVERY = 60.0
#: After a failed build of the static model, how long until the next try (seconds).
DISTILL_RETRY = 3600.0
#: How often the watcher asks whether the map is due (a count of all papers: once a minute is plenty).
MAP_CHECK_EVERY = 60.0

Process = subprocess.Popen[bytes]


def start_command(*args: str) -> Process:
    """A `paperhub` command line in a process of its own (at this process's priority)."""
    return subprocess.Popen([sys.executable, "-m", "paperhub.cli", *args])


def running(process: Process | None) -> Process | None:
    """The process while it runs; None once it has ended (or if there was none)."""
    return process if process is not None and process.poll() is None else None


@dataclass
class Round:
    """What one round did."""

    embedder: bool = False  # this node held the static-model lease
    indexed: int = 0  # papers added to or changed in the keyword index
    distill_failed: bool = False
    distill_started: bool = False
    map_started: bool = False
    space_started: bool = False


@dataclass
class Node:
    """The duties of this node's watcher, and what it remembers between rounds."""

    distill: bool = True  # build the static model when due
    map: bool = True  # rebuild the topic map when due
    holder: str = ""  # who holds the lease (this process unless named)
    start: Callable[..., Process] = start_command
    distilling: Process | None = None
    mapping: Process | None = None
    synced: float = 0.0  # time.monotonic() of the last look at the database's static model
    distill_checked: float = 0.0
    map_checked: float = 0.0
    refreshing: Process | None = None
    space_started: float = 0.0

    def tick(self) -> Round:
        """One round of the duties; returns what it did."""
        started = time.monotonic()
        done = Round(distill_failed=self._distill_failed())
        self._sync_static_model(started)
        # Every node indexes what the database holds; one node at a time (the lease holder) makes static
        # vectors for the whole hub, so machines do not embed the same papers twice.
        done.embedder = leases.hold(STATIC_LEASE, seconds=STATIC_LEASE_SECONDS, holder=self.holder)
        done.distill_started = done.embedder and self._start_distill(started)
        done.indexed = search.update(embed_new=done.embedder, save_within=VECTOR_SAVE_EVERY)
        search.drop_stale_static(rows=done.embedder)
        done.map_started = self._start_map()
        done.space_started = self._start_space()
        return done

    def stop(self) -> None:
        """End the helper processes and give the lease up, so another node need not wait for it to expire."""
        for helper in (self.distilling, self.mapping, self.refreshing):
            if helper is not None:
                helper.terminate()
        leases.release(STATIC_LEASE, holder=self.holder)

    def _distill_failed(self) -> bool:
        """Whether a build of the static model ended in failure since the last round (tried again in an hour)."""
        if self.distilling is None or self.distilling.poll() is None:
            return False
        failed = bool(self.distilling.returncode)
        if failed:
            self.distill_checked = time.monotonic() + DISTILL_RETRY
        self.distilling = None
        return failed

    def _sync_static_model(self, now: float) -> None:
        if now - self.synced > STATIC_SYNC_EVERY:
            search.sync_static_model()  # the newest static model of the hub, built here or on another node
            self.synced = now

    def _start_distill(self, now: float) -> bool:
        if self.distilling is not None or not self.distill or now - self.distill_checked <= DISTILL_CHECK_EVERY:
            return False
        self.distill_checked = now
        if not search.static_model_due():
            return False
        self.distilling = self.start("index", "distill")
        return True

    def _start_map(self) -> bool:
        self.mapping = running(self.mapping)
        if self.mapping is not None or self.distilling is not None or not self.map \
                or time.monotonic() - self.map_checked <= MAP_CHECK_EVERY:
            return False
        self.map_checked = time.monotonic()
        if not topicmap.rebuild_due():
            return False
        self.mapping = self.start("map", "build")
        return True

    def _start_space(self) -> bool:
        self.refreshing = running(self.refreshing)
        if self.refreshing is not None or self.distilling is not None \
                or time.monotonic() - self.space_started <= RECOMMEND_EVERY or not space.stale():
            return False
        self.refreshing = self.start("recommend", "refresh", "--force")
        self.space_started = time.monotonic()
        return True
