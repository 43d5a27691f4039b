"""Pages say what an arXiv category is: the name on hover, as a category listing's heading, in the trends legend."""

import html
from datetime import UTC, datetime, timedelta

import pytest

from paperhub.papers.services import upsert_papers
from tests.factories import record

NAMED = "Computer Science and Game Theory"


@pytest.fixture
def hub(db, search_dir):
    from paperhub.search import update

    when = datetime(2026, 11, 27, 12, tzinfo=UTC)
    upsert_papers([record(f"2611.{i:05d}", title=f"Auctions and equilibria {i}", categories=("cs.GT", "cs.ZZ"),
                          published=when - timedelta(days=i)) for i in range(3)])
    update()


def test_a_papers_categories_link_to_their_listing_named_on_hover(client, hub):
    page = html.unescape(client.get("/papers/2611.00000").content.decode())
    assert f'<a href="/papers/search?cat=cs.GT" title="{NAMED}">cs.GT</a>' in page
    assert '<a href="/papers/search?cat=cs.ZZ" title="cs.ZZ">cs.ZZ</a>' in page  # a code without a name, as it is


def test_a_category_listing_is_headed_by_its_name(client, hub):
    page = client.get("/papers/search", {"cat": "cs.GT"}).content.decode()
    assert f'<h1>{NAMED} <span class="meta">cs.GT</span></h1>' in page
    assert f"<title>{NAMED} (cs.GT) · Search · paperhub</title>" in page
    assert "3 results" in page
    searched = client.get("/papers/search", {"q": "auctions", "cat": "cs.GT"}).content.decode()
    assert "<h1>Search</h1>" in searched  # a search within the category stays a search
    spoofed = client.get("/papers/search", {"cat": "Account suspended"}).content.decode()
    assert "<h1>Search</h1>" in spoofed and "<title>Search · paperhub</title>" in spoofed  # no heading from the link


def test_the_trends_legend_and_its_api_name_the_categories(client, hub):
    page = client.get("/trends", {"cat": "cs.GT", "weeks": "6"}).content.decode()
    assert f"{NAMED} (cs.GT)" in page
    trend = client.get("/api/trends/categories", {"cat": "cs.GT", "weeks": 6}).json()
    assert trend["names"] == {"cs.GT": NAMED} and sum(trend["counts"]["cs.GT"]) == 3
