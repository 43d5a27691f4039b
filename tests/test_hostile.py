"""Hostile input, across every front door: XSS through titles, abstracts, comments and names; CSRF on every form;
login on every write; search-syntax injection; oversized requests; open redirects."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperhub.api.collection_schemas import COLLECTIONS_PAGE
from paperhub.community import curation, services
from paperhub.community.models import Collection, Comment
from paperhub.core.sealing import seal
from paperhub.core.tokens import create_token
from paperhub.papers.models import Author, Paper
from paperhub.papers.services import upsert_papers
from paperhub.recommend import services as recommend
from paperhub.recommend.models import SavedSearch, Seed, ZoteroLink
from tests.factories import approved_claim, feed_entry, record, user

DAY = date(2026, 11, 23)
SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert('x')>"
SVG = '"><svg onload=alert(1)>'
# Bytes XML cannot hold and terminals misread, as hostile source data or a hostile user would store them.
CONTROL = "\x00\x01\x08\x0b\x0c\x1b[31m\x7f\x85"
# What a row can already hold (PostgreSQL's text cannot hold NUL; the services strip it from what users send).
STORED_CONTROL = CONTROL.replace("\x00", "")
# Anything that would run if it reached a page unescaped: tags, event handlers, javascript: links.
DANGER = re.compile(r"<script>alert|<img src=x onerror|<svg onload|href=\"\s*javascript:|src=\"\s*javascript:", re.I)


@pytest.fixture
def hostile(db, settings, tmp_path):
    """Papers whose every field carries a payload, an author named like one, and a user's hostile comment,
    collection and saved search; indexed for search."""
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    from paperhub.search import indexing, update

    indexing.forget()
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers([
        record("2611.00001", title=f"Attention {SCRIPT} is all {IMG} you need $x{SVG}$", published=when,
               abstract=f"We show $\\href{{javascript:alert(1)}}{{x}}$ and {SCRIPT} and $<img src=x onerror=alert(1)>$"
                        f" \\textbf{{{IMG}}} with \\url{{javascript:alert(2)}}.",
               authors=(f"Eve {IMG}", "Mallory <b onmouseover=alert(1)>"), categories=("cs.CL",),
               code_url="javascript:alert(1)", project_url="data:text/html,<script>alert(1)</script>",
               comments=SCRIPT, journal_ref=IMG, doi=f"10.1/{SVG}"),
        record("2611.00002", title="Plain paper on attention", published=when, categories=("cs.CL",)),
    ])
    # Control characters straight into the stored rows too: ingest strips them now, rows from before keep them.
    Paper.objects.filter(uid="2611.00001").update(title=Concat("title", Value(STORED_CONTROL)),
                                                  abstract=Concat("abstract", Value(STORED_CONTROL)),
                                                  comments=Value(STORED_CONTROL),
                                                  doi=Concat("doi", Value(STORED_CONTROL)))
    Author.objects.filter(name__startswith="Eve").update(name=Concat("name", Value(STORED_CONTROL)))
    papers = {p.uid: p for p in Paper.objects.all()}
    for paper in papers.values():
        feed_entry(paper, DAY)
    eve = user("eve", password="a-long-password-9", first_name=SCRIPT)
    services.add_comment(eve, papers["2611.00001"],
                         f"{SCRIPT} [click](javascript:alert(1)) ![x](javascript:alert(2)) {IMG} <b>bold</b>{CONTROL}"
                         f" ${SCRIPT}$ \\({IMG}\\) $$\\text{{{SVG}}}$$ [$x$](javascript:alert(3)) https://e.org/{SVG}"
                         f" @eve{SVG} @eve{SCRIPT} @{IMG}")  # mentions: eve's linked to her profile
    collection = services.create_collection(eve, f"My {SCRIPT}{CONTROL} list", f"about {IMG}{CONTROL} @eve{SVG}",
                                            public=True)
    services.add_to_collection(eve, collection, papers["2611.00001"])
    curation.set_note(eve, collection, papers["2611.00001"], f"{SCRIPT} {IMG}{CONTROL} {SVG} @eve{SCRIPT}")
    recommend.save_search(eve, f"attention {SCRIPT}{CONTROL}")
    Seed.objects.create(user=eve, source=Seed.PARAGRAPH, title=SCRIPT, text=f"I read about {IMG}")
    services.upvote(eve, papers["2611.00001"])
    approved_claim(eve, papers["2611.00001"])  # her name (a payload) marked verified, her comment marked "author"
    # A Zotero library whose sync said something hostile (messages quote what Zotero answered).
    ZoteroLink.objects.create(user=eve, library_id="475425", sealed_key=seal("P9NiFoyLeZu2bZNvvuQPDWsd"),
                              key_end=SVG[:4], message=f"The last sync stopped: {SCRIPT}{IMG}")
    update()
    return {"papers": papers, "eve": eve, "collection": collection}


def _pages(hostile) -> list[str]:
    paper = hostile["papers"]["2611.00001"]
    author = Author.objects.get(name__startswith="Eve")

    slug = hostile["collection"].slug
    return [
        "/", f"/papers/date/{DAY}", "/papers/week/2026-W48", "/papers/month/2026-11", "/papers/trending",
        f"/papers/{paper.uid}", "/papers/search?q=attention", f"/papers/search?q={SCRIPT}",
        f"/papers/search?q=attention&author={IMG}&cat={SVG}", f"/trends?cat={SCRIPT}", f"/map?q={SCRIPT}", f"/authors/{author.slug}", "/users/eve",
        f"/collections/eve/{slug}", "/for-you", "/collections/", "/accounts/tokens/",
        f"/comments/{Comment.objects.get().pk}/edit", "/accounts/authorship/", "/for-you/zotero",
        "/for-you/zotero/status", f"/collections/eve/{slug}/mailings",
    ]


def test_no_payload_reaches_any_page_unescaped(client, hostile):
    client.force_login(hostile["eve"])
    for url in _pages(hostile):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        found = DANGER.search(html)
        assert found is None, f"{url}: {html[max(0, found.start() - 80):found.end() + 80]}"
    paper = client.get("/papers/2611.00001").content.decode()
    assert "&lt;script&gt;" in paper and "<b>bold</b>" not in paper  # shown as text, not dropped silently
    assert '<a href="/users/eve" rel="nofollow noopener noreferrer ugc">@eve</a>"&gt;&lt;svg' in paper
    shelf = client.get(f"/collections/eve/{hostile['collection'].slug}").content.decode()  # its description's @eve
    assert '<a href="/users/eve" rel="nofollow noopener noreferrer ugc">@eve</a>"&gt;&lt;svg' in shelf


def test_a_missing_papers_page_shows_what_was_asked_as_text(client, db):
    """/papers/<anything> not on the hub repeats what was asked (escaped, without control bytes), and its links to
    arXiv and to submitting are built only from an id arXiv may have given."""
    for asked in (SCRIPT, IMG, SVG, f"2611.09999{SVG}", "javascript:alert(1)//2611.09999", f"2611.09999{CONTROL}"):
        response = client.get("/papers/" + quote(asked))
        html = response.content.decode()
        assert response.status_code == 404 and DANGER.search(html) is None, asked
        main = html[html.index("<main"):html.index("</main>")]
        assert "arxiv.org/abs" not in main and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html), asked
    api = client.get("/api/papers/" + quote(f"2611.09999{SVG}"))
    assert api.status_code == 404 and "submit" not in api.json()["detail"]


def test_feeds_exports_and_json_keep_payloads_inert(client, hostile):
    slug = hostile["collection"].slug
    import feedparser

    author = Author.objects.get(name__startswith="Eve")

    for url in ("/feeds/daily.rss", "/feeds/daily.atom", "/feeds/search.atom?q=attention",
                f"/feeds/search.rss?q=attention{quote(CONTROL)}", f"/feeds/collections/eve/{slug}.rss",
                f"/feeds/collections/eve/{slug}.atom", f"/feeds/authors/{author.slug}.atom"):
        response = client.get(url)
        assert response.status_code == 200 and "xml" in response["Content-Type"], url
        assert DANGER.search(response.content.decode()) is None, url  # markup inside them is entity-escaped
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo and parsed.entries, (url, parsed.get("bozo_exception"))
    # A search feed's filters, as its title says them (and the search page's links to it, built from them)
    filters = f"cat={quote(SCRIPT + CONTROL)}&author={quote(SVG + IMG)}"
    response = client.get(f"/feeds/search.atom?q=attention&{filters}")
    assert response.status_code == 200 and DANGER.search(response.content.decode()) is None
    assert not feedparser.parse(response.content).bozo
    page = client.get(f"/papers/search?q=attention&{filters}").content.decode()
    assert DANGER.search(page) is None and "/feeds/search.rss?q=attention&amp;cat=%3Cscript%3E" in page
    # What emptied a search names its parts (a hostile category or author among them), escaped; ?exact= is 1 or
    # ignored; /api/search's exact is a boolean (422 otherwise)
    for url in (f"/papers/search?q=attention&{filters}&exact={quote(SCRIPT)}",
                f"/papers/search?q={quote('attention author:' + IMG)}&exact=1&since=2026-01-01&until=2026-01-01"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200 and 'class="why"' in page and DANGER.search(page) is None, url
    emptied = client.get(f"/api/search?q=attention&{filters}&exact=1").json()["emptied_by"]
    assert emptied and SCRIPT in emptied[0]["part"]  # (JSON: the code as sent, a client escapes it)
    assert client.get(f"/api/search?q=attention&exact={quote(SCRIPT)}").status_code == 422
    refused = client.get(f"/feeds/search.rss?q=attention&since={quote(SCRIPT)}")
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/plain")
    assert "<" not in refused.content.decode()  # the reason, not what was sent
    for url in (f"/feeds/search.rss?q={quote('since:' + SCRIPT + CONTROL)}",
                f"/papers/search?q={quote('until:' + SCRIPT + ' until:' + CONTROL)}",  # a date of the query's syntax
                f"/papers/search?q=attention&since={quote(SCRIPT + CONTROL)}"):  # the page's date filter
        refused = client.get(url)
        assert refused.status_code == 400 and "must be a date" in refused.content.decode(), url
        assert DANGER.search(refused.content.decode()) is None, url
    for url in ("/feeds/search.rss?q=attention&since=2026-03-01&until=2026-02-01",  # dates no day is within
                "/papers/search.bib?q=attention&since=2026-03-01&until=2026-02-01"):
        refused = client.get(url)
        assert refused.status_code == 400 and "since is after until" in refused.content.decode(), url
    # Pasted ids with hostile company: an address's ?query and #fragment are cut, anything else makes it words
    for pasted in (f"https://arxiv.org/abs/2611.09999?{SCRIPT}#{SVG}", f"arXiv:2611.09999 [{SCRIPT}]",
                   f"[2611.09999] NOT {IMG} ti:{SVG} au:{SCRIPT}", f"2611.09999.{CONTROL} 2611.00001"):
        response = client.get("/papers/search", {"q": pasted})
        assert response.status_code == 200 and DANGER.search(response.content.decode()) is None, pasted
    for url in ("/papers/2611.00001.bib", f"/collections/eve/{slug}.bib"):
        response = client.get(url)
        assert response.status_code == 200 and not response["Content-Type"].startswith("text/html"), url
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", response.content.decode()), url
    for url in ("/api/papers/2611.00001", "/api/daily_papers?date=2026-11-23", "/api/search?q=attention",
                f"/api/authors/{author.slug}", f"/api/collections/eve/{slug}", "/api/users/eve"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json"), url
        assert response.get("X-Content-Type-Options") == "nosniff"


def test_markdown_keeps_payloads_inert_even_where_raw_html_is_rendered(client, hostile):
    from markdown_it import MarkdownIt

    permissive = MarkdownIt("commonmark", {"html": True})  # as many renderers do: the Markdown must not need it
    for request in ({"path": "/papers/2611.00001.md"}, {"path": "/papers/2611.00001", "HTTP_ACCEPT": "text/markdown"}):
        response = client.get(**request)
        assert response["Content-Type"] == "text/markdown; charset=utf-8", request
        text = response.content.decode()
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text), request
        html = permissive.render(text)
        assert DANGER.search(html) is None and "<b " not in html, request
        assert all(link.startswith(("http://testserver/", "https://arxiv.org/", "https://doi.org/10.1/%22%3E%3Csvg"))
                   for link in re.findall(r'href="([^"]*)"', html)), request
        assert "&lt;script&gt;" in html  # shown as text, not dropped silently


def test_every_api_read_answers_json_over_hostile_rows(client, hostile):
    """Every GET route in the OpenAPI document, its path filled with the hostile rows: JSON, never a 5xx."""
    author = Author.objects.get(name__startswith="Eve")
    reads = [path for path, item in client.get("/api/openapi.json").json()["paths"].items() if "get" in item]
    assert len(reads) >= 14
    for path in reads:
        slug = author.slug if path.startswith("/api/authors/") else hostile["collection"].slug
        url = (path.replace("{paper_id}", "2611.00001").replace("{submission_id}", "1")
               .replace("{username}", "eve").replace("{slug}", slug))
        response = client.get(url, {"q": "attention"})
        assert response.status_code in (200, 401), (url, response.status_code)  # 401: reads that need a token
        assert response["Content-Type"].startswith("application/json"), url


def test_digest_email_keeps_payloads_inert(hostile, mail_sink):
    from paperhub.digests import sending
    from paperhub.digests.models import Subscription

    Subscription.objects.create(email="reader@example.org", confirmed_at=datetime(2026, 11, 1, tzinfo=UTC))
    sending.send("daily", today=date(2026, 11, 24))
    message = mail_sink.messages[-1]
    html = message.get_body(("html",)).get_content()
    assert "Attention" in html and DANGER.search(html) is None
    # a collection's digest to a list: its title and its note on the paper are payloads too
    Subscription.objects.create(email="list@example.org", collection=hostile["collection"],
                                subscribed_by=hostile["eve"], confirmed_at=datetime(2026, 11, 1, tzinfo=UTC))
    sending.send("daily", today=timezone.localdate() + timedelta(days=1), collection=hostile["collection"])
    listed = mail_sink.messages[-1]
    html = listed.get_body(("html",)).get_content()
    assert "My &lt;script&gt;" in html and "Attention" in html and DANGER.search(html) is None
    assert '/users/eve" rel="nofollow noopener noreferrer ugc">@eve</a>&lt;script&gt;' in html  # the note's @eve
    assert "\x1b" not in repr(listed["Subject"]) and "\x1b" not in repr(listed.get_body(("plain",)).get_content())


# --- every form: CSRF, and login ----------------------------------------------------------------------------

#: POSTs that need no CSRF token: RFC 8058 one-click unsubscribe (a signed token is the authority).
CSRF_EXEMPT = {"digest_unsubscribe", "mcp"}  # mcp: Bearer tokens, no cookies (tests/assistant)
#: Forms anyone may post without logging in (they create nothing without valid input or a signed token).
ANONYMOUS_FORMS = {  # (documentation: the test above holds them to writing nothing)
    "login", "signup", "password_reset", "password_reset_confirm", "digest_subscribe", "verify_email",
                   "digest_confirm", "digest_unsubscribe", "feedback", "logout", "comment_mail_unsubscribe"}


def _named_patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            if item.namespace in ("admin",) or str(item.pattern).startswith(("api/", "feeds/")):
                continue
            found += _named_patterns(item, prefix + str(item.pattern))
        elif isinstance(item, URLPattern) and item.name:
            found.append((item.name, prefix + str(item.pattern)))
    return found


def _concrete(name: str, hostile) -> str | None:
    """A URL of the named route with real ids filled in (None: a route the test does not post to)."""
    paper = hostile["papers"]["2611.00002"]
    comment = Comment.objects.get()
    author = Author.objects.get(name__startswith="Eve")
    saved = SavedSearch.objects.get()
    seed = Seed.objects.filter(user=hostile["eve"]).first()
    slug = hostile["collection"].slug
    return {
        "home": "/", "day": f"/papers/date/{DAY}", "week": "/papers/week/2026-W48", "month": "/papers/month/2026-11",
        "trending": "/papers/trending", "trends": "/trends", "map": "/map", "map_points": "/map/points.bin",
        "map_paper": f"/map/papers/{paper.pk}", "search": "/papers/search", "search_bib": "/papers/search.bib",
        "submit": "/papers/submit", "paper_bib": f"/papers/{paper.uid}.bib", "paper": f"/papers/{paper.uid}",
        "paper_markdown": f"/papers/{paper.uid}.md",
        "upvote": f"/upvote/{paper.pk}", "comment": f"/comments/{paper.pk}/new",
        "comment_edit": f"/comments/{comment.pk}/edit", "comment_delete": f"/comments/{comment.pk}/delete",
        "author": "/authors/x-1", "profile": "/users/eve", "collections": "/collections/",
        "collect": "/collections/add", "collection_bib": f"/collections/eve/{slug}.bib",
        "collection": f"/collections/eve/{slug}", "collection_edit": f"/collections/eve/{slug}/edit",
        "collection_delete": f"/collections/eve/{slug}/delete", "for_you": "/for-you",
        "collection_collaborators": f"/collections/eve/{slug}/collaborators",
        "collection_item": f"/collections/eve/{slug}/item",
        "collection_mailings": f"/collections/eve/{slug}/mailings",
        "not_interested": f"/for-you/not-interested/{paper.pk}", "pick": f"/for-you/pick/{paper.pk}",
        "paragraph": "/for-you/paragraph", "import_library": "/for-you/import", "imports": "/for-you/imports",
        "forget_seed": f"/for-you/seeds/{seed.pk}/forget", "exclusions": "/for-you/exclusions",
        "feedback": "/for-you/feedback/not-a-token", "feed_address": "/for-you/feed-address", "follow": f"/authors/follow/{author.pk}",
        "save_search": "/searches/save", "delete_search": f"/searches/{saved.pk}/forget",
        "signup": "/accounts/signup/", "api_tokens": "/accounts/tokens/", "logout": "/accounts/logout/",
        "email_address": "/accounts/email/", "email_change": "/accounts/email/change", "verify_email": "/accounts/verify/not-a-token",
        "login": "/accounts/login/", "password_change": "/accounts/password_change/",
        "password_change_done": "/accounts/password_change/done/", "password_reset": "/accounts/password_reset/",
        "password_reset_done": "/accounts/password_reset/done/",
        "password_reset_confirm": "/accounts/reset/MQ/set-password/", "password_reset_complete": "/accounts/reset/done/",
        "digest_subscribe": "/digests/subscribe", "digest_confirm": "/digests/confirm/not-a-token",
        "digest_unsubscribe": "/digests/unsubscribe/not-a-token", "claim": f"/authors/claim/{paper.pk}",
        "author_settings": "/accounts/authorship/",
        "comment_mail_unsubscribe": "/accounts/comment-mail/stop/not-a-token", "mcp": "/mcp",
        "zotero": "/for-you/zotero", "zotero_status": "/for-you/zotero/status", "zotero_sync": "/for-you/zotero/sync",
        "zotero_disconnect": "/for-you/zotero/disconnect", "zotero_push": f"/collections/eve/{slug}/zotero",
    }.get(name)


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
    missing = [name for name, _ in _named_patterns(get_resolver()) if _concrete(name, hostile) is None]
    assert not missing, f"routes this file does not try: {missing}"


def test_every_form_needs_a_csrf_token(hostile):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(hostile["eve"])
    before = _row_counts()
    for name, _ in _named_patterns(get_resolver()):
        url = _concrete(name, hostile)
        status = strict.post(url, FORM).status_code
        if name in CSRF_EXEMPT:
            continue
        assert status == 403, f"{name} ({url}) answered {status} to a POST without a CSRF token"
    assert _row_counts() == before


def test_every_write_needs_a_login(hostile):
    anonymous = Client(enforce_csrf_checks=True)
    anonymous.get("/accounts/login/")
    token = anonymous.cookies["csrftoken"].value
    for name, _ in _named_patterns(get_resolver()):
        url = _concrete(name, hostile)
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
    assert Comment.objects.get().body.startswith("<script>") and Comment.objects.visible().exists()
    assert not Collection.objects.filter(owner=mallory).exists()
    assert Collection.objects.get(owner=hostile["eve"]).title.startswith("My <script>")


def test_a_private_collection_is_not_there_for_anyone_else(hostile, client):
    """Its page, BibTeX, JSON and every write answer another user as they answer for no collection at all; shared
    with one user, it stays so for the rest, and a collaborator still cannot change its collaborators."""
    eve, mallory, bob = hostile["eve"], user("mallory"), user("bob")
    secret = services.create_collection(eve, "Secret plans", public=False)
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


# --- search syntax ------------------------------------------------------------------------------------------

NASTY_QUERIES = [
    'title:foo AND (bar OR', "*", "?", "~2", "foo^10", "\\", '"unbalanced', 'author:"', "cat:*", "-", "--", ":::",
    "[* TO *]", "{a TO b}", "a:b:c:d", "\x00", "id:1 OR 1=1", "' OR '1'='1", "<script>", "(((((((((((", ")))",
    "+-+-", "NOT", "AND OR NOT", "é" * 300, "🦀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e", "a" * 5000, " ".join(["word"] * 2000),
    "author:" + "x" * 1000, "cat:" + ",".join(["cs.CL"] * 500), '"' * 101, "uid:2611.00001", "day:>0", "upvotes:[0 TO 9]",
]


def test_search_syntax_cannot_be_injected(client, hostile):
    from paperhub.search import search

    for query in NASTY_QUERIES:
        search(query)  # never raises
        search(query, mode="keyword", sort="newest")
        answer = 200  # ("[* TO *]": "TO" in capitals is an acronym, searched, as "WHO" and "IT")
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


# --- Content-Security-Policy --------------------------------------------------------------------------------

# Inline script or style: a <script> without src (JSON data aside), a <style>, a style or on... attribute in a tag.
INLINE = re.compile(r"""<script(?![^>]*\bsrc=)(?![^>]*application/json)|<style"""
                    r"""|<[a-z](?:[^>"']|"[^"]*"|'[^']*')*?\s(?:style|on[a-z]+)=""", re.I)


def test_every_page_has_a_strict_content_security_policy(client, hostile):
    """Every HTML page: the policy allows no inline script or style, and the page needs none (issue 16, item 6)."""
    client.force_login(hostile["eve"])
    urls = [_concrete(name, hostile) for name, _ in _named_patterns(get_resolver())] + _pages(hostile)
    checked = 0
    for url in urls:
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html") or response.status_code == 405:
            continue
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        assert "unsafe" not in policy, url
        found = INLINE.search(response.content.decode())
        assert found is None, f"{url}: {response.content.decode()[found.start():found.end() + 80]}"
        checked += 1
    assert checked > 30
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "script-src 'self'" in docs["Content-Security-Policy"]


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


# --- oversized requests -------------------------------------------------------------------------------------

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


# --- open redirects -----------------------------------------------------------------------------------------

ELSEWHERE = ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
             "javascript:alert(1)", " //evil.example", "http://testserver@evil.example/"]


def _external(location: str) -> bool:
    return bool(re.match(r"^\s*(?:[a-z]+:|//|/\\|\\\\)", location, re.I))


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
