"""Search: keyword (tantivy BM25), semantic (usearch over embeddings) and both fused.

The public API is search(), similar(), update(), rebuild() and coverage(); the rest of the package is
private. Indexes are derived from the database and can always be rebuilt from it. The functions import
their implementation on first call, so this package can be imported before Django's apps are ready.
"""

from typing import TYPE_CHECKING, Any

from paperhub.search.query import NO_FILTERS, Filters, ParsedQuery, parse

if TYPE_CHECKING:
    from paperhub.search.indexing import Coverage
    from paperhub.search.packs import Exported, Imported
    from paperhub.search.queries import Hit, Results, Volume

__all__ = ["Filters", "ParsedQuery", "parse", "search", "similar", "volume", "update", "rebuild", "coverage", "warm",
           "PackError", "export_vectors", "import_vectors"]


class PackError(ValueError):
    """A vector pack cannot be written or read here (its message says why; nothing was imported)."""



def search(query: str, filters: Filters = NO_FILTERS, sort: str = "relevance", limit: int = 20, offset: int = 0,
           mode: str = "hybrid") -> "Results":
    """Papers for a query (words, "phrases", author:, cat:, -exclusions), filtered, sorted, paged."""
    from paperhub.search import queries

    return queries.search(query, filters, sort, limit, offset, mode)  # type: ignore[arg-type]


def similar(paper_id: int, limit: int = 10) -> "list[Hit]":
    """The papers nearest to a paper by embedding."""
    from paperhub.search import queries

    return queries.similar(paper_id, limit)


def volume(query: str, filters: Filters = NO_FILTERS) -> "Volume":
    """How many papers hold all of a query's words per month (per year over long spans), for a chart."""
    from paperhub.search import queries

    return queries.volume(query, filters)


def update(progress: Any = None, embed_new: bool = True, save_within: float = 0.0) -> int:
    """Catch the indexes up with the database (new and changed papers, stored vectors; with `embed_new`,
    static vectors for new papers); vector files are saved at most every `save_within` seconds."""
    from paperhub.search import indexing

    return indexing.update(progress, embed_new=embed_new, save_within=save_within)


def rebuild(progress: Any = None) -> int:
    """Recreate the keyword index from the database beside the served one, then switch to it."""
    from paperhub.search import indexing

    return indexing.rebuild_keyword(progress=progress)


def coverage() -> "Coverage":
    """How much of the database each index covers."""
    from paperhub.search import indexing

    return indexing.coverage()


def warm() -> float:
    """Load the models and open the indexes a search needs, then run one; returns the seconds it took."""
    from paperhub.search import queries

    return queries.warm()


def export_vectors(path: Any, kind: str = "transformer", progress: Any = None) -> "Exported":
    """Write the stored vectors of this hub's transformer (or static model) to a vector pack."""
    from paperhub.search import packs

    return packs.export_vectors(path, kind, progress)


def import_vectors(path: Any, progress: Any = None) -> "Imported":
    """Store a vector pack's vectors for this hub's papers; PackError if another model made them."""
    from paperhub.search import packs

    return packs.import_vectors(path, progress)
