"""How long "For you" takes in a hub: building the candidate space, training a user's model, serving picks.

    PAPERHUB_DATA_DIR=DIR python -m bench.foryou --likes 30 --json

Runs against the hub configured by the environment (which must hold papers, e.g. the shared corpus ingested by
bench.web or `paperhub ingest snapshot`). A scratch user upvotes --likes random papers of the candidate window;
the user and their rows are deleted afterwards. Times are medians of --repeat runs. With the memory of what the
page showed full (SHOWN_KEPT rows): a cached page's picks, and a day's first visit (the picks and their write).
"""

import argparse
import datetime as dt
import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _medians_ms(functions: list, repeat: int) -> list[float]:  # noqa: ANN001
    """Each function's median time, the functions taking turns (so that a change in load falls on all alike)."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, spent in zip(functions, times, strict=True):
            started = time.perf_counter()
            function()
            spent.append((time.perf_counter() - started) * 1000)
    return [round(statistics.median(spent), 1) for spent in times]


def _median_ms(function, repeat: int) -> float:  # noqa: ANN001
    return _medians_ms([function], repeat)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--likes", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    import numpy as np
    from django.contrib.auth.models import User

    from paperhub.community.services import upvote
    from paperhub.papers.models import Paper
    from paperhub.recommend import queries, space, training
    from paperhub.recommend.models import Shown
    from paperhub.recommend.services import SHOWN_KEPT, not_interested, remember_shown

    started = time.perf_counter()
    built = space.refresh(force=True)
    assert built is not None
    build_s = time.perf_counter() - started
    today = dt.date.today()
    rng = np.random.default_rng(1)
    ids = [int(i) for i in rng.choice(built.ids, args.likes + args.repeat, replace=False)]
    user = User.objects.create_user(f"bench-foryou-{os.getpid()}")
    try:
        for paper in Paper.objects.filter(pk__in=ids[:args.likes]):
            upvote(user, paper, on=True)

        def cold() -> None:
            training._cache.clear()
            queries.for_you(user, limit=20)

        cold_ms = _median_ms(cold, args.repeat)
        warm_ms = _median_ms(lambda: queries.for_you(user, limit=20), args.repeat)
        extra = iter(Paper.objects.filter(pk__in=ids[args.likes:]))

        def after_feedback() -> None:  # a "not interested" click, then the page again: retrain and rank
            not_interested(user, next(extra), on=True)
            queries.for_you(user, limit=20)

        feedback_ms = _median_ms(after_feedback, args.repeat)
        picks = queries.for_you(user, limit=20)
        # what the page remembers showing (services.remember_shown): a memory kept full, a day per 20 papers
        remembered = built.ids[:SHOWN_KEPT]
        Shown.objects.bulk_create(Shown(user=user, paper_id=int(pid), shown_on=today - dt.timedelta(days=60 - i // 20))
                                  for i, pid in enumerate(remembered))
        model_order_ms, remembering_ms = _medians_ms([lambda: queries.for_you(user, limit=20),
                                                      lambda: queries.for_you(user, limit=20, today=today)],
                                                     args.repeat)
        days = iter(range(1, args.repeat + 1))

        def new_day() -> None:  # the first visit of a day: the picks' order with the memory, and its one write
            day = today + dt.timedelta(days=next(days))
            remember_shown(user, queries.for_you(user, limit=20, today=day), day)

        new_day_ms = _median_ms(new_day, args.repeat)
        kept = Shown.objects.filter(user=user).count()
    finally:
        user.delete()
    report = {"papers_in_space": len(built), "terms": len(built.vocabulary), "vectors": built.model,
              "days": (built.published.max() - built.published.min()) if len(built) else 0,
              "space_build_s": round(build_s, 1), "likes": args.likes,
              "for_you_cold_ms": cold_ms, "for_you_cached_ms": warm_ms, "for_you_after_feedback_ms": feedback_ms,
              "picks": len(picks), "explained": sum(1 for p in picks if p.reasons),
              "for_you_cached_model_order_ms": model_order_ms, "for_you_cached_remembering_ms": remembering_ms,
              "for_you_new_day_ms": new_day_ms,
              "shown_rows_kept": kept}
    print(json.dumps(report, indent=2 if args.json else None, default=int))


if __name__ == "__main__":
    main()
