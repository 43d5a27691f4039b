"""The signed-in user's proved address, asked of the database once a request: the footer's digest form offers it
on every page, and the account pages say whether it is proved; and the digest that address gets, which the footer
names instead of offering the form again."""

from django.contrib.auth.models import User
from django.http import HttpRequest

from paperhub.accounts import services as accounts
from paperhub.digests import subscriptions
from paperhub.digests.models import Subscription

_MEMO = "_paperhub_verified_address"
_DIGEST_MEMO = "_paperhub_own_digest"


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


def own_digest(request: HttpRequest) -> Subscription | None:
    """The hub's digest of the signed-in user's proved address, confirmed or waiting, asked once a request (no query
    for a visitor or an account without a proved address)."""
    address = verified_address(request)
    if not address:
        return None
    memo = getattr(request, _DIGEST_MEMO, None)
    if memo is None or memo[0] != address:
        memo = (address, subscriptions.digest_at(address))
        setattr(request, _DIGEST_MEMO, memo)
    return memo[1]
