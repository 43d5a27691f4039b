"""MCP tool-call latency beside the JSON API's, on a hub served as a user runs it (issue 19).

    python -m bench.mcp --json                 # the whole shared corpus; --papers N for the first N of it
    python -m bench.mcp --work DIR --json      # keep the prepared hub (bench.web's preparation) for the next run

Prepares a hub as bench.web does (the shared arXiv papers, the keyword index, a static model and every paper's
static vector: hybrid search and the fused similar list), serves it with `paperhub serve` (gunicorn, 2 workers
x 4 threads; started afresh for each HTTP door, so that none finds another's cached query vectors) and makes
the same calls, one at a time, through three doors:

- `api`: the JSON API (/api/search, /api/papers/{id}, /api/papers/{id}/similar) over one keep-alive connection;
- `mcp_http`: the SDK's own client against the hub's /mcp (streamable HTTP);
- `mcp_stdio`: the SDK's own client driving `paperhub mcp` over stdio on the same database and indexes.

Calls: --calls papers drawn with a fixed seed; `search` queries the paper's title, `paper` and `similar` ask
for the paper (10 results each). Each door and tool is warmed up with other papers first. Times are per call,
wall clock in the client; `server` adds the Django view's own time (Server-Timing) for the HTTP doors, so what
the MCP layer costs on the server and on the wire shows apart. `ratio` is each MCP door's p50 over the API's.
The API's rate limit is raised out of reach (it still counts every call, on both doors alike).
"""

import argparse
import asyncio
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from bench import web

TOOLS = ("search", "paper", "similar")
Call = Callable[[str, str], Awaitable[Any]]  # (tool, paper uid or title) -> the answer
Door = Callable[[str, list[tuple[str, str]], list[tuple[str, str]]], Awaitable[dict[str, Any]]]


def _sample(work: Path, count: int, seed: int = 19) -> list[tuple[str, str]]:
    """(uid, title) of `count` papers, the same for every door."""
    db = sqlite3.connect(work / "paperhub.sqlite3")
    rows = db.execute("SELECT uid, title FROM papers_paper ORDER BY id").fetchall()
    db.close()
    return random.Random(seed).sample(rows, count)


def _summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "p50_ms": round(ordered[len(ordered) // 2], 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "mean_ms": round(sum(ordered) / len(ordered), 2),
        "n": len(ordered),
    }


class _ServerTiming:
    """The Server-Timing of the last response an httpx client saw (the hub sets it with PAPERHUB_SERVER_TIMING)."""

    def __init__(self) -> None:
        self.last_ms = float("nan")

    async def __call__(self, response: httpx2.Response) -> None:
        timing = response.headers.get("Server-Timing", "")
        self.last_ms = float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")


async def _time(
    call: Call, calls: list[tuple[str, str]], warm: list[tuple[str, str]], timing: _ServerTiming | None
) -> dict[str, Any]:
    """Per tool: warm up on `warm`, then the wall time of each call on `calls` (and the server's, if seen)."""
    result: dict[str, Any] = {}
    for tool in TOOLS:
        argument = 1 if tool == "search" else 0  # the title for search, the uid otherwise
        for paper in warm:
            await call(tool, paper[argument])
        client_ms, server_ms = [], []
        for paper in calls:
            started = time.perf_counter()
            await call(tool, paper[argument])
            client_ms.append((time.perf_counter() - started) * 1000)
            if timing is not None:
                server_ms.append(timing.last_ms)
        result[tool] = _summary(client_ms)
        if timing is not None:
            result[tool]["server"] = _summary(server_ms)
    return result


async def _api(base: str, calls: list[tuple[str, str]], warm: list[tuple[str, str]]) -> dict[str, Any]:
    timing = _ServerTiming()
    async with httpx2.AsyncClient(base_url=base, timeout=60, event_hooks={"response": [timing]}) as http:

        async def call(tool: str, argument: str) -> Any:
            path = {
                "search": f"/api/search?limit=10&q={quote(argument)}",
                "paper": f"/api/papers/{argument}",
                "similar": f"/api/papers/{argument}/similar?limit=10",
            }[tool]
            response = await http.get(path)
            response.raise_for_status()
            return response.json()

        return await _time(call, calls, warm, timing)


def _mcp_call(client: Client) -> Call:
    async def call(tool: str, argument: str) -> Any:
        name, arguments = {
            "search": ("search_papers", {"query": argument, "limit": 10}),
            "paper": ("get_paper", {"paper_id": argument}),
            "similar": ("similar_papers", {"paper_id": argument, "limit": 10}),
        }[tool]
        result = await client.call_tool(name, arguments)
        if result.is_error:
            raise RuntimeError(f"{name}({arguments}): {result.content}")
        return result.structured_content

    return call


async def _mcp_http(base: str, calls: list[tuple[str, str]], warm: list[tuple[str, str]]) -> dict[str, Any]:
    timing = _ServerTiming()
    http = httpx2.AsyncClient(timeout=60, event_hooks={"response": [timing]})
    async with Client(streamable_http_client(base + "/mcp", http_client=http)) as client:
        return await _time(_mcp_call(client), calls, warm, timing)


async def _mcp_stdio(work: Path, calls: list[tuple[str, str]], warm: list[tuple[str, str]]) -> dict[str, Any]:
    server = StdioServerParameters(command=sys.executable, args=["-m", "paperhub.cli", "mcp"], env=web._env(work))
    async with Client(server) as client:
        return await _time(_mcp_call(client), calls, warm, None)


def _served(work: Path, door: Door, calls: list[tuple[str, str]], warm: list[tuple[str, str]]) -> dict[str, Any]:
    """A door's times against a freshly started server: no door finds what another left in the workers'
    caches (query vectors, key terms)."""
    server, base, _ = web._serve(work)
    try:
        return asyncio.run(door(base, calls, warm))
    finally:
        web._stop(server)


def measure(work: Path, count: int) -> dict[str, Any]:
    """Time every tool through every door against the prepared hub."""
    sample = _sample(work, count + 10)
    calls, warm = sample[:count], sample[count:]
    doors = {
        "api": _served(work, _api, calls, warm),
        "mcp_http": _served(work, _mcp_http, calls, warm),
        "mcp_stdio": asyncio.run(_mcp_stdio(work, calls, warm)),
    }
    ratio = {
        door: {tool: round(doors[door][tool]["p50_ms"] / doors["api"][tool]["p50_ms"], 2) for tool in TOOLS}
        for door in ("mcp_http", "mcp_stdio")
    }
    db = sqlite3.connect(work / "paperhub.sqlite3")
    papers = db.execute("SELECT count(*) FROM papers_paper").fetchone()[0]
    db.close()
    return {**doors, "ratio": ratio, "papers": papers, "calls": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, help="the first N papers of the shared corpus (default: all 346K)")
    parser.add_argument("--calls", type=int, default=50, help="timed calls per door and tool")
    parser.add_argument("--teacher-papers", type=int, default=2000, help="the static model's teacher sample")
    parser.add_argument("--work", type=Path, help="data directory to prepare and keep (default: a temporary one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ["PAPERHUB_API_RATE_ANON"] = "1000000/min"  # counted as usual, never reached (bench.web's env reads it)
    with tempfile.TemporaryDirectory(prefix="paperhub-mcp-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ready = work / "bench-web-ready"
        steps = json.loads(ready.read_text()) if ready.exists() else web.prepare(work, args.teacher_papers, args.papers)
        result = {**measure(work, args.calls), "prepare": steps}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
