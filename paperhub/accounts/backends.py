"""django-axes's login limits, for logins that come with a request."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginLimits(AxesStandaloneBackend):  # type: ignore[misc]  # django-axes ships no type hints
    """Counts and refuses a request's logins; authentication without a request (commands, the shell, tests'
    client.login) has no client to limit, so it passes on to the next backend instead of failing."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)  # counts the attempt; raises when locked out
