"""The API's errors in a header too: X-Error-Message, where huggingface.co puts them and huggingface_hub reads them.

Our error bodies are `{"detail": ...}`, which huggingface_hub does not read: without the header its exceptions said
"Bad request:" and nothing after it.
"""

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.urls import reverse
from django.views import defaults

from paperhub.core.addresses import in_api, in_feeds
from paperhub.core.media import PLAIN

HEADER = "X-Error-Message"
#: The most characters the header holds: a message, not a document (proxies cap a header's size).
MAX_MESSAGE = 500
#: Typographic punctuation as its ASCII twin, so that the header reads as the body does ("the", not \u201cthe\u201d);
#: what has no twin is escaped. The JSON body keeps the real characters.
ASCII_PUNCTUATION = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                                   "\u2018": "'", "\u2019": "'", "\u2032": "'", "\u2013": "-", "\u2014": "-",
                                   "\u2212": "-", "\u2026": "...", "\u00a0": " "})


def detail_text(detail: object) -> str:
    """An error body's `detail` as text: a string as it is; ninja's validation errors as `query.limit: what`."""
    if not isinstance(detail, list):
        return str(detail)
    parts = []
    for error in detail:
        if isinstance(error, dict):
            where = ".".join(str(part) for part in error.get("loc", ()))
            parts.append(f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", "")))
        else:
            parts.append(str(error))
    return "; ".join(parts)


def unwrapped(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error of a JSON body field located as the client wrote it: ("body", "kind"), without the
    view's parameter's name that ninja puts between (("body", "body", "kind"))."""
    loc = tuple(error.get("loc", ()))
    return {**error, "loc": [loc[0], *loc[2:]]} if len(loc) > 2 and loc[0] == "body" else error


def header_value(text: str, limit: int = MAX_MESSAGE) -> str:
    """Text as one header line: printable ASCII only (curly quotes, dashes and ellipses as their ASCII twins, others
    escaped, `\\xe9`), spaces for breaks, `limit` long."""
    # a header value must be latin-1 without CR or LF; ASCII also passes every proxy, and the detail can hold
    # what the client sent (an id), which must not start a header of its own
    line = " ".join("".join(c if c.isprintable() else " " for c in text.translate(ASCII_PUNCTUATION)).split())
    escaped = line.encode("ascii", "backslashreplace").decode("ascii")
    return escaped if len(escaped) <= limit else escaped[:limit - 3] + "..."


def error_message(response: HttpResponse) -> str:
    """What an error answer says: its JSON body's `detail`, else its status's phrase ("Not Found")."""
    if not response.streaming and "json" in response.get("Content-Type", ""):
        try:
            detail = json.loads(response.content).get("detail")
        except (ValueError, AttributeError):  # not JSON after all, or not an object
            detail = None
        if detail:
            return detail_text(detail)
    return response.reason_phrase


class ErrorMessageMiddleware:
    """Adds X-Error-Message to every error answer under /api/ (4xx and 5xx, ninja's and Django's), body unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and in_api(request) and HEADER not in response:
            response[HEADER] = header_value(error_message(response))
        return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The answer for an address no route holds: JSON under /api/ (what an API client reads), one line of plain
    text under /feeds/ (what a feed reader shows), the page elsewhere."""
    if in_api(request):
        return JsonResponse({"detail": f"no such API address: the routes are listed at {reverse('api:openapi-view')}"},
                            status=404)
    if in_feeds(request):
        return HttpResponseNotFound("no such feed", content_type=PLAIN)
    return defaults.page_not_found(request, exception)
