"""The hub's public address, the one root of every absolute link it writes: pages' canonical address and Open
Graph tags, feeds' links and entry ids, mail, the paper Markdown, the MCP server's answers; and which front door a
request came in by (its errors answer in that door's form).

PAPERHUB_BASE_URL wins when the operator set it (a hub behind a proxy that does not pass the public host and
scheme on still links to its public address); unset, the request's own root is used, as before (a hub served on
another port links to that port); with neither (a command sending mail), LOCAL."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import iri_to_uri

#: Where `make run` serves: the root of links made with no request and no PAPERHUB_BASE_URL.
LOCAL = "http://127.0.0.1:8000"


def hub_root(request: HttpRequest | None = None) -> str:
    """scheme://host[:port] of the hub as the public reaches it, no trailing slash: PAPERHUB_BASE_URL when set, else
    the request's (its scheme as Django believes it: the proxy's X-Forwarded-Proto under PAPERHUB_PROXIES), else
    LOCAL."""
    if settings.PAPERHUB_BASE_URL:
        return str(settings.PAPERHUB_BASE_URL)
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return LOCAL


def absolute(path: str, request: HttpRequest | None = None) -> str:
    """`path` (as reverse() gives it, or a request's decoded path) as an absolute address under hub_root()."""
    return iri_to_uri(hub_root(request) + path)


def link(root: str, name: str, *args: object) -> str:
    """The absolute address of a named route under a root hub_root() gave once (for links made many at a time)."""
    return iri_to_uri(root + reverse(name, args=args))


def in_api(request: HttpRequest) -> bool:
    """Whether a request is for an address under the API's root (/api/): its errors are JSON."""
    return request.path_info.startswith(reverse("api:api-root"))


def in_mcp(request: HttpRequest) -> bool:
    """Whether a request is for the MCP endpoint: its errors are JSON-RPC."""
    return request.path_info == reverse("mcp")


def in_feeds(request: HttpRequest) -> bool:
    """Whether a request is for an address under the feeds' root (/feeds/): its errors are one line of text."""
    daily = reverse("feed_daily_atom")
    return request.path_info.startswith(daily[:daily.rindex("/") + 1])
