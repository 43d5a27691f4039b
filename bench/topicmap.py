"""The topic map's build time and memory over a prepared hub (bench.load's --work directory: the whole corpus).

    python -m bench.load --clients 1 --seconds 1 --work DIR     # once, to prepare the hub
    python -m bench.topicmap --work DIR --json

Runs `paperhub map build` as a user would (a subprocess, the default 30,000 landmarks and 24 topics) and
reports its steps' seconds, the total wall time, the peak memory of the process, and the map's size.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True, help="a hub prepared by bench.load")
    parser.add_argument("--landmarks", type=int, default=30000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "PAPERHUB_DATA_DIR": str(args.work),
           "DATABASE_URL": (args.work / "database.url").read_text().strip(), "PAPERHUB_LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "paperhub.cli", "map", "build", "--landmarks", str(args.landmarks)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    meta = json.loads((args.work / "search" / "map" / "meta.json").read_text())
    result = {"papers": meta["papers"], "landmarks": meta["landmarks"], "wall_seconds": round(wall, 1),
              "steps_seconds": meta["seconds"], "peak_rss_mb": round(peak_kb / 1024),
              "topics": sum(1 for c in meta["clusters"] if c["level"] == "top"),
              "map_file_mb": round((args.work / "search" / "map" / "points.npz").stat().st_size / 2**20, 1),
              "largest_topics": [c["terms"] for c in sorted(meta["clusters"], key=lambda c: -c["size"])
                                 if c["level"] == "top"][:8]}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
