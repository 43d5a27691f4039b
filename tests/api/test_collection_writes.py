"""Collection writes as huggingface_hub sends them (add_collection_item, update_collection_item,
delete_collection_item): by the owner or a collaborator's token; anyone else gets the 404 of no collection."""

import pytest
from django.urls import reverse

from paperhub.community import curation
from paperhub.core import tokens
from tests.factories import add_paper, user


@pytest.fixture
def lab(db):
    """ann's private "Lab" shared with bob, holding one paper; bob's and eve's token headers."""
    ann, bob = user("ann"), user("bob")
    shelf = curation.create_collection(ann, "Lab", public=False)
    curation.add_collaborator(ann, shelf, "bob")
    curation.add_to_collection(ann, shelf, add_paper("2611.00001"))
    add_paper("2611.00002")
    auth = {name: {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(who, 'x')[1]}"}
            for name, who in (("bob", bob), ("eve", user("eve")))}
    return shelf, auth


def _items(client, auth):
    answer = client.get(reverse("api:collection", args=["ann", "lab"]), **auth).json()
    return [(i["id"], i["position"], (i.get("note") or {}).get("text")) for i in answer["items"]]


def test_a_collaborator_adds_annotates_moves_and_removes_through_the_api(client, lab):
    shelf, auth = lab
    items = reverse("api:collection_items", args=["ann", "lab"])
    body = {"item": {"type": "paper", "id": "2611.00002"}, "note": "Read *first*"}
    added = client.post(items, body, content_type="application/json", **auth["bob"])
    assert added.status_code == 200 and added.json()["slug"] == "ann/lab"
    assert client.post(items, body, content_type="application/json", **auth["bob"]).status_code == 409
    assert _items(client, auth["bob"]) == [("2611.00002", 0, "Read *first*"), ("2611.00001", 1, None)]
    first = reverse("api:collection_item", args=["ann", "lab", "2611.00001"])
    assert client.patch(first, {"position": 0, "note": "then"}, content_type="application/json",
                        **auth["bob"]).status_code == 204
    assert _items(client, auth["bob"]) == [("2611.00001", 0, "then"), ("2611.00002", 1, "Read *first*")]
    too_long = client.patch(first, {"note": "x" * 1001}, content_type="application/json", **auth["bob"])
    assert too_long.status_code == 422
    assert client.delete(first, **auth["bob"]).status_code == 204
    assert _items(client, auth["bob"]) == [("2611.00002", 0, "Read *first*")]
    assert [p.uid for p in shelf.papers.all()] == ["2611.00002"]


def test_anyone_else_gets_the_404_of_no_collection(client, lab):
    shelf, auth = lab
    body = {"item": {"type": "paper", "id": "2611.00002"}}
    for slug in ("lab", "no-such"):
        answers = [client.post(reverse("api:collection_items", args=["ann", slug]), body,
                               content_type="application/json", **auth["eve"]),
                   client.patch(reverse("api:collection_item", args=["ann", slug, "2611.00001"]), {"note": "x"},
                                content_type="application/json", **auth["eve"]),
                   client.delete(reverse("api:collection_item", args=["ann", slug, "2611.00001"]), **auth["eve"])]
        assert [(a.status_code, a.json()) for a in answers] == [(404, {"detail": "no such collection"})] * 3
    assert [p.uid for p in shelf.papers.all()] == ["2611.00001"]
