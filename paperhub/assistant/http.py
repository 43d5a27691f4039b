"""The MCP server's streamable HTTP transport at /mcp, served by the hub's own process.

The SDK's transport is an ASGI (Starlette) app and the hub is WSGI (gunicorn, `paperhub serve`): a2wsgi runs
the ASGI app on an event loop thread of each worker process, and this Django view hands it the request. It runs
stateless and answers JSON (no session to keep, no stream to hold open), so every call is one plain POST that
any worker thread can serve: the same address, limits, body cap and logs as the rest of the hub, no second
process or port (docs/api.md, "Assistants (MCP)").
"""

import asyncio
import functools
import io
from typing import Any

from a2wsgi import ASGIMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from mcp.server.transport_security import TransportSecuritySettings

from paperhub.assistant.access import ROOT_HEADER
from paperhub.assistant.server import hub
from paperhub.core import limits
from paperhub.core.addresses import hub_root
from paperhub.core.media import jsonrpc_error


class _Served:
    """The SDK's Starlette app with its session manager running: a2wsgi runs no ASGI lifespan, so the manager is
    entered by the first request, on the adapter's loop, and held for the life of the process."""

    def __init__(self) -> None:
        # Django checks the Host header (ALLOWED_HOSTS); the SDK's own check assumes a server of its own.
        self.app = hub.streamable_http_app(
            streamable_http_path="/",
            stateless_http=True,
            json_response=True,
            max_request_body_size=settings.PAPERHUB_MAX_BODY,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self._ready: asyncio.Event | None = None
        self._holder: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._ready is None:
            self._ready = asyncio.Event()
            self._holder = asyncio.get_running_loop().create_task(self._hold(self._ready))
        await self._ready.wait()
        await self.app(scope, receive, send)

    async def _hold(self, ready: asyncio.Event) -> None:
        async with hub.session_manager.run():
            ready.set()
            await asyncio.Event().wait()


@functools.cache
def _adapter() -> ASGIMiddleware:
    """One per process, made on first use (after gunicorn forks, so each worker has its own loop thread)."""
    return ASGIMiddleware(_Served())


@csrf_exempt  # no cookies count here: personal tools take a Bearer token
def endpoint(request: HttpRequest) -> HttpResponse:
    """The MCP endpoint: JSON-RPC over streamable HTTP (POST), handed to the SDK's transport."""
    if request.method != "POST":
        # Stateless JSON mode offers no stream: the SDK would answer a GET with an event stream that never ends,
        # holding a worker thread for good. The spec's answer for a server without one is 405.
        refusal = JsonResponse(jsonrpc_error("Method not allowed: this endpoint takes JSON-RPC by POST"), status=405)
        refusal["Allow"] = "POST"
        return refusal
    body = request.body  # read through Django, so PAPERHUB_MAX_BODY holds first
    environ = {
        **request.META,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "PATH_INFO": "/",
        "SCRIPT_NAME": "",
        "REMOTE_ADDR": limits.client_address(request),
        f"HTTP_{ROOT_HEADER.upper().replace('-', '_')}": hub_root(request),
    }
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=int(status.split()[0]), headers=headers)

    content = b"".join(_adapter()(environ, start_response))  # type: ignore[arg-type]
    response = HttpResponse(content, status=answer["status"])
    for name, value in answer["headers"]:
        if name.lower() != "content-length":
            response[name] = value
    return response
