"""Search quality on a BEIR dataset (SciFact): BM25, dense, static, and their fusion, tuned on train.

    python -m bench.quality --dataset ../shared/data/beir-scifact --split test --json

Runs the hub's own pieces: the query parser and tantivy query builder for BM25, the embedders for
vectors (exact cosine search here: the ANN index is measured by bench.latency), and the fusion function
with weights chosen by a grid search on the train split. Corpus embeddings are cached under
$PAPERHUB_DATA_DIR/bench-cache, so only the first run pays for them (MiniLM: ~5 min for 5,183 abstracts).
"""

import argparse
import hashlib
import itertools
import json
import lzma
import math
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402

from paperhub.search import embed, fusion, keyword  # noqa: E402
from paperhub.search.query import parse  # noqa: E402


def load(dataset: Path) -> tuple[list[dict], dict[str, str], dict[str, dict[str, dict[str, int]]]]:
    corpus_path = dataset / "corpus.jsonl.xz"
    opener = lzma.open if corpus_path.exists() else open
    corpus = [json.loads(line) for line in opener(corpus_path if corpus_path.exists() else dataset / "corpus.jsonl")]
    queries = {q["_id"]: q["text"] for q in map(json.loads, (dataset / "queries.jsonl").open())}
    qrels: dict[str, dict[str, dict[str, int]]] = {}
    for split in ("train", "test"):
        path = dataset / "qrels" / f"{split}.tsv"
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            qid, doc, score = line.split("\t")
            qrels.setdefault(split, {}).setdefault(qid, {})[doc] = int(score)
    return corpus, queries, qrels


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """nDCG@k with graded gains and log2 discounts (as BEIR / trec_eval)."""
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    hits = sum(1 for doc in ranked[:k] if relevant.get(doc, 0) > 0)
    return hits / sum(1 for g in relevant.values() if g > 0)


def evaluate(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    n = len(qrels)
    return {
        "ndcg@10": round(sum(ndcg_at(runs.get(q, []), rel) for q, rel in qrels.items()) / n, 4),
        "recall@100": round(sum(recall_at(runs.get(q, []), rel) for q, rel in qrels.items()) / n, 4),
    }


def cached_vectors(name: str, texts: list[str], encode) -> np.ndarray:  # noqa: ANN001
    digest = hashlib.sha256("\x1e".join(texts).encode()).hexdigest()[:16]
    cache = Path(settings.DATA_DIR) / "bench-cache" / f"{name}-{digest}.npy"
    if cache.exists():
        return np.load(cache)
    started = time.perf_counter()
    vectors = encode(texts)
    print(f"embedded {len(texts)} texts with {name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def dense_runs(doc_vectors: np.ndarray, query_vectors: np.ndarray, qids: list[str], ids: list[str],
               depth: int = 100) -> dict[str, list[tuple[str, float]]]:
    scores = query_vectors @ doc_vectors.T
    top = np.argsort(-scores, axis=1)[:, :depth]
    return {q: [(ids[j], float(scores[i, j])) for j in top[i]] for i, q in enumerate(qids)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--split", default="test")
    parser.add_argument("--tune-split", default="train")
    parser.add_argument("--no-static", action="store_true", help="skip the distilled static model")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    corpus, queries, qrels = load(args.dataset)
    ids = [d["_id"] for d in corpus]
    texts = [embed.paper_text(d.get("title", ""), d.get("text", "")) for d in corpus]
    wanted = sorted(set(qrels.get(args.split, {})) | set(qrels.get(args.tune_split, {})))

    # BM25 through the hub's keyword index and query builder.
    with tempfile.TemporaryDirectory() as tmp:
        index = keyword.KeywordIndex(Path(tmp))
        writer = index.writer()
        for i, d in enumerate(corpus):
            writer.add_document(keyword.document(keyword.IndexedPaper(
                id=i, uid=d["_id"], title=d.get("title", ""), abstract=d.get("text", ""), authors=(),
                categories=(), day=0)))
        writer.commit()
        writer.wait_merging_threads()
        index.index.reload()
        started = time.perf_counter()
        runs: dict[str, dict[str, list[tuple[str, float]]]] = {"bm25": {}}
        for q in wanted:
            hits = index.ids(keyword.build_query(parse(queries[q])), 100)
            runs["bm25"][q] = [(ids[i], s) for i, s in hits]
        bm25_ms = (time.perf_counter() - started) / len(wanted) * 1000

    # Dense (the configured transformer) and static vectors, exact search.
    query_texts = [queries[q] for q in wanted]
    dense = embed.TransformerEmbedder(settings.PAPERHUB_EMBED_MODEL, settings.PAPERHUB_EMBED_MAX_TOKENS)
    doc_vectors = cached_vectors(f"{dense.name}-{settings.PAPERHUB_EMBED_MAX_TOKENS}", texts, dense.encode)
    runs["dense"] = dense_runs(doc_vectors, dense.encode(query_texts), wanted, ids)
    if not args.no_static:
        try:
            static = embed.static()
        except embed.ModelError:
            print("distilling the static model (once)...", file=sys.stderr)
            embed.distill_static(embed.static_model_path())
            embed.static.cache_clear()
            static = embed.static()
        runs["static"] = dense_runs(cached_vectors("static", texts, static.encode), static.encode(query_texts),
                                    wanted, ids)

    def fused(weights: dict[str, float], k: float, kinds: tuple[str, ...]) -> dict[str, list[str]]:
        return {q: [d for d, _ in fusion.reciprocal_rank_fusion(
            {kind: [d for d, _ in runs[kind][q]] for kind in kinds}, k=k, weights=weights)] for q in wanted}

    def plain(kind: str) -> dict[str, list[str]]:
        return {q: [d for d, _ in runs[kind][q]] for q in wanted}

    kinds = tuple(k for k in ("bm25", "dense", "static") if k in runs)
    tune = qrels[args.tune_split]
    best = (-1.0, {}, 60.0)
    grid = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]
    for k in (10.0, 30.0, 60.0):
        for combo in itertools.product(grid, repeat=len(kinds) - 1):
            weights = {"bm25": 1.0, **dict(zip(kinds[1:], combo, strict=True))}
            score = evaluate(fused(weights, k, kinds), tune)["ndcg@10"]
            if score > best[0]:
                best = (score, weights, k)

    target = qrels[args.split]
    result = {kind: evaluate(plain(kind), target) for kind in kinds}
    result["hybrid_rrf"] = evaluate(fused({"bm25": 1.0, "dense": 1.0}, 60.0, ("bm25", "dense")), target)
    result["hybrid"] = {**evaluate(fused(best[1], best[2], kinds), target),
                        "weights": best[1], "k": best[2], "tuned_on": args.tune_split,
                        f"{args.tune_split}_ndcg@10": round(best[0], 4)}
    result["bm25_ms_per_query"] = round(bm25_ms, 2)
    result["dataset"] = {"name": args.dataset.name, "split": args.split, "queries": len(target), "docs": len(ids)}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
