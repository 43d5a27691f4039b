"""Training: a user's signals, their model over the candidate space, and the cache that keeps it while neither
changes. The model itself is pure (taste.py); this module gathers its inputs from the database and the space."""

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

import numpy as np
from django.contrib.auth.models import User
from django.db.models import Count, Max

from paperhub import search
from paperhub.community.models import CollectionItem, Upvote
from paperhub.papers.models import Paper, PaperAuthor
from paperhub.recommend import space, taste
from paperhub.recommend.models import Follow, NotInterested, Seed

#: Other papers sampled as the implicit negatives.
BACKGROUND = 1000
#: Most liked papers a model is trained on (the newest).
MAX_LIKED = 500
#: Trained models kept, least recently used dropped first.
CACHED = 256


@dataclass
class Liked:
    """One positive signal: a hub paper (or None for text) and how the user gave it."""

    paper_id: int | None
    title: str
    text: str
    how: str  # "upvoted", "saved", "picked", "imported", "wrote"


@dataclass
class UserSignals:
    liked: list[Liked]
    disliked: list[int]
    followed: list[int]

    @property
    def empty(self) -> bool:
        return not self.liked and not self.followed


def signals(user: User) -> UserSignals:
    """Everything the user told us, newest first; a paper liked in several ways counts once."""
    liked: dict[object, Liked] = {}
    rows = [(pid, "upvoted", at) for pid, at in Upvote.objects.filter(user=user).values_list("paper_id", "created_at")]
    rows += [(pid, "saved", at) for pid, at in CollectionItem.objects.filter(collection__owner=user)
             .values_list("paper_id", "added_at")]
    seeds = list(Seed.objects.filter(user=user).values_list("paper_id", "source", "title", "text", "created_at"))
    rows += [(pid, "imported" if source in (Seed.IMPORT, Seed.ZOTERO) else "picked", at)
             for pid, source, _, _, at in seeds if pid is not None]
    rows.sort(key=lambda r: r[2], reverse=True)
    titles = dict(Paper.objects.filter(pk__in={r[0] for r in rows}).values_list("id", "title"))
    for pid, how, _ in rows:
        liked.setdefault(pid, Liked(pid, titles.get(pid, ""), "", how))
    for pid, source, title, text, _ in seeds:
        if pid is None:
            how = "your interests" if source == Seed.PARAGRAPH else "imported"
            liked.setdefault(("text", title), Liked(None, title, text, how))
    return UserSignals(liked=list(liked.values())[:MAX_LIKED],
                       disliked=list(NotInterested.objects.filter(user=user).values_list("paper_id", flat=True)),
                       followed=list(Follow.objects.filter(user=user).values_list("author_id", flat=True)))


def fingerprint(user: User) -> tuple[object, ...]:
    """Changes whenever the user's signals do: a cache key for their trained model."""
    parts: list[object] = []
    for rows in (Upvote.objects.filter(user=user), CollectionItem.objects.filter(collection__owner=user),
                 Seed.objects.filter(user=user), NotInterested.objects.filter(user=user),
                 Follow.objects.filter(user=user)):
        parts.extend(rows.aggregate(n=Count("id"), last=Max("id")).values())
    return tuple(parts)


@dataclass
class Trained:
    """A user's model over the current space, with what explanations need."""

    user_model: taste.UserModel
    liked: list[Liked]
    views: taste.Views
    order: np.ndarray
    followed: frozenset[int]
    skip: set[int] = field(default_factory=set)


_cache: "OrderedDict[tuple[object, ...], Trained]" = OrderedDict()
_cache_lock = Lock()


def train(user: User) -> Trained | None:
    """The user's model over the current space, from the cache while neither their signals nor the space changed;
    None without signals or candidates."""
    marks = fingerprint(user)
    if not any(marks):  # no upvote, save, seed, dislike or follow: nothing to train on, no space read or built
        return None
    candidates = space.current()
    key = (user.pk, marks, space.stamp())
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    found = signals(user)
    if found.empty or len(candidates) == 0:
        return None
    trained = _fit(candidates, found, seed=user.pk)
    with _cache_lock:
        _cache[key] = trained
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return trained


def _fit(candidates: space.Space, found: UserSignals, seed: int) -> Trained:
    """Train on the signals and score every candidate, best first."""
    user_model = taste.train(_model_signals(candidates, found, seed))
    views = taste.views(user_model, candidates.dense, candidates.terms, candidates.authors, candidates.incidence)
    order = np.argsort(-views.blend(), kind="stable")
    skip = {x.paper_id for x in found.liked if x.paper_id is not None} | set(found.disliked)
    return Trained(user_model, found.liked, views, order, frozenset(found.followed), skip)


def _model_signals(candidates: space.Space, found: UserSignals, seed: int) -> taste.Signals:
    """The user's signals as rows of the space's feature matrices (liked papers outside it are embedded here)."""
    dense, terms = _features(candidates, found.liked)
    disliked = [candidates.row[p] for p in found.disliked if p in candidates.row]
    liked_rows = {candidates.row[x.paper_id] for x in found.liked if x.paper_id in candidates.row}
    background = _background(len(candidates), liked_rows | set(disliked), seed)
    return taste.Signals(
        liked_dense=dense, liked_terms=terms, liked_authors=_liked_authors(candidates, found.liked),
        disliked_dense=candidates.dense[disliked], disliked_terms=candidates.terms[disliked],
        disliked_authors=[candidates.authors[i] for i in disliked],
        background_dense=candidates.dense[background], background_terms=candidates.terms[background],
        followed=frozenset(found.followed))


def _features(candidates: space.Space, liked: list[Liked]) -> tuple[np.ndarray, object]:
    """Dense and tf-idf rows of the liked papers and texts, in the space's model and vocabulary."""
    papers = [x for x in liked if x.paper_id is not None]
    texts = {pid: (title, abstract) for pid, title, abstract in
             Paper.objects.filter(pk__in=[x.paper_id for x in papers]).values_list("id", "title", "abstract")}
    name, encoder = candidates.model, space.embedder_named(candidates.model)
    rows: list[tuple[int, str, str]] = []
    for x in liked:
        title, abstract = texts.get(x.paper_id, (x.title, x.text)) if x.paper_id is not None else (x.title, x.text)
        rows.append((x.paper_id if x.paper_id is not None else -1 - len(rows), title, abstract))
    dense = space.vectors_for(rows, name, encoder) if rows else np.zeros((0, candidates.dense.shape[1]), np.float32)
    words = [search.paper_text(title, abstract) for _, title, abstract in rows]
    terms = candidates.vectorizer.transform(words) if candidates.vectorizer and words else candidates.terms[:0]
    return dense, terms


def _background(size: int, taken: set[int], seed: int) -> np.ndarray:
    """Up to BACKGROUND rows of the space, none of them liked or disliked, drawn the same way for the same user."""
    rng = np.random.default_rng(seed)
    pool = np.setdiff1d(np.arange(size), np.array(sorted(taken), dtype=np.int64))
    return rng.choice(pool, min(BACKGROUND, len(pool)), replace=False) if len(pool) else pool


def _liked_authors(candidates: space.Space, liked: list[Liked]) -> list[tuple[int, ...]]:
    """The authors of each liked paper (from the space, or the database for papers outside it; () for texts)."""
    authors = [candidates.authors[candidates.row[x.paper_id]] if x.paper_id in candidates.row else ()
               for x in liked]
    outside = [x.paper_id for x in liked if x.paper_id is not None and x.paper_id not in candidates.row]
    if not outside:
        return authors
    by_paper: dict[int, list[int]] = {}
    for pid, aid in PaperAuthor.objects.filter(paper_id__in=outside).values_list("paper_id", "author_id"):
        by_paper.setdefault(pid, []).append(aid)
    return [tuple(by_paper.get(x.paper_id, ())) if x.paper_id in by_paper else a
            for x, a in zip(liked, authors, strict=True)]
