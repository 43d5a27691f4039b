"""Making a collection through the API, as huggingface_hub's create_collection sends it (POST /api/collections),
and whose a token is (GET /api/whoami-v2, which create_collection asks without a namespace)."""

import pytest
from django.urls import reverse

from paperhub.community.models import Collection
from paperhub.core import tokens
from tests.factories import user

CREATE = "/api/collections"


@pytest.fixture
def auth(db):
    """ann's and bob's token headers."""
    return {name: {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(user(name), 'x')[1]}"} for name in ("ann", "bob")}


def _create(client, headers, **body):
    return client.post(CREATE, body, content_type="application/json", **headers)


def test_a_collection_is_made_as_the_web_form_makes_it(client, auth):
    """It was a 405: the API could add papers to a collection but not make one."""
    made = _create(client, auth["ann"], title="From HF client", namespace="ann", private=True,
                   description="Made by a *script*")
    assert made.status_code == 200
    answer = made.json()
    assert (answer["slug"], answer["title"], answer["owner"], answer["private"], answer["items"]) == (
        "ann/from-hf-client", "From HF client", "ann", True, [])
    assert answer["description"] == "Made by a *script*" and answer["lastUpdated"]
    stored = Collection.objects.get(owner__username="ann")
    assert (stored.slug, stored.public, stored.description) == ("from-hf-client", False, "Made by a *script*")
    assert client.get(reverse("api:collection", args=["ann", "from-hf-client"])).status_code == 404  # private
    assert _create(client, auth["bob"], title="Bob's").json()["slug"] == "bob/bobs"  # no namespace: the token's


def test_a_second_collection_of_a_title_is_a_409_naming_the_first(client, auth):
    """huggingface_hub's exists_ok=True reads the 409's `slug` and fetches that collection."""
    first = _create(client, auth["ann"], title="Reading group", namespace="ann").json()
    again = _create(client, auth["ann"], title=" Reading\x00 group ", namespace="ann")
    assert again.status_code == 409 and again.json() == {
        "detail": "you have a collection titled 'Reading group' already", "slug": first["slug"]}
    assert _create(client, auth["bob"], title="Reading group").status_code == 200  # bob's own is no clash
    assert Collection.objects.filter(owner__username="ann").count() == 1


def test_hostile_creations_are_refused_and_store_nothing(client, auth):
    cases = [
        ({}, {"title": "Mine"}, 401, "this call needs an API token"),
        ({"HTTP_AUTHORIZATION": "Bearer ph_forged"}, {"title": "Mine"}, 401, "the API token is not valid"),
        (auth["bob"], {"title": "Squat", "namespace": "ann"}, 403,
         "you may make collections under your own name only ('bob'), not 'ann'"),
        (auth["bob"], {"title": "x", "namespace": "ann\x00\r\nX: y"}, 403, "not 'ann\\x00\\r\\nX: y'"),
        (auth["bob"], {"title": "x" * 10_000}, 422, "body.title: String should have at most 200 characters"),
        (auth["bob"], {"title": "ok", "description": "x" * 2001}, 422,
         "body.description: String should have at most 2000 characters"),
        (auth["bob"], {"title": "\x00\x07 \x1b"}, 400, "A collection needs a title."),
        (auth["bob"], {"title": ["a list"]}, 422, "body.title: Input should be a valid string"),
        (auth["bob"], {"namespace": "bob"}, 422, "body.title: Field required"),
    ]
    for headers, body, status, message in cases:
        refused = _create(client, headers, **body)
        assert refused.status_code == status and message in refused["X-Error-Message"], (body, refused.content)
    assert not Collection.objects.exists()
    made = _create(client, auth["bob"], title="Null\x00 and bell\x07").json()  # control bytes dropped, as the form
    assert made["title"] == "Null and bell" and made["slug"] == "bob/null-and-bell"


def test_whoami_names_the_tokens_user_only(client, auth, django_user_model):
    ann = django_user_model.objects.get(username="ann")
    assert client.get("/api/whoami-v2", **auth["ann"]).json() == {
        "type": "user", "id": str(ann.pk), "name": "ann", "orgs": []}
    ann.first_name, ann.last_name = "Ann", "Lee"
    ann.save()
    assert client.get("/api/whoami-v2", **auth["ann"]).json()["fullname"] == "Ann Lee"
    for headers, message in [({}, "this call needs an API token"),
                             ({"HTTP_AUTHORIZATION": "Bearer ph_forged"}, "the API token is not valid")]:
        refused = client.get("/api/whoami-v2", **headers)
        assert refused.status_code == 401 and refused.json()["detail"].startswith(message)
    ann.is_active = False  # banned: the token stops working
    ann.save()
    assert client.get("/api/whoami-v2", **auth["ann"]).status_code == 401
