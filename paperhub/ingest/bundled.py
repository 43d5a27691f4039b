"""The bundled sample: a few thousand recent arXiv papers shipped with the package (sample/README.md), loaded by
`paperhub bootstrap` into an empty hub when arXiv cannot be reached, so a first run always has papers."""

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from paperhub.ingest.pipeline import category_matches
from paperhub.ingest.snapshot import open_stream, read_snapshot
from paperhub.papers.feeds import rule_day
from paperhub.papers.models import Paper
from paperhub.papers.records import PaperRecord, split_arxiv_id

#: The sample file, in arXiv's metadata snapshot format (JSON lines, xz).
SAMPLE = Path(__file__).resolve().parent / "sample" / "arxiv-sample.jsonl.xz"


@dataclass(frozen=True)
class SampleFacts:
    """What the sample holds: its papers' ids and the first and last announcement day."""

    uids: frozenset[str]
    first: date
    last: date


def sample_records(path: Path = SAMPLE) -> Iterator[PaperRecord]:
    """The sample's papers (it holds no bad records: it is cut from records that parsed)."""
    return (item for item in read_snapshot(path) if isinstance(item, PaperRecord))


def sample_facts(path: Path = SAMPLE) -> SampleFacts:
    """The sample's ids and span of days, read from the file (3,000 papers: a fraction of a second)."""
    days = {r.uid: rule_day(r.uid, r.published) for r in sample_records(path) if r.published is not None}
    return SampleFacts(frozenset(days), min(days.values()), max(days.values()))


def takes_sample(uids: frozenset[str]) -> bool:
    """Whether the hub may get the sample: it is empty, or holds only sample papers (a load killed midway)."""
    held = Paper.objects.count()
    return held == 0 or (held <= len(uids) and Paper.objects.filter(uid__in=uids).count() == held)


def latest_days(per_day: Counter[date], target: int) -> set[date]:
    """The newest whole days whose papers add up to at most `target` (at least the newest day), so every day
    the sample holds is a full day's feed."""
    chosen: set[date] = set()
    total = 0
    for day in sorted(per_day, reverse=True):
        if chosen and total + per_day[day] > target:
            break
        chosen.add(day)
        total += per_day[day]
    return chosen


def sample_days(records: Iterator[PaperRecord], categories: Sequence[str], target: int) -> dict[str, date]:
    """The papers of the categories in the newest whole announcement days, up to `target` papers: uid -> day."""
    days = {
        r.uid: rule_day(r.uid, r.published)
        for r in records
        if r.published is not None and category_matches(r.categories, categories)
    }
    chosen = latest_days(Counter(days.values()), target)
    return {uid: day for uid, day in days.items() if day in chosen}


def copy_lines(source: Path, uids: frozenset[str], out: BinaryIO) -> int:
    """Copy the snapshot lines of these papers, unchanged and in order; returns how many."""
    copied = 0
    with open_stream(source) as stream:
        for line in stream:
            if line.strip() and split_arxiv_id(json.loads(line)["id"])[0] in uids:
                out.write(line if line.endswith(b"\n") else line + b"\n")
                copied += 1
    return copied
