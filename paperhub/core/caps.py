"""Caps on what one owner holds ("at most N tokens an account", "at most N papers a collection"): counted and added
to in one transaction that locks the owner's row first, so that two requests at once cannot both count N-1 and
both add one.

On PostgreSQL (READ COMMITTED) the row lock makes the owner's other writers wait until this transaction ends, and
they count what it added. The lock is FOR NO KEY UPDATE: it serialises those writers as FOR UPDATE would, and leaves
the row open to inserts that only reference it (an upvote, a comment: their foreign key takes FOR KEY SHARE, which
FOR UPDATE would make wait). On SQLite select_for_update is a no-op: the hub's IMMEDIATE transactions (settings.py)
take the database's write lock when they begin, which serialises the same writers."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models, transaction


@contextmanager
def owner_locked(model: type[models.Model], pk: object) -> Iterator[None]:
    """A transaction holding the lock on the owner's row (`model`, `pk`): count what it holds and add inside it."""
    with transaction.atomic():
        list(model._default_manager.select_for_update(no_key=True).filter(pk=pk).values_list("pk"))
        yield
