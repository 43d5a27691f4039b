"""Semantic candidates for search: which vector indexes answer, a query's vector (cached), its nearest papers."""

import contextlib
from functools import lru_cache

import numpy as np

from paperhub.search import embed, keyword, keyword_queries
from paperhub.search.indexing import STATIC, vector_name
from paperhub.search.query import NO_FILTERS, Filters, ParsedQuery
from paperhub.search.vector_files import vector_index


def semantic_models() -> list[str]:
    """The kinds of vectors ("static", "dense") whose index has anything in it and whose model loads."""
    kinds = []
    for kind, loader in ((STATIC, embed.static), ("dense", embed.transformer)):
        if not len(vector_index(vector_name(kind))):
            continue
        try:
            loader()
        except embed.ModelError:
            continue
        kinds.append(kind)
    return kinds


def query_vector(kind: str, text: str) -> np.ndarray:
    """A query's vector for the index of a kind of vectors (remembered for the last 2,048 queries)."""
    return _encode_query(vector_name(kind), kind, text)


@lru_cache(maxsize=2048)
def _encode_query(model_name: str, kind: str, text: str) -> np.ndarray:
    """A query's vector for an index. Papers' static vectors are compared with the transformer's embedding of
    the query projected into the static space where the static model was taught by that transformer: short
    queries are where a static model is weakest (SciFact: +2 points of nDCG@10 in hybrid search)."""
    if kind != STATIC:
        return np.asarray(embed.transformer().encode([text])[0])
    static = embed.static()
    if static.projection is not None and static.teacher == embed.transformer_name():
        with contextlib.suppress(embed.ModelError):
            return np.asarray(static.from_teacher(embed.transformer().encode([text]))[0])
    return np.asarray(static.encode([text])[0])


def nearest_in_meaning(kind: str, parsed: ParsedQuery, filters: Filters, depth: int,
                       index: keyword.KeywordIndex | None) -> list[tuple[int, float]]:
    """The `depth` papers nearest a query in one kind of vectors, (id, similarity), those its constraints and
    filters allow (checked in the keyword index, for a deeper list when there are any)."""
    vec_index = vector_index(vector_name(kind))
    constrained = parsed.constraints != ParsedQuery() or filters != NO_FILTERS
    hits = vec_index.search(query_vector(kind, parsed.text), depth * (8 if constrained else 1))
    if constrained and hits and index is not None:
        allowed = {i for i, _ in index.ids(keyword_queries.id_filter([i for i, _ in hits], parsed, filters), len(hits))}
        hits = [h for h in hits if h[0] in allowed]
    return hits[:depth]
