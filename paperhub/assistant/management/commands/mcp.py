"""`paperhub mcp`: the hub's MCP server over stdio, for an assistant on this machine (docs/api.md)."""

from typing import Any

from django.core.management.base import BaseCommand

from paperhub.assistant.server import hub


class Command(BaseCommand):
    help = (
        "Serve the hub's MCP tools over stdio (an assistant starts this command); personal tools act with the "
        "API token in PAPERHUB_MCP_TOKEN."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        hub.run("stdio")
