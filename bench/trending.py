"""Trending over a month: the time to rank a month of feed entries by trending_score, first page and a deep one.

    python -m bench.trending --entries 45000 --json          # --work DIR keeps the scratch hub for the next run

A scratch hub (SQLite unless DATABASE_URL names another database) gets --entries papers spread over the 30 days
of November 2026, every one with votes (heavy-tailed: most 1 or 2, a few hundreds), a third submitted at a moment
of their day, a tenth placed on two days. Reported: the median milliseconds of --repeat calls of period_papers
with order="trending" for the first page (50) and a page at offset 10,000, the same for the most upvoted first
(order="votes"), and whether the first pages equal the reference ranking (every voted entry scored in Python by
trending_score, each paper at its best-scoring entry).
"""

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench import feed_hub, median_ms

NOW = datetime(2026, 12, 1, 6, tzinfo=UTC)


def fill(entries: int, seed: int) -> None:
    """Papers and feed entries over November 2026, all voted (the hub must be empty)."""
    from paperhub.papers.models import FeedEntry, Paper

    rng = random.Random(seed)
    first = datetime(2026, 11, 1, tzinfo=UTC)
    Paper.objects.bulk_create([Paper(uid=f"2611.{i:05d}", title=f"Paper {i}", abstract="", source="bench",
                                     published=first + timedelta(minutes=i), upvotes=rng.randrange(3))
                               for i in range(entries)], batch_size=5000)
    rows = []
    for paper_id in Paper.objects.values_list("id", flat=True):
        days = rng.sample(range(30), 2 if rng.random() < 0.1 else 1)
        for offset in days:
            day = date(2026, 11, 1) + timedelta(days=offset)
            moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(seconds=rng.randrange(86400))
            rows.append(FeedEntry(paper_id=paper_id, day=day, source="hf",
                                  external_upvotes=1 + int(rng.paretovariate(1.2)) % 500,
                                  submitted_at=moment if rng.random() < 0.33 else None))
    FeedEntry.objects.bulk_create(rows, batch_size=5000)


def reference(period: Any, count: int) -> list[str]:
    """The first `count` uids by trending_score, every voted entry scored in Python (the order to keep)."""
    from django.conf import settings

    from paperhub.papers import feeds

    best: dict[str, tuple[float, int]] = {}
    voted = feeds._feed_entries(period, "").annotate(votes=feeds.VOTES).filter(votes__gt=0)
    for entry_id, uid, votes, submitted_at, day in voted.values_list("id", "paper__uid", "votes", "submitted_at",
                                                                     "day"):
        placed = submitted_at or datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        score = feeds.trending_score(votes, (NOW - placed).total_seconds() / 3600, settings.PAPERHUB_TRENDING_GRAVITY)
        if uid not in best or score > best[uid][0]:
            best[uid] = (score, entry_id)
    return sorted(best, key=lambda uid: (-best[uid][0], -best[uid][1]))[:count]


def main() -> None:
    args, temporary = feed_hub(__doc__ or "", "paperhub-trending-", 45_000, fill,
                               "papers (about 10%% more feed entries)")
    from paperhub.papers import feeds, periods
    from paperhub.papers.models import FeedEntry

    month = periods.month_period(date(2026, 11, 1))

    def page(offset: int, order: str) -> list[str]:
        return [p.uid for p in feeds.period_papers(month, offset=offset, limit=50, order=order, now=NOW)[0]]

    result = {
        "entries": FeedEntry.objects.count(),
        "trending_first_page_ms": median_ms(lambda: page(0, "trending"), args.repeat),
        "trending_offset_10000_ms": median_ms(lambda: page(10_000, "trending"), args.repeat),
        "votes_first_page_ms": median_ms(lambda: page(0, "votes"), args.repeat),
        "same_order_as_reference": page(0, "trending") + page(50, "trending") == reference(month, 100),
    }
    if temporary is not None:
        temporary.cleanup()
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
