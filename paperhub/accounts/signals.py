"""Every account's username shapes stored, however it was saved: sign-up, createsuperuser, the admin, a shell."""

from typing import Any

from django.contrib.auth.models import User

from paperhub.accounts import services


def username_saved(
    sender: type[User], instance: User, update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    """Store the shapes of the saved user's name (not on saves that leave it alone, such as a login's)."""
    if update_fields is None or "username" in update_fields:
        services.record_shapes(instance)
