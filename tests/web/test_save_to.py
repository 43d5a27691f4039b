"""A paper page's "Save to" offers a bounded number of the reader's collections, the latest changed first, and
links to /collections/?paper=ID, where each of them (a page at a time) has its own Save button."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from paperhub.community import curation, holding
from paperhub.community.models import Collection, CollectionItem
from paperhub.papers.models import Paper
from paperhub.web import accounts, papers
from tests.factories import add_paper, user

MORE = "/collections/?paper=2611.00001"


@pytest.fixture
def ann(db, monkeypatch):
    monkeypatch.setattr(papers, "SAVE_TO_CHOICES", 3)
    ann = user("ann")
    shelves = [curation.create_collection(ann, title) for title in ("A", "B", "C")]
    shelves.append(curation.create_collection(user("bob"), "D <i>lab</i>", public=False))
    curation.add_collaborator(shelves[3].owner, shelves[3], "ann")  # another's, shared with her: it counts too
    for hours, shelf in zip((4, 3, 2, 1), shelves, strict=True):  # D changed last
        Collection.objects.filter(pk=shelf.pk).update(updated_at=timezone.now() - timedelta(hours=hours))
    add_paper("2611.00001", title="The <b>paper</b>")
    return ann


def _offered(html: str) -> list[str]:
    select = html.split('<select name="collection">', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="\d+">(.*?)</option>', select)


def test_save_to_offers_its_cap_of_the_latest_changed_and_links_the_rest(client, ann, search_dir):
    client.force_login(ann)
    html = client.get("/papers/2611.00001").content.decode()
    assert _offered(html) == ["D &lt;i&gt;lab&lt;/i&gt; (bob)", "C", "B"]  # newest first, the title as text
    assert "<i>lab" not in html
    assert f'Only your 3 latest changed collections are listed: <a href="{MORE}">save it to another</a>' in html
    saved = client.post(reverse("collect"), {"collection": Collection.objects.get(title="B").pk,
                                             "paper": Paper.objects.get(uid="2611.00001").pk})
    assert saved.status_code == 302
    html = client.get("/papers/2611.00001").content.decode()
    assert _offered(html) == ["D &lt;i&gt;lab&lt;/i&gt; (bob)", "C", "A"] and MORE not in html  # all 3 there are
    curation.add_to_collection(ann, Collection.objects.get(title="A"), add_paper("2611.00002"))  # saved to A last
    assert _offered(client.get("/papers/2611.00001").content.decode())[0] == "A"


def test_fewer_than_the_cap_are_all_offered_with_no_link(client, ann, search_dir, monkeypatch):
    monkeypatch.setattr(papers, "SAVE_TO_CHOICES", 50)
    client.force_login(ann)
    html = client.get("/papers/2611.00001").content.decode()
    assert _offered(html) == ["D &lt;i&gt;lab&lt;/i&gt; (bob)", "C", "B", "A"] and MORE not in html


def test_the_save_to_list_is_one_query_however_many_there_are(ann, django_assert_num_queries):
    paper = Paper.objects.get(uid="2611.00001")
    with django_assert_num_queries(1):
        shown, more = holding.collections_lacking(ann, paper, 2)
    assert [c.title for c in shown] == ["D <i>lab</i>", "C"] and more
    assert holding.collections_lacking(ann, paper, 4)[1] is False


def test_the_collections_page_saves_the_paper_it_names_to_any_of_them(client, ann, search_dir, monkeypatch):
    monkeypatch.setattr(accounts, "OWN_COLLECTIONS_PAGE", 3)
    client.force_login(ann)
    html = client.get(MORE).content.decode()
    assert 'Saving <a href="/papers/2611.00001">The &lt;b&gt;paper&lt;/b&gt;</a>' in html and "<b>paper" not in html
    assert html.count("Save here</button>") == 3 and 'href="?paper=2611.00001&amp;page=2"' in html
    last = client.get(MORE + "&page=2").content.decode()  # by title: A, B, C, then D
    form = last[last.index(f'action="{reverse("collect")}"'):]
    assert "D &lt;i&gt;lab&lt;/i&gt;" in form[:form.index("</form>")]
    shared = Collection.objects.get(title="D <i>lab</i>")
    paper = Paper.objects.get(uid="2611.00001")
    saved = client.post(reverse("collect"), {"collection": shared.pk, "paper": paper.pk}, follow=True)
    assert saved.redirect_chain == [("/papers/2611.00001", 302)]
    assert CollectionItem.objects.filter(collection=shared, paper__uid="2611.00001").exists()


@pytest.mark.parametrize("asked", ["nonsense", "2611.99999", "2611.99999\x00", "x:\x00y", "<script>", "9" * 5000])
def test_the_collections_page_offers_no_save_for_a_paper_that_is_not_here(client, ann, asked):
    client.force_login(ann)
    response = client.get("/collections/", {"paper": asked})
    html = response.content.decode()
    assert response.status_code == 200 and "Save here" not in html and "<script>" not in html
    assert html.count("collections/ann/") == 3  # the list as ever




def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as counted:
        assert client.get(url).status_code == 200
    return len(counted)


def test_the_collections_page_says_which_hold_the_paper_already(client, ann, search_dir, monkeypatch):
    monkeypatch.setattr(accounts, "OWN_COLLECTIONS_PAGE", 10)
    client.force_login(ann)
    for title in ("B", "D <i>lab</i>"):
        curation.add_to_collection(ann, Collection.objects.get(title=title), Paper.objects.get(uid="2611.00001"))
    html = client.get(MORE).content.decode()
    assert html.count("Save here</button>") == 2 and html.count("holds it") == 2
    held = html[html.index(">B</a>"):]
    assert "holds it" in held[:held.index("</p>")] and "Save here" not in held[:held.index("</p>")]
    assert "holds it" not in client.get("/collections/").content.decode()  # no paper named: no Save, no "holds it"
    monkeypatch.setattr(accounts, "OWN_COLLECTIONS_PAGE", 1)
    one = _queries(client, MORE)
    monkeypatch.setattr(accounts, "OWN_COLLECTIONS_PAGE", 4)
    assert _queries(client, MORE) == one  # one query for which of the page's collections hold it, not one each


def test_the_paper_being_saved_is_named_with_its_tex_rendered(client, ann):
    add_paper("2611.00003", title=r"Sparse $\alpha$-nets, \textbf{boldly}")
    client.force_login(ann)
    html = client.get("/collections/", {"paper": "2611.00003"}).content.decode()
    assert ('Saving <a href="/papers/2611.00003">Sparse <span class="math">α</span>-nets, <strong>boldly</strong></a>'
            in html)
