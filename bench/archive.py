"""The archive's counts: the time to count every month's feed entries (paperhub.papers.archive) on a big hub.

    python -m bench.archive --entries 400000 --json          # --work DIR keeps the scratch hub for the next run

A scratch hub (SQLite unless DATABASE_URL names another database) gets --entries papers, each in the feed of one
day drawn at random from April 1994 to 2026 (about 11,500 days). Reported: the median milliseconds of --repeat
calls of month_counts (the one grouped query and the sum per month) and archive_years, and how many months and
entries they counted.
"""

import json
import random
from datetime import UTC, date, datetime, timedelta

from bench import feed_hub, median_ms

FIRST_DAY = date(1994, 4, 1)


def fill(entries: int, seed: int) -> None:
    """Papers, each in one day's feed (the hub must be empty)."""
    from paperhub.papers.models import FeedEntry, Paper

    rng = random.Random(seed)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    Paper.objects.bulk_create([Paper(uid=f"bench.{i:07d}", title=f"Paper {i}", abstract="", source="bench",
                                     published=moment) for i in range(entries)], batch_size=10_000)
    FeedEntry.objects.bulk_create([FeedEntry(paper_id=paper_id, day=FIRST_DAY + timedelta(days=rng.randrange(11_500)),
                                             source="rule") for paper_id in Paper.objects.values_list("id", flat=True)],
                                  batch_size=10_000)


def main() -> None:
    args, temporary = feed_hub(__doc__ or "", "paperhub-archive-", 400_000, fill)
    from paperhub.papers import archive

    counts = archive.month_counts()
    result = {
        "entries": sum(counts.values()), "months": len(counts),
        "archive_ms": median_ms(lambda: archive.archive_years(archive.month_counts()), args.repeat),
    }
    if temporary is not None:
        temporary.cleanup()
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
