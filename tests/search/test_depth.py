"""Past the last page a search serves: date order goes on by `until`, losing no paper and repeating only the
boundary day's; relevance says how to narrow (search.depth; the page and the API's answers too)."""

from collections import Counter
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlparse

import pytest

import paperhub.search as search_api
from paperhub.papers.services import upsert_papers
from paperhub.search import Filters, beyond, depth, parse, queries, search
from paperhub.web import search as web_search
from tests.factories import record

# 4 days of 3 papers (uids by day), and a fifth day of 7 papers: more than the pages reach at the cap of 4 below
DAYS = [date(2025, 3, day) for day in (1, 2, 3, 4)]
PAPERS = [record(f"2503.{day.day:02d}{n:03d}", title=f"Paper {n} of {day}", categories=("cs.LG",),
                 published=datetime(day.year, day.month, day.day, 9, n, tzinfo=UTC))
          for day in DAYS for n in range(3)]
FULL_DAY = [record(f"2504.00{n:03d}", title=f"Crowded {n}", categories=("cs.GT",),
                   published=datetime(2025, 4, 1, 9, n, tzinfo=UTC)) for n in range(7)]
CS_LG = Filters(categories=("cs.LG",))


@pytest.fixture
def capped(db, search_dir, monkeypatch):
    """The papers indexed, and the cap on offsets at 4 (pages of 2 reach 6 results) in every module that reads it."""
    upsert_papers(PAPERS + FULL_DAY)
    search_api.rebuild()
    for module in (search_api, depth, queries):
        monkeypatch.setattr(module, "MAX_OFFSET", 4)


def test_only_the_last_page_of_a_cut_search_says_so():
    ten = depth.MAX_OFFSET
    assert not depth.cut(55_643, ten - 20, 20) and depth.cut(55_643, ten, 20) and depth.cut(55_643, 36_000, 20)
    assert not depth.cut(ten + 20, ten, 20)  # its last page holds its last result: nothing is cut
    assert depth.beyond(parse(""), CS_LG, "relevance", 55_643, ten - 20, 20, date(2026, 3, 25)) is None


def test_date_order_goes_on_until_the_last_listed_day_and_relevance_does_not():
    ten, day = depth.MAX_OFFSET, date(2026, 3, 25)
    newest = depth.beyond(parse("learning"), CS_LG, "newest", 65_971, ten, 20, day)
    assert newest == depth.Beyond(ten + 20, Filters(categories=("cs.LG",), until=day), day, False)
    # no words to rank by: newest first, whatever the sort says
    assert depth.beyond(parse(""), CS_LG, "relevance", 55_643, ten, 20, day).then.until == day
    assert depth.beyond(parse("learning"), CS_LG, "relevance", 65_971, ten, 20, day) == depth.Beyond(ten + 20)
    assert depth.beyond(parse(""), CS_LG, "upvotes", 55_643, ten, 20, day).then is None
    # the search already ends on that day (its pages hold it alone): the day before, not the same pages again
    full = depth.beyond(parse("until:2026-03-25"), CS_LG, "newest", 65_971, ten, 20, day)
    assert full.then.until == date(2026, 3, 24) and full.day_too_full


def walk(filters, sort="newest"):
    """Every result a reader reaches: the pages up to the cap, then "Older papers" while it is offered."""
    seen, steps = [], 0
    while filters is not None and steps < 20:
        steps += 1
        offset, results, went_on = 0, search("", filters, sort, limit=2), None
        while results.hits:
            seen += [hit.uid for hit in results.hits]
            went_on = beyond("", results, filters, sort, offset, 2)
            offset += 2
            results = search("", filters, sort, limit=2, offset=offset)
        filters = went_on.then if went_on else None
    return seen, steps


def test_older_papers_reach_every_paper_repeating_only_the_boundary_days(capped):
    seen, steps = walk(CS_LG)
    assert set(seen) == {p.uid for p in PAPERS} and steps > 1
    repeated = Counter(uid for uid, times in Counter(seen).items() for _ in range(times - 1))
    by_day = Counter(uid[5:7] for uid in repeated.elements())
    assert all(count <= 3 for count in by_day.values())  # no more than a boundary day's own papers
    past = search("", CS_LG, "newest", limit=2, offset=6)  # past the last page: the way on is the last page's
    assert beyond("", past, CS_LG, "newest", 6, 2) == beyond("", search("", CS_LG, "newest", limit=2, offset=4),
                                                             CS_LG, "newest", 4, 2)


def test_a_day_fuller_than_the_pages_ends_rather_than_repeating(capped):
    seen, steps = walk(Filters(categories=("cs.GT",)))
    assert steps == 3 and set(seen) < {p.uid for p in FULL_DAY}  # its own, then once more until that day: no more


def test_the_page_and_the_api_say_the_same_way_on(capped, client, monkeypatch):
    monkeypatch.setattr(web_search, "SEARCH_PAGE", 2)
    html = client.get("/papers/search", {"cat": "cs.LG", "page": 3}).content.decode()
    assert "Pages list the first 6 of these 12 results" in html and "Older papers →" in html
    assert 'href="/papers/search?until=2025-03-03&amp;cat=cs.LG"' in html
    answer = client.get("/api/search", {"cat": "cs.LG", "offset": 4, "limit": 2}).json()
    assert parse_qs(urlparse(answer["next"]).query) == {"until": ["2025-03-03"], "cat": ["cs.LG"], "limit": ["2"]}
    refused = client.get("/api/search", {"cat": "cs.LG", "offset": 5, "limit": 2})
    assert refused.status_code == 400 and refused.json()["next"] == answer["next"]
    assert "offset is at most 4" in refused.json()["detail"]
    within = client.get("/api/search", {"cat": "cs.LG", "offset": 5, "limit": 8})  # offset 4 reaches the 12th (review53)
    assert within.status_code == 400 and "reaches the last of these 12 results" in within.json()["detail"]
    ranked = client.get("/papers/search", {"q": "paper", "page": 9}).content.decode()
    assert "Only the first 6 of these 12 results are listed, best first" in ranked and "Older papers" not in ranked
    ranked = client.get("/api/search", {"q": "paper", "offset": 99, "limit": 2}).json()
    assert ranked["next"] is None and "narrow the search" in ranked["detail"]
    assert client.get("/api/search", {"q": "paper", "offset": -1}).status_code == 422
    assert client.get("/api/search", {"q": "paper", "offset": "9" * 5000}).status_code == 422
