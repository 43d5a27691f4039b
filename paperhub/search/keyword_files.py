"""This node's keyword index: generations of a tantivy index under PAPERHUB_SEARCH_DIR/keyword, caught up with the
database by a cursor, rebuilt beside the served one (core/derived.py says why that is safe).

    keyword/CURRENT            the name of the generation being served
    keyword/BUILDING           the generation a rebuild is filling
    keyword/<generation>/      a tantivy index, with state.json (how far it has caught up)
"""

import json
import logging
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from paperhub.core import derived
from paperhub.papers.models import Paper
from paperhub.papers.queries import author_names_by_paper, category_codes_by_paper
from paperhub.search import keyword, keyword_queries, keyword_schema

log = logging.getLogger(__name__)
Progress = Callable[[int], None]
LOCK = "keyword"
REBUILD_BATCH = 5000  # papers per commit of a rebuild


def generations() -> derived.Generations:
    """The generations of this node's keyword index."""
    return derived.Generations(derived.directory("keyword"))


def _open_current() -> keyword.KeywordIndex | None:
    served = generations()
    generation = served.current()
    if generation is None:
        return None
    try:
        index = keyword.KeywordIndex(served.path(generation), older_ok=True)
    except ValueError as exc:  # written by a schema this one does not extend: unusable until rebuilt
        if "Lockfile" in str(exc):  # (a read-only directory: a rebuild would fail there too)
            log.error("keyword index %s cannot be opened (%s): its directory must be writable, tantivy takes a lock "
                      "file in it even to read", generation, exc)
        else:
            log.error("keyword index %s cannot be opened (%s); run `paperhub index rebuild`", generation, exc)
        return None
    if index.outdated:  # served as it is (without the newer fields' filters) while its replacement is built
        log.warning("keyword index %s has an older schema: searched as it is until `paperhub index update` (or the "
                    "index watcher) has rebuilt it", generation)
    return index


#: The keyword index this process searches, opened again when a rebuild switches generations.
served = derived.Loaded(lambda: generations().current(), _open_current)


def keyword_index() -> keyword.KeywordIndex | None:
    """The keyword index being served, or None before the first build."""
    return served.get()


def _state(directory: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads((directory / "state.json").read_text())
    except FileNotFoundError:
        return {"changed_at": None, "id": 0, "complete": False}
    return state


def indexed_papers(papers: list[dict[str, Any]]) -> list[keyword_schema.IndexedPaper]:
    """IndexedPaper for rows of Paper.values(), with authors and categories in two queries."""
    ids = [p["id"] for p in papers]
    authors, categories = author_names_by_paper(ids), category_codes_by_paper(ids)
    return [
        keyword_schema.IndexedPaper(
            id=p["id"], uid=p["uid"], title=p["title"], abstract=p["abstract"],
            authors=tuple(authors.get(p["id"], ())), categories=tuple(categories.get(p["id"], ())),
            day=keyword_schema.day_number(p["published"].date() if p["published"] else None),
            upvotes=p.get("upvotes", 0), has_code=bool(p["code_url"]),
        )
        for p in papers
    ]


_COLUMNS = ("id", "uid", "title", "abstract", "published", "upvotes", "code_url", "changed_at")


def _changed_since(changed_at: str | None, last_id: int, batch: int) -> Iterator[list[dict[str, Any]]]:
    """Papers in (changed_at, id) order after the given position, a batch at a time."""
    while True:
        rows = Paper.objects.order_by("changed_at", "id").values(*_COLUMNS)
        if changed_at is not None:
            since = datetime.fromisoformat(changed_at)
            rows = rows.filter(changed_at__gte=since).exclude(changed_at=since, id__lte=last_id)
        page = list(rows[:batch])
        if not page:
            return
        yield page
        changed_at, last_id = page[-1]["changed_at"].isoformat(), page[-1]["id"]


def _catch_up(directory: Path, replace: bool, batch: int, progress: Progress | None) -> int:
    """Index every paper changed after the directory's recorded position; commit and record per batch."""
    index = keyword.KeywordIndex(directory)
    state = _state(directory)
    done = 0
    writer = index.writer()
    try:
        for page in _changed_since(state["changed_at"], state["id"], batch):
            if replace:  # (delete_documents_by_term does not match unsigned fields; a query does)
                writer.delete_documents_by_query(keyword_queries.with_ids([p["id"] for p in page]))
            for paper in indexed_papers(page):
                writer.add_document(keyword_schema.document(paper))
            writer.commit()
            state.update(changed_at=page[-1]["changed_at"].isoformat(), id=page[-1]["id"])
            # after the commit: a killed run repeats at most one batch
            derived.replace_text(directory / "state.json", json.dumps(state))
            done += len(page)
            if progress:
                progress(len(page))
        writer.wait_merging_threads()
    finally:
        del writer  # releases tantivy's writer lock
    return done


def update_keyword(batch: int = 2000, progress: Progress | None = None) -> int:
    """Catch the served keyword index up with the database; build it anew when there is none or its schema is older."""
    generation = generations().current()
    index = served.get()
    if generation is None or index is None or index.outdated:  # none yet, or one of an older schema
        return _rebuild(REBUILD_BATCH, progress, only_replacing=(generation,))
    with derived.lock(LOCK):
        count = _catch_up(generations().path(generation), replace=True, batch=batch, progress=progress)
    index = served.get()
    if count and index is not None:
        index.refresh()
    return count


def rebuild_keyword(batch: int = REBUILD_BATCH, progress: Progress | None = None) -> int:
    """Build a new generation beside the served one and switch to it when complete.

    A rebuild that is killed leaves the served index alone; the next rebuild resumes the unfinished
    generation where its last commit got to.
    """
    return _rebuild(batch, progress)


def _rebuild(batch: int, progress: Progress | None, only_replacing: tuple[str | None] | None = None) -> int:
    """Build a generation and serve it; with `only_replacing`, only if that generation is still the one served."""
    with derived.lock(LOCK):
        building = generations()
        if only_replacing is not None and building.current() != only_replacing[0]:
            return 0  # another process replaced it while this one waited for the lock
        generation = building.building()
        if keyword_schema.stored_shape(building.path(generation)) not in ((), keyword_schema.SHAPE):
            # a rebuild an older version left unfinished: its schema or analyzers are not today's, so start afresh
            shutil.rmtree(building.path(generation))
            generation = building.building()
        count = _catch_up(building.path(generation), replace=False, batch=batch, progress=progress)
        building.switch(generation)
    return count
