"""Search latency over the shared arXiv papers replicated to a million, and the ANN index's recall.

    python -m bench.latency --papers 1000000 --json

Builds, in a scratch directory, the hub's own keyword index (tantivy) and static-model vector index
(usearch HNSW) over the 346K shared arXiv papers replicated to --papers with distinct ids, then times the
public search()/similar() API in a fresh process that only opens the indexes, as a web worker would.
Replicas reuse the real vectors of their originals with a little noise added (sigma 0.01 per dimension,
renormalised), so the index holds distinct points; their text is the original's.

Semantic search here uses the distilled static model: transformer vectors for a million papers would take
days of CPU. The transformer's own query-embedding time is reported beside it.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "arxiv"
REPLICA_STRIDE = 10_000_000


def _setup() -> None:
    import django

    django.setup()


def build(work: Path, papers: int, seed: int = 7) -> dict:
    """Write the keyword and vector indexes for `papers` papers under `work`; returns timings."""
    import numpy as np

    from paperhub.ingest.snapshot import read_snapshot
    from paperhub.papers.records import PaperRecord
    from paperhub.search import embed, keyword, keyword_schema, vectors
    from paperhub.search.indexing import STATIC, vector_name

    originals: list[PaperRecord] = []
    for name in ("recent-2025-2026.jsonl.xz", "archive-1986-2019.jsonl.xz"):
        originals.extend(r for r in read_snapshot(SHARED / name) if isinstance(r, PaperRecord))
    timings: dict[str, float] = {"originals": len(originals)}

    started = time.perf_counter()
    static = embed.static()
    base = static.encode([embed.paper_text(r.title, r.abstract) for r in originals])
    timings["static_embed_s"] = round(time.perf_counter() - started, 1)

    generation = work / "search" / "keyword" / "g-bench"
    index = keyword.KeywordIndex(generation)
    writer = index.index.writer(heap_size=512_000_000, num_threads=2)
    rng = np.random.default_rng(seed)
    vec_index = vectors.new_index(static.dim)
    started = time.perf_counter()
    added = 0
    replica = 0
    while added < papers:
        count = min(len(originals), papers - added)
        keys = np.arange(count, dtype=np.uint64) + 1 + replica * REPLICA_STRIDE
        for i in range(count):
            r = originals[i]
            writer.add_document(keyword_schema.document(keyword_schema.IndexedPaper(
                id=int(keys[i]), uid=r.uid if replica == 0 else f"{r.uid}~{replica}", title=r.title,
                abstract=r.abstract, authors=r.authors, categories=r.categories,
                day=keyword_schema.day_number(r.published.date() if r.published else None))))
        block = base[:count]
        if replica:
            block = block + rng.normal(0, 0.01, block.shape).astype(np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
        vec_index.add(keys, block, threads=2)
        added += count
        replica += 1
    writer.commit()
    writer.wait_merging_threads()
    timings["index_build_s"] = round(time.perf_counter() - started, 1)
    (work / "search" / "keyword" / "CURRENT").write_text("g-bench")
    vectors.save(vec_index, work / "search" / f"vectors-{vector_name(STATIC)}.usearch")
    np.save(work / "probe_vectors.npy", base[:: max(1, len(base) // 200)][:200])
    return timings


def memory_now() -> dict[str, float]:
    """This process's resident memory from /proc/self/status: private (anonymous) and file-backed, in MB."""
    fields = {"RssAnon": "rss_anon_mb", "RssFile": "rss_file_mb", "RssShmem": "rss_shmem_mb"}
    found: dict[str, float] = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in fields:
                found[fields[name]] = round(int(value.split()[0]) / 1024, 1)
    return found


def measure(work: Path, papers: int) -> dict:
    """Time the search API against the built indexes (run in a fresh process)."""
    import numpy as np
    from usearch.index import Index

    from paperhub import search
    from paperhub.search import embed
    from paperhub.search.indexing import STATIC, vector_name
    from paperhub.search.vector_files import vector_path

    queries = [
        "diffusion models for video generation", "in-context learning", "graph neural networks",
        "reinforcement learning from human feedback", "protein structure prediction", "vision transformer",
        "large language model reasoning", "federated learning privacy", "speech recognition low resource",
        "causal inference", "neural radiance fields", "contrastive learning", "object detection",
        "machine translation", "retrieval augmented generation", "mixture of experts", "quantum error correction",
        "Bayesian optimization", "knowledge distillation", "adversarial robustness", "time series forecasting",
        "question answering over tables", "sparse attention long context", "point cloud segmentation",
        "multi-agent reinforcement learning", "text to speech", "semantic segmentation medical images",
        "hallucination in language models", "code generation benchmark", "self-supervised speech",
    ]

    def timed(function, runs: list) -> list[float]:
        out = []
        for args in runs:
            started = time.perf_counter()
            function(*args)
            out.append((time.perf_counter() - started) * 1000)
        return out

    def summary(ms: list[float]) -> dict:
        ms = sorted(ms)
        return {"p50_ms": round(ms[len(ms) // 2], 2), "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
                "n": len(ms)}

    for q in queries[:5]:  # warm the page cache and the models, as a serving process would be
        search.search(q)
    runs = [(q,) for q in queries] * 4
    result = {
        "keyword": summary(timed(lambda q: search.search(q, mode="keyword"), runs)),
        "semantic": summary(timed(lambda q: search.search(q, mode="semantic"), runs)),
        "hybrid": summary(timed(lambda q: search.search(q), runs)),
    }
    ids = [int(i) for i in np.random.default_rng(1).integers(1, 300_000, 120)]
    result["similar"] = summary(timed(lambda i: search.similar(i, 10), [(i,) for i in ids]))
    # Peak resident memory of this serving process so far; it counts the memory-mapped index pages it
    # touched (shared page cache that the kernel can drop), not only private memory.
    result["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    # Now, split as the kernel counts it: private memory (the models, caches, Python's heap) and pages of files
    # (the memory-mapped indexes: shared, dropped by the kernel under pressure and read again on demand).
    result.update(memory_now())

    # recall@10 of the HNSW index against exact search over the same vectors
    index = Index.restore(str(vector_path(vector_name(STATIC))), view=True)
    probes = np.load(work / "probe_vectors.npy")
    approx = index.search(probes, 10)
    exact = index.search(probes, 10, exact=True)
    hits = sum(len(set(a.tolist()) & set(e.tolist())) for a, e in zip(approx.keys, exact.keys, strict=True))
    result["ann_recall@10"] = round(hits / (10 * len(probes)), 4)
    try:
        model = embed.transformer()
        model.encode(["warm up"])
        started = time.perf_counter()
        for q in queries:
            model.encode([q])
        result["transformer_query_embed_ms"] = round((time.perf_counter() - started) / len(queries) * 1000, 2)
    except embed.ModelError:
        pass
    result["papers"] = papers
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, help="scratch directory to keep (default: a temporary one)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        os.environ["PAPERHUB_SEARCH_DIR"] = str(args.measure_only / "search")
        _setup()
        print(json.dumps(measure(args.measure_only, args.papers)))
        return
    _setup()
    with tempfile.TemporaryDirectory(prefix="paperhub-latency-") as tmp:
        work = args.work or Path(tmp)
        if not (work / "search" / "keyword" / "CURRENT").exists():
            timings = build(work, args.papers)
        else:
            timings = {"reused": str(work)}
        done = subprocess.run([sys.executable, "-m", "bench.latency", "--papers", str(args.papers),
                               "--measure-only", str(work)], capture_output=True, text=True, check=True)
        result = {**json.loads(done.stdout.strip().splitlines()[-1]), "build": timings}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
