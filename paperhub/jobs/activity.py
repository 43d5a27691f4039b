"""What long commands (`index distill`, `index embed`) are doing now, hub-wide: each keeps one row up to date while
it runs and deletes it as it ends; `index status` reads the rows of those still running.

A command killed outright leaves its row: it is ignored once its process is gone from this machine, or (another
machine's) once it has said nothing for STALE_AFTER.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from paperhub.core import process
from paperhub.jobs.models import Activity

STALE_AFTER = timedelta(minutes=30)  # longer than any one step of a distill (an epoch of training, say)


@dataclass(frozen=True)
class Doing:
    """A command in progress: its name, its process, and what it said last."""

    name: str
    holder: str
    doing: str


def report(name: str, doing: str) -> None:
    """Say what the command `name` of this process is doing now."""
    Activity.objects.update_or_create(name=name, defaults={
        "holder": process.identity(), "doing": doing[:200], "updated_at": timezone.now()})


def finish(name: str) -> None:
    """The command `name` of this process has ended."""
    Activity.objects.filter(name=name, holder=process.identity()).delete()


def current() -> list[Doing]:
    """The commands in progress now, by name."""
    fresh = Activity.objects.filter(updated_at__gte=timezone.now() - STALE_AFTER).order_by("name")
    return [Doing(row.name, row.holder, row.doing) for row in fresh if process.alive(row.holder)]
