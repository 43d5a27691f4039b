"""Code links and project pages found in abstracts and comments (paperhub/papers/links.py), on real papers.

    python -m bench.links --json                  coverage over ../shared/data/arxiv/recent-2025-2026.jsonl.xz
    python -m bench.links --sample 50 --seed 18   a random sample of papers with a link, to check by hand

Coverage: of the file's papers, how many name github.com/<owner>/<repo> anywhere in the abstract or comments (the
text alone, by a plain pattern), how many get a code link, a project page; and the extractor's speed. The sample
prints each chosen link beside the text around every URL of the paper, for a person to judge.
"""

import argparse
import json
import lzma
import os
import random
import re
import time
from pathlib import Path

from paperhub.papers.links import find_links

SHARED = Path(os.environ.get("PAPERHUB_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
RECENT = SHARED / "arxiv" / "recent-2025-2026.jsonl.xz"
NAMES_REPO = re.compile(r"github\s*\.\s*com/\s*[\w.-]+/\s*[\w.-]+", re.I)
URLISH = re.compile(r"\S*(?:https?://|github\.|www\.)\S*", re.I)


def _papers(path: Path) -> list[tuple[str, str, str]]:
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        rows = (json.loads(line) for line in lines)
        return [(r["id"], r.get("abstract") or "", r.get("comments") or "") for r in rows]


def coverage(papers: list[tuple[str, str, str]]) -> dict[str, float]:
    """How many papers name a repository, and how many get a code link and a project page; µs per paper."""
    start = time.perf_counter()
    found = [find_links(abstract, comments) for _, abstract, comments in papers]
    seconds = time.perf_counter() - start
    return {
        "papers": len(papers),
        "name_a_github_repository": sum(bool(NAMES_REPO.search(f"{a}\n{c}")) for _, a, c in papers),
        "code_links": sum(bool(f.code_url) for f in found),
        "project_pages": sum(bool(f.project_url) for f in found),
        "either": sum(bool(f.code_url or f.project_url) for f in found),
        "us_per_paper": round(seconds / max(1, len(papers)) * 1e6, 1),
    }


def sample(papers: list[tuple[str, str, str]], size: int, seed: int) -> None:
    """Print `size` random papers that got a link: each link chosen, and every URL-like token with its context."""
    linked = [(p, find_links(p[1], p[2])) for p in papers]
    linked = [(p, f) for p, f in linked if f.code_url or f.project_url]
    for (uid, abstract, comments), found in random.Random(seed).sample(linked, size):
        text = f"{abstract} || {comments}"
        print(f"== {uid}\n   code:    {found.code_url or '-'}\n   project: {found.project_url or '-'}")
        for match in URLISH.finditer(text):
            print(f"   … {text[max(0, match.start() - 90):match.end() + 10]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=RECENT)
    parser.add_argument("--json", action="store_true", help="print the coverage as JSON")
    parser.add_argument("--sample", type=int, default=0, help="print this many linked papers to check by hand")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    papers = _papers(args.file)
    if args.sample:
        sample(papers, args.sample, args.seed)
        return
    print(json.dumps(coverage(papers), indent=None if args.json else 2))


if __name__ == "__main__":
    main()
