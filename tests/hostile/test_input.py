"""Hostile input: search syntax that cannot be injected, control bytes dropped, oversized requests and bad
parameters refused cleanly, no redirect off the site."""

import logging
import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperhub.api.collection_schemas import COLLECTIONS_PAGE
from paperhub.community.models import Collection, Comment
from paperhub.core.tokens import create_token
from paperhub.recommend.models import SavedSearch, Seed
from tests.factories import add_paper, user
from tests.hostile.payloads import CONTROL, SCRIPT

# --- search syntax --------------------------------------------------------------------------------

NASTY_QUERIES = [
    'title:foo AND (bar OR', "*", "?", "~2", "foo^10", "\\", '"unbalanced', 'author:"', "cat:*", "-", "--", ":::",
    "[* TO *]", "{a TO b}", "a:b:c:d", "\x00", "id:1 OR 1=1", "' OR '1'='1", "<script>", "(((((((((((", ")))",
    "+-+-", "NOT", "AND OR NOT", "é" * 300, "🦀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e", "a" * 5000, " ".join(["word"] * 2000),
    "author:" + "x" * 1000, "cat:" + ",".join(["cs.CL"] * 500), '"' * 101, "uid:2611.00001", "day:>0", "upvotes:[0 TO 9]",
]

#: What no paper's words can match: signs alone, and words of 40 letters or more (which the index drops); and a
#: field with nothing after it, which says so (it was searched as the word "author").
REFUSED = {"*", "?", "\\", "cat:*", "-", "--", ":::", "\x00", "(((((((((((", ")))", "+-+-", "é" * 300, "a" * 5000,
           "author:" + "x" * 1000, '"' * 101, 'author:"'}


def test_search_syntax_cannot_be_injected(client, hostile):
    from paperhub.search import search

    for query in NASTY_QUERIES:
        search(query)  # never raises
        search(query, mode="keyword", sort="newest")
        # ("[* TO *]": "TO" in capitals is an acronym, searched, as "WHO" and "IT"); signs alone and words too long
        # to be indexed are refused with the reason (as no words, they listed every paper)
        answer = 400 if query in REFUSED else 200
        assert client.get("/papers/search", {"q": query}).status_code == answer, query
        api = client.get("/api/search", {"q": query[:500]})
        assert api.status_code == answer, (query, api.content[:200])
        assert client.get("/api/papers/search", {"q": query[:500]}).status_code == answer
    # Field syntax of tantivy's own query language is just words here: nothing matches through it.
    assert search("uid:2611.00001", mode="keyword").total == 0
    plain = [h.uid for h in search("id 1 OR 1 1", mode="keyword").hits]
    assert [h.uid for h in search("id:1 OR 1=1", mode="keyword").hits] == plain


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_text_is_a_query(hostile, text):
    from paperhub.search import search

    results = search(text, mode="keyword")
    assert results.total >= 0


def test_control_bytes_sent_by_users_are_dropped_on_every_database(client, hostile, run_tasks):
    """NUL and other control bytes in every text a user sends through a form or the API are dropped before they
    are stored (PostgreSQL's text refused a NUL with a 500), and nothing else of the text is lost."""
    from paperhub.core.models import ApiToken
    from paperhub.recommend.models import Exclusions, ImportJob

    eve, paper = hostile["eve"], hostile["papers"]["2611.00002"]
    client.force_login(eve)
    dirty = f"A{CONTROL}b"
    posts = [(f"/comments/{paper.pk}/new", {"body": f"{dirty} comment"}),
             ("/collections/", {"title": f"{dirty} reading", "description": dirty, "public": "on"}),
             (f"/collections/eve/{hostile['collection'].slug}/edit",
              {"title": f"{dirty} renamed", "description": dirty}),
             ("/searches/save", {"q": f"{dirty} transformers"}),
             ("/for-you/paragraph", {"text": f"{dirty} I work on retrieval for long documents."}),
             ("/for-you/exclusions", {"words": dirty, "categories": f"cs.CV{CONTROL}"}),
             ("/for-you/import", {"text": f"@article{{k, title={{{dirty} lensing}}}}"}),
             ("/accounts/tokens/", {"name": f"{dirty} script"})]
    for url, data in posts:
        assert client.post(url, data).status_code < 500, url
    comment = Comment.objects.filter(user=eve).latest("pk")
    assert client.post(f"/comments/{comment.pk}/edit", {"body": f"{dirty} edited"}).status_code < 500
    _, secret = create_token(eve, "api")
    answer = client.post(f"/api/papers/{paper.uid}/comments", {"comment": f"{dirty} by the API"},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200
    run_tasks()
    stored = [*Comment.objects.filter(user=eve).values_list("body", flat=True),
              *Collection.objects.filter(owner=eve).values_list("title", "description"),
              *SavedSearch.objects.filter(user=eve).values_list("query", flat=True),
              *Seed.objects.filter(user=eve).values_list("title", "text"),
              *Exclusions.objects.filter(user=eve).values_list("words", "categories"),
              *ImportJob.objects.filter(user=eve).values_list("status", "message"),
              *ApiToken.objects.filter(user=eve).values_list("name", flat=True)]
    flat = [text for row in stored for text in (row if isinstance(row, tuple) else (row,))]
    assert flat and not [text for text in flat if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)]
    clean = "A[31mb"  # the escape sequence's printable tail stays: only control characters go
    for expected in ("edited", "by the API", "reading", "renamed", "transformers", "script"):
        assert any(f"{clean} {expected}" in text for text in flat), expected
    assert any(text.startswith("cs.CV") for text in flat) and ImportJob.objects.get(user=eve).status == ImportJob.DONE


def test_oversized_requests_are_refused_cleanly(client, hostile):
    client.force_login(hostile["eve"])
    paper = hostile["papers"]["2611.00002"]
    comments = Comment.objects.count()
    huge = client.post(f"/comments/{paper.pk}/new", {"body": "x" * (3 * 1024 * 1024)})
    assert huge.status_code == 413  # over PAPERHUB_MAX_BODY, refused before it is read
    long = client.post(f"/comments/{paper.pk}/new", {"body": "x" * 20_000}, follow=True)
    assert long.status_code == 200 and "at most" in long.content.decode()
    many = client.post(f"/comments/{paper.pk}/new", {f"f{i}": "x" for i in range(2000)})
    assert many.status_code == 400  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert Comment.objects.count() == comments
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("big.bib", b"@article{x, title={y}}\n" * 300_000)  # ~7 MB
    refused = client.post("/for-you/import", {"library": upload}, follow=True)
    assert refused.status_code == 413 and "at most 5.1 MB" in refused.content.decode()  # the file's cap, and a form
    assert client.get("/papers/search", {"q": "attention " * 20_000}).status_code == 200  # cut to the first words
    assert client.get("/papers/" + "9" * 10_000).status_code == 404
    assert client.get("/papers/not-a-paper").status_code == 404  # (was a 500: not an arXiv id)
    assert client.get("/api/papers/not-a-paper").status_code == 404
    assert client.get("/api/search", {"q": "x" * 501}).status_code == 422
    assert client.get("/api/daily_papers", {"limit": 10**12}).status_code == 422
    assert client.get("/api/daily_papers", {"p": -1}).status_code == 422
    assert client.get("/papers/search", {"q": "attention", "page": "99999999999999999999"}).status_code in (200, 404)
    # digits str.isdigit takes and int() does not ("²"), and a NUL, which PostgreSQL refuses in a query: no 500
    assert client.post("/accounts/tokens/", {"revoke": "²"}).status_code == 302
    assert client.post(f"/comments/{paper.pk}/new", {"body": "hi", "parent": "²"}).status_code in (302, 400)
    assert client.get("/papers/x:\x00y").status_code == 404
    assert client.get("/papers/x:\x00y/collections").status_code == 404
    assert client.get("/papers/" + "9" * 10_000 + "/collections").status_code == 404
    assert client.get(f"/papers/{paper.uid}/collections", {"page": "9" * 10_000}).status_code == 200
    assert client.get("/papers/search", {"q": "10.1234/x\x00y"}).status_code in (200, 400)  # a DOI lookup: no NUL
    assert client.get("/map", {"paper": "x:\x00y"}).status_code == 200
    mailings = reverse("collection_mailings", args=["eve", hostile["collection"].slug])  # the list's Stop button
    for end in ("9" * 10_000, "9" * 19, "²"):
        assert client.post(mailings, {"end": end}).status_code == 302, end[:20]


def test_the_collections_api_answers_hostile_parameters_cleanly(client, hostile):
    """Bytes, huge numbers, too many or too long filters: a capped answer or a 4xx, never a 5xx; another user's
    private collection is a 404 to them, and listed to nobody but her."""
    listing = reverse("api:collections")
    assert client.get(listing, {"limit": 10**30}).status_code == 200  # capped at a page, with a Link to the next
    assert len(client.get(listing, {"limit": 10**30}).json()) <= COLLECTIONS_PAGE
    for params in ({"limit": 0}, {"p": 10**12}, {"owner": "x" * 151}, {"owner": "eve\x00"},
                   {"owner": [f"u{i}" for i in range(21)]},
                   {"item": "papers/" + "9" * 400}, {"sort": SCRIPT}):
        assert client.get(listing, params).status_code == 422, params
    for item in ("papers/x:\x00y", "papers/", "../../etc/passwd", f"papers/{SCRIPT}", "papers/\u00b2", "models/"):
        assert client.get(listing, {"item": item}).status_code in (200, 400), item
    for raw in ("owner=%FF%FE%00", "item=papers%2F%FF%00", "sort=%FF", "limit=%FF", "owner=eve&p=%00"):
        assert client.get(f"{listing}?{raw}").status_code in (200, 400, 422), raw
    Collection.objects.filter(pk=hostile["collection"].pk).update(public=False)
    _, secret = create_token(user("mallory"), "api")
    private = reverse("api:collection", args=["eve", hostile["collection"].slug])
    assert client.get(private, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404
    assert client.get(private, HTTP_AUTHORIZATION="Bearer \udcff\x00").status_code == 404
    assert client.get(listing, {"owner": "eve"}, HTTP_AUTHORIZATION=f"Bearer {secret}").json() == []
    _, hers = create_token(hostile["eve"], "api")
    assert len(client.get(listing, {"owner": "eve"}, HTTP_AUTHORIZATION=f"Bearer {hers}").json()) == 1


def test_a_control_byte_in_a_collections_address_is_a_404_on_every_route(client, hostile):
    """A NUL (an error in a PostgreSQL query) or another control byte in the owner, the slug or the item: 404."""
    eve, slug = hostile["eve"], hostile["collection"].slug
    client.force_login(eve)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(eve, 'api')[1]}"}
    for owner, name in (("eve", f"{slug}\x00"), ("e\x00ve", slug), ("eve", f"\x01{slug}"), ("eve\x7f", slug)):
        page = f"/collections/{quote(owner)}/{quote(name)}"
        for url in (page, f"{page}.bib", f"/feeds/{page.removeprefix('/')}.atom", f"/feeds/{page.removeprefix('/')}.rss"):
            assert client.get(url).status_code == 404, url
        for url in (f"{page}/edit", f"{page}/delete", f"{page}/collaborators", f"{page}/item", f"{page}/mailings"):
            assert client.post(url, {"username": "x", "paper": hostile["papers"]["2611.00001"].pk}).status_code == 404
        api = reverse("api:collection", args=[owner, name])
        assert client.get(api).status_code == 404, api
        items = reverse("api:collection_items", args=[owner, name])
        assert client.post(items, {"item": {"type": "paper", "id": "2611.00001"}}, content_type="application/json",
                           **auth).status_code == 404
        one = reverse("api:collection_item", args=[owner, name, "2611.00001"])
        assert client.patch(one, {"note": "x"}, content_type="application/json", **auth).status_code == 404
        assert client.delete(one, **auth).status_code == 404
    item = reverse("api:collection_item", args=["eve", slug, "2611.00001\x00"])
    assert client.patch(item, {"note": "x"}, content_type="application/json", **auth).status_code == 204


# --- numbers and names past what the database or int() takes ----------------------------------------------

#: 5,000 digits: str.isdecimal() takes them, int() refuses past 4,300 (a ValueError, which was a 500).
HUGE = "9" * 5000


@pytest.fixture
def curated(db):
    """Eve, a paper and her collection, without the search index the `hostile` hub builds."""
    from paperhub.community import curation

    eve = user("eve")
    paper = add_paper("2611.00003")
    return {"eve": eve, "paper": paper, "collection": curation.create_collection(eve, "Reading")}


def _huge_number_sites(client, curated):
    eve, paper, slug = curated["eve"], curated["paper"], curated["collection"].slug
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(eve, 'api')[1]}"}
    item = reverse("api:collection_item", args=["eve", slug, HUGE])
    return {
        "reply": lambda: client.post(f"/comments/{paper.pk}/new", {"body": "hi", "parent": HUGE}),
        "save to": lambda: client.post("/collections/add", {"collection": HUGE, "paper": paper.pk}),
        "save what": lambda: client.post("/collections/add", {"collection": curated["collection"].pk, "paper": "abc"}),
        "note": lambda: client.post(f"/collections/eve/{slug}/item", {"paper": HUGE, "note": "x"}),
        "revoke": lambda: client.post("/accounts/tokens/", {"revoke": HUGE}),
        "claim": lambda: client.post(f"/authors/claim/{paper.pk}", {"author": HUGE}),
        "weeks": lambda: client.get("/trends", {"weeks": HUGE}),
        "weeks ²": lambda: client.get("/trends", {"weeks": "\u00b2"}),
        "api note": lambda: client.patch(item, {"note": "x"}, content_type="application/json", **auth),
        "api remove": lambda: client.delete(item, **auth),
        "length": lambda: client.post("/collections/add", {"collection": "1"}, CONTENT_LENGTH=HUGE),
    }


ANSWERS = {"reply": 400, "save to": 404, "save what": 404, "note": 404, "revoke": 302, "claim": 302, "weeks": 200,
           "weeks ²": 200, "api note": 404, "api remove": 404, "length": 413}


@pytest.mark.parametrize("site", list(ANSWERS))
def test_a_number_past_what_int_takes_is_refused_not_a_500(client, curated, site):
    """Every form field, query parameter and header that names a row or a count by its number (D1)."""
    client.force_login(curated["eve"])
    assert _huge_number_sites(client, curated)[site]().status_code == ANSWERS[site]


def test_create_and_save_with_no_such_paper_makes_no_collection(client, curated):
    """"Create and save" naming a paper that does not exist: refused with the form's message, nothing made (D2)."""
    client.force_login(curated["eve"])
    for paper in (HUGE, "abc", "999999"):
        page = client.post("/collections/", {"title": "half", "paper": paper}, follow=True)
        assert page.status_code == 200 and "No such paper" in page.content.decode()
    assert not Collection.objects.filter(title="half").exists()
    made = client.post("/collections/", {"title": "whole", "paper": curated["paper"].pk})
    assert made.status_code == 302 and Collection.objects.get(title="whole").items.count() == 1


NUL_DOORS = {"/users/e%00ve": 404, "/api/users/e%00ve": 404, "/users/eve%0A": 404,  # a name no user may have
             "/api/daily_papers?submitter=e%00ve": 422, "/api/trends/categories?cat=cs.CL%00+cs.LG": 200}


@pytest.mark.parametrize("url", list(NUL_DOORS))
def test_a_nul_in_a_name_or_a_code_is_no_500_on_postgresql(client, curated, url):
    """A NUL is an error in a PostgreSQL query (SQLite takes it): the user name of a profile, the submitter of the
    daily papers and the categories of a trend are refused or cleaned before any query (D3)."""
    assert client.get(url).status_code == NUL_DOORS[url]


def test_requests_django_refuses_are_one_warning_line_each(client, curated, caplog):
    """1,500 query parameters: Django's 400, logged at ERROR with a traceback for anyone to fill the log (D6)."""
    with caplog.at_level(logging.INFO):
        page = client.get("/trends?" + "&".join(f"f{i}=x" for i in range(1500)))
    assert page.status_code == 400
    refused = [r for r in caplog.records if r.name.startswith("django.security.")]
    assert [(r.name, r.levelname, r.exc_info) for r in refused] == [
        ("django.security.TooManyFieldsSent", "WARNING", None)]
    assert "\n" not in logging.Formatter().format(refused[0])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_malformed_upload_is_one_line_too(client, caplog):
    """A multipart body Django cannot parse: its 400, logged by django.request as one line, not with a traceback."""
    with caplog.at_level(logging.INFO):
        page = client.generic("POST", "/accounts/login/", b"--x\r\nnot a part", content_type="multipart/form-data; boundary=")
    assert page.status_code == 400
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.exc_info) for r in logged] == [("WARNING", None)], logged
    assert "Unable to parse request body" in logged[0].getMessage()


def test_a_pasted_library_up_to_the_stated_5_mb_is_taken(client, curated, caplog):
    """The import form says 5 MB: pasted text past Django's own 2.5 MB was a bare 400 with a traceback (D6)."""
    from paperhub.recommend.models import ImportJob

    client.force_login(curated["eve"])
    text = "@article{k, title={Lensing}}\n" * 140_000  # 4.1 MB
    with caplog.at_level(logging.INFO):
        taken = client.post("/for-you/import", {"text": text})
    assert taken.status_code == 302 and ImportJob.objects.filter(user=curated["eve"]).count() == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    over = client.post("/for-you/import", {"text": text * 2})
    assert over.status_code == 413 and "at most 5.1 MB" in over.content.decode()


# --- open redirects --------------------------------------------------------------------------------

ELSEWHERE = ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
             "javascript:alert(1)", " //evil.example", "http://testserver@evil.example/"]


def _external(location: str) -> bool:
    return bool(re.match(r"^\s*(?:[a-z]+:|//|/\\|\\\\)", location, re.I))


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_host_the_hub_does_not_serve_gets_its_400_page(client, hostile, signed_in):
    """Django answers a Host outside ALLOWED_HOSTS before the middleware sets request.user: the 400 page's footer
    asked request.user and made it a 500."""
    if signed_in:
        client.force_login(hostile["eve"])
    page = client.get("/papers/trending", HTTP_HOST="evil.example")
    assert page.status_code == 400 and "evil.example" not in page.content.decode()


def test_a_host_the_hub_does_not_serve_is_one_warning_line(client, hostile, caplog):
    """Each such request was logged at ERROR with Django's DisallowedHost traceback: a scanner filled the log."""
    with caplog.at_level(logging.INFO):
        page = client.get("/papers/trending", HTTP_HOST="evil.example")
    assert page.status_code == 400
    refused = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert [(r.levelname, r.exc_info) for r in refused] == [("WARNING", None)]
    assert "evil.example" in refused[0].getMessage() and "\n" not in logging.Formatter().format(refused[0])


def test_no_redirect_leaves_the_site(client, hostile):
    paper = hostile["papers"]["2611.00002"]
    for target in ELSEWHERE:
        login = client.post(f"/accounts/login/?next={target}", {"username": "eve", "password": "a-long-password-9"})
        assert login.status_code == 302 and not _external(login["Location"]), (target, login["Location"])
        for url in (f"/upvote/{paper.pk}", "/digests/subscribe"):
            response = client.post(url, {"next": target, "email": ""})
            assert response.status_code in (200, 302) and not _external(response.get("Location", "")), (url, target)
        logout = client.post("/accounts/logout/", {"next": target})
        assert not _external(logout.get("Location", "")), (target, logout.get("Location"))
