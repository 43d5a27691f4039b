"""Server-Timing, when PAPERHUB_SERVER_TIMING is on: how long the server spent, for dev tools and bench.web.

Off by default: on a public hub it would show anyone how long each request took (how much work a login, reset
or search did), which tells one answer from another."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>` measured around the rest of the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAPERHUB_SERVER_TIMING:
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
