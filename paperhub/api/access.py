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


def bearer_user(request: HttpRequest) -> Any:
    """The user whose token the request carries, if any and valid (reads check it themselves: it is optional)."""
    header = request.headers.get("Authorization", "")
    return tokens.user_for(header[7:].strip()) if header.lower().startswith("bearer ") else None


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
