"""Media types and bodies the front doors answer with (web may not import api or assistant, so the ones several
spell live here)."""

from typing import Any

#: What a feed reader or a script is answered with where there is no feed or no result: one line of plain text.
PLAIN = "text/plain; charset=utf-8"


def jsonrpc_error(message: str, code: int = -32600) -> dict[str, Any]:
    """A JSON-RPC error answer to no request in particular (the MCP endpoint's refusals: -32600, invalid request)."""
    return {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}
