"""Clients nobody here wrote, against a live server: huggingface_hub, feedparser, schemathesis."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User

from paperhub.api import collections
from paperhub.community import curation, services
from paperhub.core import tokens
from paperhub.papers.models import CodeRepository, Paper
from paperhub.papers.services import upsert_papers
from tests.factories import feed_entry, record, user


@pytest.fixture
def filled(transactional_db, settings, tmp_path):
    from paperhub import search

    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers([
        record("2611.00001", title="Sparse attention for long documents", published=when,
               abstract="We study $\\alpha$-sparse attention <b>here</b>. Code is available at "
                        "https://github.com/Ada/Sparse.", comments="Project page: https://ada.github.io/sparse/",
               authors=("Ada Lovelace", "Alan Turing")),
        record("2611.00002", title="Dense retrieval for claims", published=when,
               abstract="Claims need evidence. We propose dense retrieval of sparse attention evidence."),
    ])
    papers = {p.uid: p for p in Paper.objects.all()}
    CodeRepository.objects.filter(full_name="ada/sparse").update(stars=1234)
    ann = user("ann")
    feed_entry(papers["2611.00001"], date(2026, 11, 23), "submission", submitted_by="ann",
               submitted_at=datetime(2026, 11, 23, 8, tzinfo=UTC))
    feed_entry(papers["2611.00002"], date(2026, 11, 23), "hf", external_upvotes=4)
    services.upvote(ann, papers["2611.00001"])
    collection = curation.create_collection(ann, "Reading group")
    curation.add_to_collection(ann, collection, papers["2611.00002"])
    search.update()
    search.update_keywords()
    return papers


def test_huggingface_hub_client_works_unchanged(live_server, filled, monkeypatch):
    from huggingface_hub import HfApi, constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # our code sets it for model loading; this is HTTP
    client = HfApi(endpoint=live_server.url)
    daily = list(client.list_daily_papers(date="2026-11-23"))
    assert [p.id for p in daily] == ["2611.00002", "2611.00001"]
    assert daily[1].submitted_by.username == "ann" and daily[0].upvotes == 4
    assert daily[1].submitted_at == datetime(2026, 11, 23, 8, tzinfo=UTC)
    weekly = list(client.list_daily_papers(week="2026-W48", limit=1))
    assert len(weekly) == 1
    info = client.paper_info("2611.00001")
    assert info.title == "Sparse attention for long documents" and [a.name for a in info.authors] == [
        "Ada Lovelace", "Alan Turing"]
    assert info.published_at == datetime(2026, 11, 22, 10, tzinfo=UTC) and info.upvotes == 1
    assert (info.github_repo, info.github_stars, info.project_page) == (
        "https://github.com/Ada/Sparse", 1234, "https://ada.github.io/sparse/")
    assert info.ai_keywords == ["sparse attention"]
    assert info.ai_summary == "We study $\\alpha$-sparse attention <b>here</b>."
    other = client.paper_info("2611.00002")
    assert other.ai_summary == "We propose dense retrieval of sparse attention evidence."
    found = list(client.list_papers(query="sparse attention"))
    assert found[0].id == "2611.00001"


def test_huggingface_hub_reads_collections_unchanged(live_server, filled, monkeypatch):
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import HfHubHTTPError

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    ann = User.objects.get(username="ann")
    secret = curation.create_collection(ann, "Secret", "mine", public=False)
    curation.add_to_collection(ann, secret, filled["2611.00001"])
    _, token = tokens.create_token(ann, "hf")
    anyone, owner = HfApi(endpoint=live_server.url, token=False), HfApi(endpoint=live_server.url, token=token)
    shelf = anyone.get_collection("ann/reading-group")
    assert (shelf.slug, shelf.title, shelf.owner, shelf.private, shelf.upvotes) == (
        "ann/reading-group", "Reading group", "ann", False, 0)
    assert shelf.url == f"{live_server.url}/collections/ann/reading-group"  # its page on the hub
    [item] = shelf.items
    assert (item.item_type, item.item_id, item.position) == ("paper", "2611.00002", 0)
    assert shelf.last_updated.tzinfo is not None and shelf.last_updated <= datetime.now(UTC)
    assert [c.slug for c in anyone.list_collections(owner="ann")] == ["ann/reading-group"]
    assert anyone.get_collection(next(iter(anyone.list_collections(item="papers/2611.00002"))).slug).title == (
        "Reading group")
    with pytest.raises(HfHubHTTPError) as hidden:
        anyone.get_collection("ann/secret")
    assert hidden.value.response.status_code == 404
    mine = owner.get_collection("ann/secret")
    assert mine.private and mine.description == "mine" and [i.item_id for i in mine.items] == ["2611.00001"]
    shared = owner.add_collection_item("ann/secret", "2611.00002", "paper", note="Read *this* first")
    assert [(i.item_id, i.note) for i in shared.items] == [("2611.00002", "Read *this* first"), ("2611.00001", None)]
    owner.update_collection_item("ann/secret", shared.items[1].item_object_id, position=0)
    owner.delete_collection_item("ann/secret", shared.items[0].item_object_id)
    assert [i.item_id for i in owner.get_collection("ann/secret").items] == ["2611.00001"]
    script = curation.create_collection(ann, "扩散模型")  # a slug in its own script, percent-encoded on the way
    curation.add_to_collection(ann, script, filled["2611.00001"])
    assert [i.item_id for i in anyone.get_collection("ann/扩散模型").items] == ["2611.00001"]
    monkeypatch.setattr(collections, "COLLECTIONS_PAGE", 1)  # the client follows our Link to the next page
    listed = list(owner.list_collections(owner="ann", sort="upvotes", limit=5))
    assert sorted(c.slug for c in listed) == ["ann/reading-group", "ann/secret", "ann/扩散模型"]
    assert [c.position for c in listed] == [0, 1, 2]


def test_huggingface_hub_reads_our_markdown_unchanged(live_server, filled, monkeypatch):
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import HfHubHTTPError

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    client = HfApi(endpoint=live_server.url)
    text = client.read_paper("2611.00001")
    assert text.startswith("# Sparse attention for long documents\n\n- **Authors:** Ada Lovelace, Alan Turing\n")
    assert "[Code](https://github.com/Ada/Sparse) · [Project page](https://ada.github.io/sparse/) · " \
           f"[paperhub]({live_server.url}/papers/2611.00001)" in text
    assert "- **Keywords:** sparse attention\n" in text
    assert "## Abstract\n\nWe study $\\alpha$-sparse attention \\<b\\>here\\</b\\>." in text
    assert f"([2611.00002]({live_server.url}/papers/2611.00002), " in text
    with pytest.raises(HfHubHTTPError) as missing:
        client.read_paper("2611.99999")
    assert missing.value.response.status_code == 404


def test_huggingface_hub_shows_our_error_messages(live_server, filled, monkeypatch):
    """Its exceptions said "Bad request:" and nothing more: it reads X-Error-Message, not our `detail`."""
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import BadRequestError, HfHubHTTPError

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    client = HfApi(endpoint=live_server.url)
    with pytest.raises(BadRequestError) as refused:
        list(client.list_daily_papers(date="2026-11-17", week="2026-W25"))
    assert str(refused.value) == "Bad request:\ngive one of date, week and month, not date and week"
    with pytest.raises(HfHubHTTPError) as missing:
        client.paper_info("2611.99999")
    assert missing.value.response.status_code == 404 and "no paper '2611.99999'" in str(missing.value)
    with pytest.raises(HfHubHTTPError) as invalid:
        list(client.list_daily_papers(limit=500))
    assert "query.limit: Input should be less than or equal to 100" in str(invalid.value)


def test_huggingface_hub_makes_collections_and_says_whose_its_token_is(live_server, filled, monkeypatch):
    """create_collection answered 405 and whoami() 404: neither route was there."""
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import HfHubHTTPError

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    _, secret = tokens.create_token(User.objects.get(username="ann"), "hf")
    client = HfApi(endpoint=live_server.url, token=secret)
    assert client.whoami()["name"] == "ann" and client.whoami()["type"] == "user"
    made = client.create_collection("From HF client", namespace="ann", description="Made by huggingface_hub")
    assert (made.slug, made.title, made.owner, made.private, made.items) == (
        "ann/from-hf-client", "From HF client", "ann", False, [])
    assert made.url == f"{live_server.url}/collections/ann/from-hf-client"
    private = client.create_collection("Private shelf", private=True)  # no namespace: whoami() names it
    assert private.slug == "ann/private-shelf" and private.private
    assert client.create_collection("From HF client", exists_ok=True).slug == made.slug  # the one there already
    with pytest.raises(HfHubHTTPError) as clash:
        client.create_collection("From HF client")
    assert clash.value.response.status_code == 409 and "titled 'From HF client' already" in str(clash.value)
    client.add_collection_item(made.slug, item_id="2611.00001", item_type="paper")
    assert [i.item_id for i in client.get_collection(made.slug).items] == ["2611.00001"]
    with pytest.raises(HfHubHTTPError) as bad:
        HfApi(endpoint=live_server.url, token="ph_forged").whoami()
    assert bad.value.response.status_code == 401


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_parse(client, filled, kind, settings):
    import feedparser

    settings.PAPERHUB_TRENDING_DAYS = 100_000  # the fixture's feed day stays in the window whenever this runs
    ann = User.objects.get(username="ann")
    author = Paper.objects.get(uid="2611.00001").authorships.first().author
    for url, expected in [
        (f"/feeds/daily.{kind}", ["Dense retrieval for claims", "Sparse attention for long documents"]),
        (f"/feeds/trending.{kind}", ["Dense retrieval for claims", "Sparse attention for long documents"]),
        (f"/feeds/search.{kind}?q=long%20documents", ["Sparse attention for long documents"]),
        (f"/feeds/authors/ada-lovelace-{author.pk}.{kind}", ["Dense retrieval for claims",
                                                              "Sparse attention for long documents"]),
        (f"/feeds/collections/{ann.username}/reading-group.{kind}", ["Dense retrieval for claims"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert sorted(e.title for e in parsed.entries) == sorted(expected), url
        assert parsed.version == ("rss20" if kind == "rss" else "atom10")
        # a reader subscribes to the self link: it must be this very feed, its query included
        assert [link.href for link in parsed.feed.links if link.rel == "self"] == ["http://testserver" + url]
    entry = feedparser.parse(client.get(f"/feeds/search.{kind}?q=documents").content).entries[0]
    assert entry.link == "http://testserver/papers/2611.00001"
    assert "α-sparse" in entry.summary and "Ada Lovelace" in entry.author
    assert client.get(f"/feeds/search.{kind}").status_code == 404
    assert client.get(f"/feeds/collections/ann/nothing.{kind}").status_code == 404


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_text_in_angle_brackets_reaches_readers_as_text(client, filled, kind, settings):
    """2606.19626's "the triple <O, classify, {inst_tau}>:" reached readers as "the triple :": the summary is
    HTML, and was escaped only once (as XML)."""
    import html
    from xml.etree import ElementTree

    import feedparser

    settings.PAPERHUB_TRENDING_DAYS = 100_000
    title = "Triples <O, x> & <script>alert(1)</script> \\emph{now}"
    abstract = "the triple <O, classify, {inst_tau}>: & <script>alert(2)</script>, 50\\% \\textit{more} <b>x</b>"
    Paper.objects.filter(uid="2611.00001").update(title=title, abstract=abstract)
    shown_title = "Triples <O, x> & <script>alert(1)</script> now"
    shown = "the triple <O, classify, {inst_tau}>: & <script>alert(2)</script>, 50% more <b>x</b>"
    ann = User.objects.get(username="ann")
    curation.add_to_collection(ann, curation.create_collection(ann, "Triples"), Paper.objects.get(uid="2611.00001"))
    author = Paper.objects.get(uid="2611.00001").authorships.first().author
    for url in (f"/feeds/daily.{kind}", f"/feeds/trending.{kind}", f"/feeds/authors/ada-lovelace-{author.pk}.{kind}",
                f"/feeds/collections/ann/triples.{kind}"):  # (the search feed's items are the same PaperFeed's)
        content = client.get(url).content
        root = ElementTree.fromstring(content)
        if kind == "rss":
            items = [(i.findtext("title"), i.findtext("description")) for i in root.iter("item")]
        else:
            atom = "{http://www.w3.org/2005/Atom}"
            items = [(e.findtext(f"{atom}title"), e.findtext(f"{atom}summary")) for e in root.iter(f"{atom}entry")]
        # The title is text; the summary HTML that, as HTML, is exactly the text (no tag of the abstract's made)
        assert (shown_title, html.escape(shown)) in items, url
        entry = next(e for e in feedparser.parse(content).entries if "Triples" in e.title)
        assert html.unescape(entry.summary) == shown and "<" not in entry.summary, url
        assert entry.title == shown_title, url


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_survive_control_characters_in_stored_text_and_queries(client, filled, kind, settings):
    import feedparser

    from paperhub.community.models import Collection
    from paperhub.papers.models import Author

    settings.PAPERHUB_TRENDING_DAYS = 100_000
    # Written straight to the database: whatever ingest lets through today, rows from before stay.
    Paper.objects.filter(uid="2611.00001").update(title="Sparse\x01 attention for long documents",
                                                  abstract="Bell\x07 and\x1f unit separator \ufffe.")
    Paper.objects.filter(uid="2611.00002").update(title="Dense retrieval\x0b for claims")
    Author.objects.filter(name="Ada Lovelace").update(name="Ada\x02 Lovelace")
    Collection.objects.update(title="Reading\x0bgroup\x1b")  # (no NUL: PostgreSQL's text cannot hold one)
    author = Author.objects.get(name="Ada\x02 Lovelace")
    # control characters alone are no words: refused with the reason, as signs alone are (they listed every paper)
    refused = client.get(f"/feeds/search.{kind}?q=%0b%01")
    assert refused.status_code == 400 and b"no word to search for" in refused.content and b"\x01" not in refused.content
    for url in (f"/feeds/daily.{kind}", f"/feeds/trending.{kind}", f"/feeds/search.{kind}?q=documents%01",
                f"/feeds/authors/ada-lovelace-{author.pk}.{kind}", f"/feeds/collections/ann/reading-group.{kind}"):
        response = client.get(url)
        assert response.status_code == 200, url
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert not any(ch in response.content for ch in (b"\x01", b"\x02", b"\x07", b"\x0b", b"\x1b")), url
    titles = {e.title for e in feedparser.parse(client.get(f"/feeds/daily.{kind}").content).entries}
    assert titles == {"Sparse attention for long documents", "Dense retrieval for claims"}
    collection = feedparser.parse(client.get(f"/feeds/collections/ann/reading-group.{kind}").content)
    assert collection.feed.title.startswith("paperhub: Readinggroup")


def test_schemathesis_finds_no_server_error(live_server, filled, settings):
    """Property-based calls from the OpenAPI document (bounded examples): no 5xx, responses match the schema."""
    import schemathesis
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings

    settings.PAPERHUB_API_RATE_ANON = ""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    failures = []
    calls: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis_settings(max_examples=25, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: object) -> None:
            response = case.call(base_url=f"{live_server.url}/api")  # type: ignore[attr-defined]
            calls.append(case.formatted_path)  # type: ignore[attr-defined]
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code))  # type: ignore[attr-defined]
            case.validate_response(response, checks=[schemathesis.checks.not_a_server_error,  # type: ignore[attr-defined]
                                                      schemathesis.checks.response_schema_conformance])

        check()
    assert not failures
    assert len(calls) > 100 and any("/papers/" in c and c.endswith("/comments") for c in calls)
