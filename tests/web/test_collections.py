"""A collection's owner renames, redescribes, hides and deletes it from its page; nobody else can."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from paperhub.api import hf
from paperhub.community import curation
from paperhub.community import queries as community
from paperhub.community.models import Collection, CollectionItem
from paperhub.core.permissions import NotAllowed
from paperhub.web import accounts
from tests.factories import add_paper, at_once, user


@pytest.fixture
def ann(db):
    return user("ann")


@pytest.fixture
def reading(ann):
    collection = curation.create_collection(ann, "Raeding group", "Tuesdays", public=True)
    curation.add_to_collection(ann, collection, add_paper("2611.00001", published=timezone.now()))
    return collection


def _state(collection: Collection) -> tuple[str, str, str, bool]:
    collection.refresh_from_db()
    return collection.title, collection.slug, collection.description, collection.public


def test_owner_sees_the_forms_and_nobody_else_does(client, ann, reading):
    page = f"/collections/ann/{reading.slug}"
    assert "Delete collection" not in client.get(page).content.decode()
    client.force_login(user("bob"))
    assert "Delete collection" not in client.get(page).content.decode()
    client.force_login(ann)
    html = client.get(page).content.decode()
    assert f'action="{page}/edit"' in html and f'action="{page}/delete"' in html and "Delete collection" in html
    assert f'maxlength="{curation.COLLECTION_DESCRIPTION_MAX_CHARS}"' in html and 'value="Raeding group"' in html


def test_owner_renames_and_hides_a_collection_at_the_same_address(client, ann, reading):
    client.force_login(ann)
    page = f"/collections/ann/{reading.slug}"
    response = client.post(f"{page}/edit", {"title": "Reading group", "description": "Thursdays now"}, follow=True)
    assert response.redirect_chain == [(page, 302)] and "Collection saved." in response.content.decode()
    assert _state(reading) == ("Reading group", "raeding-group", "Thursdays now", False)  # unticked: private
    client.logout()
    assert client.get(page).status_code == 404  # private now
    client.force_login(ann)
    refused = client.post(f"{page}/edit", {"title": " ", "description": "gone", "public": "on"}, follow=True)
    assert "needs a title" in refused.content.decode()
    long = client.post(f"{page}/edit", {"title": "T", "description": "x" * 2001, "public": "on"}, follow=True)
    assert "at most 2,000 characters" in long.content.decode()
    assert _state(reading) == ("Reading group", "raeding-group", "Thursdays now", False)


def test_owner_deletes_a_collection_once_confirmed(client, ann, reading):
    client.force_login(ann)
    page = f"/collections/ann/{reading.slug}"
    unconfirmed = client.post(f"{page}/delete", follow=True)
    assert unconfirmed.redirect_chain == [(page, 302)] and "Tick the box" in unconfirmed.content.decode()
    assert Collection.objects.filter(pk=reading.pk).exists()
    response = client.post(f"{page}/delete", {"confirm": "1"}, follow=True)
    assert response.redirect_chain == [("/collections/", 302)]
    assert "Deleted the collection “Raeding group”." in response.content.decode()
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()
    assert client.get(page).status_code == 404


def test_others_get_404_and_change_nothing(client, ann, reading):
    before = _state(reading)
    page = f"/collections/ann/{reading.slug}"
    anonymous = client.post(f"{page}/edit", {"title": "Defaced", "public": "on"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client.post(f"{page}/delete", {"confirm": "1"})["Location"].startswith("/accounts/login/")
    bob = user("bob")
    curation.create_collection(bob, "Raeding group")  # the same slug under his name
    client.force_login(bob)
    assert client.post(f"{page}/edit", {"title": "Defaced", "public": "on"}).status_code == 404
    assert client.post(f"{page}/delete", {"confirm": "1"}).status_code == 404
    assert _state(reading) == before and CollectionItem.objects.filter(collection=reading).count() == 1
    client.force_login(ann)
    assert client.get(f"{page}/edit").status_code == 405 and client.get(f"{page}/delete").status_code == 405
    assert client.post("/collections/bob/raeding-group/delete", {"confirm": "1"}).status_code == 404  # his
    assert Collection.objects.count() == 2


@pytest.mark.parametrize("htmx", [False, True])
def test_create_and_save_on_a_papers_page_confirms_as_save_does(client, ann, reading, search_dir, htmx):
    paper = add_paper("2611.00002", published=timezone.now())
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client.force_login(ann)
    saved = client.post("/collections/add", {"collection": reading.pk, "paper": paper.pk,
                                                 "next": f"/papers/{paper.uid}"}, follow=True, **headers)
    assert '<li class="success">Added to Raeding group.</li>' in saved.content.decode()
    made = client.post("/collections/", {"title": "Long <b>context</b>", "public": "on", "paper": paper.pk},
                       follow=True, **headers)
    assert made.redirect_chain == [(f"/papers/{paper.uid}", 302)]
    assert ('<li class="success">Added to Long &lt;b&gt;context&lt;/b&gt;, a new collection.</li>'
            in made.content.decode())
    assert CollectionItem.objects.filter(collection__title="Long <b>context</b>", paper=paper).exists()


def test_save_to_offers_only_the_collections_that_lack_the_paper(client, ann, reading, search_dir):
    other = curation.create_collection(ann, "Later", "", public=False)
    client.force_login(ann)
    page = client.get("/papers/2611.00001").content.decode()  # in the reading group already
    assert f'<option value="{other.pk}">Later</option>' in page and "Raeding group</option>" not in page
    curation.add_to_collection(ann, other, reading.items.get().paper)
    assert 'name="collection"' not in client.get("/papers/2611.00001").content.decode()  # in both: no Save form


def test_saving_from_a_papers_page_comes_back_to_it_with_its_query(client, ann, reading, search_dir):
    other = curation.create_collection(ann, "Later", "", public=False)
    client.force_login(ann)
    page = client.get("/papers/2611.00001?comment=7").content.decode()
    form = page[page.index(f'action="{reverse("collect")}"'):]
    assert 'name="next" value="/papers/2611.00001?comment=7"' in form[:form.index("</form>")]
    saved = client.post(reverse("collect"), {"collection": other.pk, "paper": reading.items.get().paper_id,
                                             "next": "/papers/2611.00001?comment=7"})
    assert saved.headers["Location"] == "/papers/2611.00001?comment=7"


def test_a_description_shows_its_markdown_as_comments_do_and_never_markup_of_its_own(client, ann):
    """*emphasis* and links as in comments (the same filter), and whatever HTML or javascript: link it holds as
    inert text."""
    hostile = ("Papers on *MLLM* laziness <script>alert(1)</script> <img src=x onerror=alert(1)> "
               "[click](javascript:alert(1)) ![x](javascript:alert(2)) [ok](https://example.org/a) <b>bold</b>")
    collection = curation.create_collection(ann, "Hostile", hostile, public=True)
    html = client.get(f"/collections/ann/{collection.slug}").content.decode()
    shown = html.split('<div class="description">', 1)[1].split("</div>", 1)[0]
    assert "<em>MLLM</em>" in shown and "*MLLM*" not in shown
    assert '<a href="https://example.org/a" rel="nofollow noopener noreferrer ugc">ok</a>' in shown
    assert "&lt;script&gt;" in shown and "&lt;img" in shown and "&lt;b&gt;bold" in shown  # text, not dropped
    assert "<script" not in shown and "<img" not in shown and "<b>" not in shown and "javascript:alert(1)\"" not in shown
    assert 'href="javascript' not in html


def test_a_notes_mentions_link_to_profiles_as_comments_do_and_mail_no_one(client, ann, reading, mail_sink,
                                                                          run_tasks):
    user("bob.lee")
    curation.set_note(ann, reading, reading.items.get().paper, "Ask @bob.lee. or @nobody")
    link = '<a href="/users/bob.lee" rel="nofollow noopener noreferrer ugc">@bob.lee</a>'
    assert f"<p>Ask {link}. or @nobody</p>" in client.get(f"/collections/ann/{reading.slug}").content.decode()
    answer = client.get(reverse("api:collection", args=["ann", reading.slug])).json()
    assert answer["papers"][0]["note"]["html"] == f"<p>Ask {link}. or @nobody</p>\n"
    run_tasks()
    assert mail_sink.messages == []


def test_a_descriptions_mentions_link_to_profiles_as_its_notes_do_in_the_same_one_look_up(
        client, ann, reading, mail_sink, run_tasks, django_assert_num_queries):
    user("bob.lee"), user("cy")
    curation.set_note(ann, reading, reading.items.get().paper, "Ask @cy")
    curation.edit_collection(ann, reading, "Raeding group", "Led by @bob.lee. and @nobody", public=True)
    link = '<a href="/users/bob.lee" rel="nofollow noopener noreferrer ugc">@bob.lee</a>'
    html = client.get(f"/collections/ann/{reading.slug}").content.decode()
    assert f'<div class="description"><p>Led by {link}. and @nobody</p>' in html
    assert '<a href="/users/cy" rel="nofollow noopener noreferrer ugc">@cy</a>' in html
    papers = community.collection_papers(reading, limit=10)
    with django_assert_num_queries(1):  # the description's names and the notes' together
        assert community.note_people(papers, reading.description) == {"bob.lee", "cy"}
    run_tasks()
    assert mail_sink.messages == []  # a description mails no one


def test_a_username_like_word_holding_markup_in_a_description_stays_inert(client, ann, reading):
    user("bob")
    curation.edit_collection(ann, reading, "Raeding group", '@bob"><script>alert(1)</script> @<b>bob</b> '
                               "@bob<img src=x onerror=alert(1)> [@bob](javascript:alert(1))", public=True)
    html = client.get(f"/collections/ann/{reading.slug}").content.decode()
    shown = html.split('<div class="description">', 1)[1].split("</div>", 1)[0]
    # @bob before the markup and in the refused link's text name bob; "@<b>bob</b>" names no one
    assert shown.count('<a href="/users/bob" rel="nofollow noopener noreferrer ugc">@bob</a>') == 3
    assert "&lt;script&gt;" in shown and "&lt;img" in shown and "@&lt;b&gt;bob" in shown
    assert "<script" not in shown and "<img" not in shown and "<b>" not in shown and 'href="javascript' not in shown


def test_a_collection_is_paged_on_its_page_and_in_the_api_and_holds_at_most_its_cap(client, ann, settings,
                                                                                   monkeypatch):
    monkeypatch.setattr(accounts, "COLLECTION_PAGE", 2)
    settings.PAPERHUB_COLLECTION_MAX_PAPERS = 3
    listed = curation.create_collection(ann, "Long list")
    papers = [add_paper(f"2611.0000{n}", title=f"Paper number {n}") for n in range(1, 5)]
    for paper in papers[:3]:
        curation.add_to_collection(ann, listed, paper)
    with pytest.raises(NotAllowed, match="at most 3 papers"):
        curation.add_to_collection(ann, listed, papers[3])
    assert not curation.add_to_collection(ann, listed, papers[0])  # already in: no refusal
    client.force_login(ann)
    refused = client.post(reverse("collect"), {"collection": listed.pk, "paper": papers[3].pk}, follow=True)
    assert "is full" in refused.content.decode() and CollectionItem.objects.filter(collection=listed).count() == 3
    page = reverse("collection", args=["ann", listed.slug])
    first, second = (client.get(page, {"page": n}).content.decode() for n in (1, 2))
    assert "Paper number 3" in first and "Paper number 2" in first and "Paper number 1" not in first
    assert "3 papers" in first and "page=2" in first and "Paper number 1" in second and "Paper number 3" not in second
    api = reverse("api:collection", args=["ann", listed.slug])
    answer = client.get(api, {"limit": 2, "p": 1}).json()
    assert answer["total"] == 3 and [p["title"] for p in answer["papers"]] == ["Paper number 1"]
    bib = client.get(reverse("collection_bib", args=["ann", listed.slug])).content.decode()
    assert bib.count("@") == 3  # whole, up to the cap


def test_a_deleted_collections_address_is_never_given_to_a_new_one(client, ann, reading):
    old_slug = reading.slug
    curation.delete_collection(ann, reading)
    again = curation.create_collection(ann, "Raeding group")
    assert again.slug != old_slug and again.slug.startswith(old_slug)
    assert client.get(reverse("collection", args=["ann", old_slug])).status_code == 404
    assert client.get(f"/feeds/collections/ann/{old_slug}.rss").status_code == 404
    assert curation.create_collection(user("bob"), "Raeding group").slug == old_slug  # another owner's address


@pytest.mark.django_db(transaction=True)
def test_adds_at_once_never_take_a_full_collection_past_its_cap(settings):
    """Four adds racing for a collection's last place: one gets it (the collection's row is locked while counted)."""
    settings.PAPERHUB_COLLECTION_MAX_PAPERS = 2
    ann = user("ann")
    listed = curation.create_collection(ann, "Almost full")
    curation.add_to_collection(ann, listed, add_paper("2611.00010"))
    papers = [add_paper(f"2611.0002{n}") for n in range(4)]
    outcomes = at_once(lambda paper: curation.add_to_collection(ann, listed, paper), papers, NotAllowed)
    assert sorted(map(str, outcomes)) == ["A collection holds at most 2 papers; “Almost full” is full."] * 3 + ["True"]
    assert CollectionItem.objects.filter(collection=listed).count() == 2


@pytest.mark.parametrize(("title", "slug"), [("扩散模型", "扩散模型"), ("Диффузия models", "диффузия-models"),
                                             ("Über Diffusion", "uber-diffusion"), ("!!!", "collection"),
                                             ("Mamba & <b>SOD</b>", "mamba-sod"), ("<i>", "collection"),
                                             ("Attention <T> scaling", "attention-t-scaling"),
                                             ("Vec<T> in Rust", "vec-t-in-rust"),
                                             ("<SCRIPT>alert(1)</script> notes", "alert1-notes")])
def test_a_title_in_any_script_keeps_its_letters_in_the_slug(client, ann, title, slug):
    made = curation.create_collection(ann, title)
    curation.add_to_collection(ann, made, add_paper("2611.00003"))
    assert made.slug == slug
    page = reverse("collection", args=["ann", slug])
    assert "%" in page or slug.isascii()  # percent-encoded, as every link to it
    assert client.get(page).status_code == 200 and escape(title) in client.get(page).content.decode()
    assert client.get(reverse("collection_bib", args=["ann", slug])).status_code == 200
    assert client.get(reverse("feed_collection_atom", args=["ann", slug])).status_code == 200
    api = client.get(reverse("api:collection", args=["ann", slug])).json()
    assert api["slug"] == f"ann/{slug}" and [i["id"] for i in api["items"]] == ["2611.00003"]
    assert f'href="{page}"' in client.get("/users/ann").content.decode()


def test_a_slug_made_before_tags_were_dropped_keeps_its_address(client, ann):
    """Addresses are shared: only new slugs leave a tag's letters out, a stored one is never made again."""
    made = curation.create_collection(ann, "Mamba & <b>SOD</b>")
    Collection.objects.filter(pk=made.pk).update(slug="mamba-bsodb")  # as made before
    curation.edit_collection(ann, made, "Mamba & <b>SOD</b> papers", "", public=True)
    made.refresh_from_db()
    assert made.slug == "mamba-bsodb" and client.get("/collections/ann/mamba-bsodb").status_code == 200


def test_a_collection_says_when_it_last_changed_on_its_page_in_every_list_and_in_its_json(client, ann, reading):
    moment = (timezone.now() - timedelta(hours=3, seconds=5)).replace(microsecond=123456)
    Collection.objects.filter(pk=reading.pk).update(updated_at=moment)
    shown = (f'<time datetime="{moment:%Y-%m-%dT%H:%M:%S}+0000" title="{moment.day} {moment:%B %Y, %H:%M} UTC">'
             "3\xa0hours ago</time>")  # (timesince joins a number to its unit)
    client.force_login(ann)
    page = client.get(f"/collections/ann/{reading.slug}").content.decode()
    assert f"1 paper · updated {shown} ·" in page
    for lists in ("/collections/", "/users/ann", "/papers/2611.00001"):  # one's own, a profile's, a paper's
        assert f"updated {shown}" in client.get(lists).content.decode(), lists
    twin = client.get(f"/api/collections/ann/{reading.slug}").json()  # the page's JSON twin, as Hugging Face names it
    assert twin["lastUpdated"] == hf.iso(moment) == f"{moment:%Y-%m-%dT%H:%M:%S}.123Z"
    profile = client.get("/api/users/ann").json()  # the profile's
    assert [c["updatedAt"] for c in profile["collections"]] == [hf.iso(moment)]

    curation.set_note(ann, reading, reading.items.get().paper, "Read it *first*")  # a write moves it to now
    assert "updated <time" in (page := client.get(f"/collections/ann/{reading.slug}").content.decode())
    assert ">just now</time>" in page and shown not in page


def test_a_public_collection_offers_its_own_feeds_on_the_page_and_in_the_footer(client, ann, reading):
    page = client.get(f"/collections/ann/{reading.slug}").content.decode()
    rss, atom = f"/feeds/collections/ann/{reading.slug}.rss", f"/feeds/collections/ann/{reading.slug}.atom"
    assert f'Follow this collection: <a href="{rss}">RSS</a> · <a href="{atom}">Atom</a>' in page
    footer = page[page.index('<footer'):]
    assert f'Feeds of this collection: <a href="{rss}">RSS</a>' in footer and "/feeds/daily." not in footer
    assert client.get(rss).status_code == 200 and client.get(atom).status_code == 200
    curation.edit_collection(ann, reading, reading.title, reading.description, public=False)
    client.force_login(ann)
    page = client.get(f"/collections/ann/{reading.slug}").content.decode()
    assert "Follow this collection" not in page and "/feeds/daily.rss" in page[page.index('<footer'):]


def test_search_and_author_pages_name_their_own_feeds_in_the_footer(client, reading):
    page = client.get("/papers/search?q=paper").content.decode()
    assert "Feeds of this search: <a href=\"/feeds/search.rss?q=paper\">RSS</a>" in page[page.index("<footer"):]
    author = reading.items.first().paper.authorships.first().author
    page = client.get(f"/authors/{author.slug}").content.decode()
    assert f'<a href="/feeds/authors/{author.slug}.rss">RSS</a>' in page[page.index("<footer"):]
    home = client.get("/").content.decode()
    assert "Feeds of the daily papers: <a href=\"/feeds/daily.rss\">RSS</a>" in home


def test_the_forms_refuse_a_title_one_has_already_saying_so(client, ann, reading):
    taken = curation.create_collection(ann, "<b>Mine</b>")
    client.force_login(ann)
    again = client.post("/collections/", {"title": " <b>Mine</b> ", "public": "on"}, follow=True)
    assert '<li class="error">You have a collection titled “&lt;b&gt;Mine&lt;/b&gt;” already.</li>' in (
        again.content.decode())
    edit = reverse("collection_edit", args=["ann", reading.slug])
    renamed = client.post(edit, {"title": "<b>Mine</b>", "description": "changed", "public": "on"}, follow=True)
    assert "You have a collection titled “&lt;b&gt;Mine&lt;/b&gt;” already." in renamed.content.decode()
    assert _state(reading) == ("Raeding group", "raeding-group", "Tuesdays", True)
    assert list(Collection.objects.filter(owner=ann).order_by("pk")) == [reading, taken]


def test_a_collection_titles_tex_is_rendered_wherever_it_is_html_and_its_markup_escaped(client, ann):
    """As paper titles are: "$W_2$" as math on the collection's page, the owner's list, the paper's collections page,
    the profile and the mailing lists' page; the <title>, the feeds' link titles and the rename field keep the text as typed."""
    title = "Wasserstein & <b>flows</b> $W_2$"
    collection = curation.create_collection(ann, title, public=True)
    paper = add_paper("2611.00007", published=timezone.now())
    curation.add_to_collection(ann, collection, paper)
    rendered = 'Wasserstein &amp; &lt;b&gt;flows&lt;/b&gt; <span class="math">W<sub>2</sub></span>'
    client.force_login(ann)
    page = client.get(f"/collections/ann/{collection.slug}").content.decode()
    assert f"<h1>{rendered}</h1>" in page and f"delete “{rendered}”" in page
    assert f"<title>{escape(title)} · paperhub</title>" in page and f'value="{escape(title)}"' in page
    assert f'title="{escape(title)} (Atom)"' in page
    assert f">{rendered}</a>" in client.get("/collections/").content.decode()
    assert f">{rendered}</a>" in client.get(f"/papers/{paper.uid}/collections").content.decode()
    assert f">{rendered}</a>" in client.get("/users/ann").content.decode()  # the profile's list
    mailings = client.get(f"/collections/ann/{collection.slug}/mailings").content.decode()
    assert f"<h1>Mail “{rendered}” to a list</h1>" in mailings
    assert "<b>flows" not in page + mailings
