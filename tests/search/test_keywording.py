"""Stored keywords: made by the follower for new and changed papers, by `paperhub keywords`, and by the job."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperhub import search
from paperhub.jobs import tasks
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search.models import PaperKeywords
from tests.factories import record


def test_nothing_is_made_before_the_first_keyword_index(db, search_dir):
    upsert_papers([record("2501.00001")])
    assert search.update_keywords() is None
    with pytest.raises(CommandError, match="index update"):
        call_command("keywords", stdout=StringIO())


def test_keywords_follow_new_and_changed_papers_once(indexed):
    assert search.update_keywords(limit=2) == 2  # a killed run: the next one goes on from there
    assert search.update_keywords() == len(indexed) - 2
    assert search.update_keywords() == 0  # idempotent
    graph = Paper.objects.get(uid="2501.00001")
    assert "graph" in " ".join(search.keywords_of([graph.pk])[graph.pk])
    upsert_papers([record("2501.00001", title="Graph transformers", abstract="Graph transformers.", version=9)])
    assert search.update_keywords() == 1
    assert search.keywords_of([graph.pk])[graph.pk] == ["graph transformers"]


def test_the_command_and_the_job_make_them(indexed):
    out = StringIO()
    call_command("keywords", stdout=out)
    assert f"keywords made for {len(indexed)} papers" in out.getvalue()
    assert tasks.make_keywords.call() == {"papers": 0}
    out = StringIO()
    call_command("keywords", "--rebuild", stdout=out)
    assert f"{len(indexed)} papers' keywords forgotten" in out.getvalue()
    assert PaperKeywords.objects.count() == len(indexed)


def test_the_migration_has_every_papers_keywords_made_again(indexed):
    """Keywords made before they were spelt as written ("llms") are remade by the follower, old ones shown meanwhile."""
    import importlib

    from django.apps import apps

    assert search.update_keywords() == len(indexed)
    PaperKeywords.objects.update(phrases=["llms"])  # as an older version made them
    importlib.import_module("paperhub.search.migrations.0004_remake_keywords").remake_keywords(apps, None)
    assert search.update_keywords(limit=2) == 2  # in change order, a run at a time: the rest keep theirs meanwhile
    assert PaperKeywords.objects.filter(phrases=["llms"]).count() == len(indexed) - 2
    assert search.update_keywords() == len(indexed) - 2 and search.update_keywords() == 0
    assert not PaperKeywords.objects.filter(phrases=["llms"]).exists()
