"""Ingest speed and memory: a snapshot file into a fresh database.

    python -m bench.ingest --file ../shared/data/arxiv/recent-2025-2026.jsonl.xz --json
    python -m bench.ingest --file ... --database-url postgres://USER:PASS@HOST/DB --json   # a scratch database there

Runs `paperhub migrate` then `paperhub ingest snapshot FILE` as the user would, in a throwaway data
directory, and reports the ingest's wall time and the peak resident memory of its processes (the writer
and the parsing child). In the same run it measures the floor: the same file decompressed and every line
json-parsed on one core, writing nothing (`parse_floor_per_s`); `floor_ratio` is ingest's rate over it.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def parse_floor(file: Path, limit: int | None = None) -> float:
    """Papers per second of decompressing the file and json-parsing each line, nothing else, on one core."""
    import gzip
    import json as json_module
    import lzma

    started = time.perf_counter()
    count = 0
    opener = {".xz": lzma.open, ".gz": gzip.open}.get(file.suffix, open)
    with opener(file, "rb") as stream:
        for line in stream:
            if line.strip():
                json_module.loads(line)
                count += 1
                if limit and count >= limit:
                    break
    return count / (time.perf_counter() - started)


def _count_papers(url: str) -> int:
    from testbed.scratch import query_one

    return int(query_one(url, "SELECT count(*) FROM papers_paper")[0])


def run(file: Path, limit: int | None = None, keep: Path | None = None, database_url: str = "") -> dict:
    """Ingest `file` into a new database (SQLite, or a scratch one on `database_url`'s server) and measure it."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from testbed.scratch import drop_database, new_database

    with tempfile.TemporaryDirectory(prefix="paperhub-bench-") as tmp:
        data = keep or Path(tmp)
        url = new_database(data, database_url)
        try:
            return _run(file, limit, data, url)
        finally:
            drop_database(url)


def _run(file: Path, limit: int | None, data: Path, url: str) -> dict:
    env = {**os.environ, "PAPERHUB_DATA_DIR": str(data), "DATABASE_URL": url}
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
    papers = _count_papers(url)
    floor = parse_floor(file, limit)
    db = Path(url.removeprefix("sqlite:///"))
    return {
        "file": file.name,
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "papers": papers,
        "seconds": round(seconds, 2),
        "papers_per_s": round(papers / seconds, 1),
        "parse_floor_per_s": round(floor, 1),
        "floor_ratio": round(papers / seconds / floor, 3),
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
        "database_mb": round(db.stat().st_size / 2**20, 1) if db.is_file() else None,
        "summary": done.stdout.strip().splitlines()[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to make a scratch database on")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the default is a table)")
    args = parser.parse_args()
    result = run(args.file, args.limit, database_url=args.database_url)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>14}: {value}")


if __name__ == "__main__":
    main()
