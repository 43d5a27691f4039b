"""Ingest speed and memory: a snapshot file into a fresh SQLite database.

    python -m bench.ingest --file ../shared/data/arxiv/recent-2025-2026.jsonl.xz --json

Runs `paperhub migrate` then `paperhub ingest snapshot FILE` as the user would, in a throwaway data
directory, and reports the ingest's wall time and the peak resident memory of its processes (the writer
and the parsing child).
"""

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(file: Path, limit: int | None = None, keep: Path | None = None) -> dict:
    """Ingest `file` into a new SQLite database and measure it."""
    with tempfile.TemporaryDirectory(prefix="paperhub-bench-") as tmp:
        data = keep or Path(tmp)
        db = data / "bench.sqlite3"
        env = {**os.environ, "PAPERHUB_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{db}"}
        cli = [sys.executable, "-m", "paperhub.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
        command = [*cli, "ingest", "snapshot", str(file)] + (["--limit", str(limit)] if limit else [])
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if done.returncode != 0:
            sys.exit(f"ingest failed: {done.stderr.strip()}")
        with sqlite3.connect(db) as conn:
            papers = conn.execute("SELECT count(*) FROM papers_paper").fetchone()[0]
        return {
            "file": file.name,
            "papers": papers,
            "seconds": round(seconds, 2),
            "papers_per_s": round(papers / seconds, 1),
            "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
            "database_mb": round(db.stat().st_size / 2**20, 1),
            "summary": done.stdout.strip().splitlines()[-1],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the default is a table)")
    args = parser.parse_args()
    result = run(args.file, args.limit)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>14}: {value}")


if __name__ == "__main__":
    main()
