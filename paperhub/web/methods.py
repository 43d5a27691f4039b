"""A form's address opened as a page: Django answers a GET to a POST-only view (require_POST) with a 405 and no
body, which browsers show as a broken page; people meet it by reloading or retyping an address a form sent
them to. The hub's pages answer with a page that says what happened (the API and MCP keep their JSON)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _for_programs(request: HttpRequest) -> bool:
    """Whether the address is a door for programs (the API, MCP, feeds), whose 405 answers stay theirs."""
    match = request.resolver_match
    return match is not None and ("api" in match.namespaces or match.url_name == "mcp"
                                  or (match.url_name or "").startswith("feed_"))


class FormOnlyPageMiddleware:
    """An empty 405 to a browser's GET becomes the 405 page, with the same Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code != 405 or request.method != "GET" or getattr(response, "streaming", False)
                or response.content or _for_programs(request)):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "POST")
        return page
