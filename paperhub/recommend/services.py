"""Writes: "not interested", what For you showed, cold-start seeds, library imports, exclusions, follows and saved
searches."""

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from paperhub import search
from paperhub.core import caps
from paperhub.core.permissions import NotAllowed, require_user
from paperhub.papers.models import Author, Paper
from paperhub.papers.records import strip_controls
from paperhub.papers.tex import plain_text
from paperhub.recommend.library import Reference, parse_library
from paperhub.recommend.models import Exclusions, Follow, ImportJob, NotInterested, SavedSearch, Seed, Shown
from paperhub.recommend.queries import Pick

MAX_PARAGRAPH = 5000
MAX_SAVED_SEARCHES = 50
MAX_PARAGRAPHS = 100
PROGRESS_EVERY = 100  # an import records how far it got after this many entries
#: Papers For you remembers showing a user (the newest kept): 50 days of daily visits' first pages, longer than the
#: candidate window (PAPERHUB_RECOMMEND_DAYS, 30), so a pick rarely comes back as never shown while still a candidate.
SHOWN_KEPT = 1000


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
    require_user(user)
    return _toggle(NotInterested, on, user=user, paper=paper)


def remember_shown(user: User, picks: Iterable[Pick], day: date) -> int:
    """Remember that the For you page showed these picks today (those it showed before keep their first day);
    returns how many it had not remembered when the page was drawn (another tab may have written some since).
    Nothing is written when none is, so a page seen again the same day costs no write."""
    user_id = require_user(user)
    new = [Shown(user_id=user_id, paper_id=p.paper.pk, shown_on=day) for p in picks if p.shown_on is None]
    if not new:
        return 0
    with transaction.atomic():
        Shown.objects.bulk_create(new, ignore_conflicts=True)  # (another tab may have written some just now)
        mine = Shown.objects.filter(user_id=user_id)
        oldest_kept = list(mine.order_by("-id").values_list("id", flat=True)[SHOWN_KEPT - 1:SHOWN_KEPT])
        if oldest_kept:  # over SHOWN_KEPT: the oldest go
            mine.filter(id__lt=oldest_kept[0]).delete()
    return len(new)


def pick(user: User, paper: Paper, on: bool | None = None) -> bool:
    """A cold-start pick: "papers like this one"; returns whether it is picked now."""
    require_user(user)
    return _toggle(Seed, on, user=user, paper=paper, source=Seed.PICK)


def add_paragraph(user: User, text: str) -> Seed:
    """A paragraph describing the user's interests, used as one liked 'paper'."""
    require_user(user)
    text = " ".join(strip_controls(text or "").split())
    if len(text) < 20:
        raise NotAllowed("Write at least a sentence about what you work on.")
    if len(text) > MAX_PARAGRAPH:
        raise NotAllowed(f"Keep it under {MAX_PARAGRAPH} characters.")
    title = text[:120]
    paragraphs = Seed.objects.filter(user=user, source=Seed.PARAGRAPH)
    with caps.owner_locked(get_user_model(), user.pk):
        if paragraphs.count() >= MAX_PARAGRAPHS and not paragraphs.filter(paper=None, title=title).exists():
            raise NotAllowed(f"You have {MAX_PARAGRAPHS} paragraphs, the most For you keeps: forget one first.")
        seed, _ = Seed.objects.update_or_create(user=user, paper=None, title=title,
                                                defaults={"source": Seed.PARAGRAPH, "text": text})
    return seed


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
    try:
        hits = search.search(reference.title, limit=5, mode="keyword").hits
    except Exception:  # no keyword index yet: fall back to the database
        hits = []
    for hit in hits:  # the hub's title as stored (TeX) or as shown, as the reference's title is read (library.py)
        if wanted in (_normal_title(hit.title), _normal_title(plain_text(hit.title))):
            return Paper.objects.filter(pk=hit.id).first()
    same = Q(title__iexact=reference.title)
    if reference.tex_title:  # the stored title is TeX (M\"uller's $\alpha$), the entry's read as text
        same |= Q(title__iexact=reference.tex_title)
    return Paper.objects.filter(same).first()


def _check_import_quota(user_id: int) -> None:
    """One import at a time per user, and at most PAPERHUB_IMPORT_DAILY_QUOTA a day (each holds a worker)."""
    mine = ImportJob.objects.filter(user_id=user_id)
    if mine.filter(status__in=(ImportJob.PENDING, ImportJob.RUNNING)).exists():
        raise NotAllowed("Your last import is still running: wait for it to finish.")
    quota = settings.PAPERHUB_IMPORT_DAILY_QUOTA
    if mine.filter(created_at__gte=timezone.now() - timedelta(days=1)).count() >= quota:
        raise NotAllowed(f"You can import {quota} files a day: try again tomorrow.")


def import_library(user: User, upload: File[bytes]) -> ImportJob:
    """Take a BibTeX or CSL JSON export (within PAPERHUB_IMPORT_MAX_BYTES) and queue its import (run_import);
    the For-you page shows its progress and what came of it."""
    user_id = require_user(user)
    _check_import_quota(user_id)  # refused before the file is read; asked again below, where it holds
    limit = settings.PAPERHUB_IMPORT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise NotAllowed(f"That file is over {limit / 1024 / 1024:g} MB; export a smaller collection.")
    text = upload.read(limit + 1).decode("utf-8", errors="replace")
    if len(text) > limit:
        raise NotAllowed(f"That file is over {limit / 1024 / 1024:g} MB; export a smaller collection.")
    if not text.strip():
        raise NotAllowed("Choose a BibTeX (.bib) or CSL JSON (.json) file.")
    text = strip_controls(text)
    with caps.owner_locked(get_user_model(), user_id):
        _check_import_quota(user_id)
        job = ImportJob.objects.create(user_id=user_id, name=strip_controls(upload.name or "")[:200], text=text)
        run_import.enqueue(job.pk)  # the queue is a table: the task and the job commit together
    return job


def seed_reference(user_id: int, reference: Reference, source: str = Seed.IMPORT) -> tuple[Seed, bool, bool]:
    """Make a seed of one reference (a library entry): (the seed, found among the hub's papers, newly added)."""
    paper = find_paper(reference)
    if paper is not None:
        seed, created = Seed.objects.get_or_create(user_id=user_id, paper=paper, defaults={"source": source})
        return seed, True, created
    seed, created = Seed.objects.get_or_create(user_id=user_id, paper=None, title=reference.title[:500],
                                               defaults={"source": source, "text": reference.abstract})
    return seed, False, created


@task()
def run_import(job_id: int) -> dict[str, Any]:
    """Read an import's file and make seeds of its entries: hub papers it names, the rest as text to embed.

    Broken entries are reported by line. Safe to run again (a worker killed midway): seeds are made once, and a
    finished import is left as it is.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not job.waiting:
        return {"import": job_id, "status": job.status if job else "gone"}
    library = parse_library(job.text)
    job.status, job.entries, job.done, job.errors = ImportJob.RUNNING, len(library.references), 0, library.errors
    job.matched = job.added_as_text = job.already = 0
    job.save()
    for reference in library.references:
        _, found, created = seed_reference(job.user_id, reference)
        job.matched += found and created
        job.added_as_text += not found and created
        job.already += not created
        job.done += 1
        if job.done % PROGRESS_EVERY == 0:
            job.save(update_fields=["done", "matched", "added_as_text", "already"])
    if not library.references and library.errors:
        job.status, job.message = ImportJob.FAILED, f"Nothing could be imported: {library.errors[0]}"
    else:
        job.status = ImportJob.DONE
    job.text, job.finished_at = "", timezone.now()
    job.save()
    return {"import": job_id, "status": job.status, "entries": job.entries, "matched": job.matched,
            "added_as_text": job.added_as_text, "already": job.already, "errors": len(job.errors)}


def remove_seed(user: User, seed_id: int) -> None:
    """Forget one cold-start seed of the user's."""
    require_user(user)
    Seed.objects.filter(user=user, pk=seed_id).delete()


def set_exclusions(user: User, words: str, categories: str) -> Exclusions:
    """The words and categories never to recommend to the user."""
    require_user(user)
    words = strip_controls(words or "").replace(",", "\n")
    words = "\n".join(w.strip() for w in words.splitlines() if w.strip())[:2000]
    categories = " ".join(strip_controls(categories or "").replace(",", " ").split())[:500]
    exclusions, _ = Exclusions.objects.update_or_create(user=user, defaults={"words": words, "categories": categories})
    return exclusions


def follow(user: User, author: Author, on: bool | None = None) -> bool:
    """Follow (or unfollow) an author; returns whether the user follows them now."""
    require_user(user)
    return _toggle(Follow, on, user=user, author=author)


def save_search(user: User, query: str) -> SavedSearch:
    """Keep a search: its new papers reach the user's digests and feed."""
    require_user(user)
    query = " ".join(strip_controls(query or "").split())
    if not query:
        raise NotAllowed("Search for something first.")
    if len(query) > 500:
        raise NotAllowed("That search is too long to save.")
    if problem := search.query_problem(query):  # a date that is no date, or filler alone: nothing, each day
        raise NotAllowed(problem)
    with caps.owner_locked(get_user_model(), user.pk):
        saved = SavedSearch.objects.filter(user=user, query=query).first()
        if saved is not None:  # kept already: no new place taken, at the cap too
            return saved
        if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
            raise NotAllowed(f"You can keep at most {MAX_SAVED_SEARCHES} searches.")
        return SavedSearch.objects.create(user=user, query=query)


def delete_saved_search(user: User, saved_id: int) -> None:
    """Forget one of the user's saved searches."""
    require_user(user)
    SavedSearch.objects.filter(user=user, pk=saved_id).delete()
