"""The real data in ../shared/data: both arXiv files parse with no bad record; the recent one lands whole."""

from io import StringIO

import pytest
from django.core.management import call_command

from paperhub.ingest.snapshot import read_snapshot
from paperhub.papers.models import Paper
from paperhub.papers.records import PaperRecord


@pytest.mark.parametrize(("name", "papers"), [("recent-2025-2026.jsonl.xz", 74_728),
                                              ("archive-1986-2019.jsonl.xz", 271_747)])
def test_shared_arxiv_files_parse_without_errors(shared_data, name, papers):
    bad, good, uids = [], 0, set()
    for item in read_snapshot(shared_data / "arxiv" / name):
        if isinstance(item, PaperRecord):
            good += 1
            uids.add(item.uid)
        else:
            bad.append(str(item))
    assert bad[:5] == [] and good == papers and len(uids) == papers


@pytest.mark.django_db(transaction=True)
def test_recent_file_lands_74728_papers_then_0_new(shared_data):
    path = str(shared_data / "arxiv" / "recent-2025-2026.jsonl.xz")
    out = StringIO()
    call_command("ingest", "snapshot", path, stdout=out, stderr=StringIO())
    assert "74,728 papers read: 74,728 new, 0 updated, 0 unchanged; 0 bad records" in out.getvalue()
    out = StringIO()
    call_command("ingest", "snapshot", path, stdout=out, stderr=StringIO())
    assert "74,728 papers read: 0 new, 0 updated, 74,728 unchanged; 0 bad records" in out.getvalue()
    assert Paper.objects.count() == 74_728
