"""Cold start: the papers a new user is offered to pick from span the hub's subjects, trending ones first."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from paperhub.community.services import upvote
from paperhub.papers import feeds
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.recommend import queries, space
from tests.factories import feed_entry, record, user

NEWEST = datetime(2026, 6, 30, 12, tzinfo=UTC)
#: Three papers in each of four small subjects, then a batch of fifteen cs.CV papers, newer than all of them: the
#: newest twelve papers of this hub are one listing's.
SMALL = ("q-bio.BM", "math.AP", "hep-th", "cs.CL")


@pytest.fixture
def hub(db) -> dict[str, list[Paper]]:
    records = [record(f"2606.{s}{i:04d}", title=f"A {code} paper {i}", categories=(code, "stat.ML"),
                      published=NEWEST - timedelta(days=10 + i * 4 + s))
               for s, code in enumerate(SMALL) for i in range(3)]
    records += [record(f"2606.9{i:04d}", title=f"A cs.CV paper {i}", categories=("cs.CV", "cs.LG"),
                       published=NEWEST - timedelta(hours=i)) for i in range(15)]
    upsert_papers(records)
    by_subject: dict[str, list[Paper]] = {}
    for paper in Paper.objects.order_by("-published", "-id"):
        by_subject.setdefault(paper.title.split()[1], []).append(paper)
    return by_subject


def subject(starter: queries.Starter) -> str:
    return starter.paper.title.split()[1]


def test_starters_span_the_subjects_where_the_newest_papers_do_not(hub):
    newest = Paper.objects.order_by("-published", "-id")[:12]
    assert {p.title.split()[1] for p in newest} == {"cs.CV"}  # what the page offered before
    found = queries.starters(limit=12)
    assert len(found) == 12 and len({s.paper.pk for s in found}) == 12
    # the biggest archive (cs) first, then the others by their biggest category, then cs's second category
    assert [subject(s) for s in found[:5]] == ["cs.CV", "hep-th", "math.AP", "q-bio.BM", "cs.CL"]
    assert [subject(s) for s in found[5:10]] == [subject(s) for s in found[:5]]  # round two, same order
    # the subject in words, its code beside for those who know arXiv's codes
    assert found[0].reason == "recent in Computer Vision and Pattern Recognition (cs.CV)"
    assert found[3].reason == "recent in Biomolecules (q-bio.BM)"
    assert [s.paper for s in found if subject(s) == "cs.CV"] == hub["cs.CV"][:3]  # newest first without votes
    assert len(queries.starters(limit=3)) == 3
    assert len(queries.starters(limit=100)) == 27  # the whole hub, each paper once


def test_the_most_upvoted_of_a_subject_comes_before_its_newest(hub):
    oldest = hub["math.AP"][-1]
    upvote(user("ann"), oldest, on=True)
    found = queries.starters(limit=12)
    assert [s.paper for s in found if subject(s) == "math.AP"][0] == oldest


def test_trending_papers_come_first_and_take_at_most_half(hub):
    today = feeds.today()
    voted = [hub["cs.CL"][0]] + hub["cs.CV"][5:12]
    for votes, paper in enumerate(voted, start=1):
        feed_entry(paper, today - timedelta(days=1), "hf", external_upvotes=votes * 10 if paper in hub["cs.CV"] else 1)
    found = queries.starters(limit=12)
    assert [s.reason for s in found[:6]] == ["trending here"] * 6
    assert all(s.paper in voted for s in found[:6]) and found[6].reason.startswith("recent in ")
    assert len({s.paper.pk for s in found}) == 12  # a trending paper is not offered again in its subject
    assert {subject(s) for s in found[6:]} == set(SMALL) | {"cs.CV"}

    feed_entry(hub["hep-th"][0], today, "hf", external_upvotes=500)
    assert queries.starters(limit=2)[0].paper == hub["hep-th"][0]


def test_an_empty_hub_has_no_starters(db):
    assert queries.starters() == []


def test_a_new_users_for_you_page_offers_papers_of_several_subjects(hub, search_dir, monkeypatch):
    def not_ready() -> space.Space:
        raise space.NotReady("the watcher has not built it yet")

    # a new hub whose recommendation space is still being built (and no model to load here: fast)
    monkeypatch.setattr(space, "current", not_ready)
    client = Client()
    client.force_login(user("newcomer"))
    page = client.get("/for-you").content.decode()
    # nothing is being prepared for a user who told nothing yet: the space is not even read for them
    assert "More like this" in page and "being prepared" not in page
    offered = re.findall(r"Why: recent in [\w ,-]+ \(([\w.-]+)\)", page)
    assert len(offered) == 12 and set(offered) == set(SMALL) | {"cs.CV"}
    titles = re.findall(r'<h2[^>]*><a href="/papers/[^"]+">A ([\w.-]+) paper', page)
    assert len(set(titles)) == 5
