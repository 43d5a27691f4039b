import urllib.request
from datetime import UTC, datetime

import pytest

from paperhub.papers.services import upsert_papers
from tests.factories import record, snapshot_object


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
