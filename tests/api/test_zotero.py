"""/api/zotero: the JSON twin of /for-you/zotero, over the same services (issue 19)."""

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from paperhub.community import curation
from paperhub.core import tokens
from paperhub.recommend.models import ZoteroLink
from tests.factories import user
from tests.recommend.test_zotero import (
    KEY,
    _link,
    _seeds,
    hub,  # noqa: F401 (a fixture)
)
from tests.recommend.test_zotero import api as library  # noqa: F401 (the recorded Zotero library, a fixture)

pytestmark = pytest.mark.django_db
CONNECT = {"kind": "users", "library": "475425", "key": KEY}


def _auth(person) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(person, 'script')[1]}"}


def _send(client: Client, method: str, url: str, auth: dict[str, str], body: dict | None = None):
    return getattr(client, method)(url, body or {}, content_type="application/json", **auth)


def test_connect_sync_push_and_disconnect_with_a_token(client, library, hub, run_tasks):  # noqa: F811
    reader = user()
    auth, home = _auth(reader), reverse("api:zotero_connection")
    assert client.get(home, **auth).status_code == 404
    connected = _send(client, "put", home, auth, CONNECT)
    assert connected.status_code == 200 and library.requests == []  # queued, not fetched in the request
    state = connected.json()
    assert state["connected"] and state["busy"] and state["keyEnd"] == KEY[-4:] and state["library"] == "475425"
    run_tasks()
    state = client.get(home, **auth).json()
    assert state["version"] == 1450 and not state["busy"] and state["syncedAt"] and len(_seeds(reader)) == 4
    synced = _send(client, "post", reverse("api:zotero_sync"), auth)
    assert synced.status_code == 202 and synced.json()["busy"]
    again = _send(client, "post", reverse("api:zotero_sync"), auth)
    assert again.status_code == 400 and "already on its way" in again.json()["detail"]
    ZoteroLink.objects.update(busy_since=None)
    shelf = curation.create_collection(reader, "Mine", "", public=False)
    # by owner/slug as /api/collections names it; its number (as the web form sends it) works too
    pushed = _send(client, "post", reverse("api:zotero_push", args=[reader.username, shelf.slug]), auth)
    assert pushed.status_code == 202 and pushed.json()["busy"]
    assert DBTaskResult.objects.filter(task_path__endswith="push_collection").count() == 1
    ZoteroLink.objects.update(busy_since=None)
    assert _send(client, "post", reverse("api:zotero_push_by_id", args=[shelf.pk]), auth).status_code == 202
    assert DBTaskResult.objects.filter(task_path__endswith="push_collection").count() == 2
    assert _send(client, "post", home, auth, CONNECT).status_code == 200  # POST connects too (re-keys)
    assert _send(client, "delete", home, auth).status_code == 204
    assert not ZoteroLink.objects.exists() and len(_seeds(reader)) == 4
    assert _send(client, "delete", home, auth).status_code == 204  # nothing left to forget: still fine
    assert client.get(home, **auth).status_code == 404


def test_the_key_never_appears_in_any_answer(client, library, hub, run_tasks):  # noqa: F811
    reader = user()
    auth, home = _auth(reader), reverse("api:zotero_connection")
    shelf = curation.create_collection(reader, "Mine", "", public=False)
    answers = [_send(client, "put", home, auth, CONNECT)]
    run_tasks()
    answers += [client.get(home, **auth), _send(client, "post", reverse("api:zotero_sync"), auth)]
    run_tasks()
    answers += [
        _send(client, "post", reverse("api:zotero_push", args=[reader.username, shelf.slug]), auth),
        _send(client, "delete", home, auth),
        client.get("/api/openapi.json"),
    ]
    assert all(KEY not in a.content.decode() and KEY[:20] not in a.content.decode() for a in answers)
    assert KEY[-4:] in answers[0].content.decode()


def test_every_zotero_endpoint_needs_a_token(client):
    owner = user()
    _link(owner)
    shelf = curation.create_collection(owner, "Mine", "", public=True)
    home = reverse("api:zotero_connection")
    calls = [
        ("get", home),
        ("put", home),
        ("post", home),
        ("delete", home),
        ("post", reverse("api:zotero_sync")),
        ("post", reverse("api:zotero_push", args=[shelf.owner.username, shelf.slug])),
        ("post", reverse("api:zotero_push_by_id", args=[shelf.pk])),
    ]
    for method, url in calls:
        for auth in ({}, {"HTTP_AUTHORIZATION": "Bearer ph_not-a-token"}):
            assert _send(client, method, url, auth, CONNECT).status_code == 401, (method, url, auth)
    assert ZoteroLink.objects.get().library_id == "475425" and not DBTaskResult.objects.exists()


def test_another_users_collection_is_not_found(client):
    owner, other = user(), user("bob")
    _link(other)
    shelf = curation.create_collection(owner, "Mine", "", public=True)
    auth = _auth(other)
    for named in ([owner.username, shelf.slug], [shelf.pk]):  # public, but not bob's to push
        answer = _send(client, "post", reverse("api:zotero_push" if len(named) == 2 else "api:zotero_push_by_id",
                                                  args=named), auth)
        assert answer.status_code == 404 and not DBTaskResult.objects.exists()
    missing = _send(client, "post", reverse("api:zotero_push_by_id", args=[shelf.pk + 99]), auth)
    assert missing.status_code == 404
    for owner_name, slug in ((owner.username, "nosuch"), ("nosuch", shelf.slug), (owner.username, "mine%00")):
        missing = _send(client, "post", f"/api/zotero/push/{owner_name}/{slug}", auth)
        assert missing.status_code == 404 and missing.json()["detail"].startswith("you curate no collection ")


def test_zotero_writes_share_the_web_forms_limit_per_user(client, settings):
    settings.PAPERHUB_ZOTERO_RATE = "3/hour"
    reader = user()
    auth, home = _auth(reader), reverse("api:zotero_connection")
    client.force_login(reader)
    assert client.post(reverse("zotero"), {"kind": "users", "library": "x"}).status_code == 302  # the web form
    statuses = [_send(client, "put", home, auth, {**CONNECT, "library": "x"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    refused = _send(client, "post", reverse("api:zotero_sync"), auth)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert client.get(home, **auth).status_code == 404  # reads are not counted
    assert _send(client, "post", reverse("api:zotero_sync"), _auth(user("bob"))).status_code == 400  # bob's count


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({**CONNECT, "key": "k" * 65}, 422, ""),
        ({**CONNECT, "library": "9" * 21}, 422, ""),
        ({**CONNECT, "kind": "organisations"}, 422, "'loc': ['body', 'kind']"),  # where the client put it
        ({**CONNECT, "key": "x" * 10_000}, 422, ""),
        ({"kind": "users", "library": "475425"}, 422, "'loc': ['body', 'key']"),
        ({**CONNECT, "library": "ann"}, 400, "The library id is the number"),
        ({**CONNECT, "key": "short"}, 400, "does not look like a Zotero API key"),
        ({**CONNECT, "key": "<script>alert(1)</script>"}, 400, "does not look like a Zotero API key"),
    ],
)
def test_hostile_connections_are_refused_clearly(client, body, status, error):
    answer = _send(client, "put", reverse("api:zotero_connection"), _auth(user()), body)
    assert answer.status_code == status and error in str(answer.json()["detail"])
    assert "body.body" not in answer["X-Error-Message"]  # "body.kind: Input should be 'users' or 'groups'"
    assert not ZoteroLink.objects.exists() and not DBTaskResult.objects.exists()


def test_a_refused_key_shows_as_not_connected_with_its_message(client):
    reader = user()
    ZoteroLink.objects.create(
        user=reader, library_id="475425", sealed_key="", key_end="", message="Disconnected: Zotero refused the key."
    )
    state = client.get(reverse("api:zotero_connection"), **_auth(reader)).json()
    assert not state["connected"] and state["message"].startswith("Disconnected") and state["keyEnd"] == ""
    refused = _send(client, "post", reverse("api:zotero_sync"), _auth(reader))
    assert refused.status_code == 400 and refused.json()["detail"] == "Connect a Zotero library first."


def test_the_openapi_document_declares_what_each_zotero_route_answers(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    declared = {(method.upper(), path): set(operation["responses"]) for path, operations in paths.items()
                if path.startswith("/api/zotero") for method, operation in operations.items()}
    push = {"202", "400", "401", "404", "429"}
    assert declared == {
        ("GET", "/api/zotero"): {"200", "401", "404", "429"},  # 429: the API's rate limit too
        ("PUT", "/api/zotero"): {"200", "400", "401", "422", "429"},
        ("POST", "/api/zotero"): {"200", "400", "401", "422", "429"},
        ("DELETE", "/api/zotero"): {"204", "401", "429"},
        ("POST", "/api/zotero/sync"): {"202", "400", "401", "429"},  # no library: 400, not the 404 declared
        ("POST", "/api/zotero/push/{owner}/{slug}"): push,
        ("POST", "/api/zotero/push/{collection_id}"): push,  # its int converter: a 404 for any other text, no 422
    }
    auth = _auth(user())
    for number in ("abc", "-1", "1.5", "9" * 30):
        assert _send(client, "post", f"/api/zotero/push/{number}", auth).status_code == 404, number
    assert _send(client, "post", reverse("api:zotero_sync"), auth).status_code == 400
    assert _send(client, "put", reverse("api:zotero_connection"), auth, {"kind": "nope"}).status_code == 422
