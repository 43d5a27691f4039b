"""Who may write: a CSRF token on every form, a login on every write, a token on every API write, and no user
touching another's things or seeing their private collection."""

from django.apps import apps
from django.test import Client
from django.urls import get_resolver

from paperhub.community import curation
from paperhub.community.models import Collection, Comment
from paperhub.core.sealing import seal
from paperhub.core.tokens import create_token
from paperhub.papers.models import Author
from paperhub.recommend.models import SavedSearch, Seed, ZoteroLink
from tests.factories import user
from tests.hostile.routes import concrete, named_patterns

#: POSTs that need no CSRF token: RFC 8058 one-click unsubscribe (a signed token is the authority).
CSRF_EXEMPT = {"digest_unsubscribe", "mcp"}  # mcp: Bearer tokens, no cookies (tests/assistant)
#: Forms anyone may post without logging in (they create nothing without valid input or a signed token).
ANONYMOUS_FORMS = {  # (documentation: the test above holds them to writing nothing)
    "login", "signup", "password_reset", "password_reset_confirm", "digest_subscribe", "verify_email",
                   "digest_confirm", "digest_unsubscribe", "feedback", "logout", "comment_mail_unsubscribe"}


#: Plausible form fields, so a view that forgot to check the login would really write something.
FORM = {"body": "hello", "paper": "2611.00002", "title": "A list", "name": "laptop", "q": "graph", "text": "graphs",
        "words": "graph", "categories": "cs.CL", "on": "1", "collection": "1", "revoke": "1", "parent": "",
        "confirm": "1",
        "old_password": "x", "new_password1": "a-new-long-pass-1", "new_password2": "a-new-long-pass-1"}


def _row_counts() -> dict[str, int]:
    skip = {"django_session", "api_ratewindow"}
    return {m._meta.db_table: m._default_manager.count() for m in apps.get_models()
            if m._meta.db_table not in skip}


def test_every_route_is_covered_by_these_tests(hostile):
    missing = [name for name, _ in named_patterns(get_resolver()) if concrete(name, hostile) is None]
    assert not missing, f"routes tests/hostile/routes.py does not try: {missing}"


def test_every_form_needs_a_csrf_token(hostile):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(hostile["eve"])
    before = _row_counts()
    for name, _ in named_patterns(get_resolver()):
        url = concrete(name, hostile)
        status = strict.post(url, FORM).status_code
        if name in CSRF_EXEMPT:
            continue
        assert status == 403, f"{name} ({url}) answered {status} to a POST without a CSRF token"
    assert _row_counts() == before


def test_every_write_needs_a_login(hostile):
    anonymous = Client(enforce_csrf_checks=True)
    anonymous.get("/accounts/login/")
    token = anonymous.cookies["csrftoken"].value
    for name, _ in named_patterns(get_resolver()):
        url = concrete(name, hostile)
        before = _row_counts()
        response = anonymous.post(url, {**FORM, "csrfmiddlewaretoken": token})
        assert _row_counts() == before, f"an anonymous POST to {name} ({url}) wrote something"
        assert response.status_code < 500, f"{name} ({url}) failed with {response.status_code}"


def test_one_user_cannot_touch_anothers_things(hostile, client):
    mallory = user("mallory")
    ZoteroLink.objects.create(user=mallory, library_id="1", sealed_key=seal("M" * 24), key_end="MMMM")
    client.force_login(mallory)
    create_token(hostile["eve"], "eve's")  # token 1, which mallory tries to revoke below
    _, secret = create_token(mallory, "api")
    comment = Comment.objects.get()
    saved = SavedSearch.objects.get()
    seed = Seed.objects.get(user=hostile["eve"])
    before = _row_counts()
    pushed = client.post(f"/api/zotero/push/{hostile['collection'].pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert pushed.status_code == 404  # eve's collection into mallory's Zotero, through the API
    pushed = client.post(f"/api/zotero/push/eve/{hostile['collection'].slug}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert pushed.status_code == 404  # and by its owner/slug
    client.post(f"/comments/{comment.pk}/edit", {"body": "defaced"})
    client.post(f"/comments/{comment.pk}/delete", {"confirm": "1"})
    client.post(f"/searches/{saved.pk}/forget")
    client.post(f"/for-you/seeds/{seed.pk}/forget")
    client.post("/collections/add", {"collection": hostile["collection"].pk, "paper": hostile["papers"]["2611.00002"].pk})
    client.post("/accounts/tokens/", {"revoke": "1"})
    slug = hostile["collection"].slug
    assert client.post(f"/collections/eve/{slug}/edit", {"title": "Defaced", "public": "on"}).status_code == 404
    assert client.post(f"/collections/eve/{slug}/delete", {"confirm": "1"}).status_code == 404
    assert client.post(f"/collections/eve/{slug}/collaborators", {"username": "mallory"}).status_code == 404
    paper_pk = hostile["papers"]["2611.00001"].pk
    for change in ({"note": "defaced"}, {"move": "top"}):
        assert client.post(f"/collections/eve/{slug}/item", {"paper": paper_pk, **change}).status_code == 404
    assert client.post(f"/collections/eve/{slug}/zotero").status_code == 404  # eve's collection into mallory's Zotero
    eves = Author.objects.get(name__startswith="Eve")
    client.post(f"/authors/claim/{hostile['papers']['2611.00001'].pk}/new", {"author": eves.pk})  # hers, approved already
    assert _row_counts() == before
    assert Comment.objects.get().body.startswith("<script>") and Comment.objects.visible_chosen().exists()
    assert not Collection.objects.filter(owner=mallory).exists()
    assert Collection.objects.get(owner=hostile["eve"]).title.startswith("My <script>")


def test_a_private_collection_is_not_there_for_anyone_else(hostile, client):
    """Its page, BibTeX, JSON and every write answer another user as they answer for no collection at all; shared
    with one user, it stays so for the rest, and a collaborator still cannot change its collaborators."""
    eve, mallory, bob = hostile["eve"], user("mallory"), user("bob")
    secret = curation.create_collection(eve, "Secret plans", public=False)
    curation.add_collaborator(eve, secret, "bob")
    paper = hostile["papers"]["2611.00002"]
    client.force_login(mallory)
    before = _row_counts()
    for slug in (secret.slug, "no-such-collection"):
        page = f"/collections/eve/{slug}"
        assert [client.get(url).status_code for url in (page, f"{page}.bib", f"/api/collections/eve/{slug}")] == [
            404, 404, 404]
        assert client.post(f"{page}/item", {"paper": paper.pk, "note": "x"}).status_code == 404
        assert client.post(f"{page}/collaborators", {"username": "mallory"}).status_code == 404
        assert client.post(f"{page}/zotero").status_code == 404
        # a forged subscription of mallory's list to eve's private collection
        assert client.post(f"{page}/mailings", {"email": "mallory@lists.example.org"}).status_code == 404
    client.post("/collections/add", {"collection": secret.pk, "paper": paper.pk})
    assert "Secret plans" not in client.get("/users/eve").content.decode()
    assert _row_counts() == before
    client.force_login(bob)  # a collaborator sees it and adds to it, but cannot let anyone else in
    assert client.get(f"/collections/eve/{secret.slug}").status_code == 200
    client.post(f"/collections/eve/{secret.slug}/collaborators", {"username": "mallory"})
    assert [u.username for u in curation.collaborators_of(secret)] == ["bob"]
    assert client.post("/collections/add", {"collection": secret.pk, "paper": paper.pk}).status_code == 302
    assert [p.uid for p in secret.papers.all()] == [paper.uid]


#: A Zotero connection the API would make (so a write that forgot its token would really write something).
ZOTERO = {"kind": "users", "library": "475425", "key": "P9NiFoyLeZu2bZNvvuQPDWsd"}


def test_every_api_write_needs_a_token(client, hostile):
    schema = client.get("/api/openapi.json").json()
    writes = [(path, method) for path, item in schema["paths"].items() for method in item
              if method in ("post", "put", "patch", "delete")]
    assert len(writes) >= 4
    paper = hostile["papers"]["2611.00002"]
    before = _row_counts()
    for path, method in writes:
        url = "/api" + (path.removeprefix("/api").replace("{paper_id}", paper.uid).replace("{id}", paper.uid)
                        .replace("{collection_id}", str(hostile["collection"].pk)))
        for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}):
            response = getattr(client, method)(url, {"comment": "hi", "paper": paper.uid, "on": True, **ZOTERO},
                                               content_type="application/json", **headers)
            assert response.status_code == 401, f"{method.upper()} {url} with {headers or 'no token'}"
    assert _row_counts() == before
