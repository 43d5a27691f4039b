"""The periodic jobs a hub runs by itself: each is enqueued once per slot of its period, by whichever worker
reaches the slot first (a unique row per slot), so many workers never double a job."""

import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperhub.env import SettingError
from paperhub.jobs.models import ScheduledRun


@dataclass(frozen=True)
class Job:
    """A periodic job: its name (as PAPERHUB_SCHEDULE lists it), how often, and the task it queues."""

    name: str
    every: int  # seconds
    description: str

    @property
    def period(self) -> str:
        """How often, in words: "every 2 hours", "every hour", "every 5 minutes"."""
        hours, minutes = divmod(self.every // 60, 60)
        amount, unit = (hours, "hour") if hours and not minutes else (self.every // 60, "minute")
        return f"every {unit}" if amount == 1 else f"every {amount} {unit}s"

    def enqueue(self, today: date) -> str:
        """Queue the task of a slot starting on `today`; returns the task's id."""
        # (Imported here: every process checks PAPERHUB_SCHEDULE against JOBS as it starts (apps.py), and the
        # tasks import the whole hub, half a second that a command which queues nothing should not pay.)
        from paperhub.jobs import tasks

        if self.name == "arxiv":
            return str(tasks.ingest_arxiv.enqueue((today - timedelta(days=2)).isoformat()).id)
        if self.name == "hf-daily":
            return str(tasks.ingest_hf_daily.enqueue(today.isoformat()).id)
        if self.name == "digests":
            return str(tasks.send_digests.enqueue().id)
        if self.name == "github":
            return str(tasks.refresh_github_stars.enqueue().id)
        if self.name == "keywords":
            return str(tasks.make_keywords.enqueue().id)
        if self.name == "zotero":
            return str(tasks.sync_zotero_libraries.enqueue().id)
        if self.name == "prune":
            return str(tasks.prune_finished.enqueue().id)
        raise ValueError(self.name)


JOBS = {job.name: job for job in (
    Job("arxiv", 2 * 3600, "new papers of PAPERHUB_CATEGORIES from the arXiv API"),
    Job("hf-daily", 3 * 3600, "Hugging Face's daily papers"),
    Job("digests", 3600, "email the digests that are due (each exactly once)"),
    Job("github", 3600, "GitHub stars of PAPERHUB_GITHUB_PER_RUN code repositories, oldest-checked first"),
    Job("keywords", 300, "keywords of papers added or changed since the last run"),
    Job("zotero", 3600, "a sync of every connected Zotero library (only what changed)"),
    Job("prune", 3600, "delete the results of tasks finished over PAPERHUB_TASK_KEEP_DAYS ago"),
)}


def slot_of(every: int, now: float) -> int:
    """The start (epoch seconds) of the slot of a period of `every` seconds that `now` falls in."""
    return int(now // every) * every


def enabled() -> list[Job]:
    """The jobs PAPERHUB_SCHEDULE turns on; an unknown name is a SettingError, not silently ignored."""
    unknown = [name for name in settings.PAPERHUB_SCHEDULE if name not in JOBS]
    if unknown:
        raise SettingError(f"PAPERHUB_SCHEDULE names unknown jobs: {', '.join(unknown)} "
                           f"(known: {', '.join(JOBS)}; empty for none)")
    return [JOBS[name] for name in settings.PAPERHUB_SCHEDULE]


def enqueue_due(now: float | None = None) -> list[str]:
    """Enqueue every enabled job whose current slot has not been enqueued yet; returns their names."""
    now = time.time() if now is None else now
    started = []
    for job in enabled():
        slot = slot_of(job.every, now)
        if ScheduledRun.objects.filter(name=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():  # the slot row and the task commit together, or neither does
                run = ScheduledRun.objects.create(name=job.name, slot=slot, task_id="", enqueued_at=timezone.now())
                run.task_id = job.enqueue(timezone.localdate())
                run.save(update_fields=["task_id"])
        except IntegrityError:  # another worker took this slot a moment ago
            continue
        started.append(job.name)
    return started
