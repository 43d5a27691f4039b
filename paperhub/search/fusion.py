"""Rank fusion: several ranked lists of ids become one. Pure functions."""

from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[Hashable]], k: float = 60.0,
                           weights: Mapping[str, float] | None = None) -> list[tuple[Hashable, float]]:
    """Ids by sum of weight / (k + rank) over the lists they appear in (rank 1 first), best first."""
    scores: dict[Hashable, float] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        if weight == 0:
            continue
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], str(pair[0])))


def normalized(scores: Sequence[float]) -> list[float]:
    """Scores scaled to [0, 1] by the list's min and max (all equal: all 1)."""
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high == low:
        return [1.0] * len(scores)
    return [(s - low) / (high - low) for s in scores]


def score_fusion(results: Mapping[str, Sequence[tuple[Hashable, float]]],
                 weights: Mapping[str, float]) -> list[tuple[Hashable, float]]:
    """Convex combination of min-max normalised scores; an id missing from a list scores 0 there."""
    total: dict[Hashable, float] = {}
    for name, pairs in results.items():
        weight = weights.get(name, 0.0)
        if not pairs or weight == 0:
            continue
        for (item, _), value in zip(pairs, normalized([s for _, s in pairs]), strict=True):
            total[item] = total.get(item, 0.0) + weight * value
    return sorted(total.items(), key=lambda pair: (-pair[1], str(pair[0])))


def zscores(values: Sequence[float]) -> list[float]:
    """Values as standard scores within their list (all equal: all 0)."""
    if not values:
        return []
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    return [0.0 if spread == 0 else (v - mean) / spread for v in values]


def union_fusion(features: Mapping[str, Mapping[K, float]], weights: Mapping[str, float],
                 candidates: Sequence[K]) -> list[tuple[K, float]]:
    """Every candidate scored by every signal, standardised per signal and summed with weights.

    Unlike fusing ranked lists, each candidate gets its real score from each signal (a BM25 score for a
    semantic hit, a cosine for a keyword hit), so a paper found by one signal is not penalised for having
    been missed by the other's top-k. A candidate a signal cannot score (no vector yet) takes that signal's
    lowest score among the candidates.
    """
    total = dict.fromkeys(candidates, 0.0)
    for name, scores in features.items():
        weight = weights.get(name, 0.0)
        known = [scores[c] for c in candidates if c in scores]
        if weight == 0 or not known:
            continue
        floor = min(known)
        for candidate, z in zip(candidates, zscores([scores.get(c, floor) for c in candidates]), strict=True):
            total[candidate] += weight * z
    return sorted(total.items(), key=lambda pair: (-pair[1], str(pair[0])))


def profile_fusion(features: Mapping[str, Mapping[K, float]],
                   profiles: Sequence[Mapping[str, float]], candidates: Sequence[K]) -> list[tuple[K, float]]:
    """Like union_fusion, but each candidate is scored by the first weight profile whose signals it has.

    Each signal is standardised over the candidates that have it. While transformer vectors fill in, a
    paper that has one is scored by keyword + transformer, one that has not by keyword + static vector,
    instead of being pushed down by a missing score. The keyword signal scores every candidate.
    """
    z: dict[str, dict[K, float]] = {}
    for name, scores in features.items():
        present = [c for c in candidates if c in scores]
        z[name] = dict(zip(present, zscores([scores[c] for c in present]), strict=True))
    total: dict[K, float] = {}
    for candidate in candidates:
        for profile in profiles:
            if all(candidate in z.get(name, {}) for name, weight in profile.items() if weight):
                total[candidate] = sum(w * z[name][candidate] for name, w in profile.items() if w)
                break
        else:
            total[candidate] = 0.0
    return sorted(total.items(), key=lambda pair: (-pair[1], str(pair[0])))


def demoted(ranked: Sequence[tuple[K, float]], lacking: Collection[K], penalty: float) -> list[tuple[K, float]]:
    """Scores of the ids in `lacking` lowered by `penalty`, best first again."""
    return sorted(((item, score - penalty if item in lacking else score) for item, score in ranked),
                  key=lambda pair: (-pair[1], str(pair[0])))
