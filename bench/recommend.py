"""Personal recommendations, offline, on the shared arXiv papers with a time split.

    python -m bench.recommend --json

Users are authors with at least --min-papers papers before a cut date (and at least one after it). Their papers
before the cut are their signals (as upvotes); the task is to rank their papers after the cut among all papers
after it. Reported: nDCG@10 and recall@50, mean over users, for
- recency: newest first;
- centroid: zotero-arxiv-daily's method, similarity to the signals weighted by 1/(1 + log10(rank by date));
- tfidf_svm: arxiv-sanity-lite's method, a linear SVM on its tf-idf features, signals against every other paper;
- ours: paperhub.recommend.taste (terms + meaning + authors, interest profiles), and ours without authors.
An author's own name is hidden from every method: only co-authors can count. Embeddings are the hub's static
model (cached under $PAPERHUB_DATA_DIR/bench-cache). The blend weights are chosen on an earlier split (--tune-cut
to --cut) and reported on the later one (--cut to the end of the data).
"""

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn import svm  # noqa: E402

from bench.quality import cached_vectors, static_embedder  # noqa: E402
from paperhub.ingest.snapshot import read_snapshot  # noqa: E402
from paperhub.papers.records import PaperRecord  # noqa: E402
from paperhub.recommend import taste  # noqa: E402
from paperhub.search import embed  # noqa: E402

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "arxiv" / "recent-2025-2026.jsonl.xz"
BACKGROUND = 1000
BACKGROUND_FROM = os.environ.get("PAPERHUB_BENCH_BACKGROUND", "candidates")


def ndcg_at(ranked: np.ndarray, relevant: set[int], k: int = 10) -> float:
    gain = sum(1 / math.log2(r + 2) for r, j in enumerate(ranked[:k]) if int(j) in relevant)
    return gain / sum(1 / math.log2(r + 2) for r in range(min(k, len(relevant))))


def recall_at(ranked: np.ndarray, relevant: set[int], k: int = 50) -> float:
    return len({int(j) for j in ranked[:k]} & relevant) / len(relevant)


class Split:
    """Signals before `cut`, candidates from `cut` to `end`, and the users to rank for."""

    def __init__(self, dates: np.ndarray, authors: list[tuple[str, ...]], cut: dt.date, end: dt.date,
                 min_papers: int, users: int, rng: np.random.Generator) -> None:
        self.before = np.flatnonzero(dates < cut.toordinal())
        self.candidates = np.flatnonzero((dates >= cut.toordinal()) & (dates < end.toordinal()))
        signals: dict[str, list[int]] = defaultdict(list)
        targets: dict[str, set[int]] = defaultdict(set)
        for i in self.before:
            for a in authors[i]:
                signals[a].append(int(i))
        for j, i in enumerate(self.candidates):
            for a in authors[i]:
                targets[a].add(j)
        eligible = sorted(a for a, papers in signals.items() if len(papers) >= min_papers and targets[a])
        chosen = rng.choice(len(eligible), min(users, len(eligible)), replace=False) if users else range(len(eligible))
        self.eligible = len(eligible)
        self.users = [(eligible[i], np.array(signals[eligible[i]]), targets[eligible[i]]) for i in sorted(chosen)]


def evaluate(split: Split, dates: np.ndarray, authors: list[tuple[str, ...]], vectors: np.ndarray,
             texts: list[str], baselines: bool, rng: np.random.Generator) -> tuple[dict, list[dict]]:
    """Every method's ranking for every user of the split; ours is kept as views to re-blend."""
    corpus = np.concatenate([split.before, split.candidates])
    started = time.perf_counter()
    vectorizer = taste.term_vectorizer(len(corpus))
    terms = vectorizer.fit_transform([texts[i] for i in corpus]).tocsr()
    row_of = {int(i): r for r, i in enumerate(corpus)}
    candidate_terms = terms[len(split.before):]
    tfidf_s = time.perf_counter() - started
    candidate_dense = vectors[split.candidates]
    candidate_authors = [authors[i] for i in split.candidates]
    incidence = taste.author_matrix(candidate_authors)
    scores: dict[str, list[float]] = defaultdict(list)
    per_user: list[dict] = []
    timings: dict[str, list[float]] = defaultdict(list)
    for name, liked, relevant in split.users:
        def hidden(rows: np.ndarray, name: str = name) -> list[tuple[str, ...]]:
            return [tuple(a for a in authors[i] if a != name) for i in rows]

        ranked: dict[str, np.ndarray] = {}
        if baselines:
            ranked["recency"] = np.lexsort((-split.candidates, -dates[split.candidates]))
            newest = liked[np.argsort(-dates[liked], kind="stable")]
            weight = 1 / (1 + np.log10(np.arange(len(newest)) + 1))
            ranked["centroid"] = np.argsort(-((candidate_dense @ vectors[newest].T) @ (weight / weight.sum())))
            started = time.perf_counter()
            labels = np.zeros(terms.shape[0])
            labels[[row_of[int(i)] for i in liked]] = 1
            classifier = svm.LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(terms, labels)
            ranked["tfidf_svm"] = np.argsort(-classifier.decision_function(candidate_terms))
            timings["tfidf_svm"].append(time.perf_counter() - started)
        started = time.perf_counter()
        # As the hub does: the implicit negatives are sampled from the papers being ranked.
        background = rng.choice(split.candidates if BACKGROUND_FROM == "candidates" else split.before,
                                BACKGROUND + len(liked), replace=False)
        background = background[~np.isin(background, liked)][:BACKGROUND]
        signals = taste.Signals(
            liked_dense=vectors[liked], liked_terms=terms[[row_of[int(i)] for i in liked]], liked_authors=hidden(liked),
            disliked_dense=vectors[:0], disliked_terms=terms[:0], disliked_authors=[],
            background_dense=vectors[background], background_terms=terms[[row_of[int(i)] for i in background]])
        user_model = taste.train(signals)
        # The user's own name has no weight (hidden from the signals), so the shared author lists can be used.
        views = taste.views(user_model, candidate_dense, candidate_terms, candidate_authors, incidence)
        timings["ours"].append(time.perf_counter() - started)
        for method, order in ranked.items():
            scores[f"{method}:ndcg"].append(ndcg_at(order, relevant))
            scores[f"{method}:recall"].append(recall_at(order, relevant))
        per_user.append({"views": views, "profiles": user_model.profiles, "relevant": relevant})
    info = {"users": len(split.users), "eligible_users": split.eligible, "candidates": len(split.candidates),
            "signal_papers": len(split.before), "tfidf_fit_s": round(tfidf_s, 1),
            "ms_per_user": {k: round(1000 * float(np.median(v)), 1) for k, v in timings.items()},
            "scores": scores, "dense": candidate_dense}
    return info, per_user


Weights = tuple[float, float, float, float]
NAMES = ("terms", "meaning", "authors", "nearest")


def ours(per_user: list[dict], dense: np.ndarray, weights: Weights, diversify: bool) -> dict:
    """Mean nDCG@10 and recall@50 of our blend with `weights` (terms, meaning, authors, nearest)."""
    ndcg, recall = [], []
    for user in per_user:
        order = np.argsort(-user["views"].blend(*weights))
        if diversify:
            order = taste.diversify(order, dense, user["profiles"])
        ndcg.append(ndcg_at(order, user["relevant"]))
        recall.append(recall_at(order, user["relevant"]))
    return {"ndcg@10": round(float(np.mean(ndcg)), 4), "recall@50": round(float(np.mean(recall)), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=SHARED)
    parser.add_argument("--tune-cut", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    parser.add_argument("--cut", type=dt.date.fromisoformat, default=dt.date(2026, 4, 1))
    parser.add_argument("--min-papers", type=int, default=10)
    parser.add_argument("--users", type=int, default=300, help="users sampled per split (0: all)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"no data at {args.data} (see ../shared/data/README.md)")

    started = time.perf_counter()
    records = [r for r in read_snapshot(args.data) if isinstance(r, PaperRecord) and r.published]
    dates = np.array([r.published.date().toordinal() for r in records])
    authors = [r.author_keys for r in records]
    texts = [embed.paper_text(r.title, r.abstract) for r in records]
    vectors = cached_vectors("static", texts, static_embedder().encode)
    load_s = time.perf_counter() - started
    rng = np.random.default_rng(args.seed)

    # Tune the blend on the earlier split, which ends where the reported one starts.
    tune = Split(dates, authors, args.tune_cut, args.cut, args.min_papers, args.users, rng)
    tune_info, tune_users = evaluate(tune, dates, authors, vectors, texts, baselines=False, rng=rng)
    grid: list[Weights] = [(1.0, m, a, n) for m in (0.0, 0.5, 1.0) for a in (0.0, 1.0, 2.0) for n in (0.0, 0.5, 1.0)]

    def tuned(weights: Weights) -> float:
        return ours(tune_users, tune_info["dense"], weights, False)["ndcg@10"]

    chosen = max(grid, key=tuned)
    content = max((w for w in grid if w[2] == 0), key=tuned)
    diversify = ours(tune_users, tune_info["dense"], chosen, True)["ndcg@10"] > \
        ours(tune_users, tune_info["dense"], chosen, False)["ndcg@10"]

    end = dt.date.fromordinal(int(dates.max()) + 1)
    test = Split(dates, authors, args.cut, end, args.min_papers, args.users, rng)
    info, users = evaluate(test, dates, authors, vectors, texts, baselines=True, rng=rng)
    results = {}
    for method in ("recency", "centroid", "tfidf_svm"):
        results[method] = {"ndcg@10": round(float(np.mean(info["scores"][f"{method}:ndcg"])), 4),
                           "recall@50": round(float(np.mean(info["scores"][f"{method}:recall"])), 4)}
    shipped: Weights = (taste.TERMS, taste.MEANING, taste.AUTHORS, taste.NEAREST)
    results["ours"] = ours(users, info["dense"], shipped, False)
    results["ours_tuned_here"] = ours(users, info["dense"], chosen, diversify)
    results["ours_without_authors"] = ours(users, info["dense"], content, diversify)
    for i, view in enumerate(NAMES):
        results[f"ours_{view}_only"] = ours(users, info["dense"], tuple(float(i == j) for j in range(4)), False)
    results["ours_no_profiles" if diversify else "ours_with_profiles"] = ours(users, info["dense"], chosen,
                                                                               not diversify)
    report = {
        "data": args.data.name, "papers": len(records), "embeddings": "static", "load_s": round(load_s, 1),
        "tune": {"cut": str(args.tune_cut), "end": str(args.cut), "users": tune_info["users"],
                 "candidates": tune_info["candidates"], "weights": dict(zip(NAMES, chosen, strict=True)),
                 "weights_without_authors": dict(zip(NAMES, content, strict=True)),
                 "weights_shipped": dict(zip(NAMES, shipped, strict=True)),
                 "diversify_by_profile": diversify},
        "test": {"cut": str(args.cut), "end": str(end), **{k: v for k, v in info.items() if k not in ("scores",
                                                                                                      "dense")}},
        "results": results,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for method, figures in results.items():
            print(f"{method:24s} nDCG@10 {figures['ndcg@10']:.4f}  recall@50 {figures['recall@50']:.4f}")


if __name__ == "__main__":
    main()
