"""A collection shared on its page: the owner adds and removes collaborators; a collaborator finds it under
"Collections", saves papers to it, writes notes and moves papers."""

import re

import pytest
from django.urls import reverse

from paperhub.community import curation
from paperhub.community import queries as community
from paperhub.community.models import Collaborator, CollectionItem
from paperhub.core import tokens
from paperhub.papers.models import Paper
from paperhub.web import accounts
from tests.factories import add_paper, fresh_window, user


@pytest.fixture
def lab(db):
    ann, bob = user("ann"), user("bob")
    return ann, bob, curation.create_collection(ann, "Lab reading", public=False)


def test_the_owner_shares_a_collection_and_the_collaborator_curates_it(client, lab):
    ann, bob, shelf = lab
    page = f"/collections/ann/{shelf.slug}"
    client.force_login(ann)
    added = client.post(f"{page}/collaborators", {"username": "bob"}, follow=True)
    assert "bob can now add" in added.content.decode() and curation.may_curate(bob, shelf)
    assert "no user named" in client.post(f"{page}/collaborators", {"username": "zed"}, follow=True).content.decode()
    client.force_login(bob)
    listed = client.get("/collections/").content.decode()
    assert f'href="{page}"' in listed and "shared by ann" in listed
    paper = add_paper("2611.00001")
    assert "Lab reading (ann)" in client.get(f"/papers/{paper.uid}").content.decode()  # "Save to" offers it
    client.post("/collections/add", {"collection": shelf.pk, "paper": paper.pk})
    html = client.get(page).content.decode()
    assert "Added by bob" in html and "Shared with" in html and "Remove from collection" in html
    assert "Add collaborator" not in html and "Delete collection" not in html  # the owner's alone
    client.force_login(ann)
    stranger = client.post(f"{page}/collaborators", {"username": f"<b>zed</b>\x01{'z' * 300}", "remove": "1"},
                           follow=True).content.decode()
    assert "no longer collaborates" not in stranger and "does not collaborate" in stranger
    assert "“&lt;b&gt;zed&lt;/b&gt;" + "z" * 140 + "” does" in stranger  # escaped, controls dropped, capped at 150
    client.post(f"{page}/collaborators", {"username": "bob", "remove": "1"})
    assert not Collaborator.objects.exists()
    client.force_login(bob)
    assert client.get(page).status_code == 404


def test_who_added_a_paper_and_a_ban_show_only_to_those_the_page_shows_them_to(client, lab):
    ann, bob, shelf = lab
    carol = user("carol")
    curation.add_collaborator(ann, shelf, "bob")
    curation.add_collaborator(ann, shelf, "carol")
    shelf.public = True
    shelf.save()
    curation.add_to_collection(bob, shelf, add_paper("2611.00001"))
    carol.is_active = False
    carol.save()
    api = reverse("api:collection", args=["ann", shelf.slug])
    assert client.get(api).json()["items"][0]["addedBy"] is None  # a visitor: the page does not say either
    client.force_login(bob)
    assert "carol</a> (banned)" not in client.get(f"/collections/ann/{shelf.slug}").content.decode()
    bobs = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(bob, 'x')[1]}"}
    assert client.get(api, **bobs).json()["items"][0]["addedBy"] == "bob"
    client.force_login(ann)
    assert "carol</a> (banned)" in client.get(f"/collections/ann/{shelf.slug}").content.decode()


def test_the_collections_page_counts_papers_without_a_query_per_collection(client, lab,
                                                                          django_assert_max_num_queries):
    ann, bob, _ = lab
    client.force_login(ann)
    client.get("/collections/")
    with django_assert_max_num_queries(8) as counted:
        client.get("/collections/")
    for n in range(5):
        curation.add_to_collection(ann, curation.create_collection(ann, f"More {n}"), add_paper(f"2611.0001{n}"))
    with django_assert_max_num_queries(len(counted)):
        html = client.get("/collections/").content.decode()
    assert html.count("1 paper · updated") == 5


def test_notes_show_rendered_safely_and_go_into_the_bibtex_escaped(client, lab):
    ann, bob, shelf = lab
    paper = add_paper("2611.00001")
    curation.add_to_collection(ann, shelf, paper)
    client.force_login(ann)
    page = f"/collections/ann/{shelf.slug}"
    note = "Read **§3** first {50% & $x^2$} <script>alert(1)</script>"
    client.post(f"{page}/item", {"paper": paper.pk, "note": note})
    html = client.get(page).content.decode()
    assert "<strong>§3</strong>" in html and "<script>alert" not in html
    bib = client.get(f"{page}.bib").content.decode()
    assert (r"note = {Read **§3** first \{50\% \& \$x\textasciicircum{}2\$\} <script>alert(1)</script>}" in bib)
    refused = client.post(f"{page}/item", {"paper": paper.pk, "note": "x" * 1001}, follow=True)
    assert "at most 1,000 characters" in refused.content.decode()
    assert client.post(f"{page}/item", {"paper": paper.pk, "note": ""}).status_code == 302
    assert "note =" not in client.get(f"{page}.bib").content.decode()
    assert client.post(f"{page}/item", {"paper": "2611.00001", "note": "x"}).status_code == 404  # an id, not a uid
    elsewhere = client.post(f"{page}/item", {"paper": add_paper("2611.00009").pk, "note": "x"}, follow=True)
    assert "not in this collection" in elsewhere.content.decode()


def test_curators_move_papers_and_the_page_and_json_follow(client, lab):
    ann, bob, shelf = lab
    curation.edit_collection(ann, shelf, shelf.title, "", public=True)  # (the API without a token)
    curation.add_collaborator(ann, shelf, "bob")
    for n in range(1, 4):  # added 1, 2, 3: shown 3, 2, 1 until someone moves one
        curation.add_to_collection(ann, shelf, add_paper(f"2611.0000{n}"))
    client.force_login(bob)
    page = f"/collections/ann/{shelf.slug}"

    def order() -> list[str]:
        return [p.uid for p in community.collection_papers(shelf)]

    assert order() == ["2611.00003", "2611.00002", "2611.00001"]
    first = Paper.objects.get(uid="2611.00001")
    client.post(f"{page}/item", {"paper": first.pk, "move": "top"})
    assert order() == ["2611.00001", "2611.00003", "2611.00002"]
    client.post(f"{page}/item", {"paper": first.pk, "move": "down"})
    client.post(f"{page}/item", {"paper": first.pk, "move": "up"})
    client.post(f"{page}/item", {"paper": first.pk, "move": "up"})  # at the top already: nothing moves
    assert order() == ["2611.00001", "2611.00003", "2611.00002"]
    curation.add_to_collection(bob, shelf, add_paper("2611.00004"))  # added after the moves: first
    assert order() == ["2611.00004", "2611.00001", "2611.00003", "2611.00002"]
    items = client.get(reverse("api:collection", args=["ann", shelf.slug])).json()["items"]
    assert [(i["id"], i["position"]) for i in items] == [("2611.00004", 0), ("2611.00001", 1), ("2611.00003", 2),
                                                         ("2611.00002", 3)]
    html = client.get(page).content.decode()
    assert html.index("2611.00004") < html.index("2611.00001") < html.index("2611.00003")


def test_only_the_moves_that_do_something_are_offered_across_pages(client, lab, monkeypatch):
    ann, _, shelf = lab
    monkeypatch.setattr(accounts, "COLLECTION_PAGE", 2)
    for n in range(1, 4):  # shown 3, 2 on the first page, 1 on the second
        curation.add_to_collection(ann, shelf, add_paper(f"2611.0000{n}"))
    client.force_login(ann)

    def moves(page: int) -> list[list[str]]:
        html = client.get(f"/collections/ann/{shelf.slug}?page={page}").content.decode()
        rows = html.split('<div class="moves">')[1:]
        return [re.findall(r'name="move" value="(\w+)"', row.split("</div>")[0]) for row in rows]

    assert moves(1) == [["down"], ["top", "up", "down"]]  # the page's last still goes down, onto the next page
    assert moves(2) == [["top", "up"]]


def test_collection_writes_count_against_the_page_rate(client, lab, settings):
    settings.PAPERHUB_PAGE_RATE = "3/min"
    fresh_window()
    ann, bob, shelf = lab
    paper = add_paper("2611.00001")
    client.force_login(ann)
    page = f"/collections/ann/{shelf.slug}"
    writes = [("/collections/add", {"collection": shelf.pk, "paper": paper.pk}),
              (f"{page}/item", {"paper": paper.pk, "note": "one"}),
              (f"{page}/collaborators", {"username": "bob"}), (f"{page}/item", {"paper": paper.pk, "note": "two"})]
    assert [client.post(url, data).status_code for url, data in writes] == [302, 302, 302, 429]
    assert CollectionItem.objects.get().note == "one"
