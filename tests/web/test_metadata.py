"""What pages' <head> tells Zotero, search engines and link previews: citation_* tags, Open Graph, canonical links.
The served page is parsed as a browser's parser reads it (html.parser), values compared after unescaping."""

from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from django.db.models import Value
from django.db.models.functions import Concat

from paperhub.community import curation
from paperhub.papers.citation import DESCRIPTION_CHARS, bounded, surname_first
from paperhub.papers.models import Author, Paper
from tests.factories import add_paper, feed_entry, user

HOSTILE = "Q \"quoted\" 'single' </title><script>alert(1)</script> & <b>x</b> \x01\x1b[31m\x7f end"


class Head(HTMLParser):
    """The <head>'s meta tags as (name or property, content) in order, its canonical link and whether a
    <script> opened in it, read as the Zotero Connector's DOM would hold them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.canonical: list[str] = []
        self.scripts = 0
        self.in_head = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "head":
            self.in_head = True
        elif self.in_head and tag == "meta" and ("name" in found or "property" in found):
            self.meta.append((found.get("name") or found["property"], found.get("content", "")))
        elif self.in_head and tag == "link" and found.get("rel") == "canonical":
            self.canonical.append(found["href"])
        elif self.in_head and tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.meta if key == name]

    def one(self, name: str) -> str:
        values = self.all(name)
        assert len(values) == 1, (name, values)
        return values[0]


def head(client, url: str, **headers: str) -> Head:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return Head(response.content.decode())


def zotero_item(page: Head) -> dict:
    """The fields Zotero's Embedded Metadata translator builds from Highwire tags (its addHighwireMetadata:
    first value of each mapped tag, one creator per citation_author split at its comma, the PDF attached)."""
    fields = {"citation_title": "title", "citation_date": "date", "citation_abstract": "abstractNote",
              "citation_doi": "DOI"}
    item = {field: page.all(tag)[0] for tag, field in fields.items() if page.all(tag)}
    item["creators"] = [dict(zip(("lastName", "firstName"), a.split(", ", 1), strict=False))
                        if "," in a else {"firstName": a.rsplit(" ", 1)[0], "lastName": a.rsplit(" ", 1)[-1]}
                        for a in page.all("citation_author")]
    item["pdf"] = page.all("citation_pdf_url")[:1]
    item["itemType"] = "webpage" if page.one("og:type") == "website" else "journalArticle"
    return item


@pytest.fixture
def paper(db):
    return add_paper("2611.00001", title=r"Attention in $O(n^2)$ with \emph{sparse} heads",
                     abstract="We show   $\\alpha$-sparse attention.\n\nA second\nparagraph.",
                     authors=("Ashish Vaswani", "Ludwig van Beethoven", "Martin Luther King Jr."),
                     categories=("cs.CL", "cs.LG"), doi="10.48550/arXiv.2611.00001",
                     published=datetime(2026, 11, 2, 18, tzinfo=UTC), updated=datetime(2026, 11, 20, 9, tzinfo=UTC))


def test_a_paper_page_carries_what_arxiv_writes(client, paper):
    page = head(client, "/papers/2611.00001")
    assert page.one("citation_title") == "Attention in O(n²) with sparse heads"
    assert page.all("citation_author") == ["Vaswani, Ashish", "van Beethoven, Ludwig", "King Jr., Martin Luther"]
    assert page.one("citation_date") == page.one("citation_publication_date") == "2026/11/02"
    assert page.one("citation_online_date") == "2026/11/20"  # the latest version's, as arXiv gives it
    assert page.one("citation_arxiv_id") == "2611.00001"
    assert page.one("citation_pdf_url") == "https://arxiv.org/pdf/2611.00001"
    assert page.one("citation_doi") == "10.48550/arXiv.2611.00001"
    assert page.one("citation_abstract") == "We show α-sparse attention. A second paragraph."
    assert page.one("citation_keywords") == "cs.CL; cs.LG"
    assert page.one("description") == page.one("og:description") == "We show α-sparse attention. A second paragraph."
    assert page.one("og:title") == "Attention in O(n²) with sparse heads"
    assert page.one("og:type") == "article" and page.one("og:site_name") == "paperhub"
    assert page.one("og:url") == "http://testserver/papers/2611.00001" and page.canonical == [page.one("og:url")]
    assert page.one("twitter:card") == "summary"


def test_zotero_saves_the_paper_as_an_article_not_a_web_page(client, paper):
    item = zotero_item(head(client, "/papers/2611.00001"))
    assert item["itemType"] == "journalArticle"
    assert item["title"] == "Attention in O(n²) with sparse heads" and item["date"] == "2026/11/02"
    assert item["DOI"] == "10.48550/arXiv.2611.00001" and item["pdf"] == ["https://arxiv.org/pdf/2611.00001"]
    assert item["creators"] == [{"lastName": "Vaswani", "firstName": "Ashish"},
                                {"lastName": "van Beethoven", "firstName": "Ludwig"},
                                {"lastName": "King Jr.", "firstName": "Martin Luther"}]


def test_a_paper_without_doi_or_arxiv_id_leaves_those_tags_out(client, db):
    add_paper("doi:10.1000/xyz", title="Elsewhere", abstract="", authors=("Jan Willem van der Berg",),
              categories=())
    page = head(client, "/papers/doi:10.1000/xyz")
    names = {name for name, _ in page.meta}
    assert not names & {"citation_arxiv_id", "citation_pdf_url", "citation_abstract", "citation_keywords",
                        "description", "og:description"}
    assert page.one("citation_author") == "Jan Willem van der Berg"  # alone, Zotero would split the comma form
    arxiv = add_paper("2611.00002", title="No DOI")
    assert "citation_doi" not in {name for name, _ in head(client, f"/papers/{arxiv.uid}").meta}


def test_hostile_stored_text_stays_text_in_the_head(client, paper):
    Paper.objects.filter(pk=paper.pk).update(title=Value(HOSTILE), abstract=Value(HOSTILE), doi=Value(HOSTILE))
    Author.objects.filter(name="Ashish Vaswani").update(name=Concat(Value(HOSTILE), Value(" Vaswani")))
    html = client.get("/papers/2611.00001").content.decode()
    page = Head(html)
    clean = "Q \"quoted\" 'single' </title><script>alert(1)</script> & <b>x</b> [31m end"
    assert page.scripts == 0 and "<script>alert" not in html
    assert page.one("citation_title") == page.one("og:title") == page.one("citation_doi") == clean
    assert page.one("citation_abstract") == page.one("description") == clean
    # (by BibTeX's rules the lower-case "end" before the last name is its von part, as "de" in "de la Tour")
    assert page.all("citation_author")[0] == "end Vaswani, " + clean.removesuffix(" end")
    assert not any(ch < " " or ch == "\x7f" for _, value in page.meta for ch in value)
    assert page.one("citation_arxiv_id") == "2611.00001"  # the tags after the payload are still there


def test_long_abstracts_are_bounded_in_previews(client, paper):
    Paper.objects.filter(pk=paper.pk).update(abstract=Value("word " * 400))
    page = head(client, "/papers/2611.00001")
    assert len(page.one("og:description")) <= DESCRIPTION_CHARS and page.one("og:description").endswith("word…")
    assert len(page.one("citation_abstract")) == len("word " * 400) - 1  # Zotero gets the whole abstract


def test_feed_author_and_collection_pages_describe_themselves(client, paper):
    feed_entry(paper, date(2026, 11, 23))
    ann = user("ann")
    collection = curation.create_collection(ann, "Attention reading", "Papers on *sparse* attention.", public=True)
    curation.add_to_collection(ann, collection, paper)
    home = head(client, "/")
    assert home.one("og:title") == "Monday, 23 November 2026" and home.one("og:type") == "website"
    assert home.one("og:description") == "1 paper of Monday, 23 November 2026 on paperhub, most upvoted first."
    assert home.canonical == ["http://testserver/"]
    assert head(client, "/papers/date/2026-11-21").one("description") == "No papers of Saturday, 21 November 2026 on paperhub."
    author = Author.objects.get(name="Ludwig van Beethoven")
    page = head(client, f"/authors/{author.slug}")
    assert page.one("og:title") == "Ludwig van Beethoven"
    assert page.one("description") == "1 paper by Ludwig van Beethoven on paperhub."
    assert page.one("og:url") == f"http://testserver/authors/{author.slug}"
    assert head(client, f"/authors/{author.slug}?page=2&x=1").canonical == [
        f"http://testserver/authors/{author.slug}?page=2"]  # a paged list's later page is a page of its own
    page = head(client, f"/collections/ann/{collection.slug}?x=1")
    assert page.one("og:title") == "Attention reading" and page.one("og:description") == "Papers on *sparse* attention."
    assert page.canonical == [f"http://testserver/collections/ann/{collection.slug}"]  # no query string
    assert head(client, f"/collections/ann/{collection.slug}?page=2").canonical == [
        f"http://testserver/collections/ann/{collection.slug}?page=2"]  # paged (30 a page): a page of its own
    typed = curation.create_collection(ann, "Costs: $5 and $10", "From $5 to $10 ~ a person's words", public=True)
    page = head(client, f"/collections/ann/{typed.slug}")  # not TeX: kept as typed, as the page shows it
    assert page.one("og:title") == "Costs: $5 and $10" and page.one("description") == "From $5 to $10 ~ a person's words"
    assert not Head(client.get("/papers/search?q=x").content.decode()).canonical  # a search is no page to share


def test_the_configured_base_url_is_the_pages_address_behind_a_proxy(client, paper, settings):
    """nginx passes `Host: 127.0.0.1:8794` on by default: the page shared from there must name the public address."""
    settings.PAPERHUB_BASE_URL = "https://papers.example.org"
    page = head(client, "/papers/2611.00001", HTTP_HOST="127.0.0.1")
    assert page.canonical == ["https://papers.example.org/papers/2611.00001"] == [page.one("og:url")]
    author = Author.objects.get(name="Ludwig van Beethoven")
    assert head(client, f"/authors/{author.slug}?page=2").canonical == [
        f"https://papers.example.org/authors/{author.slug}?page=2"]
    text = client.get("/papers/2611.00001.md", HTTP_HOST="127.0.0.1").content.decode()
    assert "[paperhub](https://papers.example.org/papers/2611.00001)" in text and "127.0.0.1" not in text


def test_names_turn_surname_first_as_arxiv_writes_them():
    assert surname_first("Ashish Vaswani") == "Vaswani, Ashish"
    assert surname_first("Jean-Luc de la Tour") == "de la Tour, Jean-Luc"
    assert surname_first("A. B. Cde") == "Cde, A. B."
    assert surname_first("Luc Van Gool") == "Van Gool, Luc"  # what Zotero reads as the last name
    assert surname_first("OpenAI") == "OpenAI" and surname_first("Smith, J.") == "Smith, J."
    assert surname_first("Martin Luther King, Jr.") == surname_first("Martin Luther King Jr.") == "King Jr., Martin Luther"
    assert surname_first("Ann; Bob Lee") == "Lee, Ann Bob"  # a semicolon would make two authors of one
    assert bounded("short") == "short" and bounded("one two three", 10) == "one two…"
