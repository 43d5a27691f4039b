"""Building the map from this node's stored vectors: reduce, lay out landmarks, place the rest, cluster, label."""

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from paperhub import search
from paperhub.papers.models import Paper
from paperhub.topicmap import labels, layout, store

Step = Callable[[str], None]

#: A node rebuilds the topic map once a day when papers arrived, and sooner while a new hub fills up.
MAP_EVERY = 24 * 3600
MAP_CATCH_UP = 600


def map_due(papers: int, covered: int, built_papers: int | None, age: float) -> bool:
    """Whether this node's topic map should be (re)built: none yet and the static vectors (nearly) complete; a
    map of less than 90% of the papers with vectors now (at most every 10 minutes); or a day old and behind."""
    if covered < 100:
        return False
    if built_papers is None:
        return covered >= 0.95 * papers
    if covered > built_papers / 0.9:
        return age > MAP_CATCH_UP
    return age > MAP_EVERY and covered > built_papers


def rebuild_due() -> bool:
    """Whether this node's topic map should be rebuilt now (map_due on its stored state)."""
    built = store.current()
    age = (datetime.now(UTC) - datetime.fromisoformat(built.meta["built_at"])).total_seconds() if built else 0.0
    covered = search.static_vector_count()
    return map_due(Paper.objects.count(), covered, built.meta["papers"] if built else None, age)


class NoVectors(Exception):
    """There is nothing to map yet: papers need static vectors first (`paperhub index update`)."""


def _vectors() -> tuple[np.ndarray, np.ndarray]:
    ids, vectors = search.static_vectors()
    if not len(ids):
        raise NoVectors("no static vectors yet: run `paperhub index update` (or let `paperhub serve` do it)")
    return ids, vectors


def _titles(ids: np.ndarray) -> list[str]:
    titles = dict(Paper.objects.values_list("id", "title").iterator(chunk_size=20000))
    return [titles.get(int(i), "") for i in ids]


#: A topic's words on the map: the page shows three of a region's and two of a finer one's.
LABEL_TERMS = 3


def topic_labels(titles: list[str], groups: np.ndarray, count: int) -> list[list[str]]:
    """Each group's characteristic terms that add a stem: "agents, multi-agent, agent" says "agent" twice, so
    the next term takes its place."""
    found = labels.characteristic_terms(titles, groups, count, top=LABEL_TERMS + 3)
    return [search.distinct_terms(terms, LABEL_TERMS) for terms in found]


def build(landmarks: int = 30000, top_clusters: int = 24, fine_clusters: int = 240, seed: int = 0,
          step: Step | None = None) -> dict[str, Any]:
    """Build and switch to a new map of every paper with a static vector; returns its meta."""
    timings: dict[str, float] = {}
    started = last = time.perf_counter()

    def done(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        timings[name] = round(now - last, 1)
        last = now
        if step:
            step(name)

    ids, vectors = _vectors()
    done("read vectors")
    reduced = layout.reduce(vectors, seed=seed)
    del vectors
    done("reduce")
    chosen = layout.landmark_sample(len(ids), landmarks, seed)
    landmark_xy = layout.lay_out(reduced[chosen], seed=seed)
    done("lay out landmarks")
    xy = layout.place(reduced, reduced[chosen], landmark_xy)
    xy[chosen] = landmark_xy
    xy = layout.normalise(xy)
    done("place papers")
    # Topics are regions of the map (k-means over the 2D places), so each label names one contiguous area
    # a reader can see, rather than a cluster of the embedding space that the layout may have split.
    top = layout.clusters(xy, top_clusters, seed)
    fine = layout.clusters(xy, fine_clusters, seed)
    done("cluster")
    titles = _titles(ids)
    top_terms = topic_labels(titles, top, top_clusters)
    fine_terms = topic_labels(titles, fine, fine_clusters)
    done("label")
    groups = []
    for level, assignment, terms in (("top", top, top_terms), ("fine", fine, fine_terms)):
        for number, words in enumerate(terms):
            members = assignment == number
            if not members.any() or not words:
                continue
            groups.append({"level": level, "id": number, "terms": words, "size": int(members.sum()),
                           "x": round(float(np.median(xy[members, 0])), 4),
                           "y": round(float(np.median(xy[members, 1])), 4)})
    meta = {"built_at": datetime.now(UTC).isoformat(timespec="seconds"), "papers": len(ids),
            "landmarks": int(len(chosen)), "clusters": groups, "seconds": timings}
    store.save(store.map_dir(), ids, xy, top, fine, meta, seed)
    done("save")
    meta["seconds"] = timings
    meta["total_seconds"] = round(time.perf_counter() - started, 1)
    return meta
