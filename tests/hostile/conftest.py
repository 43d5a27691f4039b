"""The hostile hub: every field a payload (tests/hostile/payloads.py)."""

from datetime import UTC, datetime

import pytest
from django.db.models import Value
from django.db.models.functions import Concat

from paperhub.community import curation, services
from paperhub.core.sealing import seal
from paperhub.papers.models import Author, Paper
from paperhub.papers.services import upsert_papers
from paperhub.recommend import services as recommend
from paperhub.recommend.models import Seed, ZoteroLink
from tests.factories import approved_claim, feed_entry, record, user
from tests.hostile.payloads import CONTROL, DAY, IMG, SCRIPT, STORED_CONTROL, SVG


@pytest.fixture
def hostile(db, settings, tmp_path):
    """Papers whose every field carries a payload, an author named like one, and a user's hostile comment,
    collection and saved search; indexed for search."""
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    from paperhub.search import indexing, update

    indexing.forget()
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers([
        record("2611.00001", title=f"Attention {SCRIPT} is all {IMG} you need $x{SVG}$", published=when,
               abstract=f"We show $\\href{{javascript:alert(1)}}{{x}}$ and {SCRIPT} and $<img src=x onerror=alert(1)>$"
                        f" \\textbf{{{IMG}}} with \\url{{javascript:alert(2)}}.",
               authors=(f"Eve {IMG}", "Mallory <b onmouseover=alert(1)>"), categories=("cs.CL",),
               code_url="javascript:alert(1)", project_url="data:text/html,<script>alert(1)</script>",
               comments=SCRIPT, journal_ref=IMG, doi=f"10.1/{SVG}"),
        record("2611.00002", title="Plain paper on attention", published=when, categories=("cs.CL",)),
    ])
    # Control characters straight into the stored rows too: ingest strips them now, rows from before keep them.
    Paper.objects.filter(uid="2611.00001").update(title=Concat("title", Value(STORED_CONTROL)),
                                                  abstract=Concat("abstract", Value(STORED_CONTROL)),
                                                  comments=Value(STORED_CONTROL),
                                                  doi=Concat("doi", Value(STORED_CONTROL)))
    Author.objects.filter(name__startswith="Eve").update(name=Concat("name", Value(STORED_CONTROL)))
    papers = {p.uid: p for p in Paper.objects.all()}
    for paper in papers.values():
        feed_entry(paper, DAY)
    eve = user("eve", password="a-long-password-9", first_name=SCRIPT)
    services.add_comment(eve, papers["2611.00001"],
                         f"{SCRIPT} [click](javascript:alert(1)) ![x](javascript:alert(2)) {IMG} <b>bold</b>{CONTROL}"
                         f" ${SCRIPT}$ \\({IMG}\\) $$\\text{{{SVG}}}$$ [$x$](javascript:alert(3)) https://e.org/{SVG}"
                         f" @eve{SVG} @eve{SCRIPT} @{IMG}")  # mentions: eve's linked to her profile
    collection = curation.create_collection(eve, f"My {SCRIPT}{CONTROL} list", f"about {IMG}{CONTROL} @eve{SVG}",
                                            public=True)
    curation.add_to_collection(eve, collection, papers["2611.00001"])
    curation.set_note(eve, collection, papers["2611.00001"], f"{SCRIPT} {IMG}{CONTROL} {SVG} @eve{SCRIPT}")
    recommend.save_search(eve, f"attention {SCRIPT}{CONTROL}")
    Seed.objects.create(user=eve, source=Seed.PARAGRAPH, title=SCRIPT, text=f"I read about {IMG}")
    services.upvote(eve, papers["2611.00001"])
    approved_claim(eve, papers["2611.00001"])  # her name (a payload) marked verified, her comment marked "author"
    # A Zotero library whose sync said something hostile (messages quote what Zotero answered).
    ZoteroLink.objects.create(user=eve, library_id="475425", sealed_key=seal("P9NiFoyLeZu2bZNvvuQPDWsd"),
                              key_end=SVG[:4], message=f"The last sync stopped: {SCRIPT}{IMG}")
    update()
    return {"papers": papers, "eve": eve, "collection": collection}
