"""Landing parsed records: filter, upsert in batches, count, and log what was bad."""

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from tqdm import tqdm

from paperhub.ingest.report import BadRecord, ErrorLog
from paperhub.papers import feeds
from paperhub.papers.loading import no_check
from paperhub.papers.records import PaperRecord
from paperhub.papers.services import UpsertResult, bulk_load, upsert_papers


@dataclass
class IngestSummary:
    """Counts for one ingest run."""

    read: int = 0
    filtered: int = 0
    result: UpsertResult = field(default_factory=UpsertResult)
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def line(self, errors: ErrorLog) -> str:
        """The one-line summary printed at the end of a run."""
        r = self.result
        rate = r.total / self.seconds if self.seconds > 0 else 0.0
        skipped = f", {self.filtered:,} skipped by filters" if self.filtered else ""
        return (
            f"{self.read:,} papers read: {r.new:,} new, {r.updated:,} updated, {r.unchanged:,} unchanged"
            f"{skipped}; {errors.count:,} bad record{'' if errors.count == 1 else 's'} ({self.seconds:.1f} s, "
            f"{rate:,.0f} papers/s)"
        )


def category_matches(codes: Sequence[str], wanted: Sequence[str]) -> bool:
    """Whether any code is wanted; a wanted 'cs' matches every cs.* category."""
    return any(code == w or code.startswith(w + ".") for code in codes for w in wanted)


def wanted(record: PaperRecord, since: date | None, categories: Sequence[str]) -> bool:
    """Whether a record passes the --since and --categories filters."""
    if since is not None:
        when = record.updated or record.published
        if when is None or when.date() < since:
            return False
    return not categories or category_matches(record.categories, categories)


def progress_bar(desc: str) -> tqdm:
    """A papers/s progress bar, shown only on a terminal."""
    return tqdm(desc=desc, unit=" papers", unit_scale=True, disable=not sys.stderr.isatty(), leave=False)


def land(items: Iterable[PaperRecord | BadRecord], errors: ErrorLog, summary: IngestSummary, *,
         since: date | None = None, categories: Sequence[str] = (), limit: int | None = None,
         bar: tqdm | None = None, bulk: bool = False) -> IngestSummary:
    """Upsert the good records that pass the filters, logging the bad ones; stops after `limit` papers. `bulk`: a
    load of many papers (a snapshot file), whose links' foreign keys are checked in bulk."""

    def good() -> Iterator[PaperRecord]:
        accepted = 0
        for item in items:
            if isinstance(item, BadRecord):
                errors.add(item)
                continue
            summary.read += 1
            if not wanted(item, since, categories):
                summary.filtered += 1
                continue
            accepted += 1
            yield item
            if limit is not None and summary.result.total + accepted >= limit:
                return

    rules = bool(settings.PAPERHUB_FEED_CATEGORIES or settings.PAPERHUB_FEED_KEYWORDS)
    with bulk_load() if bulk else nullcontext(no_check) as check_keys:

        def advanced(count: int, _done: UpsertResult) -> None:
            check_keys()
            if bar is not None:
                bar.update(count)

        summary.result += upsert_papers(good(), on_batch=advanced, place=feeds.rule_placements if rules else None)
    return summary
