from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperhub.ingest.hf_daily import parse_daily
from paperhub.ingest.http import SourceError
from paperhub.papers.models import FeedEntry, Paper
from tests.conftest import Reply
from tests.factories import FIXTURES

DAILY = FIXTURES / "hf_daily_papers.json"


def test_parse_daily_maps_papers_and_feed_entries():
    items = list(parse_daily(DAILY.read_bytes()))
    (record, placement), (second, _), bad = items
    assert record.uid == "2611.01234" and record.source == "hf-daily"
    assert record.authors == ("Ana Lucía Pérez", "Jürgen Müller")
    assert record.abstract == "We study retrieval experts. We show $O(\\sqrt{n})$ regret."
    assert record.code_url == "https://github.com/example/sparse-experts"
    assert record.project_url == "https://example.org/sparse-experts"
    assert record.organization == "Example Lab"
    assert record.published.isoformat() == "2026-11-17T09:00:01+00:00"
    assert placement.day.isoformat() == "2026-11-18" and placement.external_upvotes == 42
    assert placement.submitted_by == "akhaliq"
    assert second.organization == ""
    assert bad.where == "item 3" and "not an arXiv id" in bad.reason


@pytest.mark.parametrize("body", [b"{not json", b'{"error": "nope"}', b"\xff\xfe"])
def test_parse_daily_rejects_non_lists(body):
    with pytest.raises(SourceError):
        list(parse_daily(body))


def test_mistyped_fields_are_reported():
    body = b'[{"paper": {"id": "2611.00001", "title": "T", "upvotes": "many"}}, {"paper": {"id": "2611.00002", "title": 5}}]'
    reasons = [item.reason for item in parse_daily(body)]
    assert "upvotes must be a whole number" in reasons[0] and "must be a string" in reasons[1]


@pytest.mark.django_db
def test_ingest_hf_daily_file_is_idempotent():
    out = StringIO()
    call_command("ingest", "hf-daily", str(DAILY), stdout=out, stderr=StringIO())
    assert "2 papers read: 2 new" in out.getvalue() and "1 bad record (" in out.getvalue()
    assert "2 new daily-feed entries" in out.getvalue()
    assert FeedEntry.objects.filter(day="2026-11-18").count() == 2
    out = StringIO()
    call_command("ingest", "hf-daily", str(DAILY), stdout=out, stderr=StringIO())
    assert "0 new, 0 updated, 2 unchanged" in out.getvalue() and "0 new daily-feed entries" in out.getvalue()


@pytest.mark.django_db
def test_ingest_hf_daily_by_date_over_http(source_server, settings):
    settings.PAPERHUB_HF_URL = source_server.url
    source_server.routes["/api/daily_papers"] = lambda q: Reply(DAILY.read_bytes())
    call_command("ingest", "hf-daily", "--date", "2026-11-18", stdout=StringIO(), stderr=StringIO())
    assert source_server.requests[0][1]["date"] == "2026-11-18"
    assert Paper.objects.get(uid="2611.01234").code_url.endswith("sparse-experts")


@pytest.mark.django_db
def test_hf_does_not_erase_what_arxiv_knows(source_server, settings):
    settings.PAPERHUB_ARXIV_API_URL = source_server.url + "/api/query"
    source_server.routes["/api/query"] = lambda q: Reply((FIXTURES / "arxiv_api_page1.xml").read_bytes())
    call_command("ingest", "arxiv", "--ids", "2611.01234", stdout=StringIO())
    call_command("ingest", "hf-daily", str(DAILY), stdout=StringIO(), stderr=StringIO())
    paper = Paper.objects.get(uid="2611.01234")
    assert paper.version == 2 and paper.doi == "10.1234/example.5678"
    assert paper.code_url == "https://github.com/example/sparse-experts"  # filled in from HF
    assert list(paper.paper_categories.values_list("category__code", flat=True).order_by("-is_primary")) == ["cs.CL", "cs.LG"]


@pytest.mark.django_db
def test_hf_daily_needs_input():
    with pytest.raises(CommandError, match="give a PATH"):
        call_command("ingest", "hf-daily", stdout=StringIO())
