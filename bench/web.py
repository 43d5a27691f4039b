"""Page speed of the hub in the browser's place: home, a week, search and paper pages over the whole corpus.

    python -m bench.web --json                 # --work DIR keeps the prepared hub for the next run
    python -m bench.web --while-embedding --json

Prepares, in a scratch data directory, a hub holding the 346K shared arXiv papers (both snapshot files),
with cs.CL papers placed in their day's feed by rule (`PAPERHUB_FEED_CATEGORIES=cs.CL`), a few hundred
users' upvotes and comments on recent papers, the keyword index, a static model (`paperhub index distill`
with a small teacher sample, --teacher-papers: page speed does not depend on its quality) and every paper's
static vector, so search is hybrid (BM25 + static) and paper pages show the fused similar list (key terms,
meaning, authors, categories). Then it starts the production server (`paperhub serve`, gunicorn, 2 workers x 4 threads)
and requests each page from --clients concurrent clients (default 2, one per core of the reference
machine). Server-side time is read from every response's Server-Timing header (the whole Django stack:
middleware, queries, templates); client time adds HTTP and the network stack.

With --while-embedding: the first hybrid search once the freshly started server answers (`first_search_ms`),
then every page kind timed idle and again with an embed worker (`paperhub worker --queues embed`, as `serve`
starts it: idle CPU priority, one thread) making MiniLM vectors beside the server, in the same run;
`p50_ratio` is the largest ratio of server-side p50s (embedding / idle) over the page kinds.
"""

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

SHARED = Path(os.environ.get("PAPERHUB_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
QUERIES = [
    "large language models", "in-context learning", "diffusion models", "machine translation low resource",
    "retrieval augmented generation", "speech recognition", "question answering", "hallucination",
    "reinforcement learning from human feedback", "sparse attention", "code generation", "multilingual",
    "author:bengio", "cat:cs.CL summarization", '"chain of thought" reasoning', "tokenization -bpe",
]


def _env(work: Path) -> dict[str, str]:
    return {**os.environ, "PAPERHUB_DATA_DIR": str(work), "DATABASE_URL": f"sqlite:///{work}/paperhub.sqlite3",
            "PAPERHUB_FEED_CATEGORIES": "cs.CL", "HF_HUB_OFFLINE": "1", "PAPERHUB_LOG_LEVEL": "WARNING",
            "PAPERHUB_SCHEDULE": "", "PAPERHUB_SERVER_TIMING": "true", "PAPERHUB_PAGE_RATE": "0",
            "PAPERHUB_FEED_RATE": "0"}


def _paperhub(work: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "paperhub.cli", *args], env=_env(work), check=True,
                   stdout=subprocess.DEVNULL)


def prepare(work: Path, teacher_papers: int, papers: int | None = None) -> dict[str, float]:
    """Ingest (the first `papers` of the recent file then the archive; default all), place feeds, add community
    activity, index, build the static model. Returns seconds per step."""
    steps: dict[str, float] = {}
    started = time.perf_counter()
    _paperhub(work, "migrate", "-v0")
    left = papers
    for name, size in (("recent-2025-2026.jsonl.xz", 74_728), ("archive-1986-2019.jsonl.xz", 271_747)):
        if left is not None and left <= 0:
            break
        _paperhub(work, "ingest", "snapshot", str(SHARED / "arxiv" / name), *(["--limit", str(left)] if left else []))
        left = None if left is None else left - size
    steps["ingest_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.web", "--activity", str(work)], env=_env(work), check=True)
    steps["activity_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    _paperhub(work, "index", "update")
    steps["index_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    _paperhub(work, "index", "distill", "--papers", str(teacher_papers))
    steps["distill_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    _paperhub(work, "index", "update")
    steps["static_vectors_s"] = round(time.perf_counter() - started, 1)
    (work / "bench-web-ready").write_text(json.dumps(steps))
    return steps


def activity(seed: int = 3) -> list:
    """300 users upvoting and commenting on papers of the newest feeds (in a process with Django set up);
    returns the users."""
    from django.contrib.auth.models import User

    from paperhub.community import services
    from paperhub.papers.models import FeedEntry, Paper

    rng = random.Random(seed)
    recent = list(FeedEntry.objects.order_by("-day").values_list("paper_id", flat=True)[:3000])
    papers = {p.pk: p for p in Paper.objects.filter(pk__in=recent)}
    users = [User.objects.get_or_create(username=f"reader{i}")[0] for i in range(300)]
    for user in users:
        for paper_id in rng.sample(recent, 15):
            services.upvote(user, papers[paper_id], on=True)
        for paper_id in rng.sample(recent, 2):
            services.add_comment(user, papers[paper_id], "Interesting: how does this compare to **prior work**?")
    return users


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _targets(work: Path, count: int, seed: int = 5) -> dict[str, list[str]]:
    """URLs per page kind, picked from the prepared database."""
    import sqlite3

    rng = random.Random(seed)
    db = sqlite3.connect(work / "paperhub.sqlite3")
    latest = db.execute("SELECT max(day) FROM papers_feedentry").fetchone()[0]
    weeks = []
    for back in range(8):  # the newest eight weeks that have feeds
        year, week, _ = date.fromordinal(date.fromisoformat(latest).toordinal() - 7 * back).isocalendar()
        weeks.append(f"/papers/week/{year}-W{week:02d}")
    uids = [row[0] for row in db.execute("SELECT uid FROM papers_paper ORDER BY random() LIMIT ?", (count,))]
    db.close()
    return {
        "home": ["/"] * count,
        "week": [rng.choice(weeks) for _ in range(count)],
        "search": [f"/papers/search?q={urllib.parse.quote(rng.choice(QUERIES))}" for _ in range(count)],
        "paper": [f"/papers/{uid}" for uid in uids],
    }


def _fetch(url: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        timing = response.headers.get("Server-Timing", "app;dur=nan")
        status = response.status
    client_ms = (time.perf_counter() - started) * 1000
    return float(timing.split("dur=")[1]), client_ms, status


def _attempt(url: str) -> tuple[float, float, int] | None:
    try:
        return _fetch(url)
    except Exception:  # noqa: BLE001 (counted as an error)
        return None


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(ordered[len(ordered) // 2], 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1)}


def serve_warm(args: list[str], env: dict[str, str], workers: int, seconds: float = 600) -> subprocess.Popen:
    """`paperhub serve` with `args`, once each of its `workers` web workers has logged that search is warm: they
    answer from the start, warming in a thread meanwhile, and a page timed then would share the CPU with it. What
    the server prints is read on in a thread (discarded), so that it never blocks on a full pipe."""
    server = subprocess.Popen([sys.executable, "-m", "paperhub.cli", "serve", *args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    warm, all_warm = [0], threading.Event()

    def read() -> None:
        for line in server.stdout or ():
            warm[0] += b"search ready in" in line
            if warm[0] >= workers:
                all_warm.set()
        all_warm.set()  # (the server ended: poll() says so)

    threading.Thread(target=read, daemon=True).start()
    if not all_warm.wait(seconds) or server.poll() is not None:
        _stop(server)
        raise RuntimeError(f"paperhub serve did not warm its {workers} web workers within {seconds:.0f} s")
    return server


def _serve(work: Path) -> tuple[subprocess.Popen, str, float]:
    """Start `paperhub serve` (no watcher, no embed worker) and wait until its workers are warm and it answers a page;
    (server, base URL, the seconds until then)."""
    port = _free_port()
    started = time.perf_counter()
    server = serve_warm(["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--no-index-watch",
                         "--embed-workers", "0"], _env(work), workers=2)
    base = f"http://127.0.0.1:{port}"
    try:
        _fetch(base + "/")
    except OSError:
        _stop(server)
        raise
    return server, base, time.perf_counter() - started


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def _pages(base: str, targets: dict[str, list[str]], requests: int, clients: int) -> dict:
    """Time every page kind from `clients` concurrent clients."""
    result: dict = {}
    for kind, paths in targets.items():
        for path in paths[: max(5, requests // 10)]:  # warm both workers' caches and connections
            _fetch(base + path)
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            outcomes = list(pool.map(_attempt, [base + path for path in paths]))
        elapsed = time.perf_counter() - started
        done = [o for o in outcomes if o is not None]
        errors = len(outcomes) - len(done)
        server_ms, client_ms = [o[0] for o in done], [o[1] for o in done]
        result[kind] = {"requests": len(paths), "errors": errors,
                        "requests_per_s": round(len(server_ms) / elapsed, 1),
                        "server": _summary(server_ms), "client": _summary(client_ms)}
    return result


def measure(work: Path, requests: int, clients: int) -> dict:
    """Serve the prepared hub and time every page kind."""
    server, base, _ = _serve(work)
    try:
        return _pages(base, _targets(work, requests), requests, clients)
    finally:
        _stop(server)


def _transformer_vectors(work: Path) -> int:
    import sqlite3

    with sqlite3.connect(work / "paperhub.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM search_papervector WHERE model = 'minilm'").fetchone()[0])


def measure_while_embedding(work: Path, requests: int, clients: int) -> dict:
    """The first hybrid search after the server starts; then page times idle, and with an embed worker running
    beside the server (as `paperhub serve` starts it), in the same run."""
    server, base, ready_s = _serve(work)
    embedder = None
    try:
        # A query no warm-up ran: what the first visitor's search costs once the server answers.
        first_ms = _fetch(base + "/papers/search?q=" + urllib.parse.quote("mixture of experts routing"))[1]
        targets = _targets(work, requests)
        idle = _pages(base, targets, requests, clients)
        embedder = subprocess.Popen([sys.executable, "-m", "paperhub.cli", "worker", "--queues", "embed",
                                     "--no-schedule", "-v0"], env=_env(work), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        before = _transformer_vectors(work)
        while _transformer_vectors(work) == before:  # the model loaded and the first batch stored
            if embedder.poll() is not None:
                raise RuntimeError("the embed worker stopped")
            time.sleep(0.5)
        before, started = _transformer_vectors(work), time.perf_counter()
        busy = _pages(base, targets, requests, clients)
        embedded = _transformer_vectors(work) - before
        embed_rate = embedded / (time.perf_counter() - started)
    finally:
        if embedder is not None:
            _stop(embedder)
        _stop(server)
    ratios = {kind: round(busy[kind]["server"]["p50_ms"] / idle[kind]["server"]["p50_ms"], 3) for kind in idle}
    return {"idle": idle, "embedding": busy, "p50_ratio": max(ratios.values()), "p50_ratio_by_page": ratios,
            "first_search_ms": round(first_ms, 1), "server_ready_s": round(ready_s, 1),
            "embedded_while_measuring": embedded, "embed_papers_per_s": round(embed_rate, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="data directory to prepare and keep (default: a temporary one)")
    parser.add_argument("--requests", type=int, default=200, help="requests per page kind")
    parser.add_argument("--clients", type=int, default=2, help="concurrent clients (default: one per core here)")
    parser.add_argument("--teacher-papers", type=int, default=2000,
                        help="the static model's teacher sample while preparing (default 2,000: minutes, not hours)")
    parser.add_argument("--while-embedding", action="store_true",
                        help="time pages idle and with an embed worker running; and the first search after start")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--activity", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.activity:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
        django.setup()
        activity()
        return
    with tempfile.TemporaryDirectory(prefix="paperhub-web-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ready = work / "bench-web-ready"
        steps = json.loads(ready.read_text()) if ready.exists() else prepare(work, args.teacher_papers)
        timed = measure_while_embedding if args.while_embedding else measure
        result = {**timed(work, args.requests, args.clients), "clients": args.clients, "prepare": steps}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
