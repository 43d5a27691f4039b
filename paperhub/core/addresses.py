"""The hub's public address, the one root of every absolute link it writes: pages' canonical address and Open
Graph tags, feeds' links and entry ids, mail, the paper Markdown, the MCP server's answers; and which front door a
request came in by (its errors answer in that door's form).

PAPERHUB_BASE_URL wins when the operator set it (a hub behind a proxy that does not pass the public host and
scheme on still links to its public address); unset, the request's own root is used, as before (a hub served on
another port links to that port); with neither (a command sending mail, `paperhub mcp` over stdio), the address
`paperhub serve` listens on, PAPERHUB_BIND (a wildcard host, 0.0.0.0, as this machine's loopback).

A hub served under a path (PAPERHUB_BASE_URL https://lab.example/papers, or a proxy's SCRIPT_NAME) has that path in
its root, and reverse() puts it in front of every path it gives where Django knows it (a request's thread, and a
command's, from FORCE_SCRIPT_NAME; not a thread of one's own): so a path from reverse() is joined to the root less
that prefix, and a link is right whichever thread made it."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.encoding import iri_to_uri

#: Where `make run` serves: the root of links made with no request and no PAPERHUB_BASE_URL when PAPERHUB_BIND names
#: no TCP address (a unix socket).
LOCAL = "http://127.0.0.1:8000"
#: Wildcard hosts a server listens on, and the address of this machine that reaches it.
WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "[::]": "[::1]", "::": "[::1]"}


def hub_root(request: HttpRequest | None = None) -> str:
    """scheme://host[:port][/path] of the hub as the public reaches it, no trailing slash: PAPERHUB_BASE_URL when
    set, else the request's (its scheme as Django believes it: the proxy's X-Forwarded-Proto under PAPERHUB_PROXIES;
    its script name, under a proxy that passes one), else PAPERHUB_BIND's (bind_root)."""
    if settings.PAPERHUB_BASE_URL:
        return str(settings.PAPERHUB_BASE_URL)
    if request is not None:
        return request.build_absolute_uri(get_script_prefix()).rstrip("/")
    return bind_root(settings.PAPERHUB_BIND)


def bind_root(bind: str) -> str:
    """http://host:port of the address `paperhub serve` listens on (gunicorn's host:port; a wildcard host as the
    loopback that reaches it), so links made with no request lead to the hub served on another port; LOCAL for a
    unix socket or a file descriptor."""
    if bind.startswith(("unix:", "fd://")):
        return LOCAL
    host, colon, port = bind.rpartition(":")
    if not colon or not port.isdecimal() or host.endswith(":"):  # no port: gunicorn's default, 8000
        host, port = bind, "8000"
    if host.count(":") > 1 and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address, bracketed as a URL writes it
    return f"http://{WILDCARDS.get(host, host)}:{port}"


def root_for_paths(request: HttpRequest | None = None) -> str:
    """hub_root() less the hub's path where reverse() already puts it in front of paths (this thread's script
    prefix): the root a path from reverse() (or a request's path) is joined to as it is, as Django's feeds join
    their links."""
    return _without_prefix(hub_root(request))


def _without_prefix(root: str) -> str:
    prefix = get_script_prefix().rstrip("/")
    return root[:-len(prefix)] if prefix and root.endswith(prefix) else root


def absolute(path: str, request: HttpRequest | None = None) -> str:
    """`path` (as reverse() gives it, or a request's decoded path) as an absolute address under hub_root()."""
    return iri_to_uri(root_for_paths(request) + path)


def link(root: str, name: str, *args: object) -> str:
    """The absolute address of a named route under a root hub_root() gave once (for links made many at a time)."""
    return iri_to_uri(_without_prefix(root) + reverse(name, args=args))


def in_api(request: HttpRequest) -> bool:
    """Whether a request is for an address under the API's root (/api/): its errors are JSON."""
    return request.path.startswith(reverse("api:api-root"))


def in_mcp(request: HttpRequest) -> bool:
    """Whether a request is for the MCP endpoint: its errors are JSON-RPC."""
    return request.path == reverse("mcp")


def in_feeds(request: HttpRequest) -> bool:
    """Whether a request is for an address under the feeds' root (/feeds/): its errors are one line of text."""
    daily = reverse("feed_daily_atom")
    return request.path.startswith(daily[:daily.rindex("/") + 1])
