"""Links found when papers land and for papers already stored; the repositories' rows and stars."""

from datetime import UTC, datetime

import pytest

from paperhub.papers import queries
from paperhub.papers.models import CodeRepository, HarvestCheckpoint, Paper
from paperhub.papers.repositories import backfill_links, record_stars, repositories_due
from paperhub.papers.services import upsert_papers
from tests.factories import record

pytestmark = pytest.mark.django_db

ABSTRACT = "We propose X. Code is available at https://github.com/Owner/Repo.git."


def test_links_found_when_papers_land():
    upsert_papers([record("2501.00001", abstract=ABSTRACT, comments="Project page: https://owner.github.io/x/")])
    paper = Paper.objects.get(uid="2501.00001")
    assert (paper.code_url, paper.project_url) == ("https://github.com/Owner/Repo", "https://owner.github.io/x/")
    assert list(CodeRepository.objects.values_list("full_name", "stars")) == [("owner/repo", None)]


def test_a_link_a_source_stated_is_never_replaced_by_one_found():
    stated = "https://github.com/hf/stated"
    upsert_papers([record("2501.00001", source="hf", code_url=stated)])
    newer = record("2501.00001", version=2, abstract=ABSTRACT, updated=datetime(2025, 2, 1, tzinfo=UTC))
    assert upsert_papers([newer]).updated == 1
    assert Paper.objects.get(uid="2501.00001").code_url == stated
    upsert_papers([record("2501.00002", abstract=ABSTRACT, code_url=stated)])
    assert Paper.objects.get(uid="2501.00002").code_url == stated
    assert set(CodeRepository.objects.values_list("full_name", flat=True)) == {"hf/stated"}


def test_backfill_fills_stored_papers_resumably_and_idempotently():
    upsert_papers([record(f"2501.{i:05d}") for i in range(1, 6)])
    Paper.objects.filter(uid__in=["2501.00002", "2501.00004"]).update(abstract=ABSTRACT)
    Paper.objects.filter(uid="2501.00004").update(code_url="https://github.com/kept/as-is")
    seen = []
    done = backfill_links(batch=2, on_batch=lambda d: seen.append(d.read))
    assert (done.read, done.code, done.project) == (5, 1, 0) and seen == [2, 4, 5]
    assert dict(Paper.objects.exclude(code_url="").values_list("uid", "code_url")) == {
        "2501.00002": "https://github.com/Owner/Repo", "2501.00004": "https://github.com/kept/as-is"}
    assert set(CodeRepository.objects.values_list("full_name", flat=True)) == {"owner/repo", "kept/as-is"}
    assert not HarvestCheckpoint.objects.exists()
    assert backfill_links().code == 0


def test_backfill_gives_a_paper_with_a_new_code_link_a_new_change_stamp():
    upsert_papers([record("2501.00001"), record("2501.00002")])
    Paper.objects.filter(uid="2501.00001").update(abstract=ABSTRACT)  # a code link to find
    Paper.objects.filter(uid="2501.00002").update(abstract="Project page: https://example.org/project.")
    before = dict(Paper.objects.values_list("uid", "changed_at"))
    done = backfill_links()
    assert (done.code, done.project) == (1, 1)
    after = dict(Paper.objects.values_list("uid", "changed_at"))
    assert after["2501.00001"] > max(before.values())  # the keyword index follows it: it holds "has code"
    assert after["2501.00002"] == before["2501.00002"]  # a project page alone: nothing indexed changed


def test_backfill_resumes_after_the_last_batch_done():
    upsert_papers([record(f"2501.{i:05d}") for i in range(1, 4)])
    Paper.objects.update(abstract=ABSTRACT, code_url="")
    first = Paper.objects.order_by("pk").first()
    HarvestCheckpoint.objects.create(source="links", key="backfill", cursor=str(first.pk))
    assert backfill_links().code == 2
    assert Paper.objects.get(pk=first.pk).code_url == ""


def test_stars_recorded_read_and_due_oldest_first():
    upsert_papers([record("2501.00001", abstract=ABSTRACT), record("2501.00002", code_url="https://github.com/b/c")])
    repo = CodeRepository.objects.get(full_name="owner/repo")
    record_stars(repo, 1234, '"etag1"')
    assert [r.full_name for r in repositories_due(5)] == ["b/c", "owner/repo"]
    papers = list(Paper.objects.order_by("uid"))
    assert queries.repository_stars(papers) == {papers[0].pk: 1234}
    record_stars(repo, None, "")  # 304: the stored count stays
    assert CodeRepository.objects.get(pk=repo.pk).stars == 1234
    record_stars(repo, None, "", gone=True)
    assert queries.repository_stars(papers) == {}
    assert Paper.objects.get(uid="2501.00001").code_url  # the link stays
    assert Paper.objects.exclude(code_url="").count() == 2


def test_links_find_says_its_links_are_new_ones():
    """It printed "0 code links ... found" over papers whose links were stored as they landed."""
    from io import StringIO

    from django.core.management import call_command

    upsert_papers([record("2501.00001", abstract=ABSTRACT)])  # its code link found as it landed
    out = StringIO()
    call_command("links", "find", stdout=out, stderr=StringIO())
    assert out.getvalue() == ("1 papers without a code link or project page read: 0 new code links and 0 new project "
                              "pages (links already stored were kept)\n")
