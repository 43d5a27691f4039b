"""Resumable paged harvests: the cursor of the last page that landed, kept in the database (github.py keeps
there too when a spent rate limit refills)."""

from paperhub.papers.models import HarvestCheckpoint


def load(source: str, key: str) -> HarvestCheckpoint:
    """The checkpoint of a harvest, new (empty cursor) if it never ran or last finished."""
    checkpoint, _ = HarvestCheckpoint.objects.get_or_create(source=source, key=key)
    return checkpoint


def advance(checkpoint: HarvestCheckpoint, cursor: str, harvested: int) -> None:
    """Record that everything before `cursor` has landed."""
    checkpoint.cursor = cursor
    checkpoint.harvested += harvested
    checkpoint.save(update_fields=["cursor", "harvested", "updated_at"])


def finish(checkpoint: HarvestCheckpoint) -> None:
    """The harvest is complete: the next run with the same arguments starts afresh."""
    checkpoint.delete()
