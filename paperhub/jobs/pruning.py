"""Forgetting what the queue has finished: django-tasks-db keeps a result row per task for ever (an embed batch
of every 128 papers, a keywords run every 5 minutes), and the schedule a row per slot.

The rows are deleted by django-tasks-db's own prune_db_task_results, on every queue: successful tasks after
PAPERHUB_TASK_KEEP_DAYS, failed ones after PAPERHUB_FAILED_TASK_KEEP_DAYS (kept longer, to be looked into);
queued and running tasks are never touched. `paperhub index status` reads the last minutes' embed batches, well
inside a day, the least either setting allows.
"""

import io
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paperhub.jobs.models import ScheduledRun


def prune(now: datetime | None = None) -> dict[str, int]:
    """Delete finished task results and schedule slots older than their keeping time; what is left."""
    call_command("prune_db_task_results", queue_name="*", min_age_days=settings.PAPERHUB_TASK_KEEP_DAYS,
                 failed_min_age_days=settings.PAPERHUB_FAILED_TASK_KEEP_DAYS, verbosity=0, stdout=io.StringIO())
    # A slot row only stops its slot being enqueued twice: a day-old one guards nothing (periods are hours).
    keep = timedelta(days=settings.PAPERHUB_TASK_KEEP_DAYS)
    slots, _ = ScheduledRun.objects.filter(enqueued_at__lt=(now or timezone.now()) - keep).delete()
    return {"task_results_kept": DBTaskResult.objects.count(), "schedule_slots_deleted": slots}
