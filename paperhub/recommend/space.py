"""The candidate space: the newest papers' embeddings, tf-idf rows and authors, built from the database.

One file under PAPERHUB_SEARCH_DIR/recommend, rebuilt when papers arrive (by `paperhub recommend refresh`, the index
watcher, or the queued build_space task a request asks for when there is none) and re-read by every process when it
changes. A request never builds it: building embeds and fits the whole window (17 s in a hub of 346K papers).
"""

import logging
import pickle
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task
from scipy import sparse

from paperhub import search
from paperhub.core import derived
from paperhub.core.queue import unfinished
from paperhub.papers.changes import serialize
from paperhub.papers.models import Paper, PaperAuthor
from paperhub.recommend import taste

log = logging.getLogger(__name__)
VERSION = 2
#: What a reader is told while there is no space yet (the web page, the API's 503, the assistant's error).
PREPARING = "Your recommendations are being prepared; they fill in within a minute or two."
#: The pg_advisory_xact_lock key of queueing the build (SQLite's IMMEDIATE transactions take turns anyway).
QUEUEING = 7_301_000_005


class NotReady(RuntimeError):
    """There is no space yet (or one of an older format): its build is queued, and picks wait for it."""


EPOCH = date(1970, 1, 1).toordinal()


@dataclass
class Space:
    """Candidates as rows: paper ids, unit embeddings, tf-idf rows, author ids."""

    version: int
    model: str
    built_at: datetime
    newest_id: int
    since: datetime | None
    ids: np.ndarray
    published: np.ndarray  # days since the epoch
    dense: np.ndarray
    terms: sparse.csr_matrix
    authors: list[tuple[int, ...]]
    vectorizer: Any
    vocabulary: list[str] = field(repr=False)

    def __post_init__(self) -> None:
        self.row = {int(pid): i for i, pid in enumerate(self.ids.tolist())}
        self.incidence = taste.author_matrix(self.authors)

    def __len__(self) -> int:
        return len(self.ids)


def path() -> Path:
    """Where the space is stored: beside the search indexes, as it is derived from the database like them."""
    return derived.directory("recommend", "space.pickle")


#: How to load an embedder, called only when a text has to be embedded: loading the transformer takes seconds, and
#: a request whose papers all have stored vectors needs none.
Loader = Callable[[], search.Embedder]


def embedder() -> tuple[str, Loader]:
    """The model the recommender embeds with, by name and loader: the static model when distilled (it covers every
    paper), else the configured transformer."""
    try:
        static = search.static_model()
        return static.name, lambda: static
    except search.ModelError:
        return search.transformer_name(), search.transformer


def embedder_named(name: str) -> Loader:
    """The loader of the embedder a space was built with, to embed liked papers the same way."""
    return search.static_model if name == search.static_name() else search.transformer


def vectors_for(papers: list[tuple[int, str, str]], model_name: str, encoder: Loader) -> np.ndarray:
    """Unit embeddings of (id, title, abstract) papers: stored ones where there are, the rest embedded now (the
    model loaded only then; none for no papers, an empty space: its width is the stored vectors', else 0, since
    nothing is ever scored against it)."""
    if not papers:
        return np.zeros((0, search.stored_width(model_name) or 0), dtype=np.float32)
    found = search.stored_vectors(model_name, [p[0] for p in papers])
    missing = [p for p in papers if p[0] not in found]
    if missing:
        encoded = encoder().encode([search.paper_text(title, abstract) for _, title, abstract in missing])
        found.update({p[0]: v for p, v in zip(missing, encoded, strict=True)})
    stacked = np.stack([found[p[0]] for p in papers])
    unit: np.ndarray = stacked / np.maximum(np.linalg.norm(stacked, axis=1, keepdims=True), 1e-12)
    return unit


def build(days: int | None = None) -> Space:
    """The papers published in the `days` before the newest one, as a space."""
    days = settings.PAPERHUB_RECOMMEND_DAYS if days is None else days
    newest = Paper.objects.aggregate(published=Max("published"), id=Max("id"))
    since = newest["published"] - timedelta(days=days) if newest["published"] else None
    rows = Paper.objects.order_by("id").values_list("id", "title", "abstract", "published")
    fetched = list(rows.filter(published__gte=since)) if since else []
    papers = [(pid, title, abstract) for pid, title, abstract, _ in fetched]
    days_of = [published.date().toordinal() - EPOCH for *_, published in fetched if published]  # all have one
    name, encoder = embedder()
    vectorizer = taste.term_vectorizer(len(papers)) if papers else None  # (an empty space has no words to fit)
    texts = [search.paper_text(title, abstract) for _, title, abstract in papers]
    try:
        terms = vectorizer.fit_transform(texts).tocsr() if vectorizer else sparse.csr_matrix((0, 0))
    except ValueError:  # no word survives (a hub of a few empty papers)
        vectorizer, terms = None, sparse.csr_matrix((len(papers), 0), dtype=np.float32)
    ids = np.array([p[0] for p in papers], dtype=np.int64)
    by_paper: dict[int, list[int]] = {}
    for paper_id, author_id in PaperAuthor.objects.filter(paper_id__in=ids.tolist()).order_by(
            "paper_id", "position").values_list("paper_id", "author_id"):
        by_paper.setdefault(paper_id, []).append(author_id)
    return Space(version=VERSION, model=name, built_at=timezone.now(), newest_id=newest["id"] or 0, since=since,
                 ids=ids, published=np.array(days_of, dtype=np.int32), dense=vectors_for(papers, name, encoder),
                 terms=terms,
                 authors=[tuple(by_paper.get(int(i), ())) for i in ids], vectorizer=vectorizer,
                 vocabulary=list(vectorizer.get_feature_names_out()) if vectorizer else [])


def save(space: Space) -> Path:
    """Write the space beside its place and rename it over it, so readers never see half a file."""
    target = path()
    derived.replace(target, lambda partial: _write(space, partial), own=True)  # (a watcher and a queued build at once)
    return target


def _write(space: Space, target: Path) -> None:
    with target.open("wb") as stream:
        pickle.dump(space, stream, protocol=pickle.HIGHEST_PROTOCOL)


def _read() -> Space:
    with path().open("rb") as stream:
        space: Space = pickle.load(stream)  # our own file in our own data directory
    return space


_lock = threading.Lock()
_served = derived.Loaded(lambda: derived.stamp(path()), _read)


def stored() -> Space | None:
    """The stored space, re-read when the file changes; None when there is none or it is of an older format."""
    with _lock:
        space = _served.get() if path().exists() else None
    return space if getattr(space, "version", None) == VERSION else None


def current() -> Space:
    """The stored space; NotReady when there is none yet, its build queued (never built here: this runs in
    requests)."""
    space = stored()
    if space is None:
        try:
            queue_build()
        except DatabaseError as exc:  # (a database busy past its timeout: the page still answers, the watcher builds)
            log.warning("the recommendation space's build was not queued (%s)", exc)
        raise NotReady(PREPARING)
    return space


def stamp() -> tuple[str, Hashable]:
    """The stored space's file and stamp (a cache key for what was computed from it)."""
    current()
    return str(path()), _served.stamp


def stale(space: Space | None = None) -> bool:
    """Whether papers arrived since the stored space was built (or there is none)."""
    space = space or stored()
    if space is None:
        return True
    if space.model != search.transformer_name() and space.model != search.static_name():  # a new static model
        return True
    return (Paper.objects.aggregate(id=Max("id"))["id"] or 0) != space.newest_id


def refresh(force: bool = False) -> Space | None:
    """Rebuild the stored space if papers arrived (or `force`); returns the new space, or None if fresh."""
    if not force and not stale():
        return None
    space = build()
    save(space)
    return space


@task()
def build_space() -> dict[str, Any]:
    """Build the space if it is missing or papers arrived; safe to kill and run again (the file is renamed into
    place whole, and a rerun finds it fresh)."""
    built = refresh()
    return {"papers": len(built) if built is not None else None, "built": built is not None}


def queue_build() -> bool:
    """Queue build_space unless it is queued or running already (many readers, one job); whether this queued it."""
    if unfinished(build_space).exists():  # the usual answer while it builds: a read, without taking SQLite's write lock
        return False
    with transaction.atomic():
        serialize(QUEUEING)
        if unfinished(build_space).exists():
            return False
        build_space.enqueue()  # the queue is a table: the check and the task commit together
    return True
