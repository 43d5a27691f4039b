"""Similar papers, judged: query-by-paper quality of the shipped similar() (CSFCube layout).

    python -m bench.similar --dataset ../shared/data/csfcube --split dev --json

Builds a scratch hub from the dataset's corpus through the real paths: upsert_papers() (uids `csfcube:ID`),
the keyword index, `paperhub index distill` (the static model, whose teacher sample is drawn from the hub's own
papers and embedded with the transformer), static vectors, and transformer vectors for every paper. Then, for
each query, it ranks the query paper's judged pool by the order in which search.similar() returns those papers
(limit: the whole corpus) and scores the ranking by nDCG@20 with gains 2^grade - 1.

`similar_without_transformer` is the same similar() on the same hub with the transformer's vectors out of
sight (a hub where the transformer has reached no paper yet: most papers of a large hub on a CPU). This small
hub's static model learnt from all of its papers, while most papers of a large hub are not in the teacher's
sample: `similar_without_transformer_unseen` and `static_unseen` measure again with a static model built with
every judged paper left out of its teacher's sample. `static`,
`transformer` and `bm25` (the paper's title and abstract pasted as a BM25 query) rank the pool by one signal;
`terms` is similar()'s own lexical signal (tf-idf cosine), `topics` its topic cosine (search/topics.py, learnt with
the static model; the unseen model's topics never saw a judged paper either). `--tune` grid-searches each weight
profile on the split and prints the best weights (the shipped ones in paperhub/search/related.py come from the dev
fold), with the unseen model too (`tuned_unseen`).

`--distractors FILE` (an arXiv snapshot, e.g. ../shared/data/arxiv/archive-1986-2019.jsonl.xz) adds
`--distractor-limit` of its papers (60,000, of `--distractor-categories` cs) to the hub: the pools are then ranked
among fifteen times as many papers, as on a large hub, where each signal's first 40 are a thinner slice and other
papers crowd the judged ones out of them. Only the dataset's papers get transformer vectors there.

Any dataset in the same layout works: corpus.jsonl[.xz] (`_id, title, text`, optional `year`), queries.jsonl
(`_id, query_paper_id`), qrels/SPLIT.tsv (`query-id, corpus-id, score`).
"""

import argparse
import itertools
import json
import lzma
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import scratch_hub

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load(dataset: Path, split: str) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    """The corpus, each query's query paper, and the split's graded judgements."""
    path = dataset / "corpus.jsonl.xz"
    opener = lzma.open if path.exists() else open
    corpus = [json.loads(line) for line in opener(path if path.exists() else dataset / "corpus.jsonl")]
    queries = {q["_id"]: str(q["query_paper_id"]) for q in map(json.loads, (dataset / "queries.jsonl").open())}
    qrels: dict[str, dict[str, int]] = {}
    for line in (dataset / "qrels" / f"{split}.tsv").read_text().splitlines()[1:]:
        qid, doc, score = line.split("\t")
        qrels.setdefault(qid, {})[doc] = int(score)
    return corpus, queries, qrels


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 20) -> float:
    """nDCG@k with exponential gains (2^grade - 1) and log2 discounts."""
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((2 ** g - 1 for g in grades.values()), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def pool_ndcg(order: list[str], grades: dict[str, int]) -> float:
    """The judged pool ranked by its place in `order` (papers missing from it last, by id). `order` starts
    with the query paper itself: CSFCube judges one query paper in its own pool, and any signal scoring the
    pool ranks a paper first against itself."""
    place = {d: i for i, d in enumerate(order)}
    pool = sorted(grades, key=lambda d: (place.get(d, len(place)), d))
    return ndcg(pool, grades)


#: The uids of the dataset's papers (a distractor keeps its own).
PREFIX = "csfcube:"


def _year(value: object) -> datetime | None:
    try:
        return datetime(int(str(value)), 1, 1, tzinfo=UTC)
    except ValueError:
        return None


def cosine_orders(vectors, papers: list[int], every: list[int], doc_of: dict[int, str]) -> dict[int, list[str]]:  # noqa: ANN001
    """Each paper, then every other paper by exact cosine of stored vectors (one signal alone)."""
    orders = {}
    for p in papers:
        vector = vectors.vector(p)
        cosines = vectors.similarities(vector, every) if vector is not None else {}
        orders[p] = [doc_of[p]] + [doc_of[i] for i in sorted(cosines, key=lambda i: -cosines[i]) if i != p]
    return orders


def build_hub(corpus: list[dict], progress: bool, distractors: tuple[Path, int, str] | None = None) -> dict[str, float]:
    """Ingest the corpus, index it, distil the static model from it and embed every paper; returns timings. With
    `distractors` (a snapshot file, how many papers, which categories), those papers join the hub after the
    corpus's transformer vectors are made: they compete in every signal's lists and the static model learns from
    them too, while only the corpus's papers have transformer vectors (a large hub's transformer reaches few)."""
    from django.core.management import call_command

    from paperhub.papers.records import PaperRecord
    from paperhub.papers.services import upsert_papers

    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    records = [PaperRecord(uid=f"{PREFIX}{d['_id']}", title=d.get("title") or "", source="csfcube",
                           abstract=d.get("text") or "", published=_year(d.get("year"))) for d in corpus]
    upsert_papers(records)
    timings["ingest_s"] = time.perf_counter() - started
    steps = [("keyword_index_s", ("index", "update")), ("distill_s", ("index", "distill")),
             ("static_vectors_s", ("index", "update")), ("transformer_s", ("index", "embed"))]
    if distractors is not None:
        path, count, categories = distractors
        steps = [("transformer_s", ("index", "embed")),
                 ("distractors_s", ("ingest", "snapshot", str(path), "--limit", str(count),
                                    *(("--categories", categories) if categories else ()))),
                 *steps[:3]]
    with open(os.devnull, "w") as quiet:
        for name, args in steps:
            started = time.perf_counter()
            call_command(*args, stdout=sys.stderr if progress else quiet)
            timings[name] = time.perf_counter() - started
    return {k: round(v, 1) for k, v in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--work", type=Path, help="scratch directory to keep (default: a temporary one)")
    parser.add_argument("--tune", action="store_true", help="grid-search the weight profiles on this split")
    parser.add_argument("--distractors", type=Path, help="an arXiv snapshot file whose papers join the hub, so that "
                        "the pools are ranked among many more papers, as on a large hub")
    parser.add_argument("--distractor-limit", type=int, default=60_000, help="how many of its papers (60,000)")
    parser.add_argument("--distractor-categories", default="cs", help="which of its categories (cs)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    corpus, queries, qrels = load(args.dataset, args.split)
    work, temporary = scratch_hub(args.work, "paperhub-similar-")
    from django.test import override_settings

    from paperhub import search
    from paperhub.papers.models import Paper
    from paperhub.search import keyword_queries, related, static
    from paperhub.search.indexing import vector_name
    from paperhub.search.keyword_files import keyword_index
    from paperhub.search.query import parse
    from paperhub.search.vector_files import vector_index

    distractors = (args.distractors, args.distractor_limit, args.distractor_categories) if args.distractors else None
    timings = build_hub(corpus, progress=not args.json, distractors=distractors)
    uid_of = dict(Paper.objects.values_list("id", "uid"))
    id_of = {uid.removeprefix(PREFIX): pid for pid, uid in uid_of.items() if uid.startswith(PREFIX)}
    doc_of = {pid: uid.removeprefix(PREFIX) if uid.startswith(PREFIX) else f"~{uid}" for pid, uid in uid_of.items()}
    wanted = {q: grades for q, grades in qrels.items() if queries.get(q) in id_of}
    papers = sorted({id_of[queries[q]] for q in wanted})
    everything = len(uid_of)

    def similar_orders() -> tuple[dict[int, list[str]], float]:
        started = time.perf_counter()
        orders = {p: [doc_of[p]] + [doc_of[h.id] for h in search.similar(p, limit=everything)] for p in papers}
        return orders, (time.perf_counter() - started) / len(papers) * 1000

    def score(orders: dict[int, list[str]]) -> dict[str, float]:
        values = [pool_ndcg(orders[id_of[queries[q]]], grades) for q, grades in wanted.items()]
        return {"ndcg@20": round(sum(values) / len(values), 4)}

    result: dict[str, object] = {}
    orders, ms = similar_orders()
    result["similar"] = {**score(orders), "ms_per_paper_whole_corpus": round(ms, 1)}
    with override_settings(PAPERHUB_EMBED_MODEL="no-transformer-vectors"):
        orders, _ = similar_orders()
        result["similar_without_transformer"] = score(orders)

    index = keyword_index()
    assert index is not None
    for name, kind in (("static", "static"), ("transformer", "dense")):
        result[name] = score(cosine_orders(vector_index(vector_name(kind)), papers, list(uid_of), doc_of))
    texts = {p: (d.get("title") or "") + " " + (d.get("text") or "") for d in corpus
             if (p := id_of.get(d["_id"])) is not None}
    result["bm25"] = score({p: [doc_of[p]] + [doc_of[i] for i, _ in index.ids(
        keyword_queries.build_query(parse(texts[p][:2000])), everything) if i != p] for p in papers})
    found = {p: related.signals(p, everything) for p in papers}
    result["terms"] = score({p: [doc_of[p]] + [doc_of[c] for c in sorted(s.candidates,
                                                                         key=lambda c: -s.scores["terms"][c])]
                             for p, s in found.items() if s is not None})
    result["topics"] = score(topic_orders(found, doc_of))

    if args.tune:
        result["tuned"] = tune(found, doc_of, score)

    # A small hub's static model has learnt from every one of its papers; in a large hub most papers are not in
    # the teacher's sample. So the same again with a static model that never saw a judged paper.
    judged = frozenset(id_of[d] for grades in wanted.values() for d in grades if d in id_of) | frozenset(papers)
    started = time.perf_counter()
    static.build(exclude=judged)
    search.update()
    timings["unseen_model_s"] = round(time.perf_counter() - started, 1)
    with override_settings(PAPERHUB_EMBED_MODEL="no-transformer-vectors"):
        orders, _ = similar_orders()
        result["similar_without_transformer_unseen"] = score(orders)
    result["static_unseen"] = score(cosine_orders(vector_index(vector_name("static")), papers, list(uid_of), doc_of))
    if args.tune:
        result["tuned_unseen"] = tune({p: related.signals(p, everything) for p in papers}, doc_of, score)
    result["queries"] = len(wanted)
    result["papers"] = everything
    result["distractors"] = everything - len(id_of)
    result["build"] = timings
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    if temporary is not None:
        temporary.cleanup()


def topic_orders(found: dict, doc_of: dict[int, str]) -> dict[int, list[str]]:  # noqa: ANN001
    """Each paper, then every other by its topic cosine alone (similar() scores only the other signals' best)."""
    from paperhub.search import related

    table = related.current_topics()
    assert table is not None, "the static model learnt no topics"
    orders = {}
    for p, s in found.items():
        me = table.vector(s.term_vectors[p])
        cosines = {c: float(v @ me) for c in s.candidates if me is not None
                   and (v := table.vector(s.term_vectors[c])) is not None}
        orders[p] = [doc_of[p]] + [doc_of[c] for c in sorted(cosines, key=lambda c: -cosines[c])]
    return orders


def tune(found: dict, doc_of: dict[int, str], score) -> dict[str, object]:  # noqa: ANN001
    """The best weights of each content profile on this split (grid of tenths), and the shipped ones' score."""
    from paperhub.search import related

    best: dict[str, object] = {}
    for signals in ((related.TERMS, related.DENSE, related.STATIC, related.TOPICS),
                    (related.TERMS, related.STATIC, related.TOPICS), (related.TERMS, related.DENSE, related.TOPICS),
                    (related.TERMS, related.TOPICS), (related.TERMS, related.DENSE, related.STATIC),
                    (related.TERMS, related.STATIC), (related.TERMS, related.DENSE)):
        results = []
        for combo in itertools.product(range(11), repeat=len(signals)):
            if sum(combo) != 10:
                continue
            weights = {s: c / 10 for s, c in zip(signals, combo, strict=True)}
            orders = {p: [doc_of[p]] + [doc_of[h.id] for h in s.fused(weights)] for p, s in found.items()
                      if s is not None}
            results.append((score(orders)["ndcg@20"], weights))
        results.sort(key=lambda r: -r[0])
        shipped = related.PROFILES[frozenset(signals)]
        best["+".join(signals)] = {"best": results[:3],
                                   "shipped": [r for r in results if r[1] == {**dict.fromkeys(signals, 0.0),
                                                                              **shipped}][0]}
    return best


if __name__ == "__main__":
    main()
