from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperhub.ingest.http import SourceError
from paperhub.ingest.oai_pmh import parse_list_records
from paperhub.papers.models import HarvestCheckpoint, Paper, PaperAuthor
from paperhub.papers.records import PaperRecord
from tests.conftest import Reply
from tests.factories import FIXTURES

PAGE1 = (FIXTURES / "oai_page1.xml").read_bytes()
PAGE2 = (FIXTURES / "oai_page2.xml").read_bytes()
TOKEN = "6849581|1001"


def test_parse_list_records():
    page = parse_list_records(PAGE1)
    assert page.token == TOKEN and page.complete_size == 4 and page.deleted == 1
    first, second = page.items
    assert isinstance(first, PaperRecord) and isinstance(second, PaperRecord)
    assert (first.uid, first.version, first.categories) == ("0704.0002", None, ("math.CO", "cs.CG"))
    assert first.published.date().isoformat() == "2007-03-30" and first.updated.date().isoformat() == "2008-12-13"
    assert first.abstract.startswith("We describe a new algorithm, the $(k,\\ell)$-pebble game")
    assert first.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert second.uid == "cs/9901001"
    assert second.authors == ("Pál Erdős", "J. Müller Jr")
    assert (second.report_no, second.doi) == ("TR-99-1", "10.1000/old.1")
    last = parse_list_records(PAGE2)
    assert last.token == "" and [r.uid for r in last.items] == ["2611.00001"]


def test_parse_errors():
    page = parse_list_records((FIXTURES / "oai_no_records.xml").read_bytes())
    assert page.error_code == "noRecordsMatch"
    with pytest.raises(SourceError):
        parse_list_records(b"<?xml version='1.0'?><html/>")
    with pytest.raises(SourceError):
        parse_list_records(b"\x00garbage")


@pytest.fixture
def oai(source_server, settings):
    settings.PAPERHUB_OAI_URL = source_server.url + "/oai"
    return source_server


def by_token(query):
    if query.get("resumptionToken") == TOKEN:
        return Reply(PAGE2)
    assert query["metadataPrefix"] == "arXiv"
    return Reply(PAGE1)


@pytest.mark.django_db
def test_harvest_follows_resumption_tokens(oai):
    oai.routes["/oai"] = by_token
    out = StringIO()
    call_command("ingest", "oai", "--set", "cs", "--from", "2026-11-01", stdout=out)
    assert "3 papers read: 3 new" in out.getvalue()
    assert oai.requests[0][1] == {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs", "from": "2026-11-01"}
    assert oai.requests[1][1] == {"verb": "ListRecords", "resumptionToken": TOKEN}
    assert set(Paper.objects.values_list("uid", flat=True)) == {"0704.0002", "cs/9901001", "2611.00001"}
    assert PaperAuthor.objects.get(paper__uid="cs/9901001", position=0).author.name == "Pál Erdős"
    assert not HarvestCheckpoint.objects.exists()


@pytest.mark.django_db
def test_killed_harvest_resumes_from_its_token(oai):
    oai.routes["/oai"] = lambda q: Reply(b"", 503) if "resumptionToken" in q else by_token(q)
    with pytest.raises(CommandError, match="Run the same command again to resume"):
        call_command("ingest", "oai", "--set", "cs", "--from", "2026-11-01", stdout=StringIO(), stderr=StringIO())
    assert HarvestCheckpoint.objects.get(source="oai-pmh").cursor == TOKEN
    oai.requests.clear()
    oai.routes["/oai"] = by_token
    call_command("ingest", "oai", "--set", "cs", "--from", "2026-11-01", stdout=StringIO())
    assert [q for _, q in oai.requests] == [{"verb": "ListRecords", "resumptionToken": TOKEN}]
    assert Paper.objects.count() == 3


@pytest.mark.django_db
def test_expired_token_restarts_from_the_beginning(oai):
    HarvestCheckpoint.objects.create(source="oai-pmh", key="from=2026-11-01&metadataPrefix=arXiv&set=cs&verb=ListRecords",
                                     cursor="stale|1")
    bad_token = (FIXTURES / "oai_bad_token.xml").read_bytes()
    oai.routes["/oai"] = lambda q: Reply(bad_token) if q.get("resumptionToken") == "stale|1" else by_token(q)
    call_command("ingest", "oai", "--set", "cs", "--from", "2026-11-01", stdout=StringIO(), stderr=StringIO())
    assert Paper.objects.count() == 3


@pytest.mark.django_db
def test_no_records_match_is_not_an_error(oai):
    oai.routes["/oai"] = lambda q: Reply((FIXTURES / "oai_no_records.xml").read_bytes())
    out = StringIO()
    call_command("ingest", "oai", "--set", "cs", "--from", "2030-01-01", stdout=out)
    assert "0 papers read" in out.getvalue()
