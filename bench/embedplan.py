"""Planning the embed queue on a hub where most papers already have a transformer vector.

    python -m bench.embedplan --json                      # 300,000 papers, the newest 90% embedded
    python -m bench.embedplan --papers 1000000 --embedded 0.99 --json [--database-url postgres://...]

A scratch hub gets --papers papers (bare rows) and a stored vector (2 bytes, the planner does not read it) for the
newest --embedded share of them. Then, in milliseconds:
- `scan_from_newest_ms`: the query planning ran before it remembered where it stopped (search.missing_papers:
  the newest papers without a vector, walking past every embedded one), for a full queue's worth of papers;
- `first_plan_ms`: the first plan() of the hub, which does the same walk once;
- `next_plan_ms`: the median plan() once those batches are done (vectors stored), the steady state;
- `added_plan_ms`: plan() after --added new papers arrive at the top;
- `resting_plan_ms`: plan() once every paper has a vector and the walk rests;
- `resweep_ms`: the walk from the newest paper over a fully embedded hub, once per RESWEEP.
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return round((time.perf_counter() - started) * 1000, 1)


def _papers(count: int, first: int, start: datetime) -> None:
    from paperhub.papers.models import Paper

    for at in range(0, count, 50_000):
        Paper.objects.bulk_create([Paper(uid=f"bench:{first + i}", title=f"Paper {first + i}", source="bench",
                                         published=start + timedelta(minutes=first + i))
                                   for i in range(at, min(count, at + 50_000))])


def _embed(model: str, ids: list[int]) -> None:
    from paperhub.search.models import PaperVector

    for at in range(0, len(ids), 50_000):
        PaperVector.objects.bulk_create([PaperVector(paper_id=i, model=model, vector=b"\0\0")
                                         for i in ids[at:at + 50_000]], ignore_conflicts=True)


def _finish_queued(model: str) -> None:
    """As if the workers had done every queued batch: vectors stored, the tasks finished."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(queue_name="embed", status=TaskResultStatus.READY)
    _embed(model, [i for args in rows.values_list("args_kwargs", flat=True) for i in args["args"][1]])
    rows.update(status=TaskResultStatus.SUCCESSFUL)


def measure(papers: int, share: float, added: int) -> dict:
    """Build the scratch hub and time planning on it."""
    from django.conf import settings

    from paperhub import search
    from paperhub.jobs import embedding
    from paperhub.jobs.models import EmbedFrontier
    from paperhub.papers.models import Paper

    model = search.transformer_name()
    start = datetime(2000, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    _papers(papers, 0, start)
    newest_first = list(Paper.objects.order_by("-published", "-id").values_list("id", flat=True))
    _embed(model, newest_first[:int(papers * share)])
    result: dict = {"papers": papers, "embedded": int(papers * share), "batch_papers":
                    settings.PAPERHUB_EMBED_TASK_PAPERS, "batches": embedding.AHEAD,
                    "build_s": round(time.perf_counter() - started, 1)}
    want = embedding.AHEAD * settings.PAPERHUB_EMBED_TASK_PAPERS
    result["scan_from_newest_ms"] = _ms(lambda: search.missing_papers(model, want))
    result["first_plan_ms"] = _ms(embedding.plan)
    rounds = []
    for _ in range(5):
        _finish_queued(model)
        rounds.append(_ms(embedding.plan))
    result["next_plan_ms"] = statistics.median(rounds)
    _finish_queued(model)
    _papers(added, papers, start)
    result["added_plan_ms"] = _ms(embedding.plan)
    _embed(model, list(Paper.objects.values_list("id", flat=True)))
    _finish_queued(model)
    embedding.plan()  # the walk reaches the oldest paper
    result["resting_plan_ms"] = _ms(embedding.plan)
    EmbedFrontier.objects.filter(model=model).update(swept_at=datetime(2000, 1, 1, tzinfo=UTC))
    result["resweep_ms"] = _ms(embedding.plan)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=300_000)
    parser.add_argument("--embedded", type=float, default=0.9, help="the newest share of papers with a vector")
    parser.add_argument("--added", type=int, default=1000, help="new papers arriving at the top")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database for the scratch hub")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paperhub-bench-plan-") as tmp:
        os.environ["PAPERHUB_DATA_DIR"] = tmp
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/hub.sqlite3"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        result = measure(args.papers, args.embedded, args.added)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
