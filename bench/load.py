"""Load: many clients at once against search, pages and the API of a hub holding the whole shared corpus.

    python -m bench.load --clients 100 --seconds 60 --json --work DIR
    python -m bench.load --clients 100 --seconds 60 --json --work DIR2 --database-url postgres://USER:PW@HOST/postgres

Prepares (once per --work directory; the timings of each step are reported) a hub with the 346K papers of both
shared snapshot files, cs.CL papers placed in their day's feed by rule, 300 users' upvotes and comments and
100 API tokens, the keyword index and static vectors for every paper (the search coverage plan's first two
steps; `--embed N` also times the transformer on the N newest papers). On PostgreSQL the hub's database is
made on the server of --database-url and kept for the next run.

Then it runs the production server (`paperhub serve`: gunicorn, 2 workers x 4 threads, no index watcher or
task worker, so the figures are the serving alone) and --clients concurrent clients, each with its own
keep-alive connection and API token, each sending its next request as soon as the last one is answered, for
--seconds: home, day/week pages, trending, search pages, paper pages, and the API's daily papers, search, paper
and similar papers. Every non-2xx answer, timeout (60 s) or connection error counts as an error. Reported per
kind and overall: requests, errors, p50/p99 latency as the client saw it (waiting in the server's queue
included) and as the server spent it (its Server-Timing header: the Django stack alone), and throughput.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.web import serve_warm
from testbed.scratch import is_postgres, new_database

SHARED = Path(os.environ.get("PAPERHUB_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
CLI = [sys.executable, "-m", "paperhub.cli"]
QUERIES = [
    "large language models", "in-context learning", "diffusion models", "machine translation low resource",
    "retrieval augmented generation", "speech recognition", "question answering", "hallucination",
    "reinforcement learning from human feedback", "sparse attention", "code generation", "multilingual",
    "author:bengio", "cat:cs.CL summarization", '"chain of thought" reasoning', "tokenization -bpe",
    "graph neural networks", "protein structure", "time series forecasting", "bayesian optimization",
    "image segmentation", "federated learning privacy", "causal inference", "neural radiance fields",
]
#: Request kinds and how often each is drawn.
MIX = {"home": 8, "day": 5, "week": 5, "trending": 4, "search_page": 20, "paper_page": 20,
       "api_daily": 6, "api_search": 16, "api_paper": 10, "api_similar": 6}

ACTIVITY = """
import json
from bench.web import activity
from paperhub.core.tokens import create_token
print(json.dumps([create_token(user, "load")[1] for user in activity()[:100]]))
"""

TARGETS = """
import json
from paperhub.papers.models import FeedEntry, Paper
days = list(FeedEntry.objects.order_by("-day").values_list("day", flat=True).distinct()[:30])
weeks = sorted({"%d-W%02d" % d.isocalendar()[:2] for d in days})
uids = list(Paper.objects.order_by("?").values_list("uid", flat=True)[:3000])
print(json.dumps({"days": [d.isoformat() for d in days], "weeks": weeks, "uids": uids}))
"""


def _env(work: Path) -> dict[str, str]:
    return {**os.environ, "PAPERHUB_DATA_DIR": str(work), "DATABASE_URL": (work / "database.url").read_text().strip(),
            "PAPERHUB_FEED_CATEGORIES": "cs.CL", "PAPERHUB_SCHEDULE": "", "PAPERHUB_LOG_LEVEL": "WARNING",
            "PAPERHUB_API_RATE_TOKEN": "600/min",
            "PAPERHUB_SERVER_TIMING": "true", "PAPERHUB_PAGE_RATE": "0", "PAPERHUB_FEED_RATE": "0"}


def _paperhub(work: Path, *args: str) -> str:
    return subprocess.run([*CLI, *args], env=_env(work), check=True, stdout=subprocess.PIPE, text=True).stdout


def prepare(work: Path, server: str, embed: int, limit: int | None) -> dict[str, Any]:
    """The whole corpus in a hub, with activity and indexes; seconds per step."""
    steps: dict[str, Any] = {}
    (work / "database.url").write_text(new_database(work, server))

    def step(name: str, *args: str) -> str:
        started = time.perf_counter()
        out = _paperhub(work, *args)
        steps[f"{name}_s"] = round(time.perf_counter() - started, 1)
        return out

    step("migrate", "migrate", "-v0")
    for name in ("recent-2025-2026.jsonl.xz", "archive-1986-2019.jsonl.xz"):
        step(f"ingest_{name.split('-')[0]}", "ingest", "snapshot", str(SHARED / "arxiv" / name),
             *(["--limit", str(limit)] if limit else []))
    tokens = step("activity", "shell", "-v0", "-c", ACTIVITY)
    (work / "tokens.json").write_text(tokens.strip().splitlines()[-1])
    step("distill_static_model", "index", "distill")
    step("keyword_index_and_static_vectors", "index", "update")
    if embed:
        step(f"transformer_{embed}_newest", "index", "embed", "--limit", str(embed))
        steps["transformer_papers_per_s"] = round(embed / steps[f"transformer_{embed}_newest_s"], 1)
    (work / "bench-load-ready").write_text(json.dumps(steps))
    return steps


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(kind: str, rng: random.Random, targets: dict[str, Any]) -> str:
    day = rng.choice(targets["days"])
    uid = rng.choice(targets["uids"])
    query = urllib.parse.quote(rng.choice(QUERIES))
    return {
        "home": "/", "day": f"/papers/date/{day}", "week": f"/papers/week/{rng.choice(targets['weeks'])}",
        "trending": "/papers/trending", "search_page": f"/papers/search?q={query}", "paper_page": f"/papers/{uid}",
        "api_daily": f"/api/daily_papers?date={day}", "api_search": f"/api/search?q={query}",
        "api_paper": f"/api/papers/{uid}", "api_similar": f"/api/papers/{uid}/similar",
    }[kind]


async def _client(base: str, token: str, rng: random.Random, targets: dict[str, Any], deadline: float,
                  log: list[tuple[str, float, str, float]]) -> None:
    import aiohttp

    kinds, weights = list(MIX), list(MIX.values())
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base, timeout=timeout, connector=aiohttp.TCPConnector(limit=1)) as session:
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            path = _request(kind, rng, targets)
            headers = {"Authorization": f"Bearer {token}"} if kind.startswith("api") else {}
            started = time.perf_counter()
            server_ms = float("nan")
            try:
                async with session.get(path, headers=headers, allow_redirects=False) as response:
                    await response.read()
                    outcome = "" if 200 <= response.status < 300 else f"HTTP {response.status} {path}"
                    timing = response.headers.get("Server-Timing", "")
                    if "dur=" in timing:
                        server_ms = float(timing.split("dur=")[1].split(",")[0])
            except Exception as exc:  # noqa: BLE001 (timeouts and connection errors count as errors)
                outcome = f"{type(exc).__name__} {path}"
            log.append((kind, (time.perf_counter() - started) * 1000, outcome, server_ms))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(v for v in values if v == v)  # (NaN: no Server-Timing header)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1) if ordered else float("nan")


def _summary(samples: list[tuple[str, float, str, float]], seconds: float) -> dict[str, Any]:
    if not samples:
        return {"requests": 0}
    client = [ms for _, ms, _, _ in samples]
    server = [ms for _, _, _, ms in samples]
    return {"requests": len(samples), "errors": sum(1 for _, _, error, _ in samples if error),
            "per_s": round(len(samples) / seconds, 1), "p50_ms": _percentile(client, 0.5),
            "p99_ms": _percentile(client, 0.99), "server_p50_ms": _percentile(server, 0.5),
            "server_p99_ms": _percentile(server, 0.99)}


def measure(work: Path, clients: int, seconds: float, seed: int) -> dict[str, Any]:
    targets = json.loads(_paperhub(work, "shell", "-v0", "-c", TARGETS).strip().splitlines()[-1])
    tokens = json.loads((work / "tokens.json").read_text())
    port = _free_port()
    server = serve_warm(["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--no-index-watch",
                         "--task-workers", "0"], _env(work), workers=2)
    base = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/papers/search?q=attention", timeout=30).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        rng = random.Random(seed)
        log: list[tuple[str, float, str, float]] = []

        async def run(duration: float, sink: list[tuple[str, float, str, float]]) -> None:
            end = time.monotonic() + duration
            await asyncio.gather(*(_client(base, tokens[i % len(tokens)], random.Random(rng.random()), targets, end,
                                           sink) for i in range(clients)))

        asyncio.run(run(min(10.0, seconds / 6), []))  # warm up: connections, caches, both workers
        started = time.perf_counter()
        asyncio.run(run(seconds, log))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    by_kind = {kind: _summary([s for s in log if s[0] == kind], elapsed) for kind in MIX}
    errors = [error for _, _, error, _ in log if error]
    return {"overall": _summary(log, elapsed), "by_kind": by_kind, "first_errors": errors[:10]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--work", type=Path, required=True, help="data directory to prepare and keep")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to put the hub's database on")
    parser.add_argument("--embed", type=int, default=0, help="also time the transformer on this many papers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--papers", type=int, help="only this many papers per snapshot file (a quick trial run)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    ready = args.work / "bench-load-ready"
    if ready.exists():
        steps = json.loads(ready.read_text())
    else:
        steps = prepare(args.work, args.database_url, args.embed, args.papers)
    database = (args.work / "database.url").read_text()
    result = {"database": "postgresql" if is_postgres(database) else "sqlite", "clients": args.clients,
              "seconds": args.seconds, **measure(args.work, args.clients, args.seconds, args.seed),
              "prepare": steps}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
