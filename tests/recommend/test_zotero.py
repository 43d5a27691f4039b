"""A Zotero library as seeds, against the Zotero Web API's recorded answers served on loopback: first sync
(paged), incremental sync (since, 304), deletions, Backoff and 429, a refused key, pushing a collection."""

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paperhub.community import curation
from paperhub.core.permissions import NotAllowed
from paperhub.core.sealing import seal
from paperhub.ingest.http import PoliteClient
from paperhub.ingest.zotero import ZoteroBusy, ZoteroClient, ZoteroLibrary
from paperhub.jobs import schedule, tasks
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.recommend import zotero
from paperhub.recommend.models import Seed, ZoteroItem, ZoteroLink, ZoteroPush
from tests.conftest import Reply
from tests.factories import record, user

FIXTURES = Path(__file__).parent.parent / "fixtures"
PAGE_1, PAGE_2, SINCE, DELETED, WRITE, TOP, MADE = (
    (FIXTURES / f"zotero_{name}.json").read_bytes()
    for name in ("items_1", "items_2", "items_since", "deleted", "write", "collections_top", "collection_write")
)
KEY = "P9NiFoyLeZu2bZNvvuQPDWsd"
ITEMS = "/users/475425/items"
JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain"}

pytestmark = pytest.mark.django_db


def _page(body: bytes, version: int, total: int, start: int | None = None) -> Reply:
    headers = {**JSON, "Last-Modified-Version": str(version), "Total-Results": str(total)}
    if start is not None:
        headers["Link"] = (
            f'<https://api.zotero.org{ITEMS}?format=json&limit=100&start={start}>; rel="next", '
            '<https://www.zotero.org/ann-reads/items>; rel="alternate"'
        )
    return Reply(body, headers=headers)


@pytest.fixture
def api(source_server, settings):
    """The library as recorded: five items on two pages at version 1450; one more item and two deletions at
    1462; nothing changed after that (304). Two top-level collections; a new one made is "TRDC7K9M"."""
    settings.PAPERHUB_ZOTERO_API_URL = source_server.url
    settings.PAPERHUB_ZOTERO_DELAY = 0

    def items(query):
        since = query.get("since")
        if since == "1462" and _sent(source_server, -1).get("if-modified-since-version") == "1462":
            return Reply(b"", 304, {"Last-Modified-Version": "1462"})
        if since == "1450":
            return _page(SINCE, 1462, 1)
        return _page(PAGE_2, 1450, 5) if query.get("start") == "3" else _page(PAGE_1, 1450, 5, start=3)

    source_server.routes[ITEMS] = items
    source_server.routes["/users/475425/deleted"] = lambda q: Reply(
        DELETED, headers={**JSON, "Last-Modified-Version": "1462"}
    )
    source_server.routes[f"{ITEMS}/trash"] = lambda q: Reply(b"", headers={**TEXT, "Last-Modified-Version": "1462"})
    collections = "/users/475425/collections"
    source_server.routes[f"{collections}/top"] = lambda q: _page(TOP, 1468, 2)
    source_server.routes[collections] = lambda q: Reply(MADE, headers={**JSON, "Last-Modified-Version": "1468"})
    made = json.dumps(json.loads(MADE)["successful"]["0"]).encode()
    source_server.routes[f"{collections}/TRDC7K9M"] = lambda q: Reply(made, headers=JSON)
    return source_server


@pytest.fixture
def hub(db):
    """The hub's papers the library names: by arXiv id (archiveID, URL, Extra) and by DOI."""
    upsert_papers(
        [record("2501.00001"), record("2501.00002", doi="10.1000/xyz123"), record("2501.00003"), record("2501.00004")]
    )


def _sent(api, number):
    """The headers of the number-th request, by lowercase name (HTTP's are case-insensitive; urllib title-cases)."""
    return {name.lower(): value for name, value in api.headers[number].items()}


def _link(reader, version=0):
    return ZoteroLink.objects.create(
        user=reader, kind="users", library_id="475425", sealed_key=seal(KEY), key_end=KEY[-4:], version=version
    )


def _seeds(reader):
    return sorted((s.paper.uid if s.paper else s.title) for s in Seed.objects.filter(user=reader))


def test_first_sync_pages_through_and_makes_seeds(api, hub):
    reader = user()
    link = _link(reader)
    result = zotero.sync_library.call(link.pk)
    link.refresh_from_db()
    assert [q.get("start") for _, q in api.requests] == ["0", "3"]
    assert all(_sent(api, i)["zotero-api-version"] == "3" and _sent(api, i)["zotero-api-key"] == KEY for i in (0, 1))
    assert "if-modified-since-version" not in _sent(api, 0) and "since" not in api.requests[0][1]
    assert _seeds(reader) == [
        "2501.00001",
        "2501.00002",
        "2501.00003",
        "Quasar variability in radio surveys of distant galaxies",
    ]  # no attachment, no note
    assert {s.source for s in Seed.objects.filter(user=reader)} == {Seed.ZOTERO}
    assert (link.version, link.items, link.busy_since) == (1450, 4, None)
    assert result["status"] == "done" and "3 new seeds among the hub's papers, 1 as text" in link.message


def test_incremental_sync_asks_since_then_304_and_deletions_remove_seeds(api, hub):
    reader = user()
    link = _link(reader)
    zotero.sync_library.call(link.pk)
    zotero.sync_library.call(link.pk)
    link.refresh_from_db()
    path, query = api.requests[2]
    assert (path, query["since"], _sent(api, 2)["if-modified-since-version"]) == (ITEMS, "1450", "1450")
    assert api.requests[3] == ("/users/475425/deleted", {"since": "1450"})
    assert api.requests[4] == (f"{ITEMS}/trash", {"since": "1450", "format": "keys"})
    assert _seeds(reader) == ["2501.00001", "2501.00003", "2501.00004"]
    assert link.version == 1462 and "2 seeds of deleted items removed" in link.message
    zotero.sync_library.call(link.pk)  # unchanged: one call, answered 304
    link.refresh_from_db()
    assert len(api.requests) == 6 and api.requests[5][1]["since"] == "1462"
    assert link.version == 1462 and link.message == "Up to date at version 1462."


def test_an_item_moved_to_the_trash_loses_its_seed(api, hub):
    reader = user()
    link = _link(reader)
    zotero.sync_library.call(link.pk)
    api.routes[f"{ITEMS}/trash"] = lambda q: Reply(b"DEFG5678\n", headers={**TEXT, "Last-Modified-Version": "1462"})
    zotero.sync_library.call(link.pk)
    assert _seeds(reader) == ["2501.00001", "2501.00004"]  # 2501.00003 trashed; two deleted


def test_a_deleted_item_keeps_a_seed_the_user_made_themselves(api, hub):
    reader = user()
    link = _link(reader, version=1450)
    ZoteroItem.objects.create(
        link=link,
        key="ABCD2345",
        seed=Seed.objects.create(user=reader, source=Seed.PICK, paper=Paper.objects.get(uid="2501.00002")),
    )
    zotero.sync_library.call(link.pk)
    assert "2501.00002" in _seeds(reader) and not ZoteroItem.objects.filter(key="ABCD2345").exists()


def test_a_killed_sync_reruns_from_the_saved_version(api, hub):
    reader = user()
    link = _link(reader)
    api.routes[ITEMS] = lambda q: _page(PAGE_1, 1450, 5, start=3) if q["start"] == "0" else Reply(b"boom", 500)
    result = zotero.sync_library.call(link.pk)
    link.refresh_from_db()
    assert result["status"] == "failed" and link.version == 0 and "starts again from version 0" in link.message
    assert link.busy_since is None and Seed.objects.filter(user=reader).count() == 2  # page 1's, kept
    api.routes[ITEMS] = lambda q: _page(PAGE_2, 1450, 5) if q.get("start") == "3" else _page(PAGE_1, 1450, 5, 3)
    zotero.sync_library.call(link.pk)
    link.refresh_from_db()
    assert link.version == 1450 and Seed.objects.filter(user=reader).count() == 4  # made once each


def test_backoff_waits_before_the_next_call_or_ends_the_run(api, hub):
    slept = []
    pages = {"0": _page(PAGE_1, 1450, 5, start=3), "3": _page(PAGE_2, 1450, 5)}
    pages["0"].headers["Backoff"] = "30"
    api.routes[ITEMS] = lambda q: pages[q["start"]]
    library = ZoteroLibrary("users", "475425", KEY)
    assert len([page for _, page in ZoteroClient(library, sleep=slept.append).changed_items()]) == 2
    assert len(slept) == 1 and 29 < slept[0] <= 30
    pages["0"].headers["Backoff"] = "3600"
    impatient = ZoteroClient(library, sleep=slept.append, max_wait=60)
    with pytest.raises(ZoteroBusy, match="pause for 3600 s"):
        list(impatient.changed_items())
    assert len(slept) == 1 and [q["start"] for _, q in api.requests][-1] == "0"  # page 2 never asked for


def test_429_is_retried_after_retry_after_and_the_key_never_logged(api, hub, caplog):
    caplog.set_level(logging.DEBUG)
    slept, answers = [], [Reply(b"Too many requests", 429, {"Retry-After": "7"})]
    api.routes[ITEMS] = lambda q: answers.pop() if answers else _page(PAGE_2, 1450, 2)
    client = ZoteroClient(ZoteroLibrary("users", "475425", KEY), client=PoliteClient(0, sleep=slept.append))
    assert [len(items) for _, items in client.changed_items()] == [3]
    assert slept == [7.0] and len(api.requests) == 2
    assert "retrying" in caplog.text and KEY not in caplog.text


def test_a_long_retry_after_stops_the_sync_without_losing_the_version(api, hub, settings):
    api.routes[ITEMS] = lambda q: Reply(b"Service Unavailable", 503, {"Retry-After": "3600"})
    link = _link(user(), version=1450)
    assert zotero.sync_library.call(link.pk)["status"] == "failed"
    link.refresh_from_db()
    assert link.version == 1450 and "asked to wait 3600 s" in link.message and len(api.requests) == 1


def test_a_refused_key_disconnects_with_a_clear_message(api, hub, client):
    api.routes[ITEMS] = lambda q: Reply(b"Invalid key", 403)
    reader = user()
    link = _link(reader)
    assert zotero.sync_library.call(link.pk)["status"] == "disconnected"
    link.refresh_from_db()
    assert link.sealed_key == "" and link.key_end == "" and "refused the key" in link.message
    client.force_login(reader)
    page = client.get("/for-you/zotero").content.decode()
    assert "Disconnected: Zotero refused the key" in page and 'name="key"' in page  # the form to connect again


def test_push_writes_fifty_at_most_with_a_write_token_and_never_twice(api, hub):
    reader = user()
    link = _link(reader)
    shelf = curation.create_collection(reader, "To read", "", public=False)
    papers = {p.uid: p for p in Paper.objects.all()}
    for uid in ("2501.00004", "2501.00003", "2501.00001"):  # the newest first: 00001, 00003, 00004
        curation.add_to_collection(reader, shelf, papers[uid])
    inside = [{"key": key, "version": 1470, "data": {"key": key, "version": 1470, "collections": ["TRDC7K9M"]}}
              for key in ("PUSH0001", "PUSH0002")]
    written = [Reply(WRITE, headers={**JSON, "Last-Modified-Version": "1470"})]
    api.routes[ITEMS] = lambda q: Reply(json.dumps(inside).encode(), headers=JSON) if q else written[-1]
    zotero.push_collection.call(link.pk, shelf.pk)
    assert [path for path, _ in api.requests] == ["/users/475425/collections/top", "/users/475425/collections", ITEMS]
    sent = json.loads(api.bodies[2])
    token = _sent(api, 2)["zotero-write-token"]
    assert len(token) == 32 and _sent(api, 2)["content-type"] == "application/json"
    assert [i["itemType"] for i in sent] == ["preprint"] * 3
    assert sent[0]["archiveID"] == "arXiv:2501.00001" and sent[0]["creators"][0] == {
        "creatorType": "author",
        "name": "Ada Lovelace",
    }
    assert dict(ZoteroPush.objects.values_list("paper__uid", "key")) == {
        "2501.00001": "PUSH0001",
        "2501.00003": "PUSH0002",
    }
    link.refresh_from_db()
    assert "2 written" in link.message and "refused 1: 2501.00004: Invalid value" in link.message
    written.append(Reply(b"Write token already used", 412))
    zotero.push_collection.call(link.pk, shelf.pk)  # only the refused one again; a repeated token writes nothing
    assert json.loads(api.bodies[4]) == [sent[2]] and _sent(api, 4)["zotero-write-token"] != token
    assert ZoteroPush.objects.count() == 3
    zotero.push_collection.call(link.pk, shelf.pk)
    assert [path for path, _ in api.requests[6:]] == ["/users/475425/collections/TRDC7K9M", ITEMS]  # a read only


def test_push_with_a_read_only_key_says_so(api, hub):
    reader = user()
    link = _link(reader)
    shelf = curation.create_collection(reader, "To read", "", public=False)
    curation.add_to_collection(reader, shelf, Paper.objects.first())
    api.routes["/users/475425/collections"] = lambda q: Reply(b"Write access denied", 403)
    zotero.push_collection.call(link.pk, shelf.pk)
    link.refresh_from_db()
    assert "give the key write access" in link.message and link.sealed_key  # still connected for syncs
    assert not ZoteroPush.objects.exists()


def test_connect_from_the_page_queues_the_sync_and_never_shows_the_key(api, hub, run_tasks):
    reader = user()
    client = Client()
    client.force_login(reader)
    response = client.post("/for-you/zotero", {"kind": "users", "library": "475425", "key": KEY})
    assert response.status_code == 302 and api.requests == []  # queued, not fetched in the request
    stored = ZoteroLink.objects.get(user=reader)
    assert KEY not in stored.sealed_key and stored.key_end == KEY[-4:] and stored.busy_since
    run_tasks()
    page = client.get("/for-you/zotero").content.decode()
    assert KEY not in page and f"…{KEY[-4:]}" in page and "library version 1450" in page
    assert len(_seeds(reader)) == 4
    assert client.post("/for-you/zotero/sync").status_code == 302
    assert "already on its way" not in client.get("/for-you/zotero").content.decode()
    client.post("/for-you/zotero/sync")
    assert "already on its way" in client.get("/for-you/zotero").content.decode()
    client.post("/for-you/zotero/disconnect")
    assert not ZoteroLink.objects.exists() and len(_seeds(reader)) == 4


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"kind": "users", "library": "ann", "key": KEY}, "The library id is the number"),
        ({"kind": "users", "library": "475425", "key": "short"}, "does not look like a Zotero API key"),
        ({"kind": "organisations", "library": "475425", "key": KEY}, "Choose your own library or a group"),
    ],
)
def test_bad_connections_are_refused_clearly(client, form, error):
    client.force_login(user())
    page = client.post("/for-you/zotero", form, follow=True).content.decode()
    assert error in page and not ZoteroLink.objects.exists()


def test_zotero_forms_are_limited_per_user(client, settings):
    settings.PAPERHUB_ZOTERO_RATE = "2/hour"
    client.force_login(user())
    statuses = [client.post("/for-you/zotero", {"kind": "users", "library": "x"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    client.force_login(user("bob"))
    assert client.post("/for-you/zotero/sync").status_code == 302  # another user's own count


def test_curators_push_a_collection_into_their_own_library_and_viewers_cannot(client, hub):
    owner, collaborator, viewer = user(), user("bob"), user("carol")
    _link(viewer)
    shelf = curation.create_collection(owner, "Mine", "", public=True)
    curation.add_collaborator(owner, shelf, "bob")
    page, push = f"/collections/{owner.username}/{shelf.slug}", f"/collections/{owner.username}/{shelf.slug}/zotero"
    client.force_login(viewer)
    assert client.post(push).status_code == 404
    assert "Push to Zotero" not in client.get(page).content.decode()
    with pytest.raises(NotAllowed):
        zotero.request_push(viewer, shelf)
    client.force_login(owner)  # no library connected: the page says how to connect one rather than offer a push
    shown = client.get(page).content.decode()
    assert "Push to Zotero" not in shown and "Connect your Zotero library" in shown
    _link(owner)
    assert "Push to Zotero" in client.get(page).content.decode()
    client.force_login(collaborator)
    assert "Connect your Zotero library" in client.get(page).content.decode()
    theirs = _link(collaborator)
    assert "Push to Zotero" in client.get(page).content.decode()
    assert client.post(push).status_code == 302
    queued = DBTaskResult.objects.get(task_path__endswith="push_collection")
    assert queued.args_kwargs["args"] == [theirs.pk, shelf.pk]  # into the collaborator's own library


def test_the_hourly_job_queues_each_connected_library_once(api, hub, run_tasks):
    _link(user())
    ZoteroLink.objects.create(user=user("bob"), library_id="1", sealed_key="", key_end="")  # refused earlier
    assert "zotero" in schedule.JOBS
    assert tasks.sync_zotero_libraries.call() == {"queued": 1}
    assert tasks.sync_zotero_libraries.call() == {"queued": 0}  # the first is still queued
    run_tasks()
    assert ZoteroLink.objects.get(library_id="475425").version == 1450


POLLING = 'hx-get="/for-you/zotero/status"'


def test_the_status_polls_while_a_sync_is_on_its_way_and_shows_how_it_went(api, hub, client):
    reader = user()
    link = _link(reader)
    client.force_login(reader)
    zotero.request_sync(reader)
    busy = client.get("/for-you/zotero/status").content.decode()
    assert POLLING in busy and 'hx-trigger="every 3s"' in busy and "A sync or push is on its way" in busy
    assert "<html" not in busy and POLLING in client.get("/for-you/zotero").content.decode()
    zotero.sync_library.call(link.pk)  # what the worker runs
    done = client.get("/for-you/zotero/status").content.decode()
    assert "hx-get" not in done and "hx-trigger" not in done and "on its way" not in done
    assert "Last sync or push" in done and "4 items synced, library version 1450" in done
    assert "3 new seeds among the hub&#x27;s papers, 1 as text" in done  # the sync's own words, escaped


def test_the_status_after_a_refused_key_shows_why_and_the_form(api, hub, client):
    api.routes[ITEMS] = lambda q: Reply(b"Invalid key", 403)
    reader = user()
    link = _link(reader)
    client.force_login(reader)
    zotero.request_sync(reader)
    zotero.sync_library.call(link.pk)
    done = client.get("/for-you/zotero/status").content.decode()
    assert "Disconnected: Zotero refused the key" in done and 'name="key"' in done and "hx-get" not in done


def test_the_status_shows_only_the_users_own_library(client):
    eve = user("eve")
    ZoteroLink.objects.create(
        user=eve,
        library_id="475425",
        sealed_key=seal(KEY),
        key_end="EVE1",
        message="Eve's sync said this",
        busy_since=timezone.now(),
    )
    assert client.get("/for-you/zotero/status").status_code == 302  # to the login page
    client.force_login(user("mallory"))
    theirs = client.get("/for-you/zotero/status").content.decode()
    assert "475425" not in theirs and "EVE1" not in theirs and "Eve's" not in theirs and "hx-get" not in theirs
    assert 'name="key"' in theirs  # nothing connected: the form to connect


def test_a_lost_sync_stops_the_page_waiting_and_can_be_queued_again(client):
    reader = user()
    link = _link(reader)
    ZoteroLink.objects.filter(pk=link.pk).update(busy_since=timezone.now() - timedelta(hours=7))  # its worker died
    client.force_login(reader)
    page = client.get("/for-you/zotero/status").content.decode()
    assert "hx-trigger" not in page and "on its way" not in page and "did not finish" in page
    zotero.request_sync(reader)  # a lost mark does not block another sync
    page = client.get("/for-you/zotero/status").content.decode()
    assert "hx-trigger" in page and "on its way" in page
