"""Vector packs: export and import speed over the 346K shared papers.

    python -m bench.vectors --json                                   # SQLite
    python -m bench.vectors --json --database-url postgres://...     # a scratch database on that server

A scratch hub ingests the shared arXiv snapshots (both files, or --limit papers) and is copied to a second hub
(the same papers, no vector ever stored: the small box a pack is for). The first stores a 384-dimension float16
vector under the transformer's name for every paper. The vectors are random unit vectors standing in for
MiniLM's: embedding 346K papers on this machine takes hours, and the speed of moving them does not depend on
their values (both are unit-length float16, incompressible alike). Then, each through `paperhub vectors` as a
user runs it: export all from the first hub to a pack; import the pack into the second (every paper matched by
uid). Rates are vectors per second of the command's own work (Imported/Exported.seconds), not Python's start-up.
(Importing into the first hub after deleting its vectors measured PostgreSQL's clean-up of the deleted rows as
much as the import: 30-40K vectors/s, and 3K/s in a run that autovacuum overlapped.)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(os.environ.get("PAPERHUB_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
CLI = [sys.executable, "-m", "paperhub.cli"]

FILL = """
import numpy as np
from django.db import connection
from paperhub.papers.models import Paper
from paperhub.search import embed
from paperhub.search.stored import store_vectors
ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
rng = np.random.default_rng(7)
for start in range(0, len(ids), 50000):
    chunk = ids[start:start + 50000]
    matrix = rng.standard_normal((len(chunk), 384)).astype(np.float32)
    store_vectors(embed.transformer_name(), chunk, matrix / np.linalg.norm(matrix, axis=1, keepdims=True))
print(len(ids))
"""
COUNT = "from paperhub.search.models import PaperVector; print(PaperVector.objects.count())"


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"paperhub {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to make a scratch database on")
    parser.add_argument("--limit", type=int, help="at most this many papers per snapshot file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from testbed.scratch import copy_database, drop_database, new_database

    with tempfile.TemporaryDirectory(prefix="paperhub-bench-vectors-") as tmp:
        work = Path(tmp)
        (work / "first").mkdir()
        (work / "second").mkdir()
        url = new_database(work / "first", args.database_url)
        env = {**os.environ, "PAPERHUB_DATA_DIR": str(work / "first"), "DATABASE_URL": url, "HF_HUB_OFFLINE": "1",
               "PAPERHUB_LOG_LEVEL": "WARNING"}
        urls = [url]
        try:
            _run(env, "migrate", "-v0")
            for name in ("recent-2025-2026.jsonl.xz", "archive-1986-2019.jsonl.xz"):
                _run(env, "ingest", "snapshot", str(SHARED / "arxiv" / name),
                     *(["--limit", str(args.limit)] if args.limit else []))
            second_url = copy_database(url, work / "second")
            urls.append(second_url)
            second = {**env, "PAPERHUB_DATA_DIR": str(work / "second"), "DATABASE_URL": second_url}
            papers = int(_run(env, "shell", "-v0", "-c", FILL).split()[-1])
            pack = work / "vectors.zip"
            started = time.perf_counter()
            exported = _run(env, "vectors", "export", str(pack))
            export_wall = time.perf_counter() - started
            export_s = float(re.search(r"in ([\d.]+) s", exported).group(1))  # type: ignore[union-attr]
            before = int(_run(second, "shell", "-v0", "-c", COUNT).split()[-1])
            started = time.perf_counter()
            imported = _run(second, "vectors", "import", str(pack))
            import_wall = time.perf_counter() - started
            import_s = float(re.search(r"read in ([\d.]+) s", imported).group(1))  # type: ignore[union-attr]
            stored = int(_run(second, "shell", "-v0", "-c", COUNT).split()[-1])
            pack_mb = round(pack.stat().st_size / 2**20, 1)
        finally:
            for each in urls:
                drop_database(each)
    result = {
        "database": "postgresql" if args.database_url else "sqlite",
        "vectors": papers,
        "dimensions": 384,
        "pack_mb": pack_mb,
        "export_s": export_s,
        "export_per_s": round(papers / export_s),
        "export_command_s": round(export_wall, 2),
        "import_s": import_s,
        "import_per_s": round(papers / import_s),
        "import_command_s": round(import_wall, 2),
        "stored_before_import": before,
        "stored_after_import": stored,
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
