from io import StringIO

import pytest
from django.core.management import call_command

from paperhub.papers.models import Paper
from tests.conftest import Reply
from tests.factories import FIXTURES, snapshot_object, write_snapshot


@pytest.mark.django_db
def test_bootstrap_pulls_recent_papers_from_arxiv(source_server, settings):
    settings.PAPERHUB_ARXIV_API_URL = source_server.url + "/api/query"
    settings.PAPERHUB_CATEGORIES = ["cs.CL", "cs.AI"]
    source_server.routes["/api/query"] = lambda q: Reply((FIXTURES / "arxiv_api_page1.xml").read_bytes())
    call_command("bootstrap", stdout=StringIO(), stderr=StringIO())
    query = source_server.requests[0][1]["search_query"]
    assert query.startswith("(cat:cs.CL OR cat:cs.AI) AND submittedDate:[")
    assert Paper.objects.count() == 2


@pytest.mark.django_db
def test_bootstrap_offline_says_so_and_uses_the_file(settings, tmp_path):
    settings.PAPERHUB_ARXIV_API_URL = "http://127.0.0.1:9/api/query"
    path = write_snapshot(tmp_path / "b.jsonl.xz", [snapshot_object("2501.00001"), snapshot_object("2501.00002")])
    out, err = StringIO(), StringIO()
    call_command("bootstrap", "--file", str(path), stdout=out, stderr=err)
    assert "arXiv is unreachable" in err.getvalue()
    assert "2 new" in out.getvalue()
    assert Paper.objects.count() == 2


@pytest.mark.django_db
def test_bootstrap_offline_without_a_file_explains_what_to_do(settings):
    settings.PAPERHUB_ARXIV_API_URL = "http://127.0.0.1:9/api/query"
    err = StringIO()
    call_command("bootstrap", "--file", "", stdout=StringIO(), stderr=err)
    assert "PAPERHUB_BOOTSTRAP=" in err.getvalue()
