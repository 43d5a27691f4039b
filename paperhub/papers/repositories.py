"""Writes about papers' code: the repositories papers name, their stars, and links found for papers stored before
links were looked for. The reads are in queries.py."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from paperhub.papers.bulk import insert_ignore
from paperhub.papers.changes import next_stamp
from paperhub.papers.links import find_links, repository_key
from paperhub.papers.models import CodeRepository, HarvestCheckpoint, Paper

_BACKFILL = ("links", "backfill")  # the HarvestCheckpoint (source, key) of the backfill's position


def note_repositories(code_urls: Iterable[str]) -> None:
    """Make sure each GitHub repository among `code_urls` has its row (its stars are asked for later)."""
    keys = sorted({key for key in map(repository_key, filter(None, code_urls)) if key})  # (most papers name none)
    insert_ignore(CodeRepository._meta.db_table, ["full_name", "etag", "gone"], [(k, "", False) for k in keys],
                  ["full_name"])


@dataclass
class Backfill:
    """What a links backfill did: papers read, and code links and project pages filled."""

    read: int = 0
    code: int = 0
    project: int = 0


def _fill_batch(papers: list[Paper], done: Backfill) -> None:
    found = [(paper, find_links(paper.abstract, paper.comments)) for paper in papers]
    filled = [(paper, {name: getattr(links, name) for name in ("code_url", "project_url")
                       if not getattr(paper, name) and getattr(links, name)}) for paper, links in found]
    # A new code link gets a new change stamp (the keyword index holds whether a paper has code), taken after the
    # links are found: the stamp's lock holds other writers of papers until this batch commits.
    stamp = next_stamp() if any("code_url" in updates for _, updates in filled) else None
    for paper, updates in filled:
        if updates:
            changed = {"changed_at": stamp} if "code_url" in updates else {}
            Paper.objects.filter(pk=paper.pk).update(**updates, **changed)
        done.code += "code_url" in updates
        done.project += "project_url" in updates
    note_repositories([paper.code_url or links.code_url for paper, links in found])
    done.read += len(papers)


def backfill_links(batch: int = 2000, on_batch: Callable[[Backfill], None] | None = None) -> Backfill:
    """Fill the code link and project page of stored papers that lack one, from their text; a batch per
    transaction from where a killed run stopped; a link a source stated is never replaced."""
    done = Backfill()
    checkpoint, _ = HarvestCheckpoint.objects.get_or_create(source=_BACKFILL[0], key=_BACKFILL[1])
    after = int(checkpoint.cursor or 0)
    lacking = Q(code_url="") | Q(project_url="")
    while True:
        papers = list(Paper.objects.filter(lacking, pk__gt=after).order_by("pk")
                      .only("id", "abstract", "comments", "code_url", "project_url")[:batch])
        if not papers:
            break
        with transaction.atomic():
            _fill_batch(papers, done)
            after = papers[-1].pk
            HarvestCheckpoint.objects.filter(pk=checkpoint.pk).update(cursor=str(after))
        if on_batch is not None:
            on_batch(done)
    checkpoint.delete()
    return done


def repositories_due(limit: int) -> list[CodeRepository]:
    """The repositories to ask GitHub about next: never asked first, then the longest ago."""
    return list(CodeRepository.objects.order_by(F("checked_at").asc(nulls_first=True), "id")[:limit])


def record_stars(repository: CodeRepository, stars: int | None, etag: str, gone: bool = False,
                 now: datetime | None = None) -> None:
    """Store what GitHub said of a repository: its stars (None keeps the stored count) and ETag, or that it is gone."""
    repository.checked_at = now or timezone.now()
    repository.gone = gone
    if gone:
        repository.stars, repository.etag = None, ""
    elif stars is not None:
        repository.stars, repository.etag = stars, etag
    repository.save(update_fields=["checked_at", "gone", "stars", "etag"])
