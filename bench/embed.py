"""Embedding throughput: the hub's indexing pipeline against plain SentenceTransformer.encode.

    python -m bench.embed --json

Both embed the same arXiv abstracts (title + abstract) in the same run: `plain` is
SentenceTransformer.encode as documentation shows it (batch 32, input order); `pipeline` is
paperhub.search.embed.TransformerEmbedder (longest-first batches, same model and max tokens);
`static` is the distilled model2vec model the hub gives every paper at once.
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "arxiv" / "recent-2025-2026.jsonl.xz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=400)
    parser.add_argument("--file", type=Path, default=SHARED)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    import numpy as np
    from django.conf import settings

    from paperhub.ingest.snapshot import read_snapshot
    from paperhub.papers.records import PaperRecord
    from paperhub.search import embed

    texts = []
    for record in read_snapshot(args.file):
        if isinstance(record, PaperRecord):
            texts.append(embed.paper_text(record.title, record.abstract))
        if len(texts) >= args.papers:
            break
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


if __name__ == "__main__":
    main()
