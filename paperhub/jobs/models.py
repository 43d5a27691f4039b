"""Rows that coordinate processes across machines: worker heartbeats, schedule slots taken, leases."""

from django.db import models


class WorkerBeat(models.Model):
    """A worker process, and when it last said it was alive."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    #: The task it was running at its last heartbeat ("": none); null: a worker that does not say (older code).
    task_id = models.CharField(max_length=64, null=True)

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


class EmbedFrontier(models.Model):
    """How far planning the embed queue has looked, for one model (jobs/embedding.py): the papers up to
    `seen_id` were all looked at, and the current walk down newest-first order stopped at a place."""

    model = models.CharField(max_length=100, primary_key=True)
    #: Where the walk stopped: the (published, id) of the last paper it queued; no id: at the newest paper.
    published = models.DateTimeField(null=True)
    paper_id = models.BigIntegerField(null=True)
    #: The highest paper id looked at: papers added later (above it) are looked at first.
    seen_id = models.BigIntegerField(default=0)
    #: When a walk last reached the oldest paper (a new walk starts from the newest once RESWEEP has passed).
    swept_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.model} at {self.paper_id}"


class Activity(models.Model):
    """A long command in progress somewhere in the hub (`index distill`, `index embed`) and what it is doing now,
    so that `index status`, run anywhere, can say so."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=120)  # the process ("host:pid")
    doing = models.CharField(max_length=200)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.doing}"
