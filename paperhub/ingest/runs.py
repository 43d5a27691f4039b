"""One ingest run per source: harvest it and land what it gives. `paperhub ingest` and the queued jobs call these.

Each run is idempotent and resumable (papers land by upsert, network sources keep checkpoints), so a run that
stopped midway is simply started again.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from tqdm import tqdm

from paperhub.ingest import arxiv_api, hf_daily, oai_pmh, snapshot
from paperhub.ingest.background import fewer_collections, in_background
from paperhub.ingest.http import PoliteClient
from paperhub.ingest.pipeline import IngestSummary, land
from paperhub.ingest.report import BadRecord, ErrorLog
from paperhub.papers.models import Paper
from paperhub.papers.records import PaperRecord
from paperhub.papers.services import FeedPlacement, place_in_feed, upsert_papers

#: A submission's arXiv calls: one try and two retries, each within PAPERHUB_SUBMIT_MAX_WAIT.
FETCH_RETRIES = 2


def from_snapshot(path: Path, errors: ErrorLog, summary: IngestSummary, *, since: date | None = None,
                  categories: Sequence[str] = (), limit: int | None = None, bar: tqdm | None = None) -> None:
    """Land an arXiv metadata snapshot file (JSON lines; plain, .gz or .xz), parsed in a second process."""
    with fewer_collections():
        land(in_background(snapshot.read_snapshot, path), errors, summary, since=since, categories=categories,
             limit=limit, bar=bar, bulk=True)


def from_arxiv(errors: ErrorLog, summary: IngestSummary, *, ids: Sequence[str] = (),
               categories: Sequence[str] = (), since: date | None = None, until: date | None = None,
               page_size: int = 200, retries: int | None = None, limit: int | None = None,
               bar: tqdm | None = None) -> None:
    """Land papers from the arXiv API: by versionless ids, or else by categories (PAPERHUB_CATEGORIES) submitted
    from `since` (PAPERHUB_BOOTSTRAP_DAYS before `until`) to `until` (today)."""
    client = PoliteClient(settings.PAPERHUB_ARXIV_API_DELAY, retries=retries)
    if ids:
        pages = arxiv_api.harvest(client, settings.PAPERHUB_ARXIV_API_URL, ids=ids, page_size=page_size)
    else:
        until = until or timezone.now().date()
        since = since or until - timedelta(days=settings.PAPERHUB_BOOTSTRAP_DAYS)
        query = arxiv_api.category_query(categories or settings.PAPERHUB_CATEGORIES, since, until)
        pages = arxiv_api.harvest(client, settings.PAPERHUB_ARXIV_API_URL, search_query=query, page_size=page_size)
    _land_pages(pages, errors, summary, limit, bar)


def from_oai(errors: ErrorLog, summary: IngestSummary, *, set_spec: str = "cs", since: date | None = None,
             until: date | None = None, limit: int | None = None, bar: tqdm | None = None) -> None:
    """Land an OAI-PMH harvest in arXiv's metadata format (resumable)."""
    client = PoliteClient(settings.PAPERHUB_OAI_DELAY)
    pages = oai_pmh.harvest(client, settings.PAPERHUB_OAI_URL, set_spec=set_spec, since=since, until=until)
    _land_pages(pages, errors, summary, limit, bar)


def from_hf_daily(errors: ErrorLog, summary: IngestSummary, *, bodies: Sequence[bytes] = (),
                  days: Sequence[date] = (), limit: int | None = None, bar: tqdm | None = None) -> tuple[int, int]:
    """Land Hugging Face daily-papers lists (given JSON bodies, and those of `days` fetched) and put their papers in
    the daily feed; returns (new feed entries, placements in the input)."""
    client = PoliteClient(settings.PAPERHUB_ARXIV_API_DELAY / 3)
    bodies = [*bodies, *(hf_daily.fetch_day(client, settings.PAPERHUB_HF_URL, day) for day in days)]
    placements: list[FeedPlacement] = []

    def records() -> Iterator[PaperRecord | BadRecord]:
        for body in bodies:
            for item in hf_daily.parse_daily(body):
                if isinstance(item, BadRecord):
                    yield item
                    continue
                record, placement = item
                if placement is not None:
                    placements.append(placement)
                yield record

    land(records(), errors, summary, limit=limit, bar=bar)
    return place_in_feed(p for p in placements if p is not None), len(placements)


def _land_pages(pages: Iterable[list[PaperRecord | BadRecord]], errors: ErrorLog, summary: IngestSummary,
                limit: int | None, bar: tqdm | None) -> None:
    for items in pages:
        land(items, errors, summary, limit=limit, bar=bar)
        if limit is not None and summary.result.total >= limit:
            break


def fetch_paper(arxiv_id: str) -> Paper | None:
    """The paper from the hub, or fetched from the arXiv API and stored when the hub lacks it.

    Calls keep the API's pause, shared by every process of the hub, with short timeouts and waits (settings).
    """
    paper = Paper.objects.filter(uid=arxiv_id).first()
    if paper is not None:
        return paper
    client = PoliteClient(settings.PAPERHUB_ARXIV_API_DELAY, retries=FETCH_RETRIES, shared=True,
                          timeout=settings.PAPERHUB_SUBMIT_TIMEOUT, max_wait=settings.PAPERHUB_SUBMIT_MAX_WAIT)
    records = [item for page in arxiv_api.harvest(client, settings.PAPERHUB_ARXIV_API_URL, ids=[arxiv_id])
               for item in page if isinstance(item, PaperRecord) and item.uid == arxiv_id]
    upsert_papers(records)
    return Paper.objects.filter(uid=arxiv_id).first()
