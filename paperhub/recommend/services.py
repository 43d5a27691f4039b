"""Writes: "not interested", cold-start seeds, library imports, exclusions, follows and saved searches."""

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from paperhub.community.services import NotAllowed, _require_user
from paperhub.papers.models import Author, Paper
from paperhub.recommend.library import Reference, parse_library
from paperhub.recommend.models import Exclusions, Follow, NotInterested, SavedSearch, Seed

MAX_PARAGRAPH = 5000
MAX_SAVED_SEARCHES = 50


def _toggle(model: type, on: bool | None, **fields: object) -> bool:
    """Create (on=True), delete (on=False) or toggle (None) the row with these fields; returns whether it exists."""
    existing = model.objects.filter(**fields)  # type: ignore[attr-defined]
    if on is False or (on is None and existing.exists()):
        existing.delete()
        return False
    try:
        with transaction.atomic():
            model.objects.get_or_create(**fields)  # type: ignore[attr-defined]
    except IntegrityError:  # created by a concurrent request
        pass
    return True


def not_interested(user: User, paper: Paper, on: bool | None = None) -> bool:
    """Mark (or unmark) a paper as not wanted; returns whether it is marked now."""
    _require_user(user)
    return _toggle(NotInterested, on, user=user, paper=paper)


def pick(user: User, paper: Paper, on: bool | None = None) -> bool:
    """A cold-start pick: "papers like this one"; returns whether it is picked now."""
    _require_user(user)
    return _toggle(Seed, on, user=user, paper=paper, source=Seed.PICK)


def add_paragraph(user: User, text: str) -> Seed:
    """A paragraph describing the user's interests, used as one liked 'paper'."""
    _require_user(user)
    text = " ".join((text or "").split())
    if len(text) < 20:
        raise NotAllowed("Write at least a sentence about what you work on.")
    if len(text) > MAX_PARAGRAPH:
        raise NotAllowed(f"Keep it under {MAX_PARAGRAPH} characters.")
    title = text[:120]
    seed, _ = Seed.objects.update_or_create(user=user, paper=None, title=title,
                                            defaults={"source": Seed.PARAGRAPH, "text": text})
    return seed


@dataclass
class ImportReport:
    matched: int = 0
    added_as_text: int = 0
    already: int = 0
    errors: list[str] = field(default_factory=list)


def _normal_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def find_paper(reference: Reference) -> Paper | None:
    """The hub's paper for a reference: by arXiv id, then DOI, then the exact title (by keyword search)."""
    if reference.arxiv_id:
        paper = Paper.objects.filter(uid=reference.arxiv_id).first()
        if paper:
            return paper
    if reference.doi:
        paper = Paper.objects.filter(doi__iexact=reference.doi).first()
        if paper:
            return paper
    wanted = _normal_title(reference.title)
    if len(wanted) < 10:
        return None
    from paperhub.search import search

    try:
        hits = search(reference.title, limit=5, mode="keyword").hits
    except Exception:  # no keyword index yet: fall back to the database
        hits = []
    for hit in hits:
        if _normal_title(hit.title) == wanted:
            return Paper.objects.filter(pk=hit.id).first()
    return Paper.objects.filter(title__iexact=reference.title).first()


def import_library(user: User, text: str) -> ImportReport:
    """Seeds from a BibTeX or CSL JSON export; entries not in the hub are kept as text and embedded.

    Idempotent: importing the same file again adds nothing. Broken entries are reported by line.
    """
    _require_user(user)
    library = parse_library(text)
    report = ImportReport(errors=library.errors)
    for reference in library.references:
        paper = find_paper(reference)
        if paper is not None:
            _, created = Seed.objects.get_or_create(user=user, paper=paper, defaults={"source": Seed.IMPORT})
            report.matched += created
        else:
            _, created = Seed.objects.get_or_create(user=user, paper=None, title=reference.title[:500],
                                                    defaults={"source": Seed.IMPORT, "text": reference.abstract})
            report.added_as_text += created
        report.already += not created
    return report


def remove_seed(user: User, seed_id: int) -> None:
    """Forget one cold-start seed of the user's."""
    _require_user(user)
    Seed.objects.filter(user=user, pk=seed_id).delete()


def set_exclusions(user: User, words: str, categories: str) -> Exclusions:
    """The words and categories never to recommend to the user."""
    _require_user(user)
    words = "\n".join(w.strip() for w in (words or "").replace(",", "\n").splitlines() if w.strip())[:2000]
    categories = " ".join((categories or "").replace(",", " ").split())[:500]
    exclusions, _ = Exclusions.objects.update_or_create(user=user, defaults={"words": words, "categories": categories})
    return exclusions


def follow(user: User, author: Author, on: bool | None = None) -> bool:
    """Follow (or unfollow) an author; returns whether the user follows them now."""
    _require_user(user)
    return _toggle(Follow, on, user=user, author=author)


def save_search(user: User, query: str) -> SavedSearch:
    """Keep a search: its new papers reach the user's digests and feed."""
    _require_user(user)
    query = " ".join((query or "").split())
    if not query:
        raise NotAllowed("Search for something first.")
    if len(query) > 500:
        raise NotAllowed("That search is too long to save.")
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise NotAllowed(f"You can keep at most {MAX_SAVED_SEARCHES} searches.")
    saved, _ = SavedSearch.objects.get_or_create(user=user, query=query)
    return saved


def delete_saved_search(user: User, saved_id: int) -> None:
    """Forget one of the user's saved searches."""
    _require_user(user)
    SavedSearch.objects.filter(user=user, pk=saved_id).delete()
