"""Benchmarks: each module runs with `python -m bench.NAME --json` and prints its figures as JSON."""

import os
import tempfile
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
