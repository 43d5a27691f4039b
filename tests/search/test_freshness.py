"""End to end: with `paperhub index watch` running, a paper that lands is keyword-searchable within 10 s."""

import json
import time

from tests.factories import snapshot_object


def test_new_paper_searchable_within_10_seconds(hub, tmp_path):
    hub.ingest("a.jsonl", [snapshot_object("2501.00001", title="An Existing Paper")])
    watcher = hub.start("index", "watch", "--interval", "1", "--dense-batch", "0", "--no-distill")
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "search" / "keyword" / "CURRENT").exists():  # the first build
            assert time.monotonic() < deadline and watcher.poll() is None
            time.sleep(0.2)
        hub.ingest("b.jsonl", [snapshot_object("2501.00002", title="Zebrafish Regeneration")])
        landed = time.monotonic()
        found = []
        while time.monotonic() - landed < 10 and not found:
            out = hub.run("search", "zebrafish", "--mode", "keyword", "--json").stdout
            found = [r["id"] for r in json.loads(out)["results"]]
        assert found == ["2501.00002"], f"not searchable {time.monotonic() - landed:.1f} s after landing"
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
