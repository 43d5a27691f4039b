"""The hub's periodic jobs as tasks: each calls the service a cron line's command would (ingest.runs,
digests.sending), so the jobs layer does not depend on the command line.

Every service a task calls is idempotent and resumable (ingest lands papers by upsert and resumes from its
checkpoints, digests are sent exactly once), so a task whose worker died midway is simply run again (worker.py).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django_tasks import task

from paperhub import search
from paperhub.digests import sending
from paperhub.ingest import github, runs
from paperhub.ingest.http import SourceError
from paperhub.ingest.pipeline import IngestSummary
from paperhub.ingest.report import ErrorLog
from paperhub.jobs import pruning
from paperhub.jobs.failures import JobFailed
from paperhub.recommend import zotero


def _ingest(run: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """Run an ingest, as `paperhub ingest` would: its summary and first bad records, or JobFailed."""
    errors, summary = ErrorLog(), IngestSummary()
    try:
        extra = run(errors, summary, **kwargs)
    except SourceError as exc:
        resume = " The next run resumes." if summary.read else ""
        raise JobFailed(f"{summary.line(errors)}\n{exc}.{resume}") from None
    if summary.read == 0 and errors.count:
        raise JobFailed("no record could be read: " + "; ".join(str(bad) for bad in errors.first[:3]))
    return {"summary": summary.line(errors), "bad": [str(bad) for bad in errors.first[:10]], **(extra or {})}


@task()
def ingest_arxiv(since: str) -> dict[str, Any]:
    """New papers of PAPERHUB_CATEGORIES from the arXiv API, submitted from `since` (YYYY-MM-DD) to today."""
    return _ingest(runs.from_arxiv, since=date.fromisoformat(since))


@task()
def ingest_hf_daily(day: str) -> dict[str, Any]:
    """Hugging Face's daily papers of `day` (YYYY-MM-DD), landed and placed in the daily feed."""
    def run(errors: ErrorLog, summary: IngestSummary) -> dict[str, int]:
        landed, placed = runs.from_hf_daily(errors, summary, days=[date.fromisoformat(day)])
        return {"feed_entries": landed, "in_input": placed}
    return _ingest(run)


@task()
def send_digests() -> dict[str, Any]:
    """Email the digests that are due (each exactly once); failed ones are retried later with backoff."""
    reports = sending.send_due()
    failed = sum(report.failed + report.gave_up for report in reports.values())
    if failed:
        errors = [error for report in reports.values() for error in report.errors][:20]
        raise JobFailed("\n".join([*errors, f"{failed} digests could not be sent (`paperhub digests status`)"]))
    return {frequency: report.line() for frequency, report in reports.items()}


@task()
def refresh_github_stars() -> dict[str, Any]:
    """GitHub stars of the repositories checked longest ago, PAPERHUB_GITHUB_PER_RUN of them (ingest/github.py)."""
    try:
        return {"summary": github.refresh_stars().line()}
    except SourceError as exc:
        raise JobFailed(f"{exc}. The next run goes on from here.") from None


#: Papers one keywords task makes at most (about half a minute of one core); the next slot goes on from there.
KEYWORDS_PER_RUN = 50_000
#: Keywords are local, bounded work: claimed before the network jobs queued beside them (which may wait minutes on
#: a source that does not answer), after mail.
KEYWORDS_PRIORITY = 10


@task(priority=KEYWORDS_PRIORITY)
def make_keywords() -> dict[str, Any]:
    """Keywords for papers added or changed since the last run (nothing before the first keyword index)."""
    return {"papers": search.update_keywords(limit=KEYWORDS_PER_RUN) or 0}


@task()
def sync_zotero_libraries() -> dict[str, Any]:
    """Queue a sync of every connected Zotero library that is not syncing already (recommend/zotero.py)."""
    return {"queued": zotero.queue_syncs()}


@task()
def prune_finished() -> dict[str, int]:
    """Delete the results of tasks finished longer ago than PAPERHUB_TASK_KEEP_DAYS (failed ones: the longer
    PAPERHUB_FAILED_TASK_KEEP_DAYS) and old schedule slots (jobs/pruning.py)."""
    return pruning.prune()
