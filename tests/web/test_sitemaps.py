"""/robots.txt keeps crawlers off searches, variants, data and accounts; /sitemap.xml lists every paper page (files of
ids read by range, never counted or offset) and the feed pages."""

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from paperhub.papers import sitemaps
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.web.sitemaps import paper_paths, urlset
from tests.factories import feed_entry, record

pytestmark = pytest.mark.django_db


def locations(response):
    return [unescape(loc) for loc in re.findall(r"<loc>(.*?)</loc>", response.content.decode())]


def test_robots_keeps_crawlers_off_searches_variants_data_and_accounts(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
    for kept_off in ("/papers/search", "/api/", "/feeds/", "/accounts/", "/for-you", "/*?", "/*.bib$", "/*.md$"):
        assert f"Disallow: {kept_off}\n" in text, kept_off
    assert text.startswith("User-agent: *\n") and text.endswith("Sitemap: http://testserver/sitemap.xml\n")
    assert "Disallow: /papers/\n" not in text and "Disallow: /\n" not in text  # the papers' pages are read


def test_the_sitemap_lists_every_paper_page_by_id_ranges(client, settings, monkeypatch, django_assert_num_queries):
    settings.PAPERHUB_PAGE_RATE = ""  # (a rate counted in the database would add its queries)
    monkeypatch.setattr(sitemaps, "PER_FILE", 2)
    upsert_papers([record(f"2501.0000{n}", updated=datetime(2025, 2, n, tzinfo=UTC)) for n in range(1, 6)]
                  + [record("doi:10.1000/a&b", published=datetime(2024, 5, 6, tzinfo=UTC), updated=None)])
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index["Content-Type"].startswith("application/xml")
    assert "max-age=3600" in index["Cache-Control"] and "<sitemapindex" in index.content.decode()
    files = locations(index)
    assert files[0] == "http://testserver/sitemap-feeds.xml"
    ids = sorted(Paper.objects.values_list("pk", flat=True))
    assert len(files) - 1 == -(-ids[-1] // 2)  # a file per 2 ids up to the largest
    # the files holding these papers (PostgreSQL's ids go on from earlier tests: thousands of empty files before them)
    holding = [f"/sitemap-papers-{number}.xml" for number in sorted({(pk - 1) // 2 + 1 for pk in ids})]
    assert {f"http://testserver{path}" for path in holding} <= set(files)
    found, text = [], ""
    for path in holding:
        with django_assert_num_queries(2):  # the largest id (is there such a file), then the file's range
            response = client.get(path)
        assert response.status_code == 200 and len(locations(response)) <= 2
        found += locations(response)
        text += response.content.decode()
    assert sorted(found) == sorted(f"http://testserver{reverse('paper', args=[uid])}"
                                   for uid in Paper.objects.values_list("uid", flat=True))
    assert "<loc>http://testserver/papers/2501.00003</loc><lastmod>2025-02-03</lastmod>" in text
    assert "<loc>http://testserver/papers/doi:10.1000/a&amp;b</loc><lastmod>2024-05-06</lastmod>" in text


def test_sitemap_file_numbers_out_of_range_are_404s_without_a_query_of_them(client):
    upsert_papers([record(f"2501.0000{n}") for n in range(1, 6)])
    assert client.get("/sitemap-papers-1.xml").status_code == 200
    assert client.get("/sitemap-papers-1.xml", HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    for number in ("0", "-1", str(1 + sitemaps.paper_files()), "9" * 40, "1.5", "x", "01e9"):
        assert client.get(f"/sitemap-papers-{number}.xml").status_code == 404, number


def test_the_feeds_sitemap_lists_the_days_weeks_and_months_with_papers(client):
    paper = Paper.objects.get(uid=upsert_papers([record("2501.00001")]) and "2501.00001")
    for day in (date(2026, 6, 30), date(2026, 7, 1)):
        feed_entry(paper, day)
    found = locations(client.get("/sitemap-feeds.xml"))
    paths = [address.removeprefix("http://testserver") for address in found]
    assert paths == ["/", "/papers/trending", "/papers/date/2026-07-01", "/papers/date/2026-06-30",
                     "/papers/week/2026-W27", "/papers/month/2026-07", "/papers/month/2026-06"]


def test_sitemaps_count_as_expensive_pages(settings):
    from tests.web.test_public import fresh_window

    settings.PAPERHUB_PAGE_RATE = "2/min"
    fresh_window()
    client = Client(REMOTE_ADDR="203.0.113.11")
    assert [client.get("/sitemap.xml").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/robots.txt").status_code == 200  # (cheap: never counted)


def test_stored_text_is_escaped_in_a_sitemap():
    assert "<loc>http://h/a&amp;b&lt;c&gt;</loc>" in urlset([("http://h/a&b<c>", None)])


def test_paper_paths_are_what_reverse_gives():
    uids = ["2501.00001", "hep-th/9901001", "doi:10.1000/a&b", "doi:10.1/ü x?#%;(1)", "x:~@+,=$!'*"]
    assert list(paper_paths(uids)) == [reverse("paper", args=[uid]) for uid in uids]
