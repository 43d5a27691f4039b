"""Search: keyword (tantivy BM25), semantic (usearch over embeddings) and both fused.

This module is the package's public API; the rest of the package is private (an import-linter contract in
pyproject.toml holds it). Indexes are derived from the database and can always be rebuilt from it.

It must import before Django's apps are ready (models.py imports the package): query.py, named.py and described.py
(pure) and embed.py (numpy and settings; a model's libraries load inside it, with the model) are imported here, and
every function that needs the database or a heavy library imports its module on first call.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from paperhub.search import depth, embed
from paperhub.search.depth import Beyond
from paperhub.search.described import described, parts_in_words, url_query
from paperhub.search.embed import LEGACY_STATIC, Embedder, ModelError, paper_text
from paperhub.search.named import named_authors, named_paper, named_papers
from paperhub.search.query import (
    MAX_OFFSET,
    NO_FILTERS,
    BadFilter,
    Filters,
    ParsedQuery,
    category_problem,
    filter_problem,
    in_syntax,
    parse,
    wants_code,
)

if TYPE_CHECKING:
    import numpy as np

    from paperhub.search.emptied import Part
    from paperhub.search.indexing import Coverage
    from paperhub.search.packs import Exported, Imported
    from paperhub.search.queries import Hit, Results
    from paperhub.search.related import Reason
    from paperhub.search.spelling import Suggestion
    from paperhub.search.static import Built
    from paperhub.search.volumes import Volume

__all__ = [
    # searching
    "Filters", "BadFilter", "filter_problem", "category_problem", "url_query", "described", "in_syntax",
    "ParsedQuery", "parse", "parts_in_words", "named_paper", "named_papers", "named_authors", "MAX_OFFSET",
    "wants_code",
    "search", "query_problem", "similar", "reasons_text", "spelt_terms", "distinct_terms", "signal_name", "volume",
    "warm",
    "first_results", "beyond",
    # what searching returns (names for annotations only)
    "Hit", "Results", "Beyond", "Volume", "Reason", "Suggestion", "Part",
    # this node's indexes
    "update", "rebuild", "coverage", "update_keyword", "rebuild_vectors", "follow_vectors", "drop_stale_static",
    "static_vector_count", "static_vectors",
    # the models
    "Embedder", "ModelError", "LEGACY_STATIC", "paper_text", "transformer", "transformer_name", "static_model",
    "static_name", "build_static_model", "sync_static_model", "static_model_due",
    # stored vectors
    "stored_vectors", "stored_count", "missing_papers", "missing_after", "missing_between", "embed_papers",
    "embed_missing",
    # keywords
    "keywords_of", "update_keywords", "forget_keywords",
    # vector packs
    "PackError", "export_vectors", "import_vectors",
]

Progress = Callable[[int], None]


class PackError(ValueError):
    """A vector pack cannot be written or read here (its message says why; nothing was imported)."""


# --- searching -------------------------------------------------------------------------------------------------

def search(query: str, filters: Filters = NO_FILTERS, sort: str = "relevance", limit: int = 20, offset: int = 0,
           mode: str = "hybrid", correct: bool = False, explain: bool = False) -> "Results":
    """Papers for a query (words, "phrases", author:, cat:, -exclusions), filtered, sorted, paged; with `correct`,
    a query that finds nothing as typed, or far fewer papers than its spelling's correction, gets the correction's
    results; with `explain`, one that finds nothing says which of its parts emptied it (Results.why)."""
    from paperhub.search import queries

    return queries.search(query, filters, sort, limit, offset, mode, correct, explain)  # type: ignore[arg-type]


def beyond(query: str, results: "Results", filters: Filters = NO_FILTERS, sort: str = "relevance", offset: int = 0,
           limit: int = 20, mode: str = "hybrid") -> Beyond | None:
    """What lies past the last page a search's results reach (MAX_OFFSET), for that page and those past it: None
    where there is nothing past it. `query` is the query searched (its correction, where the results are that's)."""
    if not depth.cut(results.total, offset, limit):
        return None
    hits = results.hits
    if offset > MAX_OFFSET and depth.date_ordered(results.query, sort):  # past the last page: what it ends with
        hits = search(query, filters, sort, limit, MAX_OFFSET, mode).hits
    return depth.beyond(results.query, filters, sort, results.total, offset, limit,
                        hits[-1].published if hits else None)


def first_results(query: str, count: int, filters: Filters = NO_FILTERS, sort: str = "relevance",
                  mode: str = "hybrid", correct: bool = False) -> "Results":
    """A search's first `count` results and its total, however many pages of 100 (search's largest) that takes;
    with `correct`, the correction's where the query as typed finds nothing (as search())."""
    first = search(query, filters, sort, min(100, count), 0, mode, correct=correct)
    searched = first.suggestion.query if first.corrected and first.suggestion else query
    hits, page = list(first.hits), first.hits
    while len(hits) < count and len(page) == 100:  # a short page was the last
        page = search(searched, filters, sort, min(100, count - len(hits)), len(hits), mode).hits
        hits += page
    return replace(first, hits=hits)


def similar(paper_id: int, limit: int = 10) -> "list[Hit]":
    """The papers nearest to a paper by embedding."""
    from paperhub.search import queries

    return queries.similar(paper_id, limit)


def reasons_text(reasons: "Sequence[Reason]") -> str:
    """A similar paper's reasons as one line for people ("same key terms: driver, activity · close in meaning")."""
    from paperhub.search import related

    return related.reasons_text(reasons)


def spelt_terms(phrases: Sequence[str], title: str, abstract: str, count: int) -> list[str]:
    """The first `count` of some words and phrases of a paper that add a stem ("expert" after "experts" adds none),
    each word as the paper writes it ("MoE", "LLMs": as similar papers' reasons name them)."""
    from paperhub.search import wording  # (the analyzers: tantivy, loaded on first use like the rest)

    return wording.spelt_terms(phrases, title, abstract, count)


def distinct_terms(phrases: Sequence[str], count: int) -> list[str]:
    """The first `count` of some words and phrases that add a stem ("diffusion models" after "diffusion" and
    "models" adds none, nor "expert" after "experts")."""
    from paperhub.search import wording  # (the analyzers: tantivy, loaded on first use like the rest)

    return wording.distinct_terms(phrases, count)


def signal_name(kind: str) -> str:
    """A kind of vectors as the docs, `--model`, the CLI and the API name it: the search package's "dense" (its name
    before December 2026) is the transformer's."""
    return "transformer" if kind == "dense" else kind


def query_problem(query: str) -> str:
    """Why a query cannot be searched, "" when it can: a since:/until: that is no date, or filler words alone (what
    a feed, an export or a saved search refuses with, as the search page does)."""
    from paperhub.search import queries

    return queries.parsed_query(query).problem


def volume(query: str, filters: Filters = NO_FILTERS) -> "Volume":
    """How many papers hold all of a query's words per month (per year over long spans), for a chart."""
    from paperhub.search import queries

    return queries.volume(query, filters)


def warm() -> float:
    """Load the models and open the indexes a search needs, then run one; returns the seconds it took."""
    from paperhub.search import queries

    return queries.warm()


# --- this node's indexes ---------------------------------------------------------------------------------------

def update(progress: Any = None, embed_new: bool = True, save_within: float = 0.0) -> int:
    """Catch the indexes up with the database (new and changed papers, stored vectors; with `embed_new`,
    static vectors for new papers); vector files are saved at most every `save_within` seconds."""
    from paperhub.search import indexing

    return indexing.update(progress, embed_new=embed_new, save_within=save_within)


def rebuild(progress: Any = None) -> int:
    """Recreate the keyword index from the database beside the served one, then switch to it."""
    from paperhub.search import keyword_files

    return keyword_files.rebuild_keyword(progress=progress)


def coverage() -> "Coverage":
    """How much of the database each index covers."""
    from paperhub.search import indexing

    return indexing.coverage()


def update_keyword(progress: Progress | None = None) -> int:
    """Bring the keyword index up to date with the database (built first if there is none); papers indexed."""
    from paperhub.search import keyword_files

    return keyword_files.update_keyword(progress=progress)


def rebuild_vectors(model: str, progress: Progress | None = None) -> int:
    """Recreate a model's vector index from the vectors stored in the database (nothing is embedded)."""
    from paperhub.search import vector_files

    return vector_files.rebuild_vectors(model, progress=progress)


def follow_vectors(model: str) -> int:
    """Add to this node's index of `model` the stored vectors it lacks; returns how many were added."""
    from paperhub.search import vector_files

    return vector_files.follow_vectors(model)


def drop_stale_static(rows: bool = True) -> int:
    """Forget earlier static models' vectors: this node's files, and with `rows` a batch of stored rows."""
    from paperhub.search import indexing

    return indexing.drop_stale_static(rows=rows)


def static_vector_count() -> int:
    """How many papers this node's index of static vectors holds."""
    from paperhub.search import indexing, vector_files

    return len(vector_files.vector_index(indexing.vector_name(indexing.STATIC)))


def static_vectors() -> "tuple[np.ndarray, np.ndarray]":
    """This node's static vectors: paper ids (int64, ascending) and their vectors (float32), empty if none."""
    from paperhub.search import indexing, vector_files

    return vector_files.vector_index(indexing.vector_name(indexing.STATIC)).everything()


# --- the models ------------------------------------------------------------------------------------------------

def transformer() -> Embedder:
    """The configured transformer (PAPERHUB_EMBED_MODEL), loaded once per process; ModelError if it cannot be."""
    return embed.transformer()


def transformer_name() -> str:
    """The name the transformer's vectors are stored under (without loading it)."""
    return embed.transformer_name()


def static_model() -> Embedder:
    """The hub's current static model; ModelError while there is none."""
    return embed.static()


def static_name() -> str | None:
    """The name of this node's current static model (what its vectors are stored under), or None."""
    return embed.static_name()


def build_static_model(teacher_papers: int | None = None, minutes: float | None = None,
                       step: Callable[[str], None] | None = None) -> "Built":
    """Distil a static model from the transformer and this hub's papers, store it and make it current (None:
    the default teacher sample and time)."""
    from paperhub.search import static

    return static.build(static.TEACHER_PAPERS if teacher_papers is None else teacher_papers,
                        static.TEACHER_MINUTES if minutes is None else minutes, step=step)


def sync_static_model() -> str | None:
    """Make the newest static model stored in the database this node's current one; returns its name."""
    from paperhub.search import static

    return static.sync()


def static_model_due() -> bool:
    """Whether the hub should build a static model (none yet, the hub has outgrown the last one, or the current one
    learnt no topics)."""
    from paperhub.search import static

    return static.due()


# --- stored vectors --------------------------------------------------------------------------------------------

def stored_vectors(model: str, paper_ids: Sequence[int]) -> "dict[int, np.ndarray]":
    """The stored vectors under `model` of the papers among `paper_ids` that have one, as float32."""
    from paperhub.search import stored

    return stored.stored_vectors(model, paper_ids)


def stored_width(model: str) -> int | None:
    """How many dimensions the vectors stored under `model` have, None while none is (the model not loaded)."""
    from paperhub.search import stored

    return stored.stored_width(model)


def stored_count(model: str, paper_ids: Sequence[int]) -> int:
    """How many of the papers among `paper_ids` have a vector stored under `model`."""
    from paperhub.search import stored

    return stored.stored_count(model, paper_ids)


def missing_papers(model: str, limit: int, skip: Collection[int] = ()) -> list[int]:
    """Ids of up to `limit` papers without a vector under `model`, newest first, leaving out `skip`."""
    from paperhub.search import stored

    return stored.missing_papers(model, limit, skip)


def missing_after(model: str, limit: int,
                  after: tuple[datetime | None, int] | None) -> list[tuple[datetime | None, int]]:
    """Up to `limit` papers without a vector under `model` after the place (published, id) `after` in newest-first
    order (None: from the newest; undated papers last), as places; its cost does not grow with the papers before
    `after`."""
    from paperhub.search import stored

    return stored.missing_after(model, limit, after)


def missing_between(model: str, above: int, upto: int, limit: int) -> list[int]:
    """Ids of up to `limit` papers with `above` < id <= `upto` without a vector under `model`, in id order."""
    from paperhub.search import stored

    return stored.missing_between(model, above, upto, limit)


def embed_papers(model: str, embedder: Embedder, paper_ids: Collection[int]) -> int:
    """Embed and store the papers among `paper_ids` still without a vector under `model` (a batch of the embed
    queue; idempotent); returns how many."""
    from paperhub.search import stored

    return stored.embed_papers(model, embedder, paper_ids)


def embed_missing(model: str, embedder: Embedder, limit: int | None = None, batch: int = 256,
                  progress: Progress | None = None) -> int:
    """Embed in this process the papers without a vector under `model`, newest first, store the vectors and add
    them to this node's index; returns how many."""
    from paperhub.search import indexing

    return indexing.embed_missing(model, embedder, limit=limit, batch=batch, progress=progress)


# --- keywords --------------------------------------------------------------------------------------------------

def keywords_of(paper_ids: Sequence[int]) -> dict[int, list[str]]:
    """The stored keywords of the papers among `paper_ids` that have them, best first (one query)."""
    from paperhub.search import keywording

    return keywording.keywords_of(paper_ids)


def update_keywords(limit: int | None = None, progress: Progress | None = None) -> int | None:
    """Make the keywords of papers added or changed since the last run (batched, resumable); returns how many
    papers, None before the first keyword index (whose document frequencies they need)."""
    from paperhub.search import keywording

    return keywording.update(limit, progress)


def forget_keywords() -> int:
    """Delete every paper's keywords, so that update_keywords() makes them all again; returns how many."""
    from paperhub.search import keywording

    return keywording.forget()


# --- vector packs ----------------------------------------------------------------------------------------------

def export_vectors(path: Any, kind: str = "transformer", progress: Any = None) -> "Exported":
    """Write the stored vectors of this hub's transformer (or static model) to a vector pack."""
    from paperhub.search import packs

    return packs.export_vectors(path, kind, progress)


def import_vectors(path: Any, progress: Any = None) -> "Imported":
    """Store a vector pack's vectors for this hub's papers; PackError if another model made them."""
    from paperhub.search import packs

    return packs.import_vectors(path, progress)
