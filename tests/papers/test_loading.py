"""A bulk load checks its links' foreign keys once, at its end. On PostgreSQL a load killed midway leaves them
dropped and recorded, and they come back (orphans deleted, keys validated) before the next migration or load; on
SQLite the load turns its own connection's checks off, and deletes the rows it added that point nowhere."""

import os
import signal
import subprocess
import threading
import time

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperhub.papers import loading
from paperhub.papers.loading import restore
from paperhub.papers.models import PaperAuthor
from paperhub.papers.services import bulk_load, upsert_papers
from testbed.scratch import is_postgres, query_one
from tests.factories import record, snapshot_object, wait_until, write_snapshot

on_postgres = pytest.mark.skipif(not is_postgres(os.environ.get("DATABASE_URL", "")),
                                 reason="foreign keys are dropped for bulk loads on PostgreSQL only")

LINK_KEYS = ("SELECT count(*) FILTER (WHERE convalidated), count(*) FROM pg_constraint WHERE contype = 'f' AND "
             "conrelid::regclass::text IN ('papers_paperauthor', 'papers_papercategory', 'papers_feedentry')")


@on_postgres
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


def _keys_checked() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_on_sqlite_checks_its_keys_after_each_batch_and_at_its_end():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's switch")
    upsert_papers([record("2501.00001")])
    before = PaperAuthor.objects.get(paper__uid="2501.00001", position=0)
    with connection.cursor() as cursor:  # a row pointing nowhere from before the load is not the load's to mend
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("INSERT INTO papers_paperauthor (position, author_id, paper_id) VALUES (7, 999999, %s)",
                       [before.paper_id])
        cursor.execute("PRAGMA foreign_keys = ON")
    orphan = ("INSERT INTO papers_paperauthor (position, author_id, paper_id) "
              "SELECT %s, 999999, id FROM papers_paper WHERE uid = '2501.00002'")
    with bulk_load() as check_keys:
        assert not _keys_checked()
        upsert_papers([record("2501.00002"), record("2501.00003")])
        with connection.cursor() as cursor:  # one gets in during the load (an author deleted meanwhile, say)
            cursor.execute(orphan, [9])
        check_keys()  # as after each batch
        assert not PaperAuthor.objects.filter(position=9).exists()
        with connection.cursor() as cursor:  # and one after the last batch's check
            cursor.execute(orphan, [8])
    assert _keys_checked()
    assert sorted(PaperAuthor.objects.values_list("paper__uid", "position")) == [
        ("2501.00001", 0), ("2501.00001", 1), ("2501.00001", 7), ("2501.00002", 0), ("2501.00002", 1),
        ("2501.00003", 0), ("2501.00003", 1)]


@on_postgres
def test_keys_come_back_beside_another_loads_batch(transactional_db):
    """A load's end adds its keys back while another load's batch has written papers and goes on to place them in
    the feed: the end waits for that batch to commit (taken key by key, the two locked each other: deadlock)."""
    upsert_papers([record("2501.00001")])
    tables = ["papers_paperauthor", "papers_papercategory", "papers_feedentry"]
    load = bulk_load()
    load.__enter__()  # the keys dropped and noted, as while a load runs
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    with psycopg.connect(url) as batch:  # another load's batch: its papers first...
        paper = batch.execute("INSERT INTO papers_paper (uid, version, title, abstract, comments, journal_ref, doi, "
                              "report_no, license, code_url, project_url, organization, source, added_at, "
                              "changed_at, upvotes) VALUES ('2501.00002', 1, 't', '', '', '', '', '', '', '', '', '', "
                              "'test', now(), now(), 0) RETURNING id").fetchone()[0]
        outcome: list[object] = []

        def end_of_load() -> None:
            try:
                outcome.append(restore(tables))
            except Exception as exc:  # noqa: BLE001 (the deadlock, when there is one)
                outcome.append(exc)
            finally:
                connection.close()

        ending = threading.Thread(target=end_of_load)
        ending.start()
        wait_until(lambda: outcome or query_one(url, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type "
                                              "= 'Lock'")[0] > 0, 30, "the end of the load waiting for the batch")
        # ...then its feed entries; the batch commits
        batch.execute("INSERT INTO papers_feedentry (paper_id, day, source, submitted_by, external_upvotes, added_at) "
                      "VALUES (%s, '2025-01-07', 'rule', '', 0, now())", [paper])
        batch.commit()
        ending.join(60)
    assert outcome == [5]  # every key back, no deadlock
    assert query_one(url, LINK_KEYS) == (5, 5)
    load.__exit__(None, None, None)


@on_postgres
def test_a_bulk_loads_end_analyses_the_tables_its_key_checks_read_once(transactional_db):
    """The keys' checks are planned on fresh statistics (a table analysed while empty made one a nested loop over
    both tables: minutes), and each table is analysed once, however many of its keys are checked."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE papers_paperauthor")  # analysed while empty, as a new hub's autovacuum may have
    with CaptureQueriesContext(connection) as ran, bulk_load():
        upsert_papers([record(f"2501.{i:05d}", authors=(f"Ann Lee{i}", f"Bo Chen{i}")) for i in range(40)])
    analyses = [query["sql"] for query in ran.captured_queries if query["sql"].startswith("ANALYZE")]
    validations = [query["sql"] for query in ran.captured_queries if "VALIDATE CONSTRAINT" in query["sql"]]
    assert len(validations) == 5 and len(analyses) == 1  # five keys, one ANALYZE before them
    assert sorted(analyses[0].removeprefix("ANALYZE ").replace('"', "").split(", ")) == [
        "papers_author", "papers_category", "papers_feedentry", "papers_paper", "papers_paperauthor",
        "papers_papercategory"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN ('papers_paperauthor', "
                       "'papers_author', 'papers_paper')")
        assert dict(cursor.fetchall()) == {"papers_paperauthor": 80, "papers_author": 80, "papers_paper": 40}


@pytest.mark.django_db
def test_a_new_sqlite_database_has_16_kb_pages():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page size")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_size")
        assert cursor.fetchone()[0] == 16384
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


@on_postgres
def test_a_load_whose_tables_stay_busy_keeps_its_keys_and_holds_up_queries_briefly(transactional_db, monkeypatch):
    """Dropping a key waits for its locks at most LOCK_TIMEOUT a try (queries of the papers queue behind the wait),
    LOCK_ATTEMPTS tries; then the load goes on with its keys checked row by row."""
    monkeypatch.setattr(loading, "LOCK_ATTEMPTS", 2)
    monkeypatch.setattr(loading, "LOCK_PAUSE", 0)
    upsert_papers([record("2501.00001")])
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    with psycopg.connect(url) as reader:  # a long query, its transaction open: it holds the papers' table
        reader.execute("SELECT count(*) FROM papers_paper").fetchone()
        started = time.monotonic()
        with bulk_load() as check_keys:
            waited = time.monotonic() - started
            assert check_keys is loading.no_check
            upsert_papers([record("2501.00002")])
        reader.rollback()
    assert 0.3 <= waited < 3.0  # two tries of 200 ms (a try was once 5 s, every page waiting behind it)
    assert query_one(url, LINK_KEYS) == (5, 5)
    assert query_one(url, "SELECT count(*) FROM papers_suspendedforeignkey") == (0,)
