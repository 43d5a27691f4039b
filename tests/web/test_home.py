import urllib.request
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperhub.community.models import Comment, Upvote
from paperhub.papers.feeds import day_start
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search.models import PaperKeywords
from tests.factories import add_paper, feed_entry, record, snapshot_object, user


@pytest.mark.django_db
def test_home_lists_newest_papers_first(client):
    upsert_papers([
        record("2501.00001", title="Older <b>paper</b>", published=datetime(2025, 1, 1, tzinfo=UTC)),
        record("2501.00002", title="Newer paper", published=datetime(2025, 2, 1, tzinfo=UTC),
               authors=tuple(f"Author {i}" for i in range(12))),
    ])
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer paper") < html.index("Older")
    assert "Older &lt;b&gt;paper&lt;/b&gt;" in html  # titles are escaped
    assert "Author 0 and 11 others (12 authors)" in html and "2 papers" in html


@pytest.mark.django_db
def test_home_paginates(client):
    upsert_papers([record(f"2501.{i:05d}", published=datetime(2025, 1, 1, tzinfo=UTC)) for i in range(1, 36)])
    first = client.get("/").content.decode()
    second = client.get("/?page=2").content.decode()
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second
    assert second.count('class="card"') == 5
    assert client.get("/?page=abc").status_code == 200


def test_serve_runs_the_hub_on_gunicorn(hub):
    """`paperhub serve` end to end: a real server process answering with ingested papers."""
    hub.ingest("s.jsonl", [snapshot_object("2501.00042", title="Served by gunicorn")])
    with hub.serving(1) as served:
        with urllib.request.urlopen(served.url + "/", timeout=5) as response:
            html = response.read().decode()
            server_header = response.headers.get("Server", "")
        assert "Served by gunicorn" in html
        assert "gunicorn" in server_header
        with urllib.request.urlopen(served.url + "/static/admin/css/base.css", timeout=5) as response:
            assert response.status == 200  # static files served (WhiteNoise)


def _day_of_papers(day: date, count: int, voter: User) -> None:
    """`count` papers in a finished day's feed with all a card shows: authors, keywords, a code link, a comment, a
    vote cast as the day ran (so they rank)."""
    for i in range(count):
        paper = add_paper(f"2606.{day.day:02d}{i:03d}", authors=("A. One", "B. Two"), code_url=f"https://github.com/o/r{i}",
                          abstract="We propose a method. " * 30, published=datetime(2026, 6, 1, tzinfo=UTC))
        feed_entry(paper, day)
        PaperKeywords.objects.create(paper=paper, phrases=["a method"], made_for=paper.changed_at)
        Comment.objects.create(paper=paper, user=voter, body="Nice.")
        Upvote.objects.create(user=voter, paper=paper, created_at=day_start(day) + timedelta(hours=1))


@pytest.mark.django_db
def test_a_feed_pages_queries_do_not_grow_with_its_cards(client):
    """A page of cards is read in a fixed number of queries (rank badges, keywords, stars and comment counts for all
    the cards at once): a day of five papers takes as many as a day of one, and so do their weeks."""
    voter = user("voter")
    _day_of_papers(date(2026, 6, 1), 1, voter)
    _day_of_papers(date(2026, 6, 9), 5, voter)
    Paper.objects.update(upvotes=1)
    counts = []
    for path in ("/papers/date/2026-06-01", "/papers/date/2026-06-09", "/papers/week/2026-W23",
                 "/papers/week/2026-W24"):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(path).content.decode()
        assert "Paper of the" in html and "a method" in html and "1 comment" in html, path
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] and counts[2] == counts[3], counts
