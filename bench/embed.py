"""Embedding throughput: the hub's indexing pipeline against plain SentenceTransformer.encode, and through the
task queue by several workers.

    python -m bench.embed --json
    python -m bench.embed --workers 1,2 --json          # [--database-url postgres://...]

With --workers, a scratch hub ingests --papers arXiv papers, and for each worker count the same papers are
embedded through the embed queue as a hub does it: that many `paperhub worker --queues embed` processes
(single-threaded, PAPERHUB_EMBED_THREADS=1) are started and have loaded the model, then every paper is queued
in batches of --task-papers, and the rate is papers / (last batch finished - first batch claimed). The stored
vectors are deleted between counts; the bench polls the database directly, so it takes no CPU from the workers.

Both embed the same arXiv abstracts (title + abstract) in the same run: `plain` is
SentenceTransformer.encode as documentation shows it (batch 32, input order); `pipeline` is
paperhub.search.embed.TransformerEmbedder (longest-first batches, same model and max tokens);
`static` is the distilled model2vec model the hub gives every paper at once.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "arxiv" / "recent-2025-2026.jsonl.xz"


def snapshot_texts(file: Path, count: int) -> list[str]:
    """What a hub embeds ("title. abstract") for the first `count` good records of a snapshot file."""
    from paperhub.ingest.snapshot import read_snapshot
    from paperhub.papers.records import PaperRecord
    from paperhub.search.embed import paper_text

    texts: list[str] = []
    for record in read_snapshot(file):
        if len(texts) >= count:
            break
        if isinstance(record, PaperRecord):
            texts.append(paper_text(record.title, record.abstract))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=480)
    parser.add_argument("--file", type=Path, default=SHARED)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--workers", help="comma-separated worker counts: embed through the queue")
    parser.add_argument("--task-papers", type=int, default=20, help="papers per queued batch (with --workers)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server for the scratch hub (--workers)")
    args = parser.parse_args()
    if args.workers:
        result = through_queue(args.file, args.papers, [int(n) for n in args.workers.split(",")], args.task_papers,
                               args.database_url)
        print(json.dumps(result) if args.json else json.dumps(result, indent=2))
        return

    import django

    django.setup()
    import numpy as np
    from django.conf import settings

    from paperhub.search import embed

    texts = snapshot_texts(args.file, args.papers)
    pipeline = embed.TransformerEmbedder(settings.PAPERHUB_EMBED_MODEL, settings.PAPERHUB_EMBED_MAX_TOKENS)
    pipeline.encode(texts[:8])  # warm-up for both: same model object

    started = time.perf_counter()
    plain = pipeline.model.encode(texts, batch_size=32, normalize_embeddings=True)
    plain_s = time.perf_counter() - started
    started = time.perf_counter()
    ours = pipeline.encode(texts)
    ours_s = time.perf_counter() - started
    result = {
        "papers": len(texts),
        "max_tokens": settings.PAPERHUB_EMBED_MAX_TOKENS,
        "plain_papers_per_s": round(len(texts) / plain_s, 1),
        "pipeline_papers_per_s": round(len(texts) / ours_s, 1),
        "speedup": round(plain_s / ours_s, 2),
        "min_cosine_pipeline_vs_plain": round(float(np.min(np.sum(plain * ours, axis=1))), 5),
    }
    try:
        static = embed.static()
        started = time.perf_counter()
        static.encode(texts * 10)
        result["static_papers_per_s"] = round(len(texts) * 10 / (time.perf_counter() - started), 1)
    except embed.ModelError:
        pass
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


CLI = [sys.executable, "-m", "paperhub.cli"]


TASKS = "django_tasks_database_dbtaskresult"


def _embed_with(env: dict[str, str], workers: int) -> dict[str, float]:
    from testbed.scratch import query_one as _sql

    """Start `workers` embed workers, wait until each has loaded the model, queue every paper, time it."""
    url = env["DATABASE_URL"]
    for table in ("search_papervector", TASKS, "jobs_workerbeat"):  # the previous count's
        _sql(url, f"DELETE FROM {table}")
    procs = [subprocess.Popen([*CLI, "worker", "--queues", "embed", "--no-schedule", "--interval", "0.05",
                               "--threads", "1", "-v0"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(workers)]
    try:
        while _sql(url, "SELECT count(*) FROM jobs_workerbeat")[0] < workers:  # written once the model loaded
            time.sleep(0.5)
        subprocess.run([*CLI, "index", "embed", "--enqueue"], env=env, check=True, capture_output=True)
        while _sql(url, f"SELECT count(*) FROM {TASKS} WHERE status != 'SUCCESSFUL'")[0]:
            time.sleep(1.0)
        stored = _sql(url, "SELECT count(*) FROM search_papervector")[0]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
    code = ("from django.db.models import Max, Min; from django_tasks_db.models import DBTaskResult as T; "
            "done = T.objects.filter(queue_name='embed'); "
            "span = done.aggregate(a=Min('started_at'), b=Max('finished_at')); "
            "print(span['a'].timestamp(), span['b'].timestamp(), len({t.worker_ids[0] for t in done}))")
    first, last, used = subprocess.run([*CLI, "shell", "-v0", "-c", code], env=env, check=True, capture_output=True,
                                       text=True).stdout.split()
    seconds = float(last) - float(first)  # from the first claim to the last batch done
    return {"papers_per_s": round(stored / seconds, 2), "seconds": round(seconds, 2), "vectors": stored,
            "workers_used": int(used)}


def through_queue(file: Path, papers: int, counts: list[int], task_papers: int, database_url: str) -> dict:
    """The same papers embedded through the queue by each number of workers."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from testbed.scratch import drop_database, new_database

    with tempfile.TemporaryDirectory(prefix="paperhub-bench-embed-") as tmp:
        url = new_database(Path(tmp), database_url)
        env = {**os.environ, "PAPERHUB_DATA_DIR": tmp, "DATABASE_URL": url, "PAPERHUB_SCHEDULE": "",
               "PAPERHUB_EMBED_TASK_PAPERS": str(task_papers), "PAPERHUB_EMBED_DEVICE": "cpu",
               "PAPERHUB_LOG_LEVEL": "WARNING"}
        try:
            subprocess.run([*CLI, "migrate", "-v0"], env=env, check=True)
            subprocess.run([*CLI, "ingest", "snapshot", str(file), "--limit", str(papers)], env=env, check=True,
                           capture_output=True)
            runs = {str(n): _embed_with(env, n) for n in counts}
        finally:
            drop_database(url)
    rates = {n: run["papers_per_s"] for n, run in runs.items()}
    result: dict = {"papers": papers, "task_papers": task_papers, "threads_per_worker": 1, "device": "cpu",
                    "database": "postgresql" if database_url else "sqlite", "workers": rates, "runs": runs}
    for n in rates:
        if n != "1" and "1" in rates:
            result[f"speedup_{n}"] = round(rates[n] / rates["1"], 3)
    return result


if __name__ == "__main__":
    main()
