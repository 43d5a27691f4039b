"""Stored payloads stay inert on every way out: pages, feeds, exports, Markdown, JSON, mail; and no page may run
inline script or style (the Content-Security-Policy)."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from django.urls import get_resolver
from django.utils import timezone

from paperhub.papers.models import Author
from tests.hostile.payloads import CONTROL, DANGER, IMG, SCRIPT, SVG
from tests.hostile.routes import concrete, named_patterns, pages


def test_no_payload_reaches_any_page_unescaped(client, hostile):
    client.force_login(hostile["eve"])
    for url in pages(hostile):
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
    response = client.get(f"/feeds/search.atom?q=attention&{filters}")  # no arXiv category: refused, not repeated
    assert response.status_code == 400 and DANGER.search(response.content.decode()) is None
    assert response.content.decode() == "No papers in that category on this hub (not an arXiv category or archive)"
    response = client.get(f"/feeds/search.atom?q=attention&author={quote(SVG + IMG)}")
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
    refused = client.get(f"/api/search?q=attention&{filters}&exact=1")  # no arXiv category: as the feeds refuse it
    assert refused.status_code == 400 and "<" not in refused.json()["detail"]
    emptied = client.get(f"/api/search?q=attention&author={quote(SVG + IMG)}&exact=1").json()["emptied_by"]
    assert emptied and "<" in emptied[0]["part"]  # (JSON: the name as sent, a client escapes it)
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


# --- Content-Security-Policy --------------------------------------------------------------------------------

# Inline script or style: a <script> without src (JSON data aside), a <style>, a style or on... attribute in a tag.
INLINE = re.compile(r"""<script(?![^>]*\bsrc=)(?![^>]*application/json)|<style"""
                    r"""|<[a-z](?:[^>"']|"[^"]*"|'[^']*')*?\s(?:style|on[a-z]+)=""", re.I)


def test_every_page_has_a_strict_content_security_policy(client, hostile):
    """Every HTML page: the policy allows no inline script or style, and the page needs none (issue 16, item 6)."""
    client.force_login(hostile["eve"])
    urls = [concrete(name, hostile) for name, _ in named_patterns(get_resolver())] + pages(hostile)
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
