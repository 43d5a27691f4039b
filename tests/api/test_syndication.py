"""The feeds' answers where there is no feed: short plain text a feed reader can show, not an HTML page."""

import html
from html.parser import HTMLParser

import pytest


@pytest.mark.parametrize(("url", "reason"), [
    ("/feeds/authors/nobody-999999.rss", "no such author"),
    ("/feeds/authors/no-number.atom", "no such author"),
    ("/feeds/collections/nobody/reading.rss", "no such public collection"),
    ("/feeds/for-you/not-a-token.atom", "no such feed"),
    ("/feeds/search.rss?cat=", "a search feed needs ?q= or a filter"),
    ("/feeds/weekly.atom", "no such feed"),  # an address no feed route holds
    ("/feeds/authors/", "no such feed"),
])
def test_feeds_of_unknown_things_answer_a_plain_text_404(client, db, url, reason):
    response = client.get(url)
    assert response.status_code == 404 and response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(reason) and "<" not in response.content.decode()


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_collection_feed_keeps_its_title_as_typed_and_writes_its_papers_titles_tex_as_text(client, db, kind):
    import feedparser

    from paperhub.community import curation
    from paperhub.papers.models import Paper
    from paperhub.papers.services import upsert_papers
    from tests.factories import record, user

    upsert_papers([record("2611.00001", title="$O(n^2)$ attention for \\emph{long} documents")])
    ann = user("ann")
    collection = curation.create_collection(ann, "Costs: $5 and $10 \\textbf{club}")  # a person's words, not TeX
    curation.add_to_collection(ann, collection, Paper.objects.get())
    parsed = feedparser.parse(client.get(f"/feeds/collections/ann/{collection.slug}.{kind}").content)
    assert parsed.feed.title == "paperhub: Costs: $5 and $10 \\textbf{club} (a collection by ann)"
    assert [entry.title for entry in parsed.entries] == ["O(n²) attention for long documents"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_collection_feed_dates_items_by_when_they_were_added_and_describes_itself(client, db, kind):
    from datetime import UTC, datetime

    import feedparser

    from paperhub.community import curation
    from paperhub.community.models import Collection, CollectionItem
    from tests.factories import add_paper, user

    old = add_paper("1706.03762", published=datetime(2017, 6, 12, tzinfo=UTC))
    ann, bob = user("ann"), user("bob")
    mine = curation.create_collection(ann, "Classics", "Papers our group keeps coming back to")
    theirs = curation.create_collection(bob, "Other")
    curation.add_to_collection(bob, theirs, old)
    curation.add_to_collection(ann, mine, old)
    CollectionItem.objects.filter(collection=theirs).update(added_at=datetime(2020, 1, 1, tzinfo=UTC))
    CollectionItem.objects.filter(collection=mine).update(added_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    parsed = feedparser.parse(client.get(f"/feeds/collections/ann/{mine.slug}.{kind}").content)
    assert parsed.feed.get("subtitle", parsed.feed.get("description")) == "<p>Papers our group keeps coming back to</p>"
    entry = parsed.entries[0]
    assert entry.get("published_parsed", entry.get("updated_parsed"))[:4] == (2026, 12, 1, 9)  # added, not 2017
    assert entry.updated_parsed[:4] == (2026, 12, 1, 9)
    curation.add_to_collection(ann, mine, add_paper("2611.00001"))
    CollectionItem.objects.filter(collection=mine).update(added_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    curation.remove_from_collection(ann, mine, old)  # the feed changed, though no item left in it is newer
    after = feedparser.parse(client.get(f"/feeds/collections/ann/{mine.slug}.{kind}").content).feed
    changed = after.get("updated_parsed") or after.get("published_parsed")
    assert changed[:6] == Collection.objects.get(pk=mine.pk).updated_at.timetuple()[:6] != (2026, 12, 1, 9, 0, 0)


@pytest.mark.parametrize(("base", "root"), [
    ("", "http://testserver"),  # unset: the request's host and scheme, as feeds always said: readers' ids unchanged
    ("https://papers.example.org", "https://papers.example.org"),  # set: the public address, whatever Host came
])
def test_feed_links_and_entry_ids_start_with_the_hubs_public_root(client, db, settings, base, root):
    import feedparser

    from paperhub.papers.models import Author
    from paperhub.papers.services import upsert_papers
    from tests.factories import record

    settings.PAPERHUB_BASE_URL = base
    upsert_papers([record("2611.00001", authors=("Ada Lovelace",))])
    slug = Author.objects.get().slug
    for kind in ("rss", "atom"):
        text = client.get(f"/feeds/authors/{slug}.{kind}").content.decode()
        parsed = feedparser.parse(text)
        assert parsed.feed.link == f"{root}/authors/{slug}"
        assert [entry.link for entry in parsed.entries] == [f"{root}/papers/2611.00001"]
        assert [entry.id for entry in parsed.entries] == [f"{root}/papers/2611.00001"]  # RSS guid, Atom id
        assert f'href="{root}/feeds/authors/{slug}.{kind}"' in text  # the feed's own address (rel="self")
        assert "testserver" not in text or not base


class _Markup(HTMLParser):
    """The elements and attributes an HTML text holds as markup."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_collection_feed_describes_itself_as_its_page_does_and_no_typed_markup_survives(client, db, kind):
    """The description is the page's rendering (Markdown, TeX) as HTML; every tag and attribute typed in the title
    or the description reaches a feed reader as text, read without feedparser's own sanitiser (readers differ)."""
    import feedparser

    from paperhub.community import curation
    from paperhub.papers.models import Paper
    from tests.factories import add_paper, user
    from tests.hostile.payloads import IMG, SCRIPT, SVG

    add_paper("2611.00001")
    ann = user("ann")
    typed = f"**Mamba** in $O(n^2)$ [read](/papers/2611.00001) {IMG}{SCRIPT}{SVG}"
    shelf = curation.create_collection(ann, f"Shelf {SCRIPT}{IMG}", typed)
    plain = curation.create_collection(ann, f"Bare {IMG}")  # no description: the fallback names the title
    for collection in (shelf, plain):
        curation.add_to_collection(ann, collection, Paper.objects.get())
    parsed = feedparser.parse(client.get(f"/feeds/collections/ann/{shelf.slug}.{kind}").content, sanitize_html=False)
    described = parsed.feed.get("subtitle", parsed.feed.get("description"))
    markup = _Markup(described)
    assert set(markup.tags) <= {"p", "strong", "span", "sup", "a"} and "img" not in markup.tags, described
    assert set(markup.attributes) <= {"class", "href", "rel"}, described
    assert "<strong>Mamba</strong>" in described and "<sup>2</sup>" in described  # as the page renders them
    assert 'href="http://testserver/papers/2611.00001"' in described  # a link a reader can follow
    assert f"{IMG}{SCRIPT}" in html.unescape(described)  # shown as typed, as text
    assert parsed.feed.title == f"paperhub: Shelf {SCRIPT}{IMG} (a collection by ann)"  # a title is text
    bare = feedparser.parse(client.get(f"/feeds/collections/ann/{plain.slug}.{kind}").content, sanitize_html=False)
    described = bare.feed.get("subtitle", bare.feed.get("description"))
    assert _Markup(described).tags == [] and html.unescape(described).startswith(f"Papers in Bare {IMG}, a coll")


TAG_PAYLOADS = ("<img/src=x onerror=alert(1)>", "<svg/onload=alert(1)>", "<foo onfocus=alert(1) autofocus>",
                "<scr<script>ipt>alert(1)</script>")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_collection_feed_description_keeps_no_typed_tag_live(client, db, kind):
    """Tags a tag stripper lets through (a / for a space, an unknown element, a tag rebuilt by one pass) reach a
    reader as text, read by feedparser without its sanitiser and in the raw XML; "Vec<T>" and a link stay whole."""
    import feedparser

    from paperhub.community import curation
    from tests.factories import user

    typed = " ".join(TAG_PAYLOADS) + " Vec<T> and [the hub](http://example.org/x)"
    shelf = curation.create_collection(user("ann"), "Shelf", typed)
    body = client.get(f"/feeds/collections/ann/{shelf.slug}.{kind}").content.decode()
    parsed = feedparser.parse(body, sanitize_html=False)
    described = parsed.feed.get("subtitle", parsed.feed.get("description"))
    markup = _Markup(described)
    assert set(markup.tags) <= {"p", "a"} and set(markup.attributes) <= {"href", "rel"}, described
    shown = html.unescape(described)
    assert all(payload in shown for payload in TAG_PAYLOADS), shown  # as typed, as text
    assert "Vec<T>" in shown and 'href="http://example.org/x"' in described
    assert not any(tag in body for tag in ("<img", "<svg", "<foo", "<script", "<scr<"))  # escaped in the XML too


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_daily_feed_holds_the_newest_day_whole_up_to_its_cap(client, db, kind, monkeypatch):
    from datetime import date

    import feedparser

    from paperhub.api import syndication
    from tests.factories import add_paper, feed_entry

    day = date(2026, 11, 23)
    for number in range(60):
        feed_entry(add_paper(f"2611.{number + 1:05d}", categories=("cs.LG", "cs.CL")), day)
    feed_entry(add_paper("2611.09999"), date(2026, 11, 20))  # an older day's: not in it
    entries = feedparser.parse(client.get(f"/feeds/daily.{kind}").content).entries
    assert len(entries) == 60 and "2611.09999" not in {entry.link.rsplit("/", 1)[1] for entry in entries}
    assert all(entry.tags[0].term == "cs.LG" for entry in entries)
    monkeypatch.setattr(syndication.DailyFeed, "limit", 55)  # the cap holds
    assert len(feedparser.parse(client.get(f"/feeds/daily.{kind}").content).entries) == 55
