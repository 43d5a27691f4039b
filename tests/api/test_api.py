from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path as route

from paperhub import search
from paperhub.api import errors, hf, openapi
from paperhub.community import curation, services
from paperhub.community.models import Comment
from paperhub.core import limits, tokens
from paperhub.core.models import ApiToken
from paperhub.papers.models import Author, CodeRepository, FeedEntry, Paper
from paperhub.papers.services import upsert_papers
from tests.factories import feed_entry, fresh_window, record, user

DAY = date(2026, 11, 23)


@pytest.fixture
def papers(db, settings, tmp_path):
    """Three papers, two in the 2026-11-23 feed, one submitted by ann; keyword index built."""
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers([
        record("2611.00001", title="Sparse attention for long documents", published=when,
               abstract="We study $\\alpha$-sparse attention.", code_url="https://github.com/x/y"),
        record("2611.00002", title="Dense retrieval for claims", published=when),
        record("2611.00003", title="Older work on attention", published=datetime(2025, 1, 1, tzinfo=UTC)),
    ])
    papers = {p.uid: p for p in Paper.objects.all()}
    ann = user("ann")
    feed_entry(papers["2611.00001"], DAY, "submission", submitted_by="ann",
               submitted_at=datetime(2026, 11, 23, 8, tzinfo=UTC))
    feed_entry(papers["2611.00002"], DAY, "hf", external_upvotes=9)
    services.add_comment(ann, papers["2611.00001"], "Nice **work**")
    search.update()
    return papers


def test_daily_papers_in_hugging_face_shape(client, papers):
    items = client.get("/api/daily_papers", {"date": "2026-11-23"}).json()
    assert [i["paper"]["id"] for i in items] == ["2611.00002", "2611.00001"]  # 9 votes first
    first, second = items
    assert first["paper"]["upvotes"] == 9 and second["numComments"] == 1
    assert second["submittedBy"]["user"] == "ann" and second["publishedAt"] == "2026-11-23T08:00:00.000Z"
    assert second["paper"]["authors"][0]["name"] == "Ada Lovelace"
    assert second["paper"]["githubRepo"] == "https://github.com/x/y"
    assert client.get("/api/daily_papers").json() == items  # default: the newest day with papers
    assert len(client.get("/api/daily_papers", {"week": "2026-W48", "limit": 1}).json()) == 1
    assert len(client.get("/api/daily_papers", {"week": "2026-W48", "limit": 1, "p": 1}).json()) == 1
    assert [i["paper"]["id"] for i in client.get("/api/daily_papers", {"submitter": "ann"}).json()] == ["2611.00001"]
    assert client.get("/api/daily_papers", {"month": "2026-11"}).status_code == 200
    assert client.get("/api/daily_papers", {"limit": 101}).status_code == 422
    assert client.get("/api/daily_papers", {"week": "2026-W99"}).status_code == 400


def test_paper_search_and_comments(client, papers):
    info = client.get("/api/papers/2611.00001v2").json()
    assert info["id"] == "2611.00001" and info["title"].startswith("Sparse") and info["numComments"] == 1
    assert client.get("/api/papers/9999.99999").status_code == 404
    found = client.get("/api/papers/search", {"q": "attention"}).json()
    assert {f["paper"]["id"] for f in found} == {"2611.00001", "2611.00003"}
    newest = [f["paper"]["publishedAt"] for f in client.get("/api/papers/search", {"q": ""}).json()]
    assert len(newest) == Paper.objects.count() and newest == sorted(newest, reverse=True)  # as docs/api.md says
    comments = client.get("/api/papers/2611.00001/comments").json()
    assert comments[0]["content"] == "Nice **work**" and comments[0]["html"] == "<p>Nice <strong>work</strong></p>\n"
    ours = client.get("/api/search", {"q": "attention", "since": "2026-01-01", "mode": "keyword"}).json()
    assert ours["total"] == 1 and "<mark>attention</mark>" in ours["hits"][0]["title_html"]
    assert ours["hits"][0]["published"] == "2026-11-22"


def test_search_items_hold_the_same_paper_object_as_paper_info(client, papers, django_assert_max_num_queries):
    """Search's paper object had no submittedOnDailyAt (nor the votes counted at the source) that /api/papers/{id}
    has for the same paper."""
    feed_entry(papers["2611.00003"], date(2025, 1, 2), "hf", external_upvotes=4, submitted_by="bob",
               submitted_at=datetime(2025, 1, 2, 9, tzinfo=UTC))
    found = {f["paper"]["id"]: f["paper"] for f in client.get("/api/papers/search", {"q": "attention"}).json()}
    assert found["2611.00001"]["submittedOnDailyAt"] == "2026-11-23T08:00:00.000Z"
    assert found["2611.00003"]["upvotes"] == 4 and found["2611.00003"]["submittedOnDailyBy"]["user"] == "bob"
    for uid, shaped in found.items():
        assert shaped == client.get(f"/api/papers/{uid}").json(), uid
    # and so do an author's papers (and every other list of paper objects: one helper makes them all)
    slug = Author.objects.filter(papers=papers["2611.00003"]).first().slug
    listed = {p["id"]: p for p in client.get(f"/api/authors/{slug}").json()["papers"]}
    assert listed["2611.00003"] == client.get("/api/papers/2611.00003").json()
    # the first paper alone asks what the two together do: its code's stars, and (a vote on its day) its periods' ranks
    FeedEntry.objects.filter(paper=papers["2611.00001"]).update(external_upvotes=1)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/papers/search", {"q": "attention", "limit": 1}).json()) == 1
    with django_assert_max_num_queries(len(one)):  # the entries of a page in one query, not one per paper
        assert len(client.get("/api/papers/search", {"q": "attention"}).json()) == 2


def test_a_deleted_comment_names_no_author_and_shows_no_text(client, papers):
    paper = papers["2611.00001"]
    ann, bob = User.objects.get(username="ann"), user("bob")
    top = services.add_comment(ann, paper, "Soon gone, by ann")
    services.add_comment(bob, paper, "A reply that keeps it", parent=top)
    services.delete_comment(ann, top)  # has a reply: stays as a "deleted" placeholder
    shown = {c["id"]: c for c in client.get(f"/api/papers/{paper.uid}/comments").json()}
    assert shown[top.pk] == {**shown[top.pk], "deleted": True, "author": None, "content": "", "html": ""}
    assert "ann" not in str(shown[top.pk]) and shown[top.pk]["parentId"] is None
    reply = next(c for c in shown.values() if c["parentId"] == top.pk)
    assert reply["author"]["user"] == "bob" and reply["content"] == "A reply that keeps it"
    profile = client.get("/api/users/ann").json()
    assert all(c["id"] != top.pk for c in profile["comments"])


def test_writes_need_a_token_which_is_stored_hashed(client, papers):
    ann = User.objects.get(username="ann")
    token, secret = tokens.create_token(ann, "script")
    assert secret.startswith("ph_") and secret not in ApiToken.objects.get().digest
    assert client.post("/api/papers/2611.00002/upvote", {}, content_type="application/json").status_code == 401
    bad = {"HTTP_AUTHORIZATION": "Bearer ph_not-a-token"}
    assert client.post("/api/papers/2611.00002/upvote", {}, content_type="application/json", **bad).status_code == 401
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = client.post("/api/papers/2611.00002/upvote", {"on": True}, content_type="application/json", **auth)
    assert response.json() == {"upvoted": True, "upvotes": 1}
    response = client.post("/api/papers/2611.00001/comments", {"comment": "From a script"},
                           content_type="application/json", **auth)
    assert response.status_code == 200 and response.json()["author"]["user"] == "ann"
    reply = client.post("/api/papers/2611.00001/comments", {"comment": "Reply", "parentId": response.json()["id"]},
                        content_type="application/json", **auth)
    assert reply.json()["parentId"] == response.json()["id"]
    assert client.post("/api/papers/2611.00001/comments", {"comment": " "}, content_type="application/json",
                       **auth).status_code == 400
    ann.is_active = False
    ann.save()
    assert client.post("/api/papers/2611.00002/upvote", {}, content_type="application/json", **auth).status_code == 401
    assert tokens.revoke(ann, token.pk)


def test_a_401_says_what_is_wrong_as_mcp_does(client, papers):
    """It said {"detail": "Unauthorized"}: no token, or one that is not valid (a revoked one and one never made
    alike, so that no one learns which tokens existed), each with where to make one."""
    ann = User.objects.get(username="ann")
    token, secret = tokens.create_token(ann, "script")
    tokens.revoke(ann, token.pk)
    upvote = "/api/papers/2611.00002/upvote"
    answers = {name: client.post(upvote, {}, content_type="application/json", **header)
               for name, header in [("none", {}), ("basic", {"HTTP_AUTHORIZATION": "Basic YW5uOnB3"}),
                                    ("empty", {"HTTP_AUTHORIZATION": "Bearer "}),
                                    ("made-up", {"HTTP_AUTHORIZATION": "Bearer ph_never-made"}),
                                    ("revoked", {"HTTP_AUTHORIZATION": f"Bearer {secret}"}),
                                    ("control", {"HTTP_AUTHORIZATION": "Bearer ph_\x01\x7f"})]}
    assert {answer.status_code for answer in answers.values()} == {401}
    for name in ("none", "basic", "empty"):
        assert answers[name].json()["detail"] == ("this call needs an API token (make one on the hub's "
                                                  "/accounts/tokens/ page): send it as `Authorization: Bearer ph_...`")
    invalid = ("the API token is not valid (revoked, mistyped or its account closed): send a token of yours, made on "
               "/accounts/tokens/")
    for name in ("made-up", "revoked", "control"):
        assert answers[name].json() == {"detail": invalid}, name
        assert answers[name]["X-Error-Message"] == invalid and answers[name]["WWW-Authenticate"] == "Bearer"


def test_token_page_shows_the_secret_once(client, papers):
    client.force_login(User.objects.get(username="ann"))
    html = client.post("/accounts/tokens/", {"name": "laptop"}, follow=True).content.decode()  # post/redirect/get
    secret = html.split('<code id="new-token">')[1].split("<")[0]
    assert tokens.user_for(secret).username == "ann"
    assert secret not in client.get("/accounts/tokens/").content.decode()


def test_rates():
    assert limits.parse_rate("60/min") == limits.Rate(60, 60)
    assert limits.parse_rate("10/5s") == limits.Rate(10, 5)
    assert limits.parse_rate("1000/hour") == limits.Rate(1000, 3600)
    assert limits.parse_rate("") is None and limits.parse_rate("0") is None
    with pytest.raises(ValueError):
        limits.parse_rate("lots")


@pytest.mark.django_db
def test_rate_windows_count_and_reset():
    rate = limits.Rate(2, 60)
    assert [limits.hit("ip:1", rate, now=120.0) for _ in range(3)] == [0, 0, 60]
    assert limits.hit("ip:2", rate, now=150.0) == 0  # another client
    assert limits.hit("ip:1", rate, now=170.5) == 10  # ten seconds to the next window
    assert limits.hit("ip:1", rate, now=180.0) == 0  # the next window


def test_api_rate_limits_per_ip_and_per_token(client, papers, settings):
    settings.PAPERHUB_API_RATE_ANON = "3/min"
    settings.PAPERHUB_API_RATE_TOKEN = "5/min"
    fresh_window()  # (the requests below, 11 of them, within one minute's window)
    codes = [client.get("/api/papers/2611.00001").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/papers/2611.00001")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    _, secret = tokens.create_token(User.objects.get(username="ann"), "x")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert [client.get("/api/papers/2611.00001", **auth).status_code for _ in range(6)] == [200] * 5 + [429]


def test_shapes_are_plain_json():
    paper = Paper(uid="2501.00001", title="T", abstract="A", published=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    paper.pk = 7
    shaped = hf.paper(paper, ["A B"], 3, 1, ["a phrase"])
    assert shaped["publishedAt"] == "2025-01-02T03:04:05.000Z" and shaped["discussionId"] == "7"
    assert shaped["githubRepo"] is None and "organization" not in shaped


def test_a_day_parameter_is_written_yyyy_mm_dd_only(client, papers):
    """pydantic read 1782777600 and 2026-11-23T00:00 as days; the feeds' parser, one for the API, MCP and pages."""
    for text in ("2026-W48", "20261123", "1782777600", "2026-11-23T00:00"):
        for url in (f"/api/daily_papers?date={text}", f"/api/search?q=x&since={text}"):
            refused = client.get(url)
            assert refused.status_code == 422 and "(a day is written YYYY-MM-DD, as 2026-06-30" in refused[
                "X-Error-Message"], url
    assert client.get("/api/daily_papers?date=2026-11-23").status_code == 200
    # any day of the calendar, as the search page reads it (found in review: its "as JSON" link was a 422)
    assert client.get("/api/search?q=x&since=0001-01-01&until=9999-12-31").status_code == 200
    refused = client.get("/api/search?q=x&since=2026-02-30")
    assert refused.status_code == 422 and "no such day in the calendar" in refused["X-Error-Message"]


def test_daily_papers_take_one_period(client, papers):
    response = client.get("/api/daily_papers", {"date": "2026-11-23", "week": "2026-W48"})
    assert response.status_code == 400 and response.json() == {"detail": "give one of date, week and month, not "
                                                                         "date and week"}
    assert client.get("/api/daily_papers", {"week": "2026-W48"}).status_code == 200


@pytest.fixture
def june(db, settings, tmp_path):
    """Five papers in June 2020's feeds (long out of the trending window), their votes and dates in other orders."""
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    days = {"A": 30, "B": 24, "C": 19, "D": 2, "E": 10}
    votes = {"A": 0, "B": 0, "C": 5, "D": 9, "E": 3}
    upsert_papers([record(f"2006.0000{i}", title=name, published=datetime(2020, 6, 1, tzinfo=UTC))
                   for i, name in enumerate(days, 1)])
    for paper in Paper.objects.all():
        feed_entry(paper, date(2020, 6, days[paper.title]), "hf", external_upvotes=votes[paper.title],
                   submitted_at=datetime(2020, 6, days[paper.title], 8, tzinfo=UTC),
                   submitted_by="ann" if paper.title in "ACE" else "")


def _titles(client, **params):
    """Every page of /api/daily_papers (two papers a page) in turn: the papers' titles."""
    pages = [client.get("/api/daily_papers", {**params, "limit": 2, "p": p}).json() for p in range(4)]
    return "".join(item["title"] for page in pages for item in page)


def test_daily_papers_sorted_by_date_page_through_the_whole_period(client, june):
    """sort=publishedAt sorted each page of the most upvoted: page 0 gave C, D (June 19, 2) and page 1 A, E."""
    assert _titles(client, month="2020-06", sort="publishedAt") == "ABCED"
    assert _titles(client, month="2020-06") == "DCEBA"  # most upvoted first, as before
    assert _titles(client, submitter="ann", sort="publishedAt") == _titles(client, submitter="ann") == "ACE"
    assert _titles(client, submitter="ann", month="2020-06", sort="publishedAt") == "ACE"
    dates = [i["publishedAt"] for i in client.get("/api/daily_papers", {"month": "2020-06", "sort": "publishedAt"})
             .json()]
    assert dates == sorted(dates, reverse=True)


def test_trending_daily_papers_keep_the_period_and_submitter(client, june):
    """sort=trending answered the hub's trending papers whatever the period or submitter: [] for June 2020."""
    assert _titles(client, date="2020-06-19", sort="trending") == "C"
    assert _titles(client, date="2020-06-30", sort="trending") == "A"  # no votes: listed all the same
    assert _titles(client, month="2020-06", sort="trending") == "DCEAB"  # voted by score, then newest
    assert _titles(client, submitter="ann", sort="trending") == "CEA"
    assert _titles(client, sort="trending") == ""  # none: the recent feeds' trending, as before


def test_api_errors_carry_x_error_message_for_huggingface_hub(client, papers, settings):
    """huggingface_hub reads a server's message from X-Error-Message (or `error` in the body), never `detail`."""
    cases = [("/api/papers/9999.99999", 404, "no paper '9999.99999' on this hub (ids look like 2501.01234 or its arXiv "
                                               "address)"),
             ("/api/daily_papers?date=2026-11-23&week=2026-W48", 400, "give one of date, week and month, not date "
                                                                       "and week"),
             ("/api/daily_papers?limit=500", 422, "query.limit: Input should be less than or equal to 100"),
             ("/api/papers/2611.00001/upvote", 405, "GET is not allowed here; this address takes POST."),
             ("/api/recommendations", 401, "this call needs an API token (make one on the hub's /accounts/tokens/ "
                                           "page): send it as `Authorization: Bearer ph_...`"),
             ("/api/no-such-endpoint", 404, "no such API address: the routes are listed at /api/docs")]
    for url, status, message in cases:
        response = client.get(url)
        assert (response.status_code, response["X-Error-Message"]) == (status, message), url
    assert client.get("/api/papers/9999.99999").json() == {"detail": cases[0][2]}  # the body says the same
    assert client.get("/api/no-such-endpoint").json() == {  # JSON, as the API's own 404s (it was the HTML page)
        "detail": "no such API address: the routes are listed at /api/docs"}
    assert "<html" in client.get("/no-such-page").content.decode().lower()
    assert "X-Error-Message" not in client.get("/api/papers/2611.00001")
    assert "X-Error-Message" not in client.get("/papers/9999.99999")  # the pages are not the API
    filler = client.get("/api/papers/search", {"q": "the"})  # the header in ASCII quotes, the body as written
    assert filler.status_code == 400 and "(such as \u201cthe\u201d," in filler.json()["detail"]
    assert '(such as "the", "of", "and")' in filler["X-Error-Message"]
    settings.PAPERHUB_API_RATE_ANON = "1/min"
    fresh_window()
    client.get("/api/papers/2611.00001")
    limited = client.get("/api/papers/2611.00001")
    assert limited.status_code == 429 and limited["X-Error-Message"] == limited.json()["detail"]


def test_x_error_message_is_one_bounded_line_of_ascii():
    """A detail can hold what the client sent: no CR or LF may reach the header, nor anything but latin-1."""
    assert errors.header_value("no paper '2611\r\nSet-Cookie: x=1'") == "no paper '2611 Set-Cookie: x=1'"
    assert errors.header_value("caf\u00e9 \u2028 \U0001f600\x00\x7f end") == "caf\\xe9 \\U0001f600 end"
    assert errors.header_value("\ud800 lone") == "lone"  # a lone surrogate (an undecodable byte) too
    # typographic punctuation reads as its ASCII twin (hf printed \u201cthe\u201d), the rest is still escaped
    assert errors.header_value("words (such as \u201cthe\u201d, \u2018of\u2019) \u2013 more\u2026 \u00e9") == (
        "words (such as \"the\", 'of') - more... \\xe9")
    long = errors.header_value("x" * 5000)
    assert len(long) == errors.MAX_MESSAGE and long.endswith("...")
    assert errors.detail_text([{"loc": ["query", "p"], "msg": "too big"}, {"msg": "odd"}, "plain"]) == (
        "query.p: too big; odd; plain")


def test_a_method_a_route_does_not_take_is_answered_in_json(client, papers):
    """405 keeps its Allow header and says so in the API's own error shape (it was ninja's plain text)."""
    for method, url in [("put", "/api/papers/2611.00001"), ("delete", "/api/search?q=x"),
                        ("get", "/api/papers/2611.00001/upvote")]:
        response = getattr(client, method)(url)
        assert response.status_code == 405, url
        assert response["Content-Type"] == "application/json", url
        assert response.json()["detail"].startswith(f"{method.upper()} is not allowed here"), url
        assert method.upper() not in response["Allow"] and response["Allow"], url
    assert client.post("/api/papers/2611.00001/upvote", {}).status_code == 401  # the wrapped view still runs


def test_openapi_document_and_docs_page(client, db):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/daily_papers", "/api/papers/search", "/api/search"} <= set(schema["paths"])
    paths = schema["paths"]
    for path in ("/api/search", "/api/papers/search", "/api/search/volume"):  # their 400s and 422s went undeclared
        assert {"200", "400", "422"} <= set(paths[path]["get"]["responses"]), path
    assert "422" not in paths["/api/health"]["get"]["responses"]  # no parameters: nothing to refuse
    # only a path's unconstrained strings: any text there is valid (the 422 was declared on these)
    for path, method in (("/api/papers/{paper_id}", "get"), ("/api/papers/{paper_id}/upvotes", "get"),
                         ("/api/zotero/push/{owner}/{slug}", "post"),
                         ("/api/collections/{username}/{slug}/items/{item_id}", "delete"),
                         ("/api/submissions/{submission_id}", "get")):  # Django's int converter: digits or 404
        assert "422" not in paths[path][method]["responses"], path
    assert client.get("/api/submissions/abc").status_code == 404
    assert "422" in paths["/api/papers/{paper_id}/upvote"]["post"]["responses"]  # its body can be refused
    ids = [operation["operationId"] for path in paths.values() for operation in path.values()]
    assert len(ids) == len(set(ids))  # GET and HEAD /api/health, PUT and POST /api/zotero had one each
    invalid = client.get("/api/search", {"limit": "x", "mode": "zz"})
    declared = schema["components"]["schemas"][paths["/api/search"]["get"]["responses"]["422"]["content"][
        "application/json"]["schema"]["$ref"].rpartition("/")[2]]
    assert invalid.status_code == 422 and set(declared["required"]) <= set(invalid.json())
    fields = schema["components"]["schemas"]["InvalidField"]["required"]
    assert all(set(fields) <= set(error) for error in invalid.json()["detail"])
    # reads a token changes: /api/docs' Authorize sends it, and they work without one
    for path in ("/api/collections", "/api/collections/{username}/{slug}", "/api/users/{username}"):
        assert paths[path]["get"]["security"] == [{"TokenAuth": []}, {}], path
    assert "security" not in paths["/api/search"]["get"]
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs  # works offline


def test_only_a_path_number_that_django_reads_cannot_fail_validation():
    number = {"in": "path", "name": "n", "schema": {"type": "integer"}}
    patterns = [route("x/<int:n>/<slug>", HttpResponse), route("y/<n>", HttpResponse)]
    digits = openapi.digit_parameters(patterns, "/api/")
    assert digits == {"/api/x/{n}/{slug}": {"n"}, "/api/y/{n}": set()}
    # /y/abc reaches the view: its int refuses it (422); /x/abc is no route (404)
    assert openapi.refusable(number, digits["/api/y/{n}"]) and not openapi.refusable(number, digits["/api/x/{n}/{slug}"])
    assert openapi.refusable({"in": "query", "name": "n", "schema": {"type": "integer"}}, {"n"})


def test_author_page_twin(client, papers):
    ada = Author.objects.get(name="Ada Lovelace")
    answer = client.get(f"/api/authors/{ada.slug}").json()
    assert (answer["name"], answer["slug"], answer["total"]) == ("Ada Lovelace", ada.slug, 3)
    assert [p["id"] for p in answer["papers"]] == ["2611.00002", "2611.00001", "2611.00003"]  # as the page lists them
    assert answer["papers"][1]["numComments"] == 1 and answer["papers"][1]["authors"][0]["_id"] == "2611.00001#0"
    assert client.get(f"/api/authors/old-name-{ada.pk}", {"limit": 1, "p": 1}).json()["papers"][0]["id"] == "2611.00001"
    html = client.get(f"/authors/{ada.slug}").content.decode()
    assert html.index("Dense retrieval") < html.index("Sparse attention") < html.index("Older work")
    for slug in ("nobody-99999", "ada", "ada-1x", "ada-" + "9" * 30, "ada-\u00b2"):
        assert client.get(f"/api/authors/{slug}").status_code == 404, slug
        assert client.get(f"/authors/{slug}").status_code == 404, slug


def test_collection_twin_keeps_private_ones_private(client, papers):
    ann = User.objects.get(username="ann")
    bob = user("bob")
    shelf = curation.create_collection(ann, "Reading group", "Tuesdays")
    curation.add_to_collection(ann, shelf, papers["2611.00002"])
    curation.add_to_collection(ann, shelf, papers["2611.00001"])
    secret = curation.create_collection(ann, "Secret", public=False)
    answer = client.get("/api/collections/ann/reading-group").json()
    assert {k: answer[k] for k in ("owner", "slug", "title", "description", "public")} == {
        "owner": "ann", "slug": "ann/reading-group", "title": "Reading group", "description": "Tuesdays",
        "public": True}  # slug: Hugging Face's, owner/slug
    assert [p["id"] for p in answer["papers"]] == ["2611.00001", "2611.00002"]  # latest added first
    ann_auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(ann, 'x')[1]}"}
    bob_auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(bob, 'x')[1]}"}
    private = f"/api/collections/ann/{secret.slug}"
    assert client.get(private).status_code == 404
    assert client.get(private, **bob_auth).status_code == 404
    assert client.get(private, HTTP_AUTHORIZATION="Bearer ph_not-a-token").status_code == 404
    assert client.get(private, **ann_auth).json()["public"] is False
    assert client.get(f"/collections/ann/{secret.slug}").status_code == 404  # the page agrees
    client.force_login(ann)
    assert client.get(f"/collections/ann/{secret.slug}").status_code == 200


def test_profile_twin(client, papers):
    ann = User.objects.get(username="ann")
    services.upvote(ann, papers["2611.00002"])
    curation.create_collection(ann, "Public shelf")
    curation.create_collection(ann, "Hidden shelf", public=False)
    hidden = services.add_comment(ann, papers["2611.00002"], "Hidden later")
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    answer = client.get("/api/users/ann").json()
    assert answer["username"] == "ann" and [p["id"] for p in answer["upvoted"]] == ["2611.00002"]
    assert [c["title"] for c in answer["collections"]] == ["Public shelf"]
    assert [(c["content"], c["paper"]) for c in answer["comments"]] == [
        ("Nice **work**", {"id": "2611.00001", "title": "Sparse attention for long documents"})]
    assert answer["comments"][0]["author"]["user"] == "ann"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(ann, 'x')[1]}"}
    assert [c["title"] for c in client.get("/api/users/ann", **auth).json()["collections"]] == [
        "Hidden shelf", "Public shelf"]
    ann.is_active = False
    ann.save()
    assert client.get("/api/users/ann").status_code == 404 and client.get("/users/ann").status_code == 404
    assert client.get("/api/users/nobody").status_code == 404


def test_code_stars_project_page_and_the_has_code_filter(client, papers):
    CodeRepository.objects.filter(full_name="x/y").update(stars=1234)  # its row came when the paper landed
    Paper.objects.filter(uid="2611.00002").update(project_url="https://claims.github.io/")
    daily = {i["paper"]["id"]: i["paper"] for i in client.get("/api/daily_papers", {"date": "2026-11-23"}).json()}
    assert daily["2611.00001"]["githubStars"] == 1234 and "githubStars" not in daily["2611.00002"]
    assert daily["2611.00002"]["projectPage"] == "https://claims.github.io/"
    info = client.get("/api/papers/2611.00001").json()
    assert (info["githubRepo"], info["githubStars"], info["projectPage"]) == ("https://github.com/x/y", 1234, None)
    found = client.get("/api/papers/search", {"q": "attention"}).json()
    assert {f["paper"]["id"]: f["paper"].get("githubStars") for f in found} == {"2611.00001": 1234, "2611.00003": None}
    for params in ({"q": "attention", "code": "true"}, {"q": "attention has:code"},
                   {"q": "attention", "code": "1", "mode": "keyword"}, {"q": "", "code": "1", "sort": "newest"}):
        hits = client.get("/api/search", params).json()
        assert [h["id"] for h in hits["hits"]] == ["2611.00001"] and hits["total"] == 1, params
    assert client.get("/api/search", {"q": "attention", "code": "maybe"}).status_code == 422


def test_the_health_check_asks_the_database_and_no_rate_limit(client, db, settings, monkeypatch):
    """For a load balancer or a monitor: 200 while the database answers, 503 when it does not."""
    from paperhub.core import health

    settings.PAPERHUB_API_RATE_ANON = "1/min"
    fresh_window()
    for _ in range(3):  # a monitor's every few seconds are not refused
        assert client.get("/api/health").json() == {"status": "ok", "database": True}
    monkeypatch.setattr(health, "connection", type("Gone", (), {"cursor": lambda self: (_ for _ in ()).throw(
        OperationalError("unable to open database file"))})())
    answer = client.get("/api/health")
    assert (answer.status_code, answer.json()) == (503, {"status": "unavailable", "database": False})
    assert "unable to open" not in answer.content.decode()  # why is logged, not told to the public


def test_the_health_check_answers_a_monitors_head_with_the_same_status_and_no_body(client, db, monkeypatch):
    """HEAD /api/health was a 405, so a monitor that sends HEAD saw a node that serves as down."""
    from paperhub.core import health

    answer = client.head("/api/health")
    assert (answer.status_code, answer.content) == (200, b"")
    monkeypatch.setattr(health, "connection", type("Gone", (), {"cursor": lambda self: (_ for _ in ()).throw(
        OperationalError("unable to open database file"))})())
    answer = client.head("/api/health")
    assert (answer.status_code, answer.content) == (503, b"")
