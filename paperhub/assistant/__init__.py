"""The MCP front door: the hub's papers as tools and resources for assistants (docs/api.md, "Assistants (MCP)").

Named `assistant`, not `mcp`, so that it never stands in for the SDK of that name. The same MCPServer is served
over stdio by `paperhub mcp` and over streamable HTTP at /mcp by the hub itself (http.py).
"""
