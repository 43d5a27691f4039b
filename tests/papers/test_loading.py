"""A bulk load on PostgreSQL checks its links' foreign keys once, at its end; a load killed midway leaves them
dropped and recorded, and they come back (orphans deleted, keys validated) before the next migration or load."""

import os
import signal
import subprocess

import pytest

from testbed.scratch import is_postgres, query_one
from tests.factories import snapshot_object, wait_until, write_snapshot

pytestmark = pytest.mark.skipif(not is_postgres(os.environ.get("DATABASE_URL", "")),
                                reason="foreign keys are dropped for bulk loads on PostgreSQL only")

LINK_KEYS = ("SELECT count(*) FILTER (WHERE convalidated), count(*) FROM pg_constraint WHERE contype = 'f' AND "
             "conrelid::regclass::text IN ('papers_paperauthor', 'papers_papercategory', 'papers_feedentry')")


def test_a_killed_bulk_load_gets_its_foreign_keys_back(hub, tmp_path):
    url = hub.database_url
    papers = 3000
    path = write_snapshot(tmp_path / "load.jsonl", [snapshot_object(f"2502.{i:05d}", title=f"Paper number {i}")
                                                    for i in range(papers)])
    assert query_one(url, LINK_KEYS) == (5, 5)
    hub.env["PAPERHUB_INGEST_BATCH"] = "10"  # hundreds of commits: slow enough to be killed midway
    load = subprocess.Popen([*hub.cli, "ingest", "snapshot", str(path)], env=hub.env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: query_one(url, "SELECT count(*) FROM papers_paper")[0] > 0, 60, "the first papers")
        os.killpg(load.pid, signal.SIGKILL)  # the writer and its parsing process
        load.wait()
    finally:
        if load.poll() is None:
            os.killpg(load.pid, signal.SIGKILL)
    assert query_one(url, "SELECT count(*) FROM papers_paper")[0] < papers  # killed midway
    assert query_one(url, LINK_KEYS) == (0, 0)  # dropped for the load...
    assert query_one(url, "SELECT count(*) FROM papers_suspendedforeignkey") == (5,)  # ...and recorded

    # Meanwhile a row pointing nowhere gets in (a paper deleted during a load, say).
    query_one(url, "INSERT INTO papers_paperauthor (position, author_id, paper_id) "
                   "SELECT 99, min(id), 999999999 FROM papers_author")
    hub.run("migrate", "-v0")  # restores what a killed load left, before migrating
    assert query_one(url, LINK_KEYS) == (5, 5)
    assert query_one(url, "SELECT count(*) FROM papers_suspendedforeignkey") == (0,)
    assert query_one(url, "SELECT count(*) FROM papers_paperauthor WHERE paper_id = 999999999") == (0,)

    hub.env["PAPERHUB_INGEST_BATCH"] = "1000"
    hub.run("ingest", "snapshot", str(path))  # the rerun lands the rest, and leaves every key as it was
    assert query_one(url, "SELECT count(*) FROM papers_paper") == (papers,)
    assert query_one(url, "SELECT count(DISTINCT paper_id) FROM papers_paperauthor") == (papers,)
    assert query_one(url, LINK_KEYS) == (5, 5)
    assert query_one(url, "SELECT count(*) FROM papers_suspendedforeignkey") == (0,)
