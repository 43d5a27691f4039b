"""Benchmarks: each module runs with `python -m bench.NAME --json` and prints its figures as JSON."""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def scratch_hub(work: Path | None, prefix: str) -> tuple[Path, tempfile.TemporaryDirectory[str] | None]:
    """Point Django at a hub in `work` (a new temporary directory when None: the second value, to clean up) and
    set it up: a SQLite database there unless DATABASE_URL names another."""
    temporary = None if work else tempfile.TemporaryDirectory(prefix=prefix)
    work = work or Path(temporary.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    os.environ["PAPERHUB_DATA_DIR"] = str(work)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work}/hub.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperhub.settings"
    import django

    django.setup()
    return work, temporary


def median_ms(call: Callable[[], object], repeat: int) -> float:
    """The median of `repeat` calls' wall times, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def feed_hub(doc: str, prefix: str, entries: int, fill: Callable[[int, int], None],
             entries_help: str | None = None) -> tuple[argparse.Namespace, tempfile.TemporaryDirectory[str] | None]:
    """A feed benchmark's arguments (--entries, --repeat, --seed, --work, --json) and its scratch hub, migrated and
    filled by `fill(entries, seed)` unless it holds feed entries already (a kept --work hub)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=entries, help=entries_help)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    _, temporary = scratch_hub(args.work, prefix)
    from django.core.management import call_command

    from paperhub.papers.models import FeedEntry

    call_command("migrate", verbosity=0)
    if not FeedEntry.objects.exists():
        fill(args.entries, args.seed)
    return args, temporary
