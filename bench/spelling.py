""""Did you mean" (search/spelling.py): typos recovered, real words left alone, and the cost, on a hub of arXiv papers.

    python -m bench.spelling --file ../shared/data/arxiv/recent-2025-2026.jsonl.xz --json [--work DIR]

Builds a scratch hub of the file through the real paths (`paperhub ingest snapshot`, `paperhub index update`;
--work keeps it for the next run), then asks spelling.suggest() three sets of queries:

- `typos`: words of five letters or more drawn from the hub's titles (in 20+ papers), each given one random edit
  (a letter dropped, added, changed, or two swapped; seeded) that makes it no word of the hub. `recovered`: the
  correction offered is the word itself (or the same word with another ending: same stem), `wrong`: another word,
  `none`: nothing offered.
- `folded`: the same, but typos the stemmer folds back onto the word's stem ("reinforcment" stems as
  "reinforcement", so papers hold it), in no title of either file: `recovered` as above.
- `two_edits`: words of eight letters or more (TWO_EDITS_LENGTH) from the same titles, each given two random edits
  (--seed) that leave it two edits from the word and no word of the hub ("trnasformre"): `recovered` as above.
- `real_words`: words of five letters or more from --other-file's titles (default: the 1986-2019 archive) that no
  paper of this hub holds; a correction offered for one is a false offer ("graphene" -> "grapheme" on a small hub).
- `known`: words the hub holds (in 1-20 papers): an offer is a false one too.

And the cost: milliseconds per suggest() call, p50 and max, for each set.
"""

import argparse
import json
import lzma
import os
import random
import re
import statistics
import string
import sys
import time
from collections import Counter
from pathlib import Path

from bench import scratch_hub

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
WORD = re.compile(r"[A-Za-z]{5,}")


def title_words(path: Path, limit: int | None = None) -> Counter[str]:
    """How many titles of a snapshot file hold each lowercase word of five letters or more."""
    counts: Counter[str] = Counter()
    with lzma.open(path, "rt") as stream:
        for n, line in enumerate(stream):
            if limit is not None and n >= limit:
                break
            counts.update({w.lower() for w in WORD.findall(json.loads(line).get("title", ""))})
    return counts


def typo(word: str, rng: random.Random) -> str:
    """One random edit of a word."""
    i = rng.randrange(len(word))
    kind = rng.choice(("drop", "swap", "change", "add"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    letter = rng.choice(string.ascii_lowercase)
    return word[:i] + letter + word[i + 1:] if kind == "change" else word[:i] + letter + word[i:]


def timed(suggest, queries: list[str]) -> tuple[list[str | None], list[float]]:  # type: ignore[no-untyped-def]
    offers, ms = [], []
    for query in queries:
        started = time.perf_counter()
        found = suggest(query)
        ms.append((time.perf_counter() - started) * 1000)
        offers.append(found.query.lower() if found else None)
    return offers, ms


def cost(ms: list[float]) -> dict[str, float]:
    return {"ms_p50": round(statistics.median(ms), 2), "ms_max": round(max(ms), 2)}


def share(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def false_offers(suggest, words: list[str]) -> dict:  # type: ignore[no-untyped-def]
    """How often a correction is offered for words that are not misspelt, the cost, and a few of the offers."""
    offers, ms = timed(suggest, words)
    offered = [f"{w} -> {o}" for w, o in zip(words, offers, strict=True) if o is not None]
    return {"queries": len(words), "false_offers": share([o is not None for o in offers]), **cost(ms),
            "examples": offered[:8]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=SHARED / "arxiv" / "recent-2025-2026.jsonl.xz")
    parser.add_argument("--other-file", type=Path, default=SHARED / "arxiv" / "archive-1986-2019.jsonl.xz")
    parser.add_argument("--words", type=int, default=300, help="queries in each set (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=13,
                        help="seed of the two_edits set's typos (default: %(default)s, the set of earlier runs)")
    parser.add_argument("--work", type=Path, help="scratch directory to keep (default: a temporary one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work, temporary = scratch_hub(args.work, "paperhub-spelling-")
    from django.core.management import call_command

    from paperhub.papers.models import Paper
    from paperhub.search import spelling
    from paperhub.search.keyword import STEMMED
    from paperhub.search.keyword_files import keyword_index
    from paperhub.search.typos import edits

    started = time.perf_counter()
    if not (work / "built").exists():
        with open(os.devnull, "w") as quiet:
            call_command("migrate", verbosity=0)
            call_command("ingest", "snapshot", str(args.file), stdout=quiet)
            call_command("index", "update", stdout=quiet)
        (work / "built").touch()
    build_s = time.perf_counter() - started
    index = keyword_index()
    assert index is not None
    searcher = index.searcher()

    rng = random.Random(7)
    ours = title_words(args.file)
    common = sorted(w for w, n in ours.items() if n >= 20)
    typos: list[tuple[str, str]] = []
    while len(typos) < args.words:
        word = rng.choice(common)
        typed = typo(word, rng)
        if len(typed) >= 5 and spelling.papers_holding(searcher, typed) == 0:
            typos.append((word, typed))
    theirs = title_words(args.other_file, limit=200_000)
    absent = sorted(w for w, n in theirs.items() if n >= 3 and w not in ours
                    and spelling.papers_holding(searcher, w) == 0)
    real = rng.sample(absent, min(args.words, len(absent)))
    known = rng.sample(sorted(w for w, n in ours.items() if 1 <= n < 20), args.words)
    folded: list[tuple[str, str]] = []
    folding = random.Random(11)  # its own: the other sets stay those of earlier runs
    for _ in range(200 * args.words):  # a few in a hundred typos fold
        if len(folded) >= args.words:
            break
        word = folding.choice(common)
        typed = typo(word, folding)
        if (len(typed) >= 5 and typed not in ours and typed not in theirs
                and STEMMED.analyze(typed) == STEMMED.analyze(word)):
            folded.append((word, typed))

    twice: list[tuple[str, str]] = []
    doubling = random.Random(args.seed)  # its own: the other sets stay those of earlier runs
    long_words = [w for w in common if len(w) >= spelling.TWO_EDITS_LENGTH]
    while len(twice) < args.words:
        word = doubling.choice(long_words)
        typed = typo(typo(word, doubling), doubling)
        if (len(typed) >= spelling.TWO_EDITS_LENGTH and typed != word and typed not in edits(word)
                and spelling.papers_holding(searcher, typed) == 0):
            twice.append((word, typed))

    def suggest(query: str):  # type: ignore[no-untyped-def]
        return spelling.suggest(index, query)

    def recovered(pairs: list[tuple[str, str]]) -> dict:  # type: ignore[type-arg]
        offers, ms = timed(suggest, [t for _, t in pairs])
        same = [o is not None and STEMMED.analyze(o) == STEMMED.analyze(w) for (w, _), o in zip(pairs, offers,
                                                                                                 strict=True)]
        return {"queries": len(pairs), "recovered": share(same),
                "wrong": share([o is not None and not ok for o, ok in zip(offers, same, strict=True)]),
                "none": share([o is None for o in offers]), **cost(ms),
                "examples": [f"{t} -> {o}" for (_, t), o in list(zip(pairs, offers, strict=True))[:8]]}

    result = {
        "papers": Paper.objects.count(),
        "typos": recovered(typos),
        "folded": recovered(folded),
        "two_edits": recovered(twice),
        "real_words": false_offers(suggest, real),
        "known": false_offers(suggest, known),
        "build_s": round(build_s, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        json.dump(result, sys.stdout, indent=2)
        print()


if __name__ == "__main__":
    main()
