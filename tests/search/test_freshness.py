"""End to end: with `paperhub index watch` running, a paper that lands is keyword-searchable, and has a similar
list, within 10 s."""

import json
import time

from tests.factories import snapshot_object


def test_new_paper_searchable_and_with_similar_papers_within_10_seconds(hub, tmp_path):
    hub.ingest("a.jsonl", [snapshot_object("2501.00001", title="An Existing Paper"),
                           snapshot_object("2501.00003", title="Zebrafish Heart Regeneration",
                                           abstract="Zebrafish regrow heart muscle after injury.")])
    watcher = hub.start("index", "watch", "--interval", "1", "--no-distill")
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "search" / "keyword" / "CURRENT").exists():  # the first build
            assert time.monotonic() < deadline and watcher.poll() is None
            time.sleep(0.2)
        hub.ingest("b.jsonl", [snapshot_object("2501.00002", title="Zebrafish Fin Regeneration",
                                               abstract="How zebrafish regrow their fins.")])
        landed = time.monotonic()
        found = []
        while time.monotonic() - landed < 10 and "2501.00002" not in found:
            out = hub.run("search", "zebrafish", "--mode", "keyword", "--json").stdout
            found = [r["id"] for r in json.loads(out)["results"]]
        assert "2501.00002" in found, f"not searchable {time.monotonic() - landed:.1f} s after landing"
        similar = json.loads(hub.run("similar", "2501.00002", "--json").stdout)["similar"]
        assert similar[0]["id"] == "2501.00003" and time.monotonic() - landed < 10, "no similar list within 10 s"
        assert similar[0]["reasons"][0]["label"] == "same key terms"
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
