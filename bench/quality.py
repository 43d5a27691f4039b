"""Search quality on a BEIR dataset (SciFact): BM25, dense, static, and their fusion, tuned on train.

    python -m bench.quality --dataset ../shared/data/beir-scifact --split test --json

Runs the hub's own pieces: the query parser and tantivy query builder for BM25, the embedders for
vectors (exact cosine search here: the ANN index is measured by bench.latency), and the same union
fusion as paperhub.search.queries, with weights chosen by a grid search on the train split.
Corpus embeddings are cached under $PAPERHUB_DATA_DIR/bench-cache, so only the first run pays for
them (MiniLM: ~6 min for 5,183 abstracts). PAPERHUB_BENCH_DEPTH sets the candidates per signal (100).
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

from paperhub.search import embed, fusion, keyword, keyword_queries, keyword_schema  # noqa: E402
from paperhub.search import queries as search_queries  # noqa: E402
from paperhub.search.query import Filters, parse  # noqa: E402


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


def static_embedder(texts: list[str], teacher_vectors: np.ndarray) -> embed.StaticEmbedder:
    """The static model a hub of these papers builds (`paperhub index distill`: token counts and the
    transformer's vectors of its papers, all of them here as the corpus is smaller than the teacher sample),
    cached under $PAPERHUB_DATA_DIR/bench-cache by the corpus."""
    from paperhub.search import static

    digest = hashlib.sha256("\x1e".join(texts).encode()).hexdigest()[:16]
    path = Path(settings.DATA_DIR) / "bench-cache" / f"static-{digest}"
    if not (path / "model.safetensors").exists():
        started = time.perf_counter()
        learnt = static.learn(texts, texts[:static.TEACHER_PAPERS], teacher_vectors[:static.TEACHER_PAPERS])
        learnt.model.save_pretrained(str(path))
        np.save(path / embed.PROJECTION_FILE, learnt.projection)
        (path / embed.TEACHER_FILE).write_text(learnt.teacher)
        print(f"built the static model in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return embed.StaticEmbedder(path, name=path.name)


DEPTH = int(os.environ.get("PAPERHUB_BENCH_DEPTH", "100"))


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

    # BM25 through the hub's keyword index and query builder; the index stays open for the fusion below.
    tmp = tempfile.TemporaryDirectory()
    index = keyword.KeywordIndex(Path(tmp.name))
    writer = index.writer()
    for i, d in enumerate(corpus):
        writer.add_document(keyword_schema.document(keyword_schema.IndexedPaper(
            id=i, uid=d["_id"], title=d.get("title", ""), abstract=d.get("text", ""), authors=(),
            categories=(), day=0)))
    writer.commit()
    writer.wait_merging_threads()
    index.refresh()
    parsed = {q: parse(queries[q]) for q in wanted}
    started = time.perf_counter()
    bm25 = {q: index.ids(keyword_queries.build_query(parsed[q], person=index.may_name_person(parsed[q])), DEPTH)
            for q in wanted}
    bm25_ms = (time.perf_counter() - started) / len(wanted) * 1000

    # Dense (the configured transformer) and static vectors, exact cosine over the whole corpus.
    query_texts = [queries[q] for q in wanted]
    dense = embed.TransformerEmbedder(settings.PAPERHUB_EMBED_MODEL, settings.PAPERHUB_EMBED_MAX_TOKENS)
    dense_docs = cached_vectors(f"{dense.name}-{settings.PAPERHUB_EMBED_MAX_TOKENS}", texts, dense.encode)
    dense_queries = dense.encode(query_texts)
    cosines = {"dense": dense_queries @ dense_docs.T}
    if not args.no_static:  # queries as search embeds them for static vectors: by the teacher, projected
        static = static_embedder(texts, dense_docs)
        cosines["static"] = static.from_teacher(dense_queries) @ static.encode(texts).T
    row = {q: i for i, q in enumerate(wanted)}

    def top(kind: str, q: str) -> list[int]:
        return [int(j) for j in np.argsort(-cosines[kind][row[q]])[:DEPTH]]

    # Every candidate scored by every signal, as paperhub.search.queries.fuse does; and as search does, no
    # semantic half for a query none of whose words the index holds.
    features: dict[str, dict[str, dict[int, float]]] = {}
    unknown = {q for q in wanted if not index.knows_any(parsed[q])}
    for q in wanted:
        kinds_here = () if q in unknown else tuple(cosines)
        candidates = list(dict.fromkeys([i for i, _ in bm25[q]] + [j for kind in kinds_here for j in top(kind, q)]))
        scores = dict(bm25[q])
        unscored = [c for c in candidates if c not in scores]
        if unscored:
            among = keyword_queries.scored_among(unscored, parsed[q], Filters(), index.may_name_person(parsed[q]))
            scores.update(index.ids(among, len(unscored)))
        features[q] = {"keyword": scores, **{kind: {c: float(cosines[kind][row[q], c]) for c in candidates}
                                              for kind in kinds_here}}
    # and as fuse() does, a candidate lacking the query's rare word (keyword.RARE_SHARE) ranked lower
    lacking: dict[str, set[int]] = {}
    for q in wanted:
        candidates = list(features[q]["keyword"])
        rare = index.rarest_word(parsed[q])
        held = {i for i, _ in index.ids(keyword_queries.holding_among(candidates, rare), len(candidates))} \
            if rare else None
        lacking[q] = set() if held is None else set(candidates) - held
    tmp.cleanup()

    def union_run(weights: dict[str, float]) -> dict[str, list[str]]:
        return {q: [ids[int(str(i))] for i, _ in fusion.demoted(fusion.union_fusion(
            features[q], weights, list(features[q]["keyword"])), lacking[q], search_queries.RARE_PENALTY)][:DEPTH]
                for q in wanted}

    def rrf_run(kinds: tuple[str, ...]) -> dict[str, list[str]]:
        lists = {q: {"keyword": [i for i, _ in bm25[q]], **{k: top(k, q) for k in kinds if k != "keyword"}}
                 for q in wanted}
        return {q: [ids[int(str(i))] for i, _ in fusion.reciprocal_rank_fusion(lists[q])] for q in wanted}

    kinds = ("keyword", *cosines)
    tune = qrels[args.tune_split]
    best: tuple[float, dict[str, float]] = (-1.0, {})
    grid = [x / 10 for x in range(0, 11)]
    for combo in itertools.product(grid, repeat=len(kinds) - 1):
        if sum(combo) > 1:
            continue
        weights = {"keyword": round(1 - sum(combo), 2), **dict(zip(kinds[1:], combo, strict=True))}
        score = evaluate(union_run(weights), tune)["ndcg@10"]
        if score > best[0]:
            best = (score, weights)

    target = qrels[args.split]
    result: dict[str, object] = {"bm25": evaluate({q: [ids[i] for i, _ in bm25[q]] for q in wanted}, target)}
    for kind in cosines:
        result[kind] = evaluate({q: [ids[j] for j in top(kind, q)] for q in wanted}, target)
    result["hybrid_rrf_k60"] = evaluate(rrf_run(("keyword", "dense")), target)
    if "static" in cosines:  # what hybrid search is before transformer vectors reach a paper
        early = max((evaluate(union_run({"keyword": 1 - w, "static": w}), tune)["ndcg@10"], w) for w in grid)
        result["hybrid_static"] = {**evaluate(union_run({"keyword": 1 - early[1], "static": early[1]}), target),
                                   "weights": {"keyword": round(1 - early[1], 2), "static": early[1]}}
    result["hybrid"] = {**evaluate(union_run(best[1]), target), "weights": best[1],
                        "tuned_on": args.tune_split, f"{args.tune_split}_ndcg@10": round(best[0], 4)}
    result["bm25_ms_per_query"] = round(bm25_ms, 2)
    result["queries_without_a_known_word"] = sum(1 for q in target if q in unknown)
    result["dataset"] = {"name": args.dataset.name, "split": args.split, "queries": len(target), "docs": len(ids),
                         "embed_model": dense.name, "max_tokens": settings.PAPERHUB_EMBED_MAX_TOKENS}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
