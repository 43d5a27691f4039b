"""Who calls a tool, and whether they may: tokens and rate limits as the JSON API's (one budget for both)."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import close_old_connections, connections
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from paperhub.core import limits, tokens
from paperhub.core.addresses import hub_root
from paperhub.core.permissions import NotAllowed
from paperhub.papers.periods import PeriodError

STDIO = "stdio"  # the address a local assistant's calls count against
#: The hub's public root as the Django view serving /mcp found it (core.addresses.hub_root, which honours the
#: proxy's scheme as Django does); set by that view over whatever a client sent, so it cannot be forged.
ROOT_HEADER = "X-Paperhub-Root"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Caller:
    """A tool call's user (None: anonymous) and the address its limit counts against without one."""

    user: AbstractBaseUser | None
    address: str
    root: str  # the hub's public root: every link in the answer starts with it

    def require_user(self) -> AbstractBaseUser:
        """The user, or a clear refusal for an anonymous call."""
        if self.user is None:
            raise ToolError(
                f"this tool {tokens.NEEDED}: send it as "
                "`Authorization: Bearer ph_...` over HTTP, or set PAPERHUB_MCP_TOKEN for `paperhub mcp`"
            )
        return self.user


def identify(ctx: Context[Any, Any]) -> tuple[str, str, str]:
    """The call's token, client address and the hub's public root: over HTTP from its request, over stdio from
    PAPERHUB_MCP_TOKEN and PAPERHUB_BASE_URL."""
    request = ctx.request_context.request
    if request is None or not hasattr(request, "headers"):
        return settings.PAPERHUB_MCP_TOKEN, STDIO, hub_root()
    client = getattr(request, "client", None)
    return (tokens.bearer(request.headers.get("authorization", "")), str(client.host if client else "")[:64],
            request.headers.get(ROOT_HEADER) or hub_root())


def admit(ctx: Context[Any, Any]) -> Caller:
    """The caller, counted against the API's rate limit; a bad token or a spent limit is a clear error."""
    token, address, root = identify(ctx)
    user = tokens.user_for(token) if token else None
    if token and user is None:
        raise ToolError(tokens.INVALID)
    wait = limits.api_wait(user.pk if user is not None else None, address)
    if wait:
        raise ToolError(f"rate limit reached: try again in {wait} s")
    return Caller(user, address, root)


def hub_call(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a tool as Django runs a request, and the hub's refusals turned into tool errors. Tools run in the SDK's
    worker threads (anyio's pool: up to 40 a process), which no request cycle closes: a persistent connection kept
    in each would hold up to 40 PostgreSQL connections per worker, so each call closes its thread's connections."""

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        except (NotAllowed, PeriodError) as exc:
            raise ToolError(str(exc)) from exc
        finally:
            connections.close_all()

    return call
