"""Papers as Markdown on the web: /papers/{id}.md, and the paper page to a client asking for text/markdown."""

from datetime import UTC, datetime

import pytest

from paperhub import search
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import record

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture
def papers(db, settings, tmp_path):
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers(
        [
            record(
                "2611.00001",
                version=2,
                title=r"Sparse attention for $\alpha$-long documents",
                published=when,
                updated=datetime(2026, 11, 24, tzinfo=UTC),
                categories=("cs.CL",),
                authors=("Ada Lovelace",),
                abstract="Long documents need sparse attention. We propose sparse attention for long documents. "
                "Code is available at https://github.com/ada/sparse.",
            ),
            record(
                "2611.00002",
                title="Sparse attention for long documents, again",
                published=when,
                abstract="Sparse attention for long documents, once more.",
            ),
            record(
                "2611.00003",
                title="Protein folding at scale",
                published=when,
                abstract="Proteins fold. We fold proteins at scale with graph networks.",
            ),
            record(
                "2611.00004",
                title="Weather forecasting with graph networks",
                published=when,
                abstract="Weather is hard to forecast. We forecast it with graph networks.",
            ),
        ]
    )
    search.update()
    search.update_keywords()
    return {p.uid: p for p in Paper.objects.all()}


def test_the_md_address_answers_markdown_with_everything(client, papers):
    response = client.get("/papers/2611.00001.md")
    assert response.status_code == 200 and response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Sparse attention for $\\alpha$-long documents\n\n- **Authors:** Ada Lovelace\n")
    assert "**Published:** 2026-11-22 · **Updated:** 2026-11-24 · **Version:** v2" in text
    assert (
        "[arXiv](https://arxiv.org/abs/2611.00001) · [PDF](https://arxiv.org/pdf/2611.00001) · "
        "[Code](https://github.com/ada/sparse) · [paperhub](http://testserver/papers/2611.00001)"
    ) in text
    keywords = search.keywords_of([papers["2611.00001"].pk])[papers["2611.00001"].pk]
    assert "sparse attention" in keywords and f"- **Keywords:** {', '.join(keywords)}\n" in text
    assert "- **Summary (extracted from the abstract):** We propose sparse attention for long documents.\n" in text
    assert "## Abstract\n\nLong documents need sparse attention." in text
    assert (
        "## Similar papers\n\n- Sparse attention for long documents, again "
        "([2611.00002](http://testserver/papers/2611.00002), 2026-11-22)" in text
    )
    assert client.get("/papers/2611.00001v2.md").content == response.content  # any version's id
    missing = client.get("/papers/2611.99999.md")
    assert missing.status_code == 404 and missing.content.startswith(b"no paper '2611.99999' on this hub: it has not "
                                                                     b"been submitted here yet. Submit it with POST")
    asked = client.get("/papers/2611.99999", HTTP_ACCEPT="text/markdown")
    assert asked.status_code == 404 and asked["Content-Type"].startswith("text/plain")
    assert "<html" in client.get("/papers/2611.99999").content.decode().lower()  # a browser gets the page
    assert client.get("/papers/not-a-paper.md").status_code == 404


def test_the_paper_page_answers_markdown_to_who_prefers_it_and_html_to_browsers(client, papers):
    markdown = client.get("/papers/2611.00001.md").content
    for accept in ("text/markdown", "text/markdown, text/html;q=0.5", "text/plain;q=0.1, text/markdown"):
        response = client.get("/papers/2611.00001", HTTP_ACCEPT=accept)
        assert response["Content-Type"] == "text/markdown; charset=utf-8", accept
        assert response.content == markdown and "Accept" in response["Vary"], accept
    for accept in (BROWSER, "*/*", "text/html, text/markdown", None):
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        response = client.get("/papers/2611.00001", **headers)
        assert response["Content-Type"].startswith("text/html") and "Accept" in response["Vary"], accept
    page = client.get("/papers/2611.00001").content.decode()
    assert 'href="/papers/2611.00001.md"' in page


def test_the_md_address_is_rate_limited_as_the_page(client, papers, settings):
    settings.PAPERHUB_PAGE_RATE = "2/m"
    statuses = [client.get("/papers/2611.00001.md").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_md_address_renders_latex_as_the_page_does(client, papers):
    """The audit: `\\textsc{DiARC}: ...`, `\\cite`, `\\%`, `~`, `--` showed raw in the Markdown, rendered on the page."""
    Paper.objects.filter(uid="2611.00003").update(
        title=r"\textsc{DiARC}: {\em Fast} folding",
        abstract=r"Folding as studied by~\citet{smith2020} -- the \emph{same} 90\% of proteins~\cite{lee}. "
        r"Code: \url{https://x.org/~me_2}.",
    )
    text = client.get("/papers/2611.00003.md").content.decode()
    assert text.startswith("# DiARC: *Fast* folding\n")
    assert (
        "## Abstract\n\nFolding as studied by Smith (2020) – the *same* 90% of proteins. "
        "Code: https://x.org/\\~me\\_2.\n"
    ) in text
    page = client.get("/papers/2611.00003").content.decode()
    assert ("Folding as studied by Smith (2020) – the <em>same</em> 90% of proteins. Code: <a href="
            '"https://x.org/~me_2" rel="nofollow noopener noreferrer ugc">https://x.org/~me_2</a>.') in page
