"""Reads: a user's signals, their "For you" picks with reasons, and what their follows and searches found."""

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from threading import Lock

import numpy as np
from django.contrib.auth.models import User
from django.db.models import Count, Max

from paperhub import search
from paperhub.community.models import CollectionItem, Upvote
from paperhub.papers.models import Author, Paper, PaperAuthor
from paperhub.recommend import model, space
from paperhub.recommend.models import Exclusions, Follow, ImportJob, NotInterested, SavedSearch, Seed

BACKGROUND = 1000
#: Most liked papers a model is trained on (the newest).
MAX_LIKED = 500


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
    rows += [(pid, "imported" if source == Seed.IMPORT else "picked", at)
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


def fingerprint(user: User) -> tuple:
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

    user_model: model.UserModel
    liked: list[Liked]
    views: model.Views
    order: np.ndarray
    followed: frozenset[int]
    skip: set[int] = field(default_factory=set)


_cache: "OrderedDict[tuple, Trained]" = OrderedDict()
_cache_lock = Lock()


def _features(candidates: space.Space, liked: list[Liked]) -> tuple[np.ndarray, object]:
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


def train(user: User) -> Trained | None:
    """The user's model over the current space, from the cache while neither their signals nor the space changed."""
    candidates = space.current()
    key = (user.pk, fingerprint(user), space.stamp())
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    found = signals(user)
    if found.empty or len(candidates) == 0:
        return None
    dense, terms = _features(candidates, found.liked)
    disliked = [candidates.row[p] for p in found.disliked if p in candidates.row]
    liked_rows = {candidates.row[x.paper_id] for x in found.liked if x.paper_id in candidates.row}
    rng = np.random.default_rng(user.pk)
    pool = np.setdiff1d(np.arange(len(candidates)), np.array(sorted(liked_rows | set(disliked)), dtype=np.int64))
    background = rng.choice(pool, min(BACKGROUND, len(pool)), replace=False) if len(pool) else pool
    liked_authors = [candidates.authors[candidates.row[x.paper_id]] if x.paper_id in candidates.row else ()
                     for x in found.liked]
    outside = [x.paper_id for x in found.liked if x.paper_id is not None and x.paper_id not in candidates.row]
    if outside:
        by_paper: dict[int, list[int]] = {}
        for pid, aid in PaperAuthor.objects.filter(paper_id__in=outside).values_list("paper_id", "author_id"):
            by_paper.setdefault(pid, []).append(aid)
        liked_authors = [tuple(by_paper.get(x.paper_id, ())) if x.paper_id in by_paper else a
                         for x, a in zip(found.liked, liked_authors, strict=True)]
    signals_ = model.Signals(
        liked_dense=dense, liked_terms=terms, liked_authors=liked_authors,
        disliked_dense=candidates.dense[disliked], disliked_terms=candidates.terms[disliked],
        disliked_authors=[candidates.authors[i] for i in disliked],
        background_dense=candidates.dense[background], background_terms=candidates.terms[background],
        followed=frozenset(found.followed))
    user_model = model.train(signals_)
    views = model.views(user_model, candidates.dense, candidates.terms, candidates.authors, candidates.incidence)
    order = np.argsort(-views.blend(), kind="stable")
    skip = {x.paper_id for x in found.liked if x.paper_id is not None} | set(found.disliked)
    trained = Trained(user_model, found.liked, views, order, frozenset(found.followed), skip)
    with _cache_lock:
        _cache[key] = trained
        while len(_cache) > 256:
            _cache.popitem(last=False)
    return trained


@dataclass
class Pick:
    paper: Paper
    score: float
    reasons: list[str]


def _excluded(paper: Paper, words: list[str], categories: list[str]) -> bool:
    if categories and any(c.category.code in categories for c in paper.paper_categories.all()):
        return True
    text = f"{paper.title} {paper.abstract}".lower()
    return any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)


def for_you(user: User, limit: int = 20, offset: int = 0, since: date | None = None,
            until: date | None = None) -> list[Pick]:
    """The user's best candidates (published within [since, until) when given), explained; [] without signals."""
    trained = train(user)
    if trained is None:
        return []
    candidates = space.current()
    exclusions = Exclusions.objects.filter(user=user).first()
    words = exclusions.word_list() if exclusions else []
    categories = exclusions.category_list() if exclusions else []
    order = trained.order
    if since or until:
        days = candidates.published[order]
        keep = np.ones(len(order), dtype=bool)
        if since:
            keep &= days >= since.toordinal() - space.EPOCH
        if until:
            keep &= days < until.toordinal() - space.EPOCH
        order = order[keep]
    picks: list[Pick] = []
    wanted, seen, start = offset + limit, 0, 0
    while len(picks) < limit and start < len(order):
        step = max(50, 2 * (wanted - seen))  # a few more than needed: some are skipped or excluded
        batch = [int(candidates.ids[i]) for i in order[start:start + step]]
        start += step
        papers = {p.pk: p for p in Paper.objects.filter(pk__in=batch).prefetch_related("paper_categories__category")}
        for pid in batch:
            paper = papers.get(pid)
            if paper is None or pid in trained.skip or _excluded(paper, words, categories):
                continue
            seen += 1
            if seen > offset and len(picks) < limit:
                picks.append(Pick(paper, 0.0, []))
        if seen >= wanted:
            break
    _explain(trained, candidates, picks)
    return picks


def _explain(trained: Trained, candidates: space.Space, picks: list[Pick]) -> None:
    author_ids = {a for p in picks for a in candidates.authors[candidates.row[p.paper.pk]]
                  if trained.user_model.authors.get(a, 0) > 0}
    names = dict(Author.objects.filter(pk__in=author_ids).values_list("id", "name"))
    blend = trained.views.blend()
    for pick in picks:
        row = candidates.row[pick.paper.pk]
        pick.score = float(blend[row])
        liked_authors = [a for a in candidates.authors[row] if trained.user_model.authors.get(a, 0) > 0]
        followed = [names[a] for a in liked_authors if a in trained.followed and a in names]
        others = [names[a] for a in liked_authors if a not in trained.followed and a in names]
        if followed:
            pick.reasons.append(f"by {', '.join(followed[:2])}, whom you follow")
        if others:
            pick.reasons.append(f"by {', '.join(others[:2])}, whose papers you liked")
        nearest, cosine = model.nearest_liked(trained.user_model, candidates.terms[row])
        if nearest >= 0 and cosine > 0.1:
            liked = trained.liked[nearest]
            what = f"“{liked.title[:90]}”" if liked.title else "the text"
            pick.reasons.append(f"close to {what} you {liked.how}" if liked.how != "your interests"
                                else f"close to your interests ({what})")
        terms = model.top_terms(candidates.terms[row], trained.user_model.terms, candidates.vocabulary)
        if terms:
            pick.reasons.append("about " + ", ".join(terms))


def interests(user: User, terms_per_profile: int = 5) -> list[list[str]]:
    """The user's interest profiles, each as the words most typical of it."""
    trained = train(user)
    if trained is None or trained.user_model.terms is None:
        return []
    candidates = space.current()
    profiles = trained.user_model.profiles
    if not len(profiles):
        return []
    owner = np.argmax(candidates.dense @ profiles.T, axis=1)
    near = candidates.dense @ profiles.T
    described = []
    for p in range(len(profiles)):
        rows = np.flatnonzero(owner == p)
        rows = rows[np.argsort(-near[rows, p])][:50]
        if not len(rows):
            continue
        weight = np.asarray(candidates.terms[rows].sum(axis=0)).ravel() * np.maximum(trained.user_model.terms, 0)
        best = model.distinct_terms([candidates.vocabulary[i] for i in np.argsort(-weight)[:terms_per_profile * 3]
                                     if weight[i] > 0], terms_per_profile)
        if best:
            described.append(best)
    return described


def followed_authors(user: User) -> list[Author]:
    """The authors the user follows, by name."""
    return list(Author.objects.filter(pk__in=Follow.objects.filter(user=user).values("author_id")).order_by("name"))


def saved_searches(user: User) -> list[SavedSearch]:
    """The user's saved searches, newest first."""
    return list(SavedSearch.objects.filter(user=user).order_by("-created_at"))


def from_follows(user: User, since: datetime | None = None, until: datetime | None = None,
                 limit: int = 20) -> list[Paper]:
    """Papers by followed authors, newest first, published within [since, until)."""
    papers = Paper.objects.filter(authorships__author__in=Follow.objects.filter(user=user).values("author_id"))
    if since:
        papers = papers.filter(published__gte=since)
    if until:
        papers = papers.filter(published__lt=until)
    return list(papers.distinct().order_by("-published", "-id")[:limit])


def search_matches(saved: SavedSearch, since: date | None = None, until: date | None = None,
                   limit: int = 10) -> list[Paper]:
    """Papers matching a saved search published within [since, until), best first."""
    from paperhub.search import Filters, search

    last = (until.toordinal() - 1) if until else None
    filters = Filters(since=since, until=date.fromordinal(last) if last else None)
    hits = search(saved.query, filters, limit=limit, mode="keyword").hits
    by_id = Paper.objects.in_bulk([h.id for h in hits])
    return [by_id[h.id] for h in hits if h.id in by_id]


def imports_of(user: User, limit: int = 3) -> list[ImportJob]:
    """The user's latest library imports, newest first (without the uploaded text)."""
    return list(ImportJob.objects.filter(user=user).defer("text").order_by("-created_at", "-id")[:limit])
