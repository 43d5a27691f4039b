"""Cut the bundled sample (paperhub/ingest/sample/) from an arXiv metadata snapshot file, reproducibly.

    python -m bench.sample ../shared/data/arxiv/recent-2025-2026.jsonl.xz --json

Keeps the papers of the default PAPERHUB_CATEGORIES (cs.CL, cs.LG, cs.AI, cs.CV, cross-lists included) in the
newest whole announcement days that add up to at most --papers, copies their lines unchanged and in order, and
writes them xz-compressed (preset 9, extreme) over paperhub/ingest/sample/arxiv-sample.jsonl.xz. The same input
gives the same file, byte for byte.
"""

import argparse
import json
import lzma
import os
from pathlib import Path

DEFAULT_CATEGORIES = ("cs.CL", "cs.LG", "cs.AI", "cs.CV")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--papers", type=int, default=3000, help="at most this many papers (whole days)")
    parser.add_argument("--out", type=Path, help="default: the bundled sample's path")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
    import django

    django.setup()
    from paperhub.ingest import bundled

    out = args.out or bundled.SAMPLE
    days = bundled.sample_days(bundled.sample_records(args.snapshot), DEFAULT_CATEGORIES, args.papers)
    with lzma.open(out, "wb", preset=9 | lzma.PRESET_EXTREME) as sink:
        copied = bundled.copy_lines(args.snapshot, frozenset(days), sink)
    facts = {
        "source": args.snapshot.name,
        "papers": copied,
        "days": len(set(days.values())),
        "first": min(days.values()).isoformat(),
        "last": max(days.values()).isoformat(),
        "bytes": out.stat().st_size,
    }
    print(json.dumps(facts, indent=2) if args.json else " ".join(f"{k}={v}" for k, v in facts.items()))


if __name__ == "__main__":
    main()
