"""Writes to papers: one idempotent, batched upsert shared by every source."""

from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from paperhub.papers.bulk import (
    bulk_writing,
    chunk_size,
    chunks,
    insert_ignore,
    insert_new,
    insert_returning_ids,
    load_rows,
    select_ids,
    select_rows,
    time_adapter,
)
from paperhub.papers.changes import next_stamp
from paperhub.papers.links import NO_LINKS, Links
from paperhub.papers.loading import keys_checked_in_bulk
from paperhub.papers.models import Author, Category, FeedEntry, Paper, PaperAuthor, PaperCategory
from paperhub.papers.records import PaperRecord
from paperhub.papers.repositories import note_repositories

#: Paper columns a record can set; the order is the INSERT's column order.
PAPER_FIELDS = (
    "title", "abstract", "version", "published", "updated", "comments", "journal_ref", "doi",
    "report_no", "license", "code_url", "project_url", "organization",
)
#: Links a source may state, or the abstract and comments name (papers/links.py).
LINK_FIELDS = ("code_url", "project_url")


@dataclass
class UpsertResult:
    """What an upsert did: papers added, changed, and already up to date."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "UpsertResult") -> "UpsertResult":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == ()


def supersedes(incoming: PaperRecord, version: int | None, updated: datetime | None) -> bool:
    """Whether a record describes a newer state of a paper than the stored version/updated."""
    if incoming.version is not None and version is not None and incoming.version != version:
        return incoming.version > version
    if incoming.updated is not None and updated is not None:
        return incoming.updated > updated
    return False


def merge(stored: dict[str, Any], incoming: PaperRecord, has_authors: bool, has_categories: bool,
          found: Links = NO_LINKS) -> tuple[dict[str, Any], bool, bool]:
    """The column updates, and whether authors/categories are rewritten, for a record over a stored paper.

    A newer record overwrites what it says; an older or equal one only fills what is still empty, so
    re-ingesting the same input changes nothing and a sparse source never erases a richer one. Links `found` in
    the text only fill what neither the stored paper nor the record states.
    """
    newer = supersedes(incoming, stored["version"], stored["updated"])
    updates = {}
    for name in PAPER_FIELDS:
        new = getattr(incoming, name)
        if _empty(new):
            continue
        old = stored[name]
        if _empty(old) or (newer and new != old):
            updates[name] = new
    for name in LINK_FIELDS:
        if name not in updates and _empty(stored[name]) and getattr(found, name):
            updates[name] = getattr(found, name)
    rewrite_authors = bool(incoming.authors) and (newer or not has_authors)
    rewrite_categories = bool(incoming.categories) and (newer or not has_categories)
    return updates, rewrite_authors, rewrite_categories


def _batched(records: Iterable[PaperRecord], size: int) -> Iterator[list[PaperRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert_rows(records: list[PaperRecord], stamp: datetime) -> list[tuple[object, ...]]:
    """New papers' rows, in the order of ["uid", "source", "added_at", "changed_at", *PAPER_FIELDS]."""
    adapt = time_adapter()
    now = adapt(stamp)
    return [
        (r.uid, r.source, now, now, r.title, r.abstract, r.version, adapt(r.published), adapt(r.updated),
         r.comments, r.journal_ref, r.doi, r.report_no, r.license, r.code_url or r.found_links.code_url,
         r.project_url or r.found_links.project_url, r.organization)
        for r in records
    ]


def _dedupe(records: list[PaperRecord]) -> list[PaperRecord]:
    """One record per uid: the newest, so a file listing a paper twice lands it once."""
    chosen: dict[str, PaperRecord] = {}
    for record in records:
        current = chosen.get(record.uid)
        if current is None or supersedes(record, current.version, current.updated):
            chosen[record.uid] = record
    return list(chosen.values())


@dataclass
class _KnownAuthors:
    """What a run of upserts remembers of authors (never deleted while papers land): the ids it has met, and
    whether an author it took for new was stored already (a hub with authors: it checks each from then on). The
    ids a batch adds are forgotten if the batch rolls back (its authors with it)."""

    ids: dict[str, int] = field(default_factory=dict)
    clashed: bool = False
    uncommitted: list[str] = field(default_factory=list)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Around one batch's transaction: what it learnt is kept if it commits, forgotten if it raises."""
        self.uncommitted.clear()
        try:
            yield
        except BaseException:
            for key in self.uncommitted:
                self.ids.pop(key, None)
            raise
        finally:
            self.uncommitted.clear()


def _ensure_authors(keyed: dict[str, str], known: _KnownAuthors) -> dict[str, int]:
    """Author ids by key, for at least the keys of {key: display name}, creating the authors not yet known; `known`
    learns the new ones (what is returned is its own mapping, to read and not to change)."""
    if len(known.ids) > 1_000_000:  # bounded: a whole-arXiv run meets millions of authors
        known.ids.clear()
    ids = known.ids
    unknown = [(name, key) for key, name in keyed.items() if key not in ids]
    table = Author._meta.db_table
    # Into a hub without them (the first load of a snapshot), every author this run has not met is new, and goes in
    # without conflict checks. Otherwise inserted first, the few already stored looked up after.
    new = None if known.clashed else insert_new(table, ["name", "key"], unknown, "key")
    if new is None:
        known.clashed = True
        new = insert_returning_ids(table, ["name", "key"], unknown, "key")
    ids.update(new)
    known.uncommitted.extend(new)
    return ids


def _ensure_categories(codes: Iterable[str]) -> dict[str, int]:
    """Category ids by code, creating the categories not yet known."""
    wanted = sorted(set(codes))
    table = Category._meta.db_table
    ids = select_ids(table, "code", wanted)
    missing = [(code,) for code in wanted if code not in ids]
    ids.update(insert_returning_ids(table, ["code"], missing, "code"))
    return ids


def _write_authors(papers: list[tuple[int, PaperRecord]], replace: set[int], known: _KnownAuthors) -> None:
    """Set the ordered authors of papers; `replace` holds the ids of papers that may already have some."""
    if not papers:
        return
    keyed: dict[str, str] = {}
    for _, record in papers:
        for key, name in zip(record.author_keys, record.authors, strict=True):
            keyed.setdefault(key, name)  # a new author is named as first seen
    author_ids = _ensure_authors(keyed, known)
    if replace:
        PaperAuthor.objects.filter(paper_id__in=replace).delete()
    rows = [(paper_id, author_ids[key], position)
            for paper_id, record in papers for position, key in enumerate(record.author_keys)]
    load_rows(PaperAuthor._meta.db_table, ["paper_id", "author_id", "position"], rows)  # (see _upsert_batch)


def _write_categories(papers: list[tuple[int, PaperRecord]], replace: set[int]) -> None:
    """Set the categories of papers, the first primary; `replace` as for _write_authors."""
    if not papers:
        return
    category_ids = _ensure_categories(code for _, record in papers for code in record.categories)
    if replace:
        PaperCategory.objects.filter(paper_id__in=replace).delete()
    rows: list[tuple[int, int, bool]] = []
    for paper_id, record in papers:
        codes = list(dict.fromkeys(record.categories))
        rows.extend((paper_id, category_ids[code], i == 0) for i, code in enumerate(codes))
    load_rows(PaperCategory._meta.db_table, ["paper_id", "category_id", "is_primary"], rows)


def _stored_papers(uids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored fields of the papers among `uids` that exist (a cheap id lookup first: usually none do)."""
    stored: dict[str, dict[str, Any]] = {}
    existing = list(select_ids(Paper._meta.db_table, "uid", uids).values())
    for chunk in chunks(existing, chunk_size()):
        for row in Paper.objects.filter(pk__in=chunk).values("id", "uid", *PAPER_FIELDS):
            stored[row["uid"]] = row
    return stored


def _ids_having(model: type[PaperAuthor] | type[PaperCategory], paper_ids: list[int]) -> set[int]:
    rows = select_rows(model._meta.db_table, ["DISTINCT paper_id"], "paper_id", paper_ids)
    return {paper_id for (paper_id,) in rows}


class _StoredMeanwhile(RuntimeError):
    """Papers a batch looked up as new were stored by then (by a writer that took no turn): it runs again."""

    def __init__(self) -> None:
        super().__init__("papers of this batch were stored by another writer while it ran, twice: run it again")


#: Where a batch's papers enter a feed (feeds.rule_placements, say).
Placer = Callable[[list[PaperRecord]], list["FeedPlacement"]]


def _upsert_batch(records: list[PaperRecord], known_authors: _KnownAuthors, place: Placer | None) -> UpsertResult:
    result = UpsertResult()
    records = _dedupe(records)
    with transaction.atomic():
        stamp = next_stamp()  # before reading anything: writers of papers take turns from here to the commit
        stored = _stored_papers([r.uid for r in records])
        stored_ids = [row["id"] for row in stored.values()]
        stored_ids_set = set(stored_ids)
        with_authors = _ids_having(PaperAuthor, stored_ids)
        with_categories = _ids_having(PaperCategory, stored_ids)

        fresh = [r for r in records if r.uid not in stored]
        author_writes: list[tuple[int, PaperRecord]] = []
        category_writes: list[tuple[int, PaperRecord]] = []
        code_urls: list[str] = []
        for record in records:
            row = stored.get(record.uid)
            if row is None:
                continue
            updates, authors, categories = merge(row, record, row["id"] in with_authors,
                                                 row["id"] in with_categories, record.found_links)
            if updates or authors or categories:
                Paper.objects.filter(pk=row["id"]).update(**updates, changed_at=stamp)
                code_urls.append(updates.get("code_url", ""))
            if authors:
                author_writes.append((row["id"], record))
            if categories:
                category_writes.append((row["id"], record))
            if updates or authors or categories:
                result.updated += 1
            else:
                result.unchanged += 1

        new_ids: dict[str, int] = {}
        if fresh:
            columns = ["uid", "source", "added_at", "changed_at", *PAPER_FIELDS]
            inserted = insert_new(Paper._meta.db_table, columns, _insert_rows(fresh, stamp), "uid")
            if inserted is None:  # a writer that did not take turns stored one of them since the look-up
                raise _StoredMeanwhile
            new_ids = inserted
            author_writes.extend((new_ids[r.uid], r) for r in fresh if r.authors)
            category_writes.extend((new_ids[r.uid], r) for r in fresh if r.categories)
            result.new += len(fresh)

        # Each rewrite replaces its own papers' rows only: a paper whose categories alone change keeps its authors.
        # The rows they add clash with none stored: those of the papers they rewrite are deleted first, the others'
        # papers are new, and writers take turns (next_stamp), so they go in without conflict checks.
        _write_authors(author_writes, {pid for pid, _ in author_writes if pid in stored_ids_set}, known_authors)
        _write_categories(category_writes, {pid for pid, _ in category_writes if pid in stored_ids_set})
        note_repositories([*code_urls, *(r.code_url or r.found_links.code_url for r in fresh)])
        if place is not None:
            ids = {uid: row["id"] for uid, row in stored.items()} | new_ids
            _place_unplaced(place(records), ids, stored_ids_set)
    return result


def _place_unplaced(placements: list["FeedPlacement"], ids: dict[str, int], stored: set[int]) -> int:
    """Feed entries for a batch's placements, but for papers stored before it that are in a feed already (a rule
    never adds a second day); how many are new. The batch's new papers are in no feed yet, nor can another writer
    have put them in one before the batch commits: their entries go in without conflict checks."""
    placed = select_ids(FeedEntry._meta.db_table, "paper_id", [ids[p.uid] for p in placements if ids[p.uid] in stored])
    return _add_entries([p for p in placements if ids[p.uid] not in placed], ids, one_per_paper=True, stored=stored)


def upsert_papers(records: Iterable[PaperRecord], batch_size: int | None = None,
                  on_batch: Any = None, place: Placer | None = None) -> UpsertResult:
    """Add new papers and update changed ones, a batch per transaction; safe to kill and rerun. With `place`,
    the papers it places that are in no feed yet enter it, in the same transaction."""
    total = UpsertResult()
    known_authors = _KnownAuthors()
    with bulk_writing():
        for batch in _batched(records, batch_size or settings.PAPERHUB_INGEST_BATCH):
            try:
                with known_authors.batch():
                    done = _upsert_batch(batch, known_authors, place)
            except _StoredMeanwhile:  # rolled back; run again, its look-up finds them stored now
                with known_authors.batch():
                    done = _upsert_batch(batch, known_authors, place)
            total += done
            if on_batch is not None:
                on_batch(len(batch), done)
    return total


def bulk_load() -> AbstractContextManager[Callable[[], None]]:
    """Many papers at once (a snapshot file): the foreign keys of their author, category and feed links are checked
    in bulk, not row by row (papers/loading.py); call what it gives after each batch."""
    return keys_checked_in_bulk([PaperAuthor._meta.db_table, PaperCategory._meta.db_table, FeedEntry._meta.db_table])


@dataclass(frozen=True)
class FeedPlacement:
    """A paper put in a day's feed by an outside source (e.g. Hugging Face daily papers)."""

    uid: str
    day: date
    source: str
    submitted_by: str = ""
    submitted_at: datetime | None = None
    external_upvotes: int = 0


def place_in_feed(placements: Iterable[FeedPlacement], keep_existing: bool = False,
                  unplaced_only: bool = False) -> int:
    """Create or refresh feed entries for papers already stored; returns how many entries are new.

    With keep_existing, an entry already there (say a submission) is left as it is; with unplaced_only, a paper
    already in any day's feed is left out (a rule never adds a second day, e.g. after the rule's day changed).
    """
    placements = list(placements)
    if not placements:
        return 0
    ids = select_ids(Paper._meta.db_table, "uid", sorted({p.uid for p in placements}))
    placed = select_ids(FeedEntry._meta.db_table, "paper_id", sorted(ids.values())) if unplaced_only else {}
    # a placement whose paper did not land (a bad record, or past --limit) is left out
    landed = [p for p in placements if p.uid in ids and ids[p.uid] not in placed]
    with transaction.atomic():
        if keep_existing:
            return _add_entries(landed, ids, one_per_paper=unplaced_only)
        created = 0
        for placement in landed:
            _, was_created = FeedEntry.objects.update_or_create(
                paper_id=ids[placement.uid],
                day=placement.day,
                defaults={
                    "source": placement.source,
                    "submitted_by": placement.submitted_by,
                    "submitted_at": placement.submitted_at,
                    "external_upvotes": placement.external_upvotes,
                },
            )
            created += was_created
    return created


def _add_entries(placements: list[FeedPlacement], ids: dict[str, int], one_per_paper: bool,
                 stored: Collection[int] | None = None) -> int:
    """Feed entries for placements in one statement, leaving those already there as they are; how many are new.
    (Row by row, an ingest placing 70K papers by the feed rules spent ten times as long here as landing them.)
    Given the ids of the papers `stored` before this transaction, the others' entries skip the conflict checks."""
    adapt, day, now = time_adapter(), connection.ops.adapt_datefield_value, timezone.now()
    rows, seen = [], set()
    for p in placements:
        paper_id = ids[p.uid]
        if one_per_paper and paper_id in seen:  # a file listing a paper twice still places it once
            continue
        seen.add(paper_id)
        rows.append((paper_id, day(p.day), p.source, p.submitted_by, adapt(p.submitted_at), p.external_upvotes,
                     adapt(now)))
    columns = ["paper_id", "day", "source", "submitted_by", "submitted_at", "external_upvotes", "added_at"]
    if stored is None:
        return insert_ignore(FeedEntry._meta.db_table, columns, rows, ["paper_id", "day"])
    fresh = [row for row in rows if row[0] not in stored]
    if fresh:
        load_rows(FeedEntry._meta.db_table, columns, fresh)
    return len(fresh) + insert_ignore(FeedEntry._meta.db_table, columns, [r for r in rows if r[0] in stored],
                                      ["paper_id", "day"])
