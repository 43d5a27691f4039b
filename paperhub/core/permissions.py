"""Who may act: the error every service raises for a refused request, and the check for a signed-in user."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

User = AbstractBaseUser | AnonymousUser


class NotAllowed(ValueError):
    """What someone asked for is not allowed, with a message for them."""


def require_user(user: User) -> int:
    """The user's id; raises NotAllowed for anonymous and banned (inactive) users."""
    if not user.is_authenticated or not user.is_active or user.pk is None:
        raise NotAllowed("Log in first.")
    return int(user.pk)
