"""The page (and its JSON twin) of a paper this hub has not got: the arXiv paper's link and the way to submit it,
a 404 all the same, and nothing fetched or written by the GET."""

from html import unescape
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from paperhub import search as search_api
from paperhub.community.models import Submission
from paperhub.papers.models import Paper
from tests.factories import add_paper, user


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 404, path
    return unescape(response.content.decode())


@pytest.mark.parametrize(("asked", "uid", "arxiv"), [
    ("2611.09999", "2611.09999", "https://arxiv.org/abs/2611.09999"),
    ("2611.09999v2", "2611.09999", "https://arxiv.org/abs/2611.09999v2"),  # the version asked, on arXiv
    ("hep-th/9901001", "hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"),
    ("cs.AI/9902027v1", "cs/9902027", "https://arxiv.org/abs/cs/9902027v1"),
])
def test_an_arxiv_paper_not_here_links_to_arxiv_and_to_logging_in_to_submit_it(client, db, asked, uid, arxiv):
    html = _page(client, f"/papers/{asked}")
    assert f"<h1>arXiv:{uid} is not on this hub yet</h1>" in html and f'href="{arxiv}"' in html
    assert 'id="site-q"' in html and "<footer" in html  # in the site's layout, not a bare error
    submit = f"{reverse('submit')}?paper={quote(uid, safe='')}"
    assert f'href="{reverse("login")}?next={quote(submit, safe="")}">Log in to submit it</a>' in html
    assert reverse("api:paper_info", args=[uid]) in html  # its JSON twin, which says the same
    assert not Paper.objects.exists() and not Submission.objects.exists()


def test_signing_up_from_the_page_comes_back_to_the_submit_form(client, db, settings):
    """The page's "Sign up" (and the login page's "Create an account") carries the submit form as `next`; the new
    account lands on it, filled in. A `next` on another site is dropped: the account lands on the home page."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    submit = f"{reverse('submit')}?paper=2611.09999"
    signup = f"{reverse('signup')}?next={quote(submit, safe='')}"
    assert f'href="{signup}">Sign up</a>' in _page(client, "/papers/2611.09999")
    login = client.get(f"{reverse('login')}?next={quote(submit, safe='')}").content.decode()
    assert f'href="{signup}">Create an account</a>' in unescape(login)
    form = client.get(signup).content.decode()
    assert f'name="next" value="{submit}"' in unescape(form)
    fields = {"password1": "a-good-long-passphrase", "password2": "a-good-long-passphrase"}
    made = client.post(signup, {"username": "ann_s", "email": "ann@example.org", **fields, "next": submit})
    assert made.status_code == 302 and made["Location"] == submit
    away = Client().post(f"{reverse('signup')}?next=//evil.example/",
                         {"username": "bob_s", "email": "bob@example.org", **fields, "next": "//evil.example/"})
    assert away.status_code == 302 and away["Location"] == reverse("home")


def test_logged_in_the_link_opens_the_submit_form_filled_in(client, db):
    client.force_login(user("ann"))
    html = _page(client, "/papers/hep-th/9901001v3")
    submit = f"{reverse('submit')}?paper=hep-th%2F9901001"
    assert f'href="{submit}">Submit it</a>' in html and "Log in to submit" not in html
    form = client.get(submit).content.decode()
    assert 'name="paper" value="hep-th/9901001"' in form
    assert not Submission.objects.exists()  # only the form's POST submits


@pytest.mark.parametrize("asked", ["2513.00001", "9912.12345", "not-a-paper", "x:y", "<script>alert(1)</script>",
                                   '"><img src=x onerror=alert(1)>' + "x" * 500])
def test_anything_else_is_a_plain_not_found_saying_what_was_asked_as_text(client, db, asked):
    """An id of a month arXiv never had or has not had yet (9912 is still to come), or no id at all: no arXiv
    link nor offer to submit, and the text asked for shown escaped, cut short."""
    response = client.get(f"/papers/{quote(asked)}")
    html = response.content.decode()
    assert response.status_code == 404 and "<h1>Not found</h1>" in html
    assert "arxiv.org/abs" not in html and "to submit it" not in html and "<script>alert" not in html
    assert "<img src=x" not in html and f"There is no paper “{asked[:100]}”" in unescape(html)


def test_a_paper_here_keeps_its_page(client, db):
    add_paper("2611.00001", title="Sparse attention")
    response = client.get("/papers/2611.00001")
    html = response.content.decode()
    assert response.status_code == 200 and "Sparse attention" in html and "not on this hub" not in html
    assert client.get("/papers/2611.00001v2").status_code == 302  # its versions still lead to it


def test_the_api_says_a_missing_arxiv_paper_is_not_here_and_how_to_submit_it(client, db):
    missing = client.get(reverse("api:paper_info", args=["2611.09999v2"]))
    detail = missing.json()["detail"]
    assert missing.status_code == 404 and detail.startswith("no paper '2611.09999' on this hub")
    assert f'POST {reverse("api:submit")} {{"paper": "2611.09999"}}' in detail
    assert f"{reverse('submit')}?paper=2611.09999" in detail
    nothing = client.get(reverse("api:paper_info", args=["not-a-paper"]))
    assert nothing.status_code == 404 and nothing.json()["detail"].startswith("no paper 'not-a-paper' on this hub (ids look like")
    for door in ("paper_bib", "paper_markdown"):  # the text doors say the same, as text
        text = client.get(reverse(door, args=["2611.09999"]))
        assert text.status_code == 404 and text["Content-Type"].startswith("text/plain")
        assert text.content.decode() == detail


@pytest.mark.parametrize("pasted", [
    "2611.00001", "2611.00001v2", "arXiv:2611.00001", " https://arxiv.org/abs/2611.00001v1 ",
    "arxiv.org/pdf/2611.00001v2.pdf", "https://arxiv.org/html/2611.00001", "http://hub.example.org/papers/2611.00001",
    "hep-th/9901001v3", "https://arxiv.org/abs/hep-th/9901001",
])
def test_a_pasted_id_or_address_of_a_paper_here_opens_its_page(client, db, search_dir, pasted):
    """As Hugging Face Papers, alphaXiv and Semantic Scholar do; the JSON API keeps answering the hit."""
    add_paper("2611.00001", title="Sparse attention")
    add_paper("hep-th/9901001", title="Strings")
    uid = search_api.named_paper(pasted)
    response = client.get("/papers/search", {"q": pasted})
    assert response.status_code == 302 and response["Location"] == reverse("paper", args=[uid])
    search_api.rebuild()
    api = client.get(reverse("api:search"), {"q": pasted})
    assert api.status_code == 200 and [hit["id"] for hit in api.json()["hits"]] == [uid]


def test_ids_not_here_several_or_beside_filters_are_searched(client, db, search_dir):
    add_paper("2611.00001", title="Sparse attention")
    add_paper("2611.00002", title="Dense attention")
    for params in ({"q": "2611.09999"}, {"q": "2611.00001 2611.00002"}, {"q": "2611.00001", "cat": "cs.LG"},
                   {"q": "sparse 2611.00001"}, {"q": "https://example.org/blog/2611.00001"}):
        assert client.get("/papers/search", params).status_code in (200, 400), params
    assert "2611.09999" in unescape(client.get("/papers/search", {"q": "2611.09999"}).content.decode())


@pytest.mark.parametrize("path", ["/abs/2611.00001", "/abs/2611.00001v3", "/pdf/2611.00001", "/pdf/2611.00001v1.pdf",
                                  "/abs/hep-th/9901001"])
def test_arxivs_paths_on_this_hub_open_the_papers_page(client, db, path):
    """The arXiv-to-mirror address swap (arxiv.org/abs/ID to this host's /abs/ID): moved for good."""
    add_paper("2611.00001", title="Sparse attention")
    add_paper("hep-th/9901001", title="Strings")
    response = client.get(path)
    uid = "hep-th/9901001" if "hep-th" in path else "2611.00001"
    assert response.status_code == 301 and response["Location"] == reverse("paper", args=[uid])


@pytest.mark.parametrize("asked", ["2611.09999", "x" * 10_000, "2611.0000%00", "%01%02", "..", "../../etc/passwd",
                                   "2611.00001/../..", "<script>alert(1)</script>"])
def test_arxivs_paths_for_a_paper_not_here_give_the_missing_paper_page(client, db, asked):
    add_paper("2611.00001", title="Sparse attention")
    for door in ("abs", "pdf"):
        response = client.get(f"/{door}/{asked}")
        assert response.status_code == 404 and "<script>alert" not in response.content.decode(), asked[:20]
    assert "arXiv:2611.09999 is not on this hub yet" in unescape(client.get("/abs/2611.09999").content.decode())
