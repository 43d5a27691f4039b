import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from paperhub.ingest import bundled
from paperhub.papers import feeds
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.conftest import Reply
from tests.factories import FIXTURES, record, snapshot_object, write_snapshot


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
def test_bootstrap_offline_into_an_empty_hub_loads_the_bundled_sample(settings, closed_port):
    settings.PAPERHUB_ARXIV_API_URL = f"http://127.0.0.1:{closed_port}/api/query"
    facts = bundled.sample_facts()
    out, err = StringIO(), StringIO()
    call_command("bootstrap", "--file", "", stdout=out, stderr=err)
    assert "arXiv is unreachable" in err.getvalue()
    assert f"loaded the bundled sample of {len(facts.uids):,} papers" in out.getvalue()
    assert "PAPERHUB_BOOTSTRAP=FILE" in out.getvalue() and "shared" not in out.getvalue() + err.getvalue()
    assert set(Paper.objects.values_list("uid", flat=True)) == facts.uids
    assert feeds.latest_day() == facts.last  # Daily is on by default
    Paper.objects.filter(uid__in=sorted(facts.uids)[:100]).delete()  # as if a load had been killed midway
    call_command("bootstrap", "--file", "", stdout=StringIO(), stderr=StringIO())
    assert Paper.objects.count() == len(facts.uids)


@pytest.mark.django_db
def test_bootstrap_never_mixes_the_sample_into_a_hub_with_papers(settings, closed_port):
    settings.PAPERHUB_ARXIV_API_URL = f"http://127.0.0.1:{closed_port}/api/query"
    upsert_papers([record("2501.00001")])
    err = StringIO()
    call_command("bootstrap", "--file", "", stdout=StringIO(), stderr=err)
    assert "PAPERHUB_BOOTSTRAP=FILE" in err.getvalue() and "shared" not in err.getvalue()
    assert list(Paper.objects.values_list("uid", flat=True)) == ["2501.00001"]


def test_a_hub_that_cannot_reach_arxiv_serves_the_bundled_sample(hub, closed_port):
    """As `make run` does it, with arXiv's API at a closed port: bootstrap, then serve; the home page is Daily."""
    hub.env["PAPERHUB_ARXIV_API_URL"] = f"http://127.0.0.1:{closed_port}/api/query"
    for name in ("PAPERHUB_FEED_CATEGORIES", "PAPERHUB_FEED_KEYWORDS", "PAPERHUB_BOOTSTRAP"):
        hub.env.pop(name, None)
    done = hub.run("bootstrap")
    assert "loaded the bundled sample" in done.stdout
    facts = bundled.sample_facts()
    newest = {r.uid: r.title for r in bundled.sample_records()
              if feeds.rule_day(r.uid, r.published) == facts.last}
    with hub.serving(1) as served:
        home = urllib.request.urlopen(served.url + reverse("home"), timeout=30).read().decode()
    assert facts.last.strftime("%-d %B %Y") in home
    assert sum(reverse("paper", args=[uid]) in home for uid in newest) >= 10
