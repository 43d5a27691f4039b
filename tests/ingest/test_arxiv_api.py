from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperhub.ingest.arxiv_api import category_query, parse_feed
from paperhub.ingest.http import SourceError
from paperhub.papers.models import HarvestCheckpoint, Paper, PaperAuthor
from paperhub.papers.records import PaperRecord
from tests.conftest import Reply
from tests.factories import FIXTURES

PAGE1 = (FIXTURES / "arxiv_api_page1.xml").read_bytes()
PAGE2 = (FIXTURES / "arxiv_api_page2.xml").read_bytes()


def test_parse_feed_reads_entries_and_paging():
    page = parse_feed(PAGE1)
    assert (page.total, page.start, page.entries) == (3, 0, 2)
    first = page.items[0]
    assert isinstance(first, PaperRecord)
    assert (first.uid, first.version) == ("2611.01234", 2)
    assert first.title == "Sparse Mixtures of Retrieval Experts for $k$-shot Reasoning"
    assert first.abstract == "We study retrieval experts. We show $O(\\sqrt{n})$ regret."
    assert first.authors == ("Ana Lucía Pérez", "Jürgen Müller")
    assert first.categories == ("cs.CL", "cs.LG")
    assert (first.doi, first.comments, first.journal_ref) == ("10.1234/example.5678", "12 pages, 3 figures", "Proc. ACL 2026")
    assert first.published.isoformat() == "2026-11-17T09:00:01+00:00"


def test_error_feed_and_garbage_raise_source_error():
    with pytest.raises(SourceError, match="incorrect id format"):
        parse_feed((FIXTURES / "arxiv_api_error.xml").read_bytes())
    with pytest.raises(SourceError, match="broken XML"):
        parse_feed(b"<feed><entry>")
    with pytest.raises(SourceError, match="not an Atom feed"):
        parse_feed(b"<html><body>maintenance</body></html>")


def test_bad_entry_is_reported_and_others_kept():
    broken = PAGE1.replace(b"http://arxiv.org/abs/2611.05678v1", b"http://arxiv.org/abs/garbage")
    items = parse_feed(broken, where="arxiv-api ").items
    assert isinstance(items[0], PaperRecord)
    assert not isinstance(items[1], PaperRecord) and "not an arXiv id" in items[1].reason


def test_category_query():
    q = category_query(["cs.CL", "cs.LG"], date(2026, 11, 17), date(2026, 11, 20))
    assert q == "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202611170000 TO 202611202359]"


def paged(query):
    return Reply(PAGE1 if query.get("start", "0") == "0" else PAGE2)


@pytest.fixture
def api(source_server, settings):
    settings.PAPERHUB_ARXIV_API_URL = source_server.url + "/api/query"
    return source_server


@pytest.mark.django_db
def test_ingest_arxiv_pages_through_results(api):
    api.routes["/api/query"] = paged
    out = StringIO()
    call_command("ingest", "arxiv", "--categories", "cs.CL", "--since", "2026-11-17", "--until", "2026-11-20",
                 "--page-size", "2", stdout=out)
    assert "3 papers read: 3 new" in out.getvalue()
    assert [q["start"] for _, q in api.requests] == ["0", "2"]
    assert api.requests[0][1]["search_query"] == "(cat:cs.CL) AND submittedDate:[202611170000 TO 202611202359]"
    assert Paper.objects.filter(source="arxiv-api").count() == 3
    assert PaperAuthor.objects.filter(author__name="Wei Zhang").count() == 2
    assert not HarvestCheckpoint.objects.exists()  # finished: the next run starts afresh
    out = StringIO()
    call_command("ingest", "arxiv", "--categories", "cs.CL", "--since", "2026-11-17", "--until", "2026-11-20",
                 "--page-size", "2", stdout=out)
    assert "0 new" in out.getvalue()


@pytest.mark.django_db
def test_ingest_arxiv_by_ids(api):
    api.routes["/api/query"] = lambda q: Reply(PAGE1)
    call_command("ingest", "arxiv", "--ids", "https://arxiv.org/abs/2611.01234v2,arXiv:2611.05678", stdout=StringIO())
    assert api.requests[0][1]["id_list"] == "2611.01234,2611.05678"
    assert Paper.objects.count() == 2


@pytest.mark.django_db
def test_retries_server_errors_then_succeeds(api):
    calls = []

    def flaky(query):
        calls.append(query)
        if len(calls) == 1:
            return Reply(b"busy", 503, {"Retry-After": "0"})
        if len(calls) == 2:
            return Reply(b"oops", 500)
        return paged(query)

    api.routes["/api/query"] = flaky
    call_command("ingest", "arxiv", "--categories", "cs.CL", "--page-size", "2", stdout=StringIO())
    assert Paper.objects.count() == 3


@pytest.mark.django_db
def test_a_killed_harvest_resumes_where_it_stopped(api):
    def page2_down(query):
        return Reply(b"down", 503) if query.get("start") == "2" else paged(query)

    api.routes["/api/query"] = page2_down
    args = ["ingest", "arxiv", "--categories", "cs.CL", "--since", "2026-11-17", "--until", "2026-11-20",
            "--page-size", "2"]
    with pytest.raises(CommandError, match="could not be reached after 3 tries.*Run the same command again"):
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    assert Paper.objects.count() == 2
    assert HarvestCheckpoint.objects.get().cursor == "2"
    api.requests.clear()
    api.routes["/api/query"] = paged
    call_command(*args, stdout=StringIO())
    assert [q["start"] for _, q in api.requests] == ["2"]  # page one was not fetched again
    assert Paper.objects.count() == 3


@pytest.mark.django_db
def test_client_errors_are_not_retried(api):
    api.routes["/api/query"] = lambda q: Reply(b"bad request", 400)
    with pytest.raises(CommandError, match="HTTP 400"):
        call_command("ingest", "arxiv", "--categories", "cs.CL", stdout=StringIO(), stderr=StringIO())
    assert len(api.requests) == 1


@pytest.mark.django_db
def test_unreachable_network_says_so(settings):
    settings.PAPERHUB_ARXIV_API_URL = "http://127.0.0.1:9/api/query"  # the discard port: nothing listens
    with pytest.raises(CommandError, match="could not be reached"):
        call_command("ingest", "arxiv", "--retries", "0", stdout=StringIO(), stderr=StringIO())


def test_polite_delay_between_calls(source_server):
    from paperhub.ingest.http import PoliteClient

    source_server.routes["/x"] = lambda q: Reply(b"ok")
    slept = []
    client = PoliteClient(delay=3.0, sleep=slept.append)
    client.get(source_server.url + "/x")
    client.get(source_server.url + "/x")
    assert len(slept) == 1 and 2.9 < slept[0] <= 3.0
