"""The search page's feeds and BibTeX follow the papers it shows: its query and its filters (an audit found them
dropping every filter, and a category's listing linking to three 404s)."""

import re
from datetime import UTC, datetime
from html import unescape

import feedparser
import pytest
from django.urls import reverse

from paperhub.papers.services import upsert_papers
from paperhub.recommend import queries as recommend
from paperhub.recommend.models import SavedSearch
from tests.factories import record, user

CODE = "https://github.com/ada/diffusion"


@pytest.fixture
def hub(db, search_dir):
    from paperhub.search import update

    def day(d: int, month: int = 7) -> datetime:
        return datetime(2026, month, d, 12, tzinfo=UTC)

    upsert_papers([
        record("2607.00001", title="Diffusion for images", categories=("cs.CV",), published=day(5), code_url=CODE),
        record("2607.00002", title="Diffusion for images without code", categories=("cs.CV",), published=day(6)),
        record("2606.00003", title="Diffusion for old images", categories=("cs.CV",), published=day(1, 6),
               code_url=CODE),
        record("2607.00004", title="Diffusion for text", categories=("cs.CL",), published=day(7), code_url=CODE),
        record("2607.00005", title="Auctions and equilibria", categories=("cs.GT",), published=day(8),
               authors=("Alan Turing",)),
    ])
    update()


def _links(client, query: str) -> dict[str, str]:
    """The search page's Atom, RSS and BibTeX links, and the feed its head names."""
    page = client.get(f"/papers/search?{query}").content.decode()
    found = {name: unescape(re.search(rf'<a href="([^"]+)">{name}</a>', page)[1]) for name in ("Atom", "RSS", "BibTeX")}
    found["head"] = unescape(re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" '
                                       r'href="([^"]+)"', page)[1])
    return found


def _titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, url
    return [entry.title for entry in parsed.entries]


def _bib_titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.findall(r"title = \{\{?([^}]+)\}", response.content.decode())


def test_the_feed_and_bibtex_links_keep_the_pages_filters(client, hub):
    links = _links(client, "q=diffusion&cat=cs.CV&since=2026-06-30&code=1&sort=newest")
    follow = "q=diffusion&since=2026-06-30&cat=cs.CV&code=1"
    assert links == {"Atom": f"/feeds/search.atom?{follow}", "RSS": f"/feeds/search.rss?{follow}",
                     "BibTeX": f"/papers/search.bib?{follow}&sort=newest",  # feeds are newest first: no sort
                     "head": f"/feeds/search.atom?{follow}"}
    assert _titles(client, links["Atom"]) == _titles(client, links["RSS"]) == ["Diffusion for images"]
    assert _bib_titles(client, links["BibTeX"]) == ["Diffusion for images"]


def test_a_category_alone_has_working_feeds_and_bibtex(client, hub):
    links = _links(client, "cat=cs.GT")
    assert links["Atom"] == "/feeds/search.atom?cat=cs.GT" and links["BibTeX"] == "/papers/search.bib?cat=cs.GT"
    assert _titles(client, links["RSS"]) == ["Auctions and equilibria"]
    feed = feedparser.parse(client.get(links["Atom"]).content).feed
    assert feed.title == "paperhub: papers in cs.GT"
    assert _bib_titles(client, links["BibTeX"]) == ["Auctions and equilibria"]


def test_search_feeds_honour_the_filters_and_say_them(client, hub):
    assert _titles(client, "/feeds/search.rss?q=diffusion&cat=cs.CV") == [
        "Diffusion for images without code", "Diffusion for images", "Diffusion for old images"]  # newest first
    assert _titles(client, "/feeds/search.rss?q=diffusion&code=1&until=2026-07-06") == [
        "Diffusion for images", "Diffusion for old images"]
    assert _titles(client, "/feeds/search.rss?author=Alan+Turing") == ["Auctions and equilibria"]
    url = "/feeds/search.atom?q=diffusion&since=2026-06-30&until=2026-07-31&cat=cs.CV%20cs.CL&code=1"
    parsed = feedparser.parse(client.get(url).content)
    assert parsed.feed.title == ("paperhub: diffusion, in cs.CV or cs.CL, from 2026-06-30, to 2026-07-31, "
                                 "with code")
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == ["http://testserver" + url]
    assert parsed.feed.link == ("http://testserver/papers/search?q=diffusion&since=2026-06-30&until=2026-07-31"
                                "&cat=cs.CV%20cs.CL&code=1&sort=newest")  # the page, newest first


def test_search_feeds_refuse_filters_they_cannot_read(client, hub):
    for query, reason in (("q=diffusion&since=yesterday", "since must be a date"),
                          ("cat=cs.CV&until=2026-13-01", "until must be a date"),
                          ("q=diffusion&code=maybe", "code must be 1")):
        response = client.get(f"/feeds/search.rss?{query}")
        assert response.status_code == 400 and reason in response.content.decode(), query
        response = client.get(f"/papers/search.bib?{query}")  # (it ignored since=yesterday: every date's papers)
        assert response.status_code == 400 and reason in response.content.decode(), query
    for query in ("q=diffusion&cat=cs.XX", "q=diffusion+cat:cs.XX"):  # (an empty feed, forever)
        response = client.get(f"/feeds/search.rss?{query}")
        assert response.status_code == 400, query
        assert response.content.decode() == "No papers in cs.XX on this hub (cs.XX: not an arXiv category)"
    response = client.get("/feeds/search.atom?q=the+of+and")  # (an empty feed, forever)
    assert response.status_code == 400 and "add a word" in response.content.decode()
    for query in ("", "q=+&cat=&author=&code=", "sort=newest"):  # nothing searched
        assert client.get(f"/feeds/search.atom?{query}").status_code == 404, query


def test_code_is_said_as_the_api_says_it_everywhere(client, hub):
    """code=true was a 400 ("code must be 1") in feeds and on the search page, while the API took it."""
    with_code = _titles(client, "/feeds/search.rss?q=diffusion&code=1")
    for spelling in ("true", "yes", "on", "TRUE"):
        assert _titles(client, f"/feeds/search.rss?q=diffusion&code={spelling}") == with_code, spelling
        assert client.get("/papers/search", {"q": "diffusion", "code": spelling}).status_code == 200, spelling
        assert client.get(reverse("api:search"), {"q": "diffusion", "code": spelling}).status_code == 200, spelling
    assert _titles(client, "/feeds/search.rss?q=diffusion&code=0") == _titles(client, "/feeds/search.rss?q=diffusion")


def test_the_api_refuses_a_category_that_is_no_arxiv_category_as_the_feeds_do(client, hub):
    for params in ({"q": "diffusion", "cat": "cs.XX"}, {"q": "diffusion cat:cs.XX"}):
        response = client.get(reverse("api:search"), params)
        assert response.status_code == 400, params
        assert response.json()["detail"] == "No papers in cs.XX on this hub (cs.XX: not an arXiv category)"
    assert client.get(reverse("api:search"), {"q": "diffusion", "cat": "cs"}).status_code == 200  # an archive


def test_a_search_bibtex_and_volume_refuse_a_category_that_is_no_arxiv_category_too(client, hub):
    """Both answered an empty 200 (an empty file, an empty chart, forever) where the feeds and /api/search say why."""
    reason = "No papers in cs.XX on this hub (cs.XX: not an arXiv category)"
    for query in ("q=diffusion&cat=cs.XX", "q=diffusion+cat:cs.XX", "cat=cs.XX"):
        response = client.get(f"/papers/search.bib?{query}")
        assert response.status_code == 400 and response.content.decode() == reason, query
    for params in ({"q": "diffusion", "cat": "cs.XX"}, {"q": "diffusion cat:cs.XX"}):
        response = client.get(reverse("api:search_volume"), params)
        assert response.status_code == 400 and response.json()["detail"] == reason, params
    assert client.get("/papers/search.bib?q=diffusion&cat=cs").status_code == 200  # an archive
    assert client.get(reverse("api:search_volume"), {"q": "diffusion", "cat": "cs"}).status_code == 200


def test_bibtex_refusals_are_plain_text(client, hub):
    """No query and no filter, or a collection not there, answered the HTML "Not found" page."""
    for address, reason in (("/papers/search.bib", "search for something first: the BibTeX of a search needs ?q="),
                            ("/papers/search.bib?q=+&sort=newest", "search for something first"),
                            ("/collections/nobody/nothing.bib", "no such collection")):
        response = client.get(address)
        assert response.status_code == 404 and response["Content-Type"].startswith("text/plain"), address
        assert response.content.decode().startswith(reason) and "<" not in response.content.decode(), address


def test_a_category_beside_one_that_is_none_still_finds_its_papers_everywhere(client, hub):
    """Categories match any of theirs, so cs.CL beside cs.XX finds cs.CL's papers (the search page lists them); the
    feeds, the API, the BibTeX export and the volume refused it (a 400 naming cs.XX) once one code was unknown."""
    page = client.get("/papers/search", {"q": "diffusion", "cat": "cs.CL cs.XX"}).content.decode()
    found = client.get(reverse("api:search"), {"q": "diffusion", "cat": "cs.CL cs.XX"})
    assert found.status_code == 200 and [hit["title"] for hit in found.json()["hits"]] == ["Diffusion for text"]
    assert "/papers/2607.00004" in page
    for query in ("q=diffusion&cat=cs.CL+cs.XX", "q=diffusion+cat:cs.CL+cat:cs.XX"):
        assert client.get(f"/feeds/search.rss?{query}").status_code == 200, query
        assert client.get(f"/papers/search.bib?{query}").status_code == 200, query
    assert client.get(reverse("api:search_volume"), {"q": "diffusion", "cat": "cs.CL,cs.XX"}).status_code == 200
    # each set must match: cs.XX alone in either is still refused
    assert client.get("/feeds/search.rss?q=diffusion+cat:cs.XX&cat=cs.CL+cs.XX").status_code == 400


def test_save_this_search_keeps_every_filter_and_its_matches_honour_them(client, hub):
    """A saved search holds a query alone: the categories, an author, has:code and dates all go into it, and its
    matches (its feed, its digest's section, its page) are the page's; an author filter of several names (any of
    them, where several author:s are all of them) is left out, and the page says so."""
    from datetime import date

    reader = user("reader")
    client.force_login(reader)
    page = client.get("/papers/search?q=diffusion&cat=cs.CV&since=2026-06-30&code=1").content.decode()
    assert '<input type="hidden" name="q" value="diffusion cat:cs.CV has:code since:2026-06-30">' in page
    assert "without its" not in page
    client.post("/searches/save", {"q": "diffusion cat:cs.CV has:code since:2026-06-30"})
    saved = SavedSearch.objects.get(user=reader)
    assert [p.title for p in recommend.search_matches(saved)] == ["Diffusion for images"]  # not June's
    assert recommend.search_matches(saved, until=date(2026, 7, 5)) == []  # a digest's window and its own: both
    page = client.get("/papers/search", {"q": saved.query}).content.decode()  # its page, from For you
    assert "1 result " in page and "old images" not in page
    assert "Save this search" not in page and "Forget this search" in page  # saved, and said so
    address = "/papers/search?q=diffusion%20cat:cs.CV%20has:code%20since:2026-06-30"
    back = client.post(f"/searches/{saved.pk}/forget", {"next": address})  # back to the search, forgotten
    assert back.headers["Location"] == address and not SavedSearch.objects.exists()
    client.post("/searches/save", {"q": saved.query})
    saved = SavedSearch.objects.get(user=reader)
    page = client.get("/papers/search?author=Alan Turing&until=2026-07-31").content.decode()
    assert '<input type="hidden" name="q" value="author:&quot;Alan Turing&quot; until:2026-07-31">' in page
    client.post("/searches/save", {"q": 'author:"Alan Turing" until:2026-07-31'})
    saved = SavedSearch.objects.get(user=reader, query__startswith="author:")
    assert [p.title for p in recommend.search_matches(saved)] == ["Auctions and equilibria"]
    page = client.get("/papers/search?q=auctions&author=Alan Turing, Nobody Else").content.decode()
    assert '<input type="hidden" name="q" value="auctions">' in page and "without its author filter" in page
    page = client.get("/papers/search?cat=cs.GT").content.decode()  # a category alone can be followed too
    assert '<input type="hidden" name="q" value="cat:cs.GT">' in page
    page = client.get("/papers/search?q=diffusion").content.decode()
    assert 'name="q" value="diffusion">' in page and "saved as" not in page


@pytest.mark.parametrize("query", ["author:", "auctions AU:", 'cat:""', "since:", "-ti:", "has:"])
def test_an_empty_field_is_refused_with_its_reason_not_searched_as_its_name(client, hub, query):
    """An empty author: was searched as the word "author" (papers about authorship): the page and its twin say why."""
    name = query.split()[-1].lstrip("-").split(":")[0].lower()
    response = client.get("/papers/search", {"q": query})
    page = unescape(response.content.decode())
    assert response.status_code == 400 and f"{name}: is empty: write what it takes after the colon" in page
    assert "0 results" in page
    response = client.get(reverse("api:search"), {"q": query})
    assert response.status_code == 400 and response.json()["detail"].startswith(f"{name}: is empty")


def test_a_date_in_the_query_that_is_no_date_is_refused_with_its_reason(client, hub):
    reader = user("reader")
    client.force_login(reader)
    response = client.get("/papers/search", {"q": "diffusion since:2026-13-01"})
    page = response.content.decode()
    assert response.status_code == 400 and "since: must be a date, YYYY-MM-DD" in page
    assert "Save this search" not in page and "0 results" in page  # not the papers of every date
    assert "Follow new papers" not in page and "search.bib" not in page  # nor feeds that would answer 400
    response = client.get("/feeds/search.atom", {"q": "until:0"})
    assert response.status_code == 400 and "until: must be a date" in response.content.decode()
    response = client.get("/papers/search.bib", {"q": "diffusion since:xx"})  # not an empty file of every date
    assert response.status_code == 400 and response.content.decode() == "since: must be a date, YYYY-MM-DD"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    response = client.get(reverse("api:search_volume"), {"q": "diffusion until:2026-02-30"})
    assert response.status_code == 400 and "until: must be a date" in response.json()["detail"]
    client.post("/searches/save", {"q": "diffusion since:someday"})
    client.post("/searches/save", {"q": "the of"})  # (filler alone: nothing, each day)
    assert not SavedSearch.objects.filter(user=reader).exists()


def test_a_filter_the_page_cannot_read_is_refused_with_its_reason(client, hub):
    """since=2026-06 was ignored, showing papers of every date as if it held."""
    for params, reason in (({"q": "diffusion", "since": "2026-06"}, "since must be a date, YYYY-MM-DD"),
                           ({"cat": "cs.CV", "until": "soon"}, "until must be a date"),
                           ({"q": "diffusion", "code": "maybe"}, "code must be 1")):
        response = client.get("/papers/search", params)
        page = response.content.decode()
        assert response.status_code == 400 and reason in page and "Diffusion for" not in page, params
        assert 'value="2026-06"' in page or "since" not in params  # kept in its box, to be corrected


def test_a_query_of_filler_words_alone_is_refused_with_its_reason(client, hub):
    response = client.get("/papers/search", {"q": "the of and"})
    assert response.status_code == 400 and "add a word" in response.content.decode()
    for name in ("api:search", "api:papers_search"):
        response = client.get(reverse(name), {"q": "the"})
        assert response.status_code == 400 and "add a word" in response.json()["detail"], name


def test_a_word_too_long_to_be_indexed_beside_words_is_left_out_everywhere_and_said(client, hub):
    """"auctions <45 letters>" was refused whole (a 400): the long word is left out, as a word of signs is, and the
    page and the API say which and why; its feeds, the HF search and a saved search search the rest too. A query
    of such words alone stays refused (as no words, it listed every paper)."""
    long = "o'pneumonoultramicroscopicsilicovolcanoconiosis"  # (' is a word's character: said escaped)
    reader = user("reader")
    client.force_login(reader)
    response = client.get("/papers/search", {"q": f"auctions {long}"})
    page = response.content.decode()
    assert response.status_code == 200 and "</mark> and equilibria" in page and "1 result " in page
    assert "Left out: “o&#x27;pneumonoultramicroscopicsilicovolcanoconiosis”; words of 40 letters" in page
    assert "Save this search" in page and "Follow new papers" in page
    answer = client.get(reverse("api:search"), {"q": f"auctions {long}"})
    assert answer.status_code == 200 and answer.json()["left_out"] == [long]
    assert [hit["id"] for hit in answer.json()["hits"]] == ["2607.00005"]
    assert client.get(reverse("api:search"), {"q": "auctions"}).json()["left_out"] == []
    hf = client.get(reverse("api:papers_search"), {"q": f"auctions {long}"})
    assert hf.status_code == 200 and [item["paper"]["id"] for item in hf.json()] == ["2607.00005"]
    assert _titles(client, f"/feeds/search.atom?q=auctions%20{long}") == ["Auctions and equilibria"]
    client.post("/searches/save", {"q": f"auctions {long}"})
    saved = SavedSearch.objects.get(user=reader)
    assert [p.title for p in recommend.search_matches(saved)] == ["Auctions and equilibria"]
    for alone in (long, f"{long} {long[:-1]}", f"{long} -auctions"):
        response = client.get("/papers/search", {"q": alone})
        assert response.status_code == 400 and "not indexed" in response.content.decode(), alone
        assert "Left out" not in response.content.decode()
        assert client.get(reverse("api:search"), {"q": alone}).status_code == 400
        assert client.get("/feeds/search.atom", {"q": alone}).status_code == 400
