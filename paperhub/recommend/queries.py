"""Reads: a user's "For you" picks with reasons, the cold start's starters, their interests, and what their follows
and searches found."""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import OuterRef, Subquery

from paperhub import search
from paperhub.papers import citation, feeds
from paperhub.papers.categories import category_label
from paperhub.papers.models import Author, Paper, PaperCategory
from paperhub.papers.queries import papers_in_order
from paperhub.papers.records import strip_controls
from paperhub.recommend import space, taste, training
from paperhub.recommend.models import Exclusions, Follow, ImportJob, SavedSearch, Seed, Shown, ZoteroLink

#: What the user told us is a read as well (the map highlights the papers they liked); it is gathered in training.
signals = training.signals


@dataclass
class Pick:
    paper: Paper
    score: float
    reasons: list[str]
    shown_on: date | None = None  # the day the For you page first showed it to the user, if it did
    shown_before: bool = False  # on a day before `today` (for_you's): it comes after the picks never shown


def _excluded(paper: Paper, words: list[str], categories: list[str]) -> bool:
    if categories and any(c.category.code in categories for c in paper.paper_categories.all()):
        return True
    text = f"{paper.title} {paper.abstract}".lower()
    return any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)


#: How many picks never shown go before those shown on an earlier day: two pages of new ones, then the ones seen
#: before (a good pick seen yesterday is still a good pick: it comes back on page 3, not after every weak match).
UNSEEN_AHEAD = 40


def _unseen_first(order: np.ndarray, candidates: space.Space, earlier: set[int], ahead: int = UNSEEN_AHEAD
                  ) -> np.ndarray:
    """The order with the candidates among `earlier` (paper ids) moved after the first `ahead` of the others, each
    part in its order (those further down than that stay where they are)."""
    rows = [candidates.row[pid] for pid in earlier if pid in candidates.row]
    if not rows:
        return order
    seen = np.zeros(len(candidates), dtype=bool)
    seen[rows] = True
    later = seen[order]
    unseen = np.flatnonzero(~later)
    cut = int(unseen[ahead - 1]) + 1 if len(unseen) >= ahead else len(order)
    head, moved = order[:cut], later[:cut]
    return np.concatenate([head[~moved], head[moved], order[cut:]])


def for_you(user: User, limit: int = 20, offset: int = 0, since: date | None = None,
            until: date | None = None, today: date | None = None) -> list[Pick]:
    """The user's best candidates (published within [since, until) when given), explained; [] without signals.

    Given `today`, picks the For you page showed the user on an earlier day come after the best UNSEEN_AHEAD it
    never showed."""
    trained = training.train(user)
    if trained is None:
        return []
    candidates = space.current()
    exclusions = Exclusions.objects.filter(user=user).first()
    words = exclusions.word_list() if exclusions else []
    categories = exclusions.category_list() if exclusions else []
    order = trained.order
    shown: dict[int, date] = {}
    earlier: set[int] = set()
    if today is not None:
        shown = dict(Shown.objects.filter(user=user).values_list("paper_id", "shown_on"))
        earlier = {pid for pid, day in shown.items() if day < today}
        order = _unseen_first(order, candidates, earlier)
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
                picks.append(Pick(paper, 0.0, [], shown.get(pid), pid in earlier))
        if seen >= wanted:
            break
    _explain(trained, candidates, picks)
    return picks


def _explain(trained: training.Trained, candidates: space.Space, picks: list[Pick]) -> None:
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
        nearest, cosine = taste.nearest_liked(trained.user_model, candidates.terms[row])
        if nearest >= 0 and cosine > 0.1:
            liked = trained.liked[nearest]
            # a paper's title is TeX (rendered, as the digest and the feed show it); a person's words are not
            title = citation.plain_line(liked.title, tex=liked.paper_id is not None)
            what = f"“{citation.bounded(title, 90)}”" if title else "the text"
            pick.reasons.append(f"close to {what} you {liked.how}" if liked.how != "your interests"
                                else f"close to your interests ({what})")
        terms = search.spelt_terms(taste.top_terms(candidates.terms[row], trained.user_model.terms,
                                                   candidates.vocabulary), pick.paper.title, pick.paper.abstract, 3)
        if terms:
            pick.reasons.append("about " + ", ".join(terms))


@dataclass
class Starter:
    """A paper offered to a user who has told us nothing yet, and why it is offered."""

    paper: Paper
    reason: str


#: How many of the newest papers starters are drawn from: about a day of all of arXiv, enough to hold every
#: active subject; each costs an index probe for its primary category on every cold-start page view.
STARTER_WINDOW = 2000


def _subjects_in_turn(counts: Counter[str]) -> list[str]:
    """Categories in the order starters visit them: the biggest category of each arXiv archive (cs, math,
    astro-ph, q-bio...), biggest archive first, then each archive's second, and so on; a hub of many fields shows
    one starter per field before a second from computer science."""
    archives: dict[str, list[str]] = {}
    for code in sorted(counts, key=lambda c: (-counts[c], c)):
        archives.setdefault(code.split(".")[0], []).append(code)
    # biggest archive first; sorted() is stable, so equals keep the order of their biggest categories
    ordered = sorted(archives.values(), key=lambda codes: -sum(counts[c] for c in codes))
    return [codes[turn] for turn in range(max(map(len, ordered), default=0)) for codes in ordered
            if turn < len(codes)]


def starters(limit: int = 12) -> list[Starter]:
    """Papers to start For you from: what trends here first (up to half), then the best recent paper of each
    subject in turn, so the list spans the hub's fields instead of the newest batch of one listing."""
    # a hub's votes often gather in one field: trending takes at most half, the rest spans the subjects
    chosen = [Starter(p, "trending here") for p in feeds.trending(limit=limit // 2 or limit)]
    taken = {s.paper.pk for s in chosen}
    primary = PaperCategory.objects.filter(paper=OuterRef("pk"), is_primary=True).values("category__code")[:1]
    # (dated papers only, written out: NULLs sort first on PostgreSQL, and the filter keeps the paper_newest index)
    window = (Paper.objects.filter(published__isnull=False).order_by("-published", "-id")
              .annotate(primary=Subquery(primary))
              .values_list("id", "upvotes", "primary")[:STARTER_WINDOW])
    by_subject: dict[str, list[tuple[int, int, int]]] = {}
    for newest, (paper_id, upvotes, code) in enumerate(window):
        if paper_id not in taken:
            by_subject.setdefault(code or "", []).append((-upvotes, newest, paper_id))
    queues = {code: sorted(by_subject[code], reverse=True)  # popped from the end: most upvoted, then newest
              for code in _subjects_in_turn(Counter({code: len(rows) for code, rows in by_subject.items()}))}
    picked: list[tuple[int, str]] = []
    while queues and len(chosen) + len(picked) < limit:
        for code in list(queues):
            if len(chosen) + len(picked) < limit:
                picked.append((queues[code].pop()[2], code))
            if not queues[code]:
                del queues[code]
    papers = Paper.objects.in_bulk([paper_id for paper_id, _ in picked])
    return chosen + [Starter(papers[paper_id], f"recent in {category_label(code)}" if code else "recent here")
                     for paper_id, code in picked if paper_id in papers]


def interests(user: User, terms_per_profile: int = 5) -> list[list[str]]:
    """The user's interest profiles, each as the words most typical of it."""
    trained = training.train(user)
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
        best = search.distinct_terms([candidates.vocabulary[i] for i in np.argsort(-weight)[:terms_per_profile * 3]
                                     if weight[i] > 0], terms_per_profile)
        if best:
            described.append(best)
    return described


def exclusions_of(user: User) -> Exclusions | None:
    """The words and categories the user asked never to be shown, if any."""
    return Exclusions.objects.filter(user=user).first()


def seeds_of(user: User, limit: int = 50) -> list[Seed]:
    """What the user told For you (picks, imports, paragraphs), the newest first."""
    return list(Seed.objects.filter(user=user).select_related("paper").order_by("-created_at")[:limit])


def follows(user: User | AnonymousUser, author: Author) -> bool:
    """Whether the user follows the author (a visitor follows nobody)."""
    return user.is_authenticated and Follow.objects.filter(user_id=user.pk, author=author).exists()


def followed_authors(user: User) -> list[Author]:
    """The authors the user follows, by name."""
    return list(Author.objects.filter(pk__in=Follow.objects.filter(user=user).values("author_id")).order_by("name"))


def saved_searches(user: User) -> list[SavedSearch]:
    """The user's saved searches, newest first."""
    return list(SavedSearch.objects.filter(user=user).order_by("-created_at"))


def saved_search(user: User, query: str) -> SavedSearch | None:
    """The user's saved search of exactly this query, if they saved it (read as saving writes it: control characters
    out, a NUL among them, which PostgreSQL refuses in a query)."""
    query = " ".join(strip_controls(query or "").split())
    return SavedSearch.objects.filter(user=user, query=query).first() if user.is_authenticated and query else None


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
    last = (until.toordinal() - 1) if until else None
    filters = search.Filters(since=since, until=date.fromordinal(last) if last else None)
    hits = search.search(saved.query, filters, limit=limit, mode="keyword").hits
    return papers_in_order([h.id for h in hits])


def imports_of(user: User, limit: int = 3) -> list[ImportJob]:
    """The user's latest library imports, newest first (without the uploaded text)."""
    return list(ImportJob.objects.filter(user=user).defer("text").order_by("-created_at", "-id")[:limit])


def zotero_link(user: User) -> ZoteroLink | None:
    """The user's Zotero library connection (connected or refused), if any."""
    return ZoteroLink.objects.filter(user=user).first()
