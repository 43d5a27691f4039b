"""Rows that coordinate processes across machines: worker heartbeats, schedule slots taken, leases."""

from django.db import models


class WorkerBeat(models.Model):
    """A worker process, and when it last said it was alive."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id


class ScheduledRun(models.Model):
    """A periodic job enqueued for one slot of its period; unique, so it is enqueued once whoever gets there."""

    name = models.CharField(max_length=50)
    slot = models.BigIntegerField()  # seconds since the epoch at the slot's start
    task_id = models.CharField(max_length=64)
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="scheduledrun_unique")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot}"


class Lease(models.Model):
    """A job only one process of the whole hub may do at a time, held until `expires_at` unless renewed."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=120)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"
