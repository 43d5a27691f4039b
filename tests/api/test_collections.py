"""Collections in Hugging Face's shape: GET /api/collections (list_collections) and /api/collections/{owner}/{slug}
(get_collection, and the collection page's JSON)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from paperhub.api import collections
from paperhub.community import curation
from paperhub.community.models import Collection, CollectionItem
from paperhub.core import tokens
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import fresh_window, record, user

T0 = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def shelves(db, settings, tmp_path):
    """Five papers; ann's public "Reading group" (all five, the fifth added last) and private "Secret"; bob's
    "Bob list"; ann's token."""
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    upsert_papers([record(f"2611.0000{n}", title=f"Paper {n}", published=T0) for n in range(1, 6)])
    papers = {p.uid: p for p in Paper.objects.all()}
    ann, bob = user("ann"), user("bob")
    reading = curation.create_collection(ann, "Reading group", "Tuesdays")
    for n in range(1, 6):
        curation.add_to_collection(ann, reading, papers[f"2611.0000{n}"])
        CollectionItem.objects.filter(collection=reading, paper__uid=f"2611.0000{n}").update(
            added_at=T0 + timedelta(hours=n))
    Collection.objects.filter(pk=reading.pk).update(updated_at=T0 + timedelta(hours=5))  # as if added then
    secret = curation.create_collection(ann, "Secret", public=False)
    curation.add_to_collection(ann, secret, papers["2611.00001"])
    bobs = curation.create_collection(bob, "Bob list")
    curation.add_to_collection(bob, bobs, papers["2611.00002"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(ann, 'x')[1]}"}
    return {"papers": papers, "reading": reading, "secret": secret, "bobs": bobs, "ann_auth": auth}


def _slugs(client, params=None, **headers):
    answer = client.get(reverse("api:collections"), params or {}, **headers)
    assert answer.status_code == 200, answer.content
    return [c["slug"] for c in answer.json()]


def test_a_collection_answers_hugging_face_shape_and_the_pages(client, shelves):
    answer = client.get(reverse("api:collection", args=["ann", "reading-group"]), {"limit": 2}).json()
    assert {k: answer[k] for k in ("slug", "owner", "title", "description", "private", "public", "upvotes",
                                   "position", "total")} == {
        "slug": "ann/reading-group", "owner": "ann", "title": "Reading group", "description": "Tuesdays",
        "private": False, "public": True, "upvotes": 0, "position": 0, "total": 5}
    assert answer["lastUpdated"] == "2026-11-20T14:00:00.000Z"  # its last change
    assert [(i["id"], i["type"], i["position"]) for i in answer["items"]] == [
        (f"2611.0000{n}", "paper", 5 - n) for n in range(5, 0, -1)]  # every item, the latest added first
    assert answer["items"][0]["title"] == "Paper 5" and answer["items"][0]["_id"]
    assert [p["id"] for p in answer["papers"]] == ["2611.00005", "2611.00004"]  # a page in full
    secret = reverse("api:collection", args=["ann", "secret"])
    assert client.get(secret).status_code == 404  # not even its existence
    mine = client.get(secret, **shelves["ann_auth"]).json()
    assert mine["private"] is True and mine["position"] == 1  # after "Reading group", by title
    curation.remove_from_collection(shelves["reading"].owner, shelves["reading"], shelves["papers"]["2611.00001"])
    after = client.get(reverse("api:collection", args=["ann", "reading-group"])).json()["lastUpdated"]
    assert after > answer["lastUpdated"]  # a removal is a change too
    empty = curation.create_collection(shelves["reading"].owner, "Empty")
    answer = client.get(reverse("api:collection", args=["ann", empty.slug])).json()
    assert answer["lastUpdated"] == answer["createdAt"] and answer["items"] == [] and answer["position"] == 0


def test_only_a_pages_notes_are_rendered(client, shelves):
    for paper in shelves["papers"].values():
        curation.set_note(shelves["reading"].owner, shelves["reading"], paper, "**bold**")
    answer = client.get(reverse("api:collection", args=["ann", "reading-group"]), {"limit": 2}).json()
    assert [i["note"] for i in answer["items"]] == [{"text": "**bold**"}] * 5  # what huggingface_hub reads
    assert [p["note"] for p in answer["papers"]] == [{"text": "**bold**", "html": "<p><strong>bold</strong></p>\n"}] * 2
    listed = client.get(reverse("api:collections"), {"owner": "ann"}).json()[0]
    assert [i["note"] for i in listed["items"]] == [{"text": "**bold**"}] * 4


def test_listing_filters_by_owner_and_item_and_private_ones_only_for_their_owner(client, shelves):
    auth = shelves["ann_auth"]
    assert sorted(_slugs(client)) == ["ann/reading-group", "bob/bob-list"]
    assert _slugs(client, {"owner": "ann"}) == ["ann/reading-group"]
    assert sorted(_slugs(client, {"owner": "ann"}, **auth)) == ["ann/reading-group", "ann/secret"]
    assert sorted(_slugs(client, {"owner": ["ann", "bob"]})) == ["ann/reading-group", "bob/bob-list"]
    assert _slugs(client, {"owner": "nobody"}) == []
    assert _slugs(client, {"item": "papers/2611.00003"}) == ["ann/reading-group"]
    assert sorted(_slugs(client, {"item": "papers/2611.00001"}, **auth)) == ["ann/reading-group", "ann/secret"]
    assert _slugs(client, {"item": ["papers/2611.00002", "papers/2611.00003"]}) == ["ann/reading-group"]  # both
    assert _slugs(client, {"item": "papers/https://arxiv.org/abs/2611.00002v1", "owner": "bob"}) == ["bob/bob-list"]
    assert _slugs(client, {"item": "papers/2611.09999"}) == []  # not on the hub
    assert _slugs(client, {"item": "models/org/model"}) == []  # no collection here holds a model
    refused = client.get(reverse("api:collections"), {"item": "2611.00001"})
    assert refused.status_code == 400 and "papers/<id>" in refused.json()["detail"]
    listed = client.get(reverse("api:collections"), {"owner": "ann"}).json()[0]
    assert [i["id"] for i in listed["items"]] == ["2611.00005", "2611.00004", "2611.00003", "2611.00002"]
    assert listed["total"] == 5 and "position" not in listed  # huggingface_hub numbers listed ones itself


def test_listing_sorts(client, shelves, settings):
    bobs = shelves["bobs"]
    CollectionItem.objects.filter(collection=bobs).update(added_at=T0 + timedelta(days=1))
    assert _slugs(client) == ["bob/bob-list", "ann/reading-group"]  # lastModified: the latest addition first
    assert _slugs(client, {"sort": "upvotes"}) == ["ann/reading-group", "bob/bob-list"]  # by size: no upvotes here
    CollectionItem.objects.filter(collection=shelves["reading"]).update(added_at=datetime.now(UTC))
    CollectionItem.objects.filter(collection=bobs).update(added_at=datetime.now(UTC) + timedelta(hours=1))
    assert _slugs(client, {"sort": "trending"}) == ["ann/reading-group", "bob/bob-list"]  # more added lately
    settings.PAPERHUB_TRENDING_DAYS = 1
    CollectionItem.objects.filter(collection=shelves["reading"]).update(added_at=T0)
    assert _slugs(client, {"sort": "trending"}) == ["bob/bob-list", "ann/reading-group"]
    assert client.get(reverse("api:collections"), {"sort": "views"}).status_code == 422


def test_listing_pages_by_at_most_a_page_with_a_link_to_the_next(client, shelves, monkeypatch):
    monkeypatch.setattr(collections, "COLLECTIONS_PAGE", 1)
    first = client.get(reverse("api:collections"), {"limit": 10**12, "owner": ["ann", "bob"]})
    assert len(first.json()) == 1
    following = first["Link"].removeprefix("<").removesuffix('>; rel="next"')
    assert following.startswith("http://testserver" + reverse("api:collections") + "?")
    second = client.get(following.removeprefix("http://testserver"))
    assert len(second.json()) == 1 and second.json() != first.json() and "Link" not in second
    assert "owner=ann&owner=bob" in urlsplit(following).query and "p=1" in following


def test_both_routes_count_against_the_api_rate_limit(client, shelves, settings):
    settings.PAPERHUB_API_RATE_ANON = "2/min"
    fresh_window()
    one = reverse("api:collection", args=["ann", "reading-group"])
    codes = [client.get(url).status_code for url in (reverse("api:collections"), one, one)]
    assert codes == [200, 200, 429]
