"""The `prune` job: finished tasks' results and old schedule slots are deleted after their keeping time; queued,
running, recent and (for longer) failed ones stay, and `index status` still has its rate."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperhub.env import SettingError, env_int
from paperhub.jobs import embedding, schedule, tasks
from paperhub.jobs.models import ScheduledRun

READY, RUNNING, DONE, FAILED = (TaskResultStatus.READY, TaskResultStatus.RUNNING, TaskResultStatus.SUCCESSFUL,
                                TaskResultStatus.FAILED)


def _task(queue_task, status: TaskResultStatus, days_ago: float, **result) -> str:
    """A task row of `status`, enqueued, started and (if finished) finished `days_ago` days ago."""
    when = timezone.now() - timedelta(days=days_ago)
    row = DBTaskResult.objects.get(id=queue_task.enqueue(*result.pop("args", ())).id)
    row.status, row.enqueued_at, row.started_at = status, when, when
    if status in (DONE, FAILED):
        row.finished_at = when + timedelta(seconds=10)
    for name, value in result.items():
        setattr(row, name, value)
    row.save()
    return str(row.id)


def test_pruning_deletes_old_finished_results_and_keeps_recent_failed_and_unfinished_ones(db, settings):
    settings.PAPERHUB_TASK_KEEP_DAYS, settings.PAPERHUB_FAILED_TASK_KEEP_DAYS = 7, 30
    batch = {"args": ("minilm", [1, 2])}
    old = [_task(embedding.embed_batch, DONE, 8, **batch), _task(tasks.make_keywords, DONE, 8),
           _task(tasks.make_keywords, FAILED, 31)]
    kept = [_task(embedding.embed_batch, DONE, 6, **batch), _task(tasks.make_keywords, FAILED, 20),
            _task(embedding.embed_batch, READY, 40, **batch), _task(embedding.embed_batch, RUNNING, 40, **batch),
            _task(tasks.make_keywords, READY, 40)]
    now = timezone.now()
    for name, days in (("keywords", 8), ("keywords", 6)):
        ScheduledRun.objects.create(name=name, slot=int(days), task_id="", enqueued_at=now - timedelta(days=days))
    assert tasks.prune_finished.call() == {"task_results_kept": 5, "schedule_slots_deleted": 1}
    assert sorted(str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)) == sorted(kept)
    assert not DBTaskResult.objects.filter(id__in=old).exists()
    assert list(ScheduledRun.objects.values_list("slot", flat=True)) == [6]
    assert tasks.prune_finished.call()["task_results_kept"] == 5  # again: nothing more


def test_the_embedding_rate_survives_pruning(db, settings):
    settings.PAPERHUB_TASK_KEEP_DAYS = 1  # the least allowed
    _task(embedding.embed_batch, DONE, 3 / 24 / 60, args=("minilm", [1, 2]), return_value={"embedded": 120})
    tasks.prune_finished.call()
    assert embedding.progress().per_second > 0


def test_prune_is_an_hourly_job_of_the_default_schedule(db, settings):
    assert "prune" in settings.PAPERHUB_SCHEDULE and schedule.JOBS["prune"].every == 3600
    settings.PAPERHUB_SCHEDULE = ["prune"]
    assert schedule.enqueue_due(1_800_000_000.0) == ["prune"]
    assert DBTaskResult.objects.get().task_path.endswith("prune_finished")


def test_a_keeping_time_under_a_day_is_refused_with_a_clear_error(monkeypatch):
    monkeypatch.setenv("PAPERHUB_TASK_KEEP_DAYS", "0")
    with pytest.raises(SettingError, match="PAPERHUB_TASK_KEEP_DAYS must be at least 1, not 0"):
        env_int("PAPERHUB_TASK_KEEP_DAYS", 7, minimum=1)
    monkeypatch.setenv("PAPERHUB_TASK_KEEP_DAYS", "2")
    assert env_int("PAPERHUB_TASK_KEEP_DAYS", 7, minimum=1) == 2
