"""Several nodes over one database: change stamps in commit order, and each node's indexes following it."""

import threading
import time
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection, transaction
from django.utils import timezone

from paperhub.papers import changes
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search import indexing, search, update
from paperhub.search.indexing import STATIC
from paperhub.search.stored import store_vectors
from paperhub.search.vector_files import follow_vectors, vector_index
from tests.factories import record, user


def on_node(settings, directory):
    """Make this process act as the node whose search indexes live in `directory`."""
    settings.PAPERHUB_SEARCH_DIR = directory
    indexing.forget()


def unit_vectors(n, dim=8, seed=0):
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.django_db(transaction=True)
def test_stamps_follow_commit_order_between_concurrent_writers():
    upsert_papers([record("2501.00001"), record("2501.00002")])
    first, second = Paper.objects.order_by("id")
    a_has_stamp = threading.Event()
    seen: dict[str, object] = {}

    def slow_writer():  # a long ingest batch: stamps, then takes its time before committing
        try:
            with transaction.atomic():
                seen["a"] = changes.next_stamp()
                Paper.objects.filter(pk=first.pk).update(changed_at=seen["a"])
                a_has_stamp.set()
                time.sleep(0.6)
                seen["a_committing"] = time.monotonic()  # the last moment A's transaction is surely open
        finally:
            connection.close()

    def quick_writer():  # an upvote arriving meanwhile
        try:
            a_has_stamp.wait(10)
            seen["b_started"] = time.monotonic()
            with transaction.atomic():
                seen["b"] = changes.next_stamp()
                seen["b_stamped"] = time.monotonic()
                Paper.objects.filter(pk=second.pk).update(changed_at=seen["b"])
        finally:
            connection.close()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=quick_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # B waited for A's commit before stamping, so a follower that read B's row has already seen A's.
    assert seen["b_stamped"] >= seen["a_committing"] and seen["b_stamped"] - seen["b_started"] > 0.3
    assert seen["b"] > seen["a"]


@pytest.mark.django_db
def test_stamps_never_go_back_when_the_clock_does(monkeypatch):
    upsert_papers([record("2501.00001")])
    newest = Paper.objects.get().changed_at
    monkeypatch.setattr(changes.timezone, "now", lambda: newest - timedelta(hours=1))  # another machine's clock
    with transaction.atomic():
        stamp = changes.next_stamp()
    assert stamp > newest
    upsert_papers([record("2501.00002")])
    assert Paper.objects.get(uid="2501.00002").changed_at > newest


def test_stamping_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        changes.serialize(changes.PAPER_CHANGES)


def test_two_nodes_follow_one_database(db, settings, tmp_path):
    upsert_papers([record(f"2501.{i:05d}", title=f"Zebrafish study {i}") for i in range(1, 31)])
    ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
    store_vectors(STATIC, ids[:20], unit_vectors(20))  # embedded by whichever node holds the embedder lease

    on_node(settings, tmp_path / "a")
    update(embed_new=False)
    assert search("zebrafish", mode="keyword").total == 30 and len(vector_index(STATIC)) == 20

    on_node(settings, tmp_path / "b")  # a node joining later builds everything from the database
    assert search("zebrafish", mode="keyword").total == 0
    update(embed_new=False)
    assert search("zebrafish", mode="keyword").total == 30 and len(vector_index(STATIC)) == 20

    # More papers and vectors arrive; node b catches up by its cursors, from a fresh process's state.
    upsert_papers([record(f"2501.{i:05d}", title=f"Zebrafish study {i}") for i in range(31, 41)])
    store_vectors(STATIC, ids[20:], unit_vectors(10, seed=1))
    on_node(settings, tmp_path / "b")
    update(embed_new=False)
    assert search("zebrafish", mode="keyword").total == 40 and len(vector_index(STATIC)) == 30
    stored = Paper.objects.get(pk=ids[25]).vectors.get().as_array()
    assert np.allclose(vector_index(STATIC).vector(ids[25]), stored, atol=1e-3)

    # A title edited on one node's watch is seen by the other (the change is in the database, not a node).
    upsert_papers([record("2501.00001", title="Axolotl regeneration", version=2)])
    for node in ("a", "b"):
        on_node(settings, tmp_path / node)
        update(embed_new=False)
        assert [h.uid for h in search("axolotl", mode="keyword").hits] == ["2501.00001"]


def test_following_again_after_losing_the_cursor_adds_nothing_twice(db, settings, tmp_path):
    upsert_papers([record(f"2501.{i:05d}") for i in range(1, 11)])
    ids = list(Paper.objects.values_list("id", flat=True))
    on_node(settings, tmp_path / "a")
    store_vectors(STATIC, ids, unit_vectors(10))
    assert follow_vectors(STATIC) == 10
    (tmp_path / "a" / f"vectors-{STATIC}.state.json").unlink()  # killed after saving the index, before the cursor
    assert follow_vectors(STATIC) == 0
    assert len(vector_index(STATIC)) == 10
    assert follow_vectors(STATIC) == 0  # and the cursor is back


def test_a_watcher_keeps_the_index_in_memory_and_saves_it_at_most_so_often(db, settings, tmp_path):
    upsert_papers([record(f"2501.{i:05d}") for i in range(1, 21)])
    ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
    on_node(settings, tmp_path / "a")
    store_vectors(STATIC, ids[:10], unit_vectors(10))
    assert follow_vectors(STATIC, save_within=60) == 10  # the first follow in a process saves at once
    assert len(vector_index(STATIC)) == 10
    store_vectors(STATIC, ids[10:15], unit_vectors(5, seed=2))
    assert follow_vectors(STATIC, save_within=60) == 5  # in memory: not written yet
    assert len(vector_index(STATIC)) == 10
    assert follow_vectors(STATIC, save_within=0) == 0  # nothing new to add, but the save is due now
    assert len(vector_index(STATIC)) == 15
    from paperhub.search.vector_files import rebuild_vectors

    store_vectors(STATIC, ids[15:], unit_vectors(5, seed=3))
    assert rebuild_vectors(STATIC) == 20  # another process replaces the file: the follower reads it again
    assert follow_vectors(STATIC) == 0 and len(vector_index(STATIC)) == 20


def test_upvotes_reach_every_nodes_index(db, settings, tmp_path):
    from paperhub.community.services import upvote

    upsert_papers([record("2501.00001", title="Zebrafish"), record("2501.00002", title="Zebrafish too")])
    for node in ("a", "b"):
        on_node(settings, tmp_path / node)
        update(embed_new=False)
    reader = user("reader")
    before = timezone.now()
    upvote(reader, Paper.objects.get(uid="2501.00002"))
    assert Paper.objects.get(uid="2501.00002").changed_at > before
    for node in ("a", "b"):
        on_node(settings, tmp_path / node)
        update(embed_new=False)
        assert [h.uid for h in search("zebrafish", sort="upvotes").hits][0] == "2501.00002"
