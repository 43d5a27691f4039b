"""The archive page, its JSON twin, and the "go to" form of the feed pages (docs/web.md)."""

import re
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperhub.papers import feeds
from tests.factories import add_paper, feed_entry
from tests.hostile.payloads import SCRIPT


def _fill():
    for n, day in enumerate([date(2010, 3, 15), date(2010, 3, 16), date(2019, 7, 1), date(2025, 1, 6)]):
        feed_entry(add_paper(f"1003.{n:05d}"), day)


def test_archive_lists_years_and_months_with_counts_and_gaps(client, db):
    _fill()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/papers/archive")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/papers/month/2010-03">Mar</a> <span class="meta">2</span>' in html
    assert '<a href="/papers/month/2010-03">2010</a>' in html  # a year links its first month with papers
    assert "Apr · none" in html  # a month without papers is shown, unlinked
    assert "2020–2024: no papers in this hub's feeds." in html and "2011–2018: no papers" in html
    assert html.index(">2025<") < html.index(">2019<") < html.index(">2010<")  # newest first
    counting = [q["sql"] for q in queries.captured_queries if "feedentry" in q["sql"].lower()]
    assert len(counting) == 1 and "GROUP BY" in counting[0]  # one grouped query, however many months


def test_archive_json_twin(client, db):
    _fill()
    answer = client.get("/api/archive").json()
    assert [y["year"] for y in answer["years"]] == [2025, 2019, 2010]
    assert answer["years"][-1] == {"year": 2010, "papers": 2, "url": "/papers/month/2010-03",
                                   "months": [{"month": "2010-03", "papers": 2, "url": "/papers/month/2010-03"}]}
    assert answer["gaps"] == [{"first": 2020, "last": 2024}, {"first": 2011, "last": 2018}]
    assert client.get("/api/archive").json() == answer
    assert client.get("/papers/archive").content.decode().count('href="/api/archive"') == 2  # head and foot


def test_empty_hub_archive_says_so(client, db):
    assert "No feed has papers yet." in client.get("/papers/archive").content.decode()
    assert client.get("/api/archive").json() == {"years": [], "gaps": []}


def test_go_to_form_redirects_to_the_period_holding_the_date(client, db):
    assert client.get("/papers/archive?date=2010-03-15&kind=month")["Location"] == "/papers/month/2010-03"
    assert client.get("/papers/archive?date=2010-03-15&kind=week")["Location"] == "/papers/week/2010-W11"
    assert client.get("/papers/archive?date=2010-03-15")["Location"] == "/papers/date/2010-03-15"


def test_go_to_form_refuses_bad_and_future_dates_clearly(client, db):
    future = feeds.today().replace(year=feeds.today().year + 1).isoformat()
    for query, reason in ((f"date={future}", "has not come yet"), ("date=2010-02-30", "no such day"),
                          ("date=", "give a date"), ("date=2010-03-15&kind=year", "not &#x27;year&#x27;"),
                          (f"date={SCRIPT}&kind={SCRIPT}", "go to a day, week or month"),
                          (f"date={SCRIPT}", "not a day")):
        response = client.get(f"/papers/archive?{query}")
        html = response.content.decode()
        assert response.status_code == 400 and reason in html, query
        assert "<script>alert" not in html, query  # what was typed comes back as text
    for kind in ("day", "week", "month"):  # the calendar's edge: its page would be a 404 (review53)
        assert client.get(f"/papers/archive?date=0001-01-01&kind={kind}").status_code == 400, kind


def test_the_archive_counts_as_an_expensive_page(client, db, settings):
    from tests.web.test_public import fresh_window

    settings.PAPERHUB_PAGE_RATE = "2/min"
    fresh_window()
    assert [client.get("/papers/archive").status_code for _ in range(3)] == [200, 200, 429]


def test_period_pages_carry_the_go_to_form_and_link_the_archive(client, db):
    feed_entry(add_paper("1003.00001"), date(2010, 3, 15))
    html = client.get("/papers/week/2010-W11").content.decode()
    form = re.search(r'<form method="get" action="/papers/archive".*?</form>', html, re.S)[0]
    assert 'type="date" name="date"' in form and 'value="2010-03-15"' in form
    assert '<option value="week" selected>' in form
    assert f'max="{feeds.today().isoformat()}"' in form  # the browser offers no day still to come
    assert '<a href="/papers/archive">Archive</a>' in html  # the footer, on every page
