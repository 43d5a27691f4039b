"""The task queue is a table (django-tasks-db): a task's runs still to come, read from it."""

from typing import Any

from django.db.models import QuerySet
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def unfinished(task: Any) -> QuerySet[Any]:
    """A task's runs queued or running (a django-tasks task: its `module_path` is what the queue stores)."""
    return DBTaskResult.objects.filter(task_path=task.module_path,
                                       status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
