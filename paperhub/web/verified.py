"""The signed-in user's proved address, asked of the database once a request: the footer's digest form offers it
on every page, and the account pages say whether it is proved."""

from django.contrib.auth.models import User
from django.http import HttpRequest

from paperhub.accounts import services as accounts

_MEMO = "_paperhub_verified_address"


def verified_address(request: HttpRequest) -> str:
    """The signed-in user's address if they proved it, else "" (no query for a visitor or an account without one)."""
    user = getattr(request, "user", None)  # none on a page answered before the middleware set it (a bad Host: 400)
    if not isinstance(user, User) or not user.email:
        return ""
    key = (user.pk, user.email)  # an address changed during the request is asked about afresh
    memo = getattr(request, _MEMO, None)
    if memo is None or memo[0] != key:
        memo = (key, user.email if accounts.is_verified(user) else "")
        setattr(request, _MEMO, memo)
    return memo[1]
