"""Who calls the API: the personal token a write needs (TokenAuth) or a read may carry, and the rate limits per
token, else per address, that every call counts against (HubThrottle)."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from paperhub.core import limits, tokens


class TokenAuth(HttpBearer):
    """A personal API token in `Authorization: Bearer ...`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return tokens.user_for(token)


def bearer_token(request: HttpRequest) -> str:
    """The token of the request's `Authorization: Bearer ...` header ('' for none)."""
    return tokens.bearer(request.headers.get("Authorization", ""))


def bearer_user(request: HttpRequest) -> Any:
    """The user whose token the request carries, if any and valid (reads check it themselves: it is optional)."""
    token = bearer_token(request)
    return tokens.user_for(token) if token else None


def refusal_of_token(request: HttpRequest) -> str:
    """Why a route that needs a token refused the request: it sent none, or one that finds no active user."""
    if bearer_token(request):
        return f"{tokens.INVALID}: send a token of yours, made on /accounts/tokens/"
    return f"this call {tokens.NEEDED}: send it as `Authorization: Bearer ph_...`"


def token_user(request: HttpRequest) -> Any:
    """The user TokenAuth found for this request."""
    return request.auth  # type: ignore[attr-defined]


def viewer(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """Who reads: the token's user (who may see their private collections), else anyone."""
    return bearer_user(request) or AnonymousUser()


class HubThrottle(BaseThrottle):
    """Per-token, else per-IP, fixed-window limits shared by all processes (counted in the database)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        user = getattr(request, "auth", None)  # set by TokenAuth on writes, which run before throttles
        if user is None:
            user = bearer_user(request)
        wait = limits.api_wait(user.pk if user is not None else None, limits.client_address(request))
        self._wait = float(wait) if wait else None
        return not wait

    def wait(self) -> float | None:
        return self._wait
