"""Recommendations through every door: pages, the API, the private feed, digests with feedback links, BibTeX."""

import re
from datetime import date

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from paperhub.accounts import services as accounts
from paperhub.community import curation
from paperhub.community import services as community
from paperhub.core.tokens import create_token
from paperhub.digests import sending
from paperhub.digests.models import Delivery, Subscription
from paperhub.papers.models import Author, Paper
from paperhub.papers.services import upsert_papers
from paperhub.recommend import personal, queries, services
from paperhub.recommend.models import NotInterested, SavedSearch, Seed
from tests.factories import feed_entry, record, user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_for_you_page_cold_start_then_picks(topics, reader):
    assert Client().get("/for-you").status_code == 302  # log in first
    client = logged_in(reader)
    page = client.get("/for-you").content.decode()
    assert "Tell us what you read" in page and "More like this" in page and "Import your library" in page
    paper = Paper.objects.get(uid="2606.30001")
    assert client.post(f"/for-you/pick/{paper.pk}").status_code == 302
    assert Seed.objects.filter(user=reader, paper=paper, source=Seed.PICK).exists()
    page = client.get("/for-you").content.decode()
    assert "Why:" in page and "you picked" in page and "Not interested" in page
    target = re.search(r'action="/for-you/not-interested/(\d+)"', page)[1]
    response = client.post(f"/for-you/not-interested/{target}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Noted" in response.content.decode()
    assert NotInterested.objects.filter(user=reader, paper_id=int(target)).exists()
    assert f'/for-you/not-interested/{target}"' not in client.get("/for-you").content.decode()
    # the note carries an Undo button, which brings the card (and its Not interested button) back
    assert 'name="on" value="0"' in response.content.decode() and "Undo" in response.content.decode()
    assert '<button type="submit" autofocus>Undo</button>' in response.content.decode()  # htmx moves the focus there
    page = client.get("/for-you").content.decode()
    assert re.search(r'name="why" value="[^"]*you picked', page)  # each card's form carries its "Why:" line
    noted = client.post(f"/for-you/not-interested/{target}", {"why": "you picked x"}, HTTP_HX_REQUEST="true")
    assert 'name="why" value="you picked x"' in noted.content.decode()  # and the note's Undo keeps it
    undone = client.post(f"/for-you/not-interested/{target}", {"on": "0", "next": "/for-you?page=1",
                                                                "why": "you picked <b>x</b>"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "Not interested" in undone and 'name="next" value="/for-you?page=1"' in undone
    assert undone.count("autofocus") == 1 and '<button type="submit" autofocus>Not interested</button>' in undone
    assert "Why: you picked &lt;b&gt;x&lt;/b&gt;" in undone  # back with its line, escaped
    assert not NotInterested.objects.filter(user=reader, paper_id=int(target)).exists()


def test_writes_need_login_and_csrf(topics, reader):
    paper = Paper.objects.first()
    assert Client().post(f"/for-you/not-interested/{paper.pk}").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    for url in (f"/for-you/not-interested/{paper.pk}", f"/for-you/pick/{paper.pk}", "/for-you/paragraph",
                "/for-you/import", "/for-you/exclusions", "/searches/save", f"/authors/follow/{Author.objects.first().pk}"):
        assert strict.post(url).status_code == 403, url


def test_import_upload_returns_before_matching_and_the_task_reports_skipped_lines(topics, reader, run_tasks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bib = b"@article{a, title={Galaxy clusters at scale: a galaxies study}}\n@misc{b, title={broken\n"
    client = logged_in(reader)
    page = client.post("/for-you/import", {"library": SimpleUploadedFile("lib.bib", bib)}, follow=True)
    text = page.content.decode()
    assert "is being imported" in text and "waiting for a worker" in text and 'hx-trigger="every 2s"' in text
    assert not Seed.objects.filter(user=reader).exists()  # matching is the task's work, not the request's
    [task] = run_tasks()
    assert task.status == "SUCCESSFUL" and Seed.objects.filter(user=reader).count() == 1
    text = client.get("/for-you/imports").content.decode()
    assert "done: 1 found in this hub" in text and "Skipped line 2" in text and "hx-trigger" not in text
    assert "done: 1 found in this hub" in client.get("/for-you").content.decode()


def test_a_deeply_nested_csl_json_upload_gets_a_clear_error_not_a_500(topics, reader, run_tasks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = logged_in(reader)
    response = client.post("/for-you/import", {"library": SimpleUploadedFile("lib.json", b"[" * 200_000)})
    assert response.status_code == 302
    run_tasks()
    text = client.get("/for-you").content.decode()
    assert "failed. Nothing could be imported: line 1: the JSON nests deeper than" in text


def test_follow_and_save_search_from_their_pages(topics, reader):
    client = logged_in(reader)
    rubin = Author.objects.get(name="Vera Rubin")
    slug = f"vera-rubin-{rubin.pk}"
    assert "Follow</button>" in client.get(f"/authors/{slug}").content.decode()
    client.post(f"/authors/follow/{rubin.pk}", {"on": "1"})
    assert "Unfollow</button>" in client.get(f"/authors/{slug}").content.decode()
    assert "Save this search" in client.get("/papers/search?q=robot").content.decode()
    client.post("/searches/save", {"q": "robot grasping", "next": "/papers/search?q=robot+grasping"})
    assert SavedSearch.objects.filter(user=reader, query="robot grasping").exists()
    page = client.get("/for-you").content.decode()
    assert "Vera Rubin" in page and "robot grasping" in page


def test_htmx_follow_swaps_in_the_pages_own_form_both_ways(topics, reader):
    client = logged_in(reader)
    rubin = Author.objects.get(name="Vera Rubin")
    on = client.post(f"/authors/follow/{rubin.pk}", {"on": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert on.strip().startswith("<form") and 'name="on" value="0"' in on and "Unfollow</button>" in on
    assert f'hx-post="/authors/follow/{rubin.pk}"' in on and "You follow Vera Rubin" in on
    off = client.post(f"/authors/follow/{rubin.pk}", {"on": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="on" value="1"' in off and ">Follow</button>" in off and "no longer follow" in off
    assert not queries.follows(reader, rubin)


def test_the_follow_buttons_line_is_a_sentence_of_its_own_in_each_state(topics, reader):
    """It read on from the button: "Follow new papers by Vera Rubin reach your digests and your For you feed"."""
    client = logged_in(reader)
    rubin = Author.objects.get(name="Vera Rubin")
    page = client.get(f"/authors/vera-rubin-{rubin.pk}").content.decode()
    assert ">Follow</button> <span class=\"meta\">Their new papers will then reach your digests and your For you " \
           "feed.</span>" in page
    on = client.post(f"/authors/follow/{rubin.pk}", {"on": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "You follow Vera Rubin: their new papers reach your digests and your For you feed.</span>" in on
    assert "You follow Vera Rubin: their new" in client.get(f"/authors/vera-rubin-{rubin.pk}").content.decode()
    off = client.post(f"/authors/follow/{rubin.pk}", {"on": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert "You no longer follow Vera Rubin: their new papers no longer reach your digests or your For you" in off


def test_api_recommendations_and_not_interested(topics, reader):
    _, token = create_token(reader, "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    assert client.get("/api/recommendations").status_code == 401
    assert client.get("/api/recommendations", **auth).json() == []
    community.upvote(reader, Paper.objects.get(uid="2606.10002"), on=True)
    picks = client.get("/api/recommendations?limit=3", **auth).json()
    assert len(picks) == 3 and all(p["reasons"] for p in picks) and picks[0]["id"].startswith("2606.1")
    first = picks[0]["id"]
    response = client.post(f"/api/papers/{first}/not-interested", {"on": True}, content_type="application/json", **auth)
    assert response.json() == {"not_interested": True}
    assert first not in [p["id"] for p in client.get("/api/recommendations", **auth).json()]


def test_private_atom_feed(topics, reader):
    services.follow(reader, Author.objects.get(name="Alan Turing"))
    services.save_search(reader, "galaxy clusters")
    token = personal.new_feed_token(reader)
    parsed = feedparser.parse(Client().get(f"/feeds/for-you/{token}.atom").content)
    titles = [e.title for e in parsed.entries]
    assert not parsed.bozo and "Galaxy clusters at scale: a galaxies study" in titles
    assert any("language study" in t for t in titles)
    assert Client().get("/feeds/for-you/forged.atom").status_code == 404


def test_private_feed_addresses_are_random_shown_once_and_revocable(topics, reader):
    from django.core import signing

    from paperhub.recommend.models import FeedToken

    client = logged_in(reader)
    assert "/feeds/for-you/" not in client.get("/for-you").content.decode()  # none until asked for
    page = client.post("/for-you/feed-address").content.decode()
    first = re.search(r'<code id="feed-address">http://testserver(/feeds/for-you/\S+\.atom)</code>', page)[1]
    assert Client().get(first).status_code == 200
    token = first.removeprefix("/feeds/for-you/").removesuffix(".atom")
    assert reader.password[-8:] not in token
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="paperhub.recommend.feed")  # no longer a signed user id: random
    assert FeedToken.objects.get(user=reader).digest != token  # stored hashed
    assert first not in client.get("/for-you").content.decode()  # shown once
    # The address of the old scheme, which decoded to the user id and part of the password hash, is gone.
    signed = signing.dumps([reader.pk, reader.password[-8:]], salt="paperhub.recommend.feed", compress=True)
    assert Client().get(f"/feeds/for-you/{signed}.atom").status_code == 404

    page = client.post("/for-you/feed-address").content.decode()
    second = re.search(r'http://testserver(/feeds/for-you/\S+\.atom)', page)[1]
    assert second != first
    assert Client().get(first).status_code == 404 and Client().get(second).status_code == 200
    client.post("/for-you/feed-address", {"revoke": "1"})
    assert Client().get(second).status_code == 404
    assert not FeedToken.objects.filter(user=reader).exists()


def test_the_footer_offers_the_private_feed_to_its_owner_alone_and_uncached(topics, reader):
    client = logged_in(reader)
    footer = lambda page: page.split('<footer class="wrap site">')[1]  # noqa: E731
    assert '<a href="#private-feed">make its address</a>' in footer(client.get("/for-you").content.decode())
    response = client.post("/for-you/feed-address")
    address = re.search(r'<code id="feed-address">(\S+)</code>', response.content.decode())[1]
    assert f'<a href="{address}">Atom</a>' in footer(response.content.decode())
    assert f'rel="alternate" type="application/atom+xml" title="For you: your private feed (Atom)" href="{address}"' \
        in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    page = client.get("/for-you").content.decode()
    assert "make a new one</a>" in footer(page) and address not in page  # shown once: the footer says when made
    other = logged_in(user("other", "o@example.org"))
    assert address not in other.get("/for-you").content.decode()
    assert "private feed" not in footer(Client().get("/").content.decode())


def test_digest_has_a_personal_part_with_feedback_links(topics, reader, mail_sink):
    from django.utils import timezone

    for uid in ("2606.00001", "2606.00002", "2606.00003"):
        community.upvote(reader, Paper.objects.get(uid=uid), on=True)
    services.follow(reader, Author.objects.get(name="Rodney Brooks"))
    services.save_search(reader, "protein folding")
    accounts.verify(accounts.verify_token(reader))
    Subscription.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    Subscription.objects.create(email="stranger@example.org", confirmed_at=timezone.now())
    report = sending.send("daily", today=date(2026, 7, 1), base_url="http://hub.test")
    # no paper in the day's feed: only the reader's own part is news, the stranger gets no mail
    assert (report.sent, report.skipped) == (1, 1) and [m["To"] for m in mail_sink.messages] == ["reader@example.org"]
    mine = mail_sink.messages[0]
    text = mine.get_body(("plain",)).get_content()
    assert "For you" in text and "Protein folding at scale" in text  # published on 30 June
    html = mine.get_body(("html",)).get_content()
    for part in (text, html):  # a pick names its authors as the shared part does, and why it was picked
        assert "Rosalind Franklin, Student proteins 0" in part and "Why: " in part
    assert "We predict the three-dimensional structure of proteins" in html  # and its summary
    assert "From authors you follow" in text and "Reward shaping for robots at scale" in text
    assert 'Your search "protein folding"' in text
    # the pick in the day's feed too: listed once, in "Most upvoted", and no more among the picks
    Delivery.objects.all().delete()
    feed_entry(Paper.objects.get(uid="2606.00000"), date(2026, 6, 30))
    sending.send("daily", today=date(2026, 7, 1), base_url="http://hub.test")
    again = [m for m in mail_sink.messages if m["To"] == "reader@example.org"][-1].get_body(("plain",)).get_content()
    picks, _, rest = again.partition("From authors you follow")
    assert "Protein folding at scale" not in picks and "Protein folding at scale" in rest.partition("Most upvoted")[2]
    # one blank line between sections, before "Most upvoted" too (after the personal part there were two)
    assert all("\n\n\n" not in part.replace("\r\n", "\n") for part in (text, again)) and "\r\n\r\nMost" in again
    link = re.search(r"Not interested: http://hub\.test(/for-you/feedback/\S+)", text)[1]
    client = Client()
    assert "Show me fewer like it" in client.get(link).content.decode()  # a GET (a mail scanner) changes nothing
    assert not NotInterested.objects.filter(user=reader).exists()
    assert "Thanks" in client.post(link).content.decode()
    assert NotInterested.objects.filter(user=reader, paper__published__date=date(2026, 6, 30)).count() == 1
    assert client.get("/for-you/feedback/forged").status_code == 400


def test_a_digests_personal_part_comes_only_from_the_account_that_verified_the_address(topics, reader, mail_sink):
    """Issue 16, item 5: an account that merely claims a subscriber's address put its saved search's text
    (a phishing line) into that subscriber's digest."""
    from django.utils import timezone

    lure = "protein folding URGENT your session expired re-login at https://evil.example/login"
    mallory = user("mallory", "victim@example.org")  # the first account with it
    services.save_search(mallory, lure)
    Subscription.objects.create(email="victim@example.org", confirmed_at=timezone.now())

    feed_entry(Paper.objects.get(uid="2606.00001"), date(2026, 6, 30))  # news for all: the digest goes out

    def digest_text() -> str:
        mail_sink.messages.clear()
        Delivery.objects.all().delete()  # the same period again, as for a fresh subscriber
        sending.send("daily", today=date(2026, 7, 1), base_url="http://hub.test")
        return mail_sink.messages[-1].get_body(("plain",)).get_content()

    text = digest_text()
    assert "evil.example" not in text and "Your search" not in text  # unverified: no personal part at all
    victim = user("victim")
    services.save_search(victim, "protein folding")
    accounts.verify(accounts.verify_token(victim))
    text = digest_text()
    assert 'Your search "protein folding"' in text and "evil.example" not in text


def test_bibtex_exports(topics, reader):
    client = Client()
    one = client.get("/papers/2606.00000.bib")
    assert one["Content-Type"].startswith("application/x-bibtex") and "eprint = {2606.00000}" in one.content.decode()
    found = client.get("/papers/search.bib?q=robot").content.decode()
    assert found.count("@misc{") >= 5
    keys = re.findall(r"@misc\{([^,]+),", found)
    assert len(keys) == len(set(keys))
    collection = curation.create_collection(reader, "Reading group", public=False)
    curation.add_to_collection(reader, collection, Paper.objects.get(uid="2606.10000"))
    url = f"/collections/reader/{collection.slug}.bib"
    assert client.get(url).status_code == 404  # private
    assert "2606.10000" in logged_in(reader).get(url).content.decode()


def test_a_feedback_page_shows_the_title_as_it_reads(db, reader):
    """A digest's feedback link opens a page naming the paper: its TeX rendered, as the digest wrote it."""
    upsert_papers([record("2606.90001", title=r"Folding $\alpha$-helices in $\mathcal{O}(n)$")])
    paper = Paper.objects.get(uid="2606.90001")
    client = Client()
    link = reverse("feedback", args=[personal.feedback_token(reader, paper, "not")])
    for page in (client.get(link), client.post(link)):
        assert "“Folding α-helices in 𝒪(n)”" in page.content.decode() and "$" not in page.content.decode()
