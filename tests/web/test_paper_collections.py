"""A paper page lists a bounded number of the collections holding it, the latest changed first, with how many there
are in all and a link to /papers/<id>/collections, which lists them all a page at a time."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from paperhub.community import curation, holding
from paperhub.community.models import Collection
from paperhub.papers.models import Paper
from paperhub.web import papers
from tests.factories import add_paper, user

ALL = "/papers/2611.00001/collections"


@pytest.fixture
def shelves(db, monkeypatch):
    """Five public collections of ann's holding the paper (C4 changed last), bob's private one (changed later still)
    and a banned user's public one."""
    monkeypatch.setattr(papers, "HOLDING_SHOWN", 3)
    monkeypatch.setattr(papers, "HOLDING_PAGE", 2)
    paper = add_paper("2611.00001", title="The <b>paper</b>")
    ann, bob, gone = user("ann"), user("bob"), user("gone")
    made = [curation.create_collection(ann, f"C{i}") for i in range(5)]
    made.append(curation.create_collection(bob, "Secret <i>bob</i>", public=False))
    made.append(curation.create_collection(gone, "Banned"))
    for hours, shelf in zip((9, 8, 7, 6, 5, 1, 0), made, strict=True):
        curation.add_to_collection(shelf.owner, shelf, paper)
        Collection.objects.filter(pk=shelf.pk).update(updated_at=timezone.now() - timedelta(hours=hours))
    gone.is_active = False
    gone.save()
    return paper


def _listed(html: str) -> list[str]:
    return re.findall(r'<p><a href="/collections/[^"]+">(.*?)</a> <span class="meta">by ', html)


def test_a_paper_page_shows_its_cap_of_collections_the_latest_first_and_links_the_rest(client, shelves, search_dir):
    html = client.get("/papers/2611.00001").content.decode()
    assert _listed(html) == ["C4", "C3", "C2"]  # bob's private one and the banned user's neither shown nor counted
    assert "In 5 collections, the latest changed first:" in html
    assert f'<a href="{ALL}">and 2 more</a>' in html
    assert "Secret" not in html and "Banned" not in html


def test_bob_sees_his_private_collection_counted_too(client, shelves, search_dir):
    client.force_login(Collection.objects.get(title__startswith="Secret").owner)
    html = client.get("/papers/2611.00001").content.decode()
    assert _listed(html) == ["Secret &lt;i&gt;bob&lt;/i&gt;", "C4", "C3"] and "<i>bob" not in html
    assert "In 6 collections" in html and "and 3 more" in html


def test_no_total_or_link_when_all_are_shown(client, shelves, search_dir, monkeypatch):
    monkeypatch.setattr(papers, "HOLDING_SHOWN", 5)
    html = client.get("/papers/2611.00001").content.decode()
    assert _listed(html) == ["C4", "C3", "C2", "C1", "C0"] and ALL not in html and "In 5 collections" not in html


def test_the_shown_ones_are_one_query_and_the_count_one_more_only_when_needed(shelves, django_assert_num_queries):
    anyone = Paper.objects.get(uid="2611.00001")
    viewer = user("carol")
    with django_assert_num_queries(1):
        shown, total = holding.latest_holding(anyone, viewer, 5)
    assert [c.title for c in shown] == ["C4", "C3", "C2", "C1", "C0"] and total == 5
    with django_assert_num_queries(2):
        shown, total = holding.latest_holding(anyone, viewer, 2)
    assert [c.title for c in shown] == ["C4", "C3"] and total == 5


def test_the_collections_page_lists_them_all_a_page_at_a_time(client, shelves):
    first = client.get(ALL)
    html = first.content.decode()
    assert first.status_code == 200 and _listed(html) == ["C4", "C3"]
    assert "In 5 collections, the latest changed first; page 1 of 3." in html
    assert 'The &lt;b&gt;paper&lt;/b&gt;' in html and "<b>paper" not in html
    assert 'href="?page=2"' in html and "Secret" not in html and "Banned" not in html
    assert 'href="/api/collections?item=papers%2F2611.00001&amp;limit=2"' in html  # its JSON twin
    assert _listed(client.get(ALL, {"page": 3}).content.decode()) == ["C0"]
    twin = client.get("/api/collections", {"item": "papers/2611.00001", "limit": 2, "p": 2}).json()
    assert [c["title"] for c in twin] == ["C0"]  # the same order and the same collections
    past = client.get(ALL, {"page": 999_999}).content.decode()
    assert "None on this page." in past and 'href="?page=3"' in past  # a link to the last page, as other pages


def test_the_collections_page_of_a_paper_not_here_is_its_pages_404(client, shelves):
    assert client.get("/papers/2611.00001v2/collections").url == ALL
    missing = client.get("/papers/2611.09999/collections")
    assert missing.status_code == 404 and "not on this hub yet" in missing.content.decode()


@pytest.mark.parametrize("asked", ["nonsense", "2611.99999\x00", "x:\x00y", "<script>", "9" * 5000, "..%2F..%2Fetc"])
def test_the_collections_page_answers_odd_ids_and_pages_cleanly(client, shelves, asked):
    response = client.get(f"/papers/{asked}/collections")
    assert response.status_code == 404 and "<script>" not in response.content.decode()
    for page in ("99999999999999999999", "-1", "²", "1\x00", "x" * 5000):
        assert client.get(ALL, {"page": page}).status_code == 200, page
