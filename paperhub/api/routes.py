"""The API's URL patterns: ninja's own, with a method a route does not take answered in JSON like every other error."""
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI

View = Callable[..., HttpResponse]


def json_not_allowed(view: View) -> View:
    """The view, its plain-text 405 answers turned into `{"detail": ...}` with the same Allow header."""
    @wraps(view)  # (keeps csrf_exempt, which ninja's views carry)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        answer = JsonResponse({"detail": f"{request.method} is not allowed here; this address takes {allowed}."},
                              status=405)
        answer["Allow"] = allowed
        return answer
    return wrapped


def urls(api: NinjaAPI) -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URL patterns (as `api.urls`, for `path("api/", ...)`), each view answering 405 in JSON."""
    patterns, app_name, namespace = api.urls
    wrapped: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern = URLPattern(pattern.pattern, json_not_allowed(pattern.callback), pattern.default_args,
                                 pattern.name)
        wrapped.append(pattern)
    return wrapped, app_name, namespace
