"""Pushing a hub collection into a Zotero collection of its name, against the Zotero Web API's recorded answers
served on loopback: the collection made once and found again, found by name, items created inside it, items pushed
before added to it (a deleted one created again, a version conflict retried once), a group library's paths."""

import json
from pathlib import Path

import pytest

from paperhub.community import curation
from paperhub.core.sealing import seal
from paperhub.papers.models import Paper
from paperhub.recommend import zotero, zotero_push
from paperhub.recommend.models import ZoteroCollection, ZoteroLink, ZoteroPush
from tests.conftest import Reply
from tests.factories import user
from tests.recommend.test_zotero import (
    JSON,
    KEY,
    WRITE,
    _link,
    _sent,
    hub,  # noqa: F401 (a fixture)
)
from tests.recommend.test_zotero import api as library  # noqa: F401 (the recorded Zotero library, a fixture)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent.parent / "fixtures"
TOP, MADE, BY_KEY, UPDATE = (
    (FIXTURES / f"zotero_{name}.json").read_bytes()
    for name in ("collections_top", "collection_write", "items_by_key", "update")
)
USERS = "/users/475425"


def _answer(body: bytes | dict | list, status: int = 200) -> Reply:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Reply(raw, status, {**JSON, "Last-Modified-Version": "1470", "Total-Results": "2"})


def _route(api, path, gets=(), posts=()):
    """Answer GETs and POSTs of `path` in turn from their lists (the last one again once a list is used up)."""
    queues = {"get": list(gets), "post": list(posts)}

    def answer(query):
        queue = queues["post" if api.bodies[-1] else "get"]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    api.routes[path] = answer


def _items(*changes: dict) -> bytes:
    """The two recorded items, each changed as asked (by key), those given as None left out (deleted)."""
    items = {item["key"]: item for item in json.loads(BY_KEY)}
    for change in changes:
        for key, data in change.items():
            if data is None:
                items.pop(key)
            else:
                items[key]["data"].update(data)
    return json.dumps(list(items.values())).encode()


def _shelf(reader, title="To read", uids=("2501.00004", "2501.00003", "2501.00001")):
    shelf = curation.create_collection(reader, title, "", public=False)
    for uid in uids:  # the newest first: reversed
        curation.add_to_collection(reader, shelf, Paper.objects.get(uid=uid))
    return shelf


def _pushed(link, *pairs):
    for uid, key in pairs:
        ZoteroPush.objects.create(link=link, paper=Paper.objects.get(uid=uid), key=key)


def _posted(api, path):
    return [json.loads(body) for (p, _), body in zip(api.requests, api.bodies, strict=True) if p == path and body]


def test_the_collection_is_made_once_and_new_items_go_inside_it(library, hub):  # noqa: F811
    reader = user()
    link = _link(reader)
    shelf = _shelf(reader)
    _route(library, f"{USERS}/collections/top", gets=[_answer(TOP)])
    _route(library, f"{USERS}/collections", posts=[_answer(MADE)])
    _route(library, f"{USERS}/collections/TRDC7K9M", gets=[_answer(json.loads(MADE)["successful"]["0"])])
    inside = _items({"PUSH0001": {"collections": ["TRDC7K9M"]}}, {"PUSH0002": {"collections": ["TRDC7K9M"]}})
    again = {"successful": {}, "success": {"0": "PUSH0003"}, "unchanged": {}, "failed": {}}
    _route(library, f"{USERS}/items", gets=[_answer(inside)], posts=[_answer(WRITE), _answer(again)])
    zotero.push_collection.call(link.pk, shelf.pk)
    assert [p for p, _ in library.requests] == [f"{USERS}/collections/top", f"{USERS}/collections", f"{USERS}/items"]
    assert _posted(library, f"{USERS}/collections") == [[{"name": "To read", "parentCollection": False}]]
    assert len(_sent(library, 1)["zotero-write-token"]) == 32
    assert [item["collections"] for item in _posted(library, f"{USERS}/items")[0]] == [["TRDC7K9M"]] * 3
    assert ZoteroCollection.objects.get(collection=shelf).key == "TRDC7K9M"
    link.refresh_from_db()
    assert link.message.startswith("Pushed “To read” into the Zotero collection “To read”: 2 written, 0 added")
    assert "refused 1: 2501.00004: Invalid value" in link.message

    zotero.push_collection.call(link.pk, shelf.pk)  # again: the remembered collection, the refused paper only
    paths = [p for p, _ in library.requests[3:]]
    assert paths == [f"{USERS}/collections/TRDC7K9M", f"{USERS}/items", f"{USERS}/items"]
    assert [i["archiveID"] for i in _posted(library, f"{USERS}/items")[1]] == ["arXiv:2501.00004"]
    assert library.requests[5][1]["itemKey"] == "PUSH0001,PUSH0002"
    assert len(_posted(library, f"{USERS}/collections")) == 1  # made once


def test_a_collection_of_the_same_name_is_used_and_papers_pushed_before_are_added(library, hub):  # noqa: F811
    reader = user()
    link = _link(reader)
    shelf = _shelf(reader, "reading group: Diffusion")
    _pushed(link, ("2501.00001", "PUSH0001"), ("2501.00003", "PUSH0002"), ("2501.00004", ""))  # "": key unknown
    both = {"success": {"0": "PUSH0001", "1": "PUSH0002"}, "failed": {}}
    _route(library, f"{USERS}/collections/top", gets=[_answer(TOP)])
    _route(library, f"{USERS}/items", gets=[_answer(_items())], posts=[_answer(json.loads(UPDATE) | both)])
    zotero.push_collection.call(link.pk, shelf.pk)
    assert f"{USERS}/collections" not in [p for p, _ in library.requests]  # nothing made
    assert library.requests[1] == (f"{USERS}/items", {"itemKey": "PUSH0001,PUSH0002", "format": "json", "limit": "2"})
    assert _posted(library, f"{USERS}/items") == [
        [
            {"key": "PUSH0001", "version": 1470, "collections": ["RGDF6789"]},
            {"key": "PUSH0002", "version": 1471, "collections": ["THES2345", "RGDF6789"]},
        ]
    ]
    assert "zotero-write-token" not in _sent(library, 2)  # a versioned write needs none
    link.refresh_from_db()
    assert link.message == (
        "Pushed “reading group: Diffusion” into the Zotero collection “Reading group: diffusion”: 0 written, "
        "2 added from your library."
    )
    assert ZoteroCollection.objects.get(collection=shelf).key == "RGDF6789"


def test_a_version_conflict_is_retried_once_on_a_fresh_read(library, hub):  # noqa: F811
    reader = user()
    link = _link(reader)
    shelf = _shelf(reader, "Reading group: diffusion", uids=("2501.00003", "2501.00001"))
    _pushed(link, ("2501.00001", "PUSH0001"), ("2501.00003", "PUSH0002"))
    ZoteroCollection.objects.create(link=link, collection=shelf, key="RGDF6789")
    _route(library, f"{USERS}/collections/RGDF6789", gets=[_answer(json.loads(TOP)[1])])
    moved = {"PUSH0002": {"version": 1473, "collections": ["THES2345", "ELSE2345"]}}
    fresh = _items({"PUSH0001": None}, moved)
    second = {"successful": {}, "success": {"0": "PUSH0002"}, "unchanged": {}, "failed": {}}
    _route(library, f"{USERS}/items", gets=[_answer(_items()), _answer(fresh)], posts=[_answer(UPDATE), _answer(second)])
    zotero.push_collection.call(link.pk, shelf.pk)
    assert library.requests[3][1]["itemKey"] == "PUSH0002"  # only the conflicting one read again
    assert _posted(library, f"{USERS}/items")[1] == [
        {"key": "PUSH0002", "version": 1473, "collections": ["THES2345", "ELSE2345", "RGDF6789"]}
    ]
    link.refresh_from_db()
    assert link.message.endswith("0 written, 2 added from your library.")

    for log in (library.requests, library.headers, library.bodies):
        log.clear()
    conflict = json.loads(UPDATE) | {"success": {}, "successful": {}}
    conflict_again = conflict | {"failed": {"0": conflict["failed"]["1"]}}  # the one sent again, at index 0
    _route(library, f"{USERS}/items", gets=[_answer(_items())], posts=[_answer(conflict), _answer(conflict_again)])
    zotero.push_collection.call(link.pk, shelf.pk)  # still changing under us: said, not looped on
    assert len(_posted(library, f"{USERS}/items")) == 2
    link.refresh_from_db()
    assert "0 added from your library; 1 changed in Zotero while this push ran, not added: push again." in link.message


def test_an_item_deleted_in_zotero_is_created_again_inside_the_collection(library, hub):  # noqa: F811
    reader = user()
    link = _link(reader)
    shelf = _shelf(reader, "Reading group: diffusion", uids=("2501.00003", "2501.00001"))
    _pushed(link, ("2501.00001", "PUSH0001"), ("2501.00003", "PUSH0002"))
    _route(library, f"{USERS}/collections/top", gets=[_answer(TOP)])
    made = {"successful": {}, "success": {"0": "AGAN2345"}, "unchanged": {}, "failed": {}}
    added = {"successful": {}, "success": {"0": "PUSH0002"}, "unchanged": {}, "failed": {}}
    _route(library, f"{USERS}/items", gets=[_answer(_items({"PUSH0001": None}))],
           posts=[_answer(added), _answer(made)])
    zotero.push_collection.call(link.pk, shelf.pk)
    created = _posted(library, f"{USERS}/items")[1]
    assert [(i["archiveID"], i["collections"]) for i in created] == [("arXiv:2501.00001", ["RGDF6789"])]
    first_token = zotero_push.write_token(link, [Paper.objects.get(uid="2501.00001")])
    assert _sent(library, 3)["zotero-write-token"] not in ("", first_token)  # not the first creation's token
    assert ZoteroPush.objects.get(paper__uid="2501.00001").key == "AGAN2345"
    link.refresh_from_db()
    assert link.message.endswith("1 written, 1 added from your library.")


def test_a_collection_deleted_in_zotero_is_made_again_and_a_renamed_one_kept(library, hub):  # noqa: F811
    reader = user()
    link = _link(reader)
    shelf = _shelf(reader, uids=())
    _route(library, f"{USERS}/collections/top", gets=[_answer(TOP)])
    _route(library, f"{USERS}/collections", posts=[_answer(MADE)])
    zotero.push_collection.call(link.pk, shelf.pk)
    first = _sent(library, 1)["zotero-write-token"]
    _route(library, f"{USERS}/collections/TRDC7K9M", gets=[_answer(b"Not found", 404)])  # deleted in Zotero
    again = json.loads(MADE)
    again["success"]["0"] = "NEWC2345"
    _route(library, f"{USERS}/collections", posts=[_answer(again)])
    zotero.push_collection.call(link.pk, shelf.pk)
    assert [p for p, _ in library.requests[2:]] == [
        f"{USERS}/collections/TRDC7K9M", f"{USERS}/collections/top", f"{USERS}/collections"
    ]
    assert _sent(library, 4)["zotero-write-token"] != first  # another token: not taken for a rerun of the first
    assert ZoteroCollection.objects.get(collection=shelf).key == "NEWC2345"
    renamed = json.loads(MADE)["successful"]["0"]
    renamed["data"]["name"] = "Later"
    _route(library, f"{USERS}/collections/NEWC2345", gets=[_answer(renamed)])
    zotero.push_collection.call(link.pk, shelf.pk)  # renamed by the user: still that one, under its new name
    link.refresh_from_db()
    assert len(library.requests) == 6 and link.message.startswith("Pushed “To read” into the Zotero collection “Later”")


def test_a_write_token_already_used_finds_the_collection_an_earlier_try_made(library, hub):  # noqa: F811
    reader = user()
    link = _link(reader)
    shelf = _shelf(reader, uids=())
    made = json.loads(TOP) + [json.loads(MADE)["successful"]["0"]]
    _route(library, f"{USERS}/collections/top", gets=[_answer(TOP), _answer(made)])
    _route(library, f"{USERS}/collections", posts=[Reply(b"Write token already used", 412)])
    zotero.push_collection.call(link.pk, shelf.pk)
    assert ZoteroCollection.objects.get(collection=shelf).key == "TRDC7K9M"


def test_a_group_library_uses_the_group_paths(library, hub):  # noqa: F811
    reader = user()
    link = ZoteroLink.objects.create(user=reader, kind="groups", library_id="2213", sealed_key=seal(KEY), key_end="x")
    shelf = _shelf(reader, "Reading group: diffusion", uids=("2501.00001",))
    _route(library, "/groups/2213/collections/top", gets=[_answer(TOP)])
    _route(library, "/groups/2213/items", posts=[_answer({"success": {"0": "PUSH0001"}, "failed": {}})])
    zotero.push_collection.call(link.pk, shelf.pk)
    assert [p for p, _ in library.requests] == ["/groups/2213/collections/top", "/groups/2213/items"]
    assert ZoteroPush.objects.get().key == "PUSH0001"


def test_a_collaborator_pushes_into_their_own_library_and_a_removed_one_pushes_nothing(library, hub):  # noqa: F811
    owner, collaborator = user(), user("bob")
    shelf = _shelf(owner, "Reading group: diffusion", uids=("2501.00001",))
    curation.add_collaborator(owner, shelf, "bob")
    ZoteroCollection.objects.create(link=_link(owner), collection=shelf, key="OWNR2345")  # the owner's, not theirs
    theirs = ZoteroLink.objects.create(user=collaborator, library_id="99", sealed_key=seal(KEY), key_end="x")
    _route(library, "/users/99/collections/top", gets=[_answer(TOP)])
    _route(library, "/users/99/items", posts=[_answer({"success": {"0": "BOBS2345"}, "failed": {}})])
    zotero.push_collection.call(theirs.pk, shelf.pk)
    assert [p for p, _ in library.requests] == ["/users/99/collections/top", "/users/99/items"]
    assert ZoteroCollection.objects.get(link=theirs).key == "RGDF6789"  # theirs by name, remembered for them
    assert ZoteroCollection.objects.get(link__user=owner).key == "OWNR2345"
    assert ZoteroPush.objects.get(link=theirs).key == "BOBS2345"
    theirs.refresh_from_db()
    assert theirs.message.startswith("Pushed “Reading group: diffusion” into the Zotero collection")

    curation.remove_collaborator(owner, shelf, "bob")  # taken off after a push was queued: it writes nothing
    library.requests.clear()
    assert zotero.push_collection.call(theirs.pk, shelf.pk)["status"] == "gone"
    assert library.requests == []
    theirs.refresh_from_db()
    assert not theirs.on_its_way and theirs.message.startswith("The push was not made")
