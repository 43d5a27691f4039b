"""What one client may ask of a public hub: bodies of a bounded size, and the expensive pages and feeds at a
bounded rate per address (PAPERHUB_MAX_BODY, PAPERHUB_IMPORT_MAX_BYTES, PAPERHUB_PAGE_RATE,
PAPERHUB_FEED_RATE)."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse

from paperhub.core.addresses import in_api, in_feeds, in_mcp
from paperhub.core.converters import asked_number
from paperhub.core.limits import over_limit
from paperhub.core.media import PLAIN, jsonrpc_error

#: The pages that cost the server most (search and its BibTeX, recommendations, charts, the map (a search and a
#: similar lookup) and its points, lists of papers: collections and profiles; the sitemaps, the archive), by route
#: name.
EXPENSIVE_PAGES = frozenset({"search", "search_bib", "paper", "paper_markdown", "for_you", "map", "map_points",
                             "trends", "day", "week", "month", "author", "profile", "collection", "collection_bib",
                             "sitemap", "sitemap_papers", "sitemap_feeds", "archive"})
#: The collection writes (papers saved and taken out, edits, collaborators, notes, moves), counted with the
#: expensive pages: a script cannot churn a shared collection faster than a person reads.
COLLECTION_WRITES = frozenset({"collect", "collection_edit", "collection_delete", "collection_collaborators",
                               "collection_item"})
#: The pages that make what an account holds (collections, API tokens, For you's paragraphs), counted with the
#: expensive pages too; each also has a cap per account in its service.
ACCOUNT_WRITES = frozenset({"collections", "api_tokens", "paragraph"})
#: Where a larger body is expected, by route name: the library import takes a file.
UPLOAD_ROUTES = frozenset({"import_library"})
#: Room for the form around an uploaded file (multipart boundaries and headers, the CSRF token).
FORM_OVERHEAD = 64 * 1024


def body_cap(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    if any(path == reverse(name) for name in UPLOAD_ROUTES):
        return max(settings.PAPERHUB_MAX_BODY, settings.PAPERHUB_IMPORT_MAX_BYTES + FORM_OVERHEAD)
    return settings.PAPERHUB_MAX_BODY


def rate_for(route_name: str) -> tuple[str, str] | None:
    """(scope, rate) limiting a route, or None for the cheap ones."""
    if route_name in EXPENSIVE_PAGES or route_name in COLLECTION_WRITES or route_name in ACCOUNT_WRITES:
        return "pages", settings.PAPERHUB_PAGE_RATE
    if route_name.startswith("feed_"):
        return "feeds", settings.PAPERHUB_FEED_RATE
    return None


def _refusal(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    """A refusal in the form its front door answers in: JSON `{"detail"}` under /api/ (as the API's own errors), a
    JSON-RPC error at /mcp (what an MCP client reads), one line of text under /feeds/ (what a feed reader shows), a
    page elsewhere."""
    if in_mcp(request):
        return JsonResponse(jsonrpc_error(text), status=status)
    if in_api(request):
        return JsonResponse({"detail": text}, status=status)
    if in_feeds(request):
        return HttpResponse(text, status=status, content_type=PLAIN)
    html = render_to_string("web/refused.html", {"title": title, "text": text})
    return HttpResponse(html, status=status)


def too_many(request: HttpRequest, what: str, wait: int) -> HttpResponse:
    """The 429 page for one client's or account's limit on a form (sign-ups, resets, claims), with Retry-After."""
    response = render(request, "registration/too_many.html", {"what": what, "minutes": wait // 60 + 1}, status=429)
    response["Retry-After"] = str(wait)
    return response


class RequestLimitsMiddleware:
    """Refuses an oversized body (413) before anything reads it, and a client over its rate (429)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length.isdecimal() and request.META.get("HTTP_TRANSFER_ENCODING"):
            # A body of unannounced length (chunked) could be any size: ask for its length instead.
            return _refusal(request, 411, "Length required", "Send the request with a Content-Length.")
        declared = asked_number(length)
        if length.isdecimal() and (declared is None or declared > body_cap(request.path)):  # None: too many digits
            cap = body_cap(request.path)
            size = filesizeformat(cap).replace("\xa0", " ")  # 1000 bytes, 5.1 MB
            return _refusal(request, 413, "Request too large", f"This address takes at most {size}.")
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        limit = rate_for(match.url_name or "") if match else None
        if limit is None:
            return None
        wait = over_limit(request, *limit)
        if not wait:
            return None
        response = _refusal(request, 429, "Too many requests",
                            f"Too many requests from your address: try again in {wait} seconds.")
        response["Retry-After"] = str(wait)
        return response
