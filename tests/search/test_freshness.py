"""End to end: with `paperhub index watch` running, a paper that lands is keyword-searchable within 10 s."""

import json
import os
import subprocess
import sys
import time

from tests.factories import snapshot_object, write_snapshot


def test_new_paper_searchable_within_10_seconds(tmp_path):
    env = {**os.environ, "PAPERHUB_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/hub.sqlite3"}
    cli = [sys.executable, "-m", "paperhub.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    first = write_snapshot(tmp_path / "a.jsonl", [snapshot_object("2501.00001", title="An Existing Paper")])
    subprocess.run([*cli, "ingest", "snapshot", str(first)], env=env, check=True, capture_output=True)
    watcher = subprocess.Popen([*cli, "index", "watch", "--interval", "1", "--dense-batch", "0", "--no-distill"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "search" / "keyword" / "CURRENT").exists():  # the first build
            assert time.monotonic() < deadline and watcher.poll() is None
            time.sleep(0.2)
        second = write_snapshot(tmp_path / "b.jsonl", [snapshot_object("2501.00002", title="Zebrafish Regeneration")])
        subprocess.run([*cli, "ingest", "snapshot", str(second)], env=env, check=True, capture_output=True)
        landed = time.monotonic()
        found = []
        while time.monotonic() - landed < 10 and not found:
            out = subprocess.run([*cli, "search", "zebrafish", "--mode", "keyword", "--json"], env=env,
                                 check=True, capture_output=True, text=True).stdout
            found = [r["id"] for r in json.loads(out)["results"]]
        assert found == ["2501.00002"], f"not searchable {time.monotonic() - landed:.1f} s after landing"
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
