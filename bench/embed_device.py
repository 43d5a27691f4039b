"""Transformer embedding on a device, a GPU when there is one, by batch size; and how close its vectors come to
another device's: what PAPERHUB_EMBED_DEVICE and PAPERHUB_EMBED_BATCH's defaults are chosen from.

    python -m bench.embed_device --json                                 # PAPERHUB_EMBED_DEVICE's default: auto
    python -m bench.embed_device --device cpu --texts 1000 --batches 32 --save-reference cpu.npy
    python -m bench.embed_device --device auto --batches 64,128,256,512,1024 --reference cpu.npy --json

Embeds "title. abstract" of the first --texts papers of a snapshot file as a hub parses them (default: ../shared's
recent file) with paperhub.search.embed.TransformerEmbedder, the class a hub embeds with (the bundled MiniLM, its
weights checked by sha256, 256 tokens, longest-first batches), once per batch size after a warm-up pass, and prints
papers/s for each. `load_s` is the model's load on the device, checksum included. --save-reference writes the
vectors of the texts (say on a CPU); --reference compares the first of this device's vectors with them (smallest
and mean cosine: a vector pack made on a GPU is imported by hubs that embed on CPUs). Needs no database: only
torch, sentence-transformers, Django and msgspec installed, so it runs on a GPU machine with little else of the
hub's.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from bench.embed import snapshot_texts
from paperhub.search.embed import TransformerEmbedder, batch_for, resolve_device

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "arxiv" / "recent-2025-2026.jsonl.xz"


def papers_per_s(embedder: TransformerEmbedder, texts: list[str], batch: int) -> float:
    """The rate of embedding `texts` in batches of `batch`, after a warm-up pass of a few batches."""
    embedder.batch_size = batch
    embedder.encode(texts[: 4 * batch])
    started = time.perf_counter()
    embedder.encode(texts)  # (copied back to the host as numpy: the device has finished when it returns)
    return len(texts) / (time.perf_counter() - started)


def run(file: Path, count: int, device: str, batches: list[int], reference: Path | None = None,
        save_reference: Path | None = None) -> dict:
    """Load the model on `device`, time it at each batch size and compare with the reference vectors."""
    import torch

    texts = snapshot_texts(file, count)
    resolved = resolve_device(device)
    started = time.perf_counter()
    embedder = TransformerEmbedder(device=resolved)
    load_s = time.perf_counter() - started
    rates = {str(batch): round(papers_per_s(embedder, texts, batch), 1) for batch in batches}
    result: dict = {
        "device": resolved,
        "device_name": torch.cuda.get_device_name(0) if resolved.startswith("cuda") else "cpu",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "texts": len(texts),
        "max_tokens": embedder.max_tokens,
        "load_s": round(load_s, 2),
        "papers_per_s": rates,
        "best_batch": int(max(rates, key=lambda b: rates[b])),
        "default_batch": batch_for(resolved),
    }
    if save_reference or reference:
        embedder.batch_size = batch_for(resolved)
        vectors = embedder.encode(texts)
        if save_reference:
            np.save(save_reference, vectors)
        if reference:
            theirs = np.load(reference)
            n = min(len(theirs), len(vectors))
            cosines = np.sum(theirs[:n] * vectors[:n], axis=1)
            result["agreement"] = {"vectors": n, "min_cosine": round(float(cosines.min()), 6),
                                   "mean_cosine": round(float(cosines.mean()), 6)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=SHARED, help="a snapshot file (JSON lines; plain or .xz)")
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--device", default="auto", help="auto (CUDA when torch sees it), cpu, cuda, cuda:1...")
    parser.add_argument("--batches", default="32,64,128,256,512,1024", help="comma-separated batch sizes")
    parser.add_argument("--reference", type=Path, help="vectors saved by --save-reference, to compare with")
    parser.add_argument("--save-reference", type=Path, help="write this device's vectors of the texts here")
    parser.add_argument("--json", action="store_true", help="print the figures on one line")
    args = parser.parse_args()
    if not args.file.is_file():
        sys.exit(f"no snapshot file at {args.file} (../shared/data: see its README)")
    result = run(args.file, args.texts, args.device, [int(b) for b in args.batches.split(",")], args.reference,
                 args.save_reference)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
