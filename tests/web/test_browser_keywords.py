"""Keyword chips and the extracted summary in headless Chromium, against `paperhub serve`."""

from collections.abc import Iterator

import pytest

from tests.web.test_browser import _chromium, _recent, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def served_hub(hub) -> Iterator[str]:
    """A few recent papers in the daily feed, indexed, with their keywords made ("attention" is in two of five
    papers: a word in over half of them is no keyword)."""
    hub.env.update(PAPERHUB_FEED_CATEGORIES="cs.CL")
    hub.ingest("papers.jsonl", [
        _recent("2611.20001", 1, "Sparse attention for long documents",
                abstract="Long documents are costly. We propose sparse attention for long documents."),
        _recent("2611.20002", 1, "Retrieval with sparse attention",
                abstract="Stores hold billions of passages, and readers ask questions that cross many of them; "
                         "the passages change every hour, answers must cite where they come from, and memory on "
                         "one machine is small, so every index has to fit beside the model that reads it and be "
                         "rebuilt quickly after each change. "
                         "We introduce retrieval with sparse attention over document stores."),
        _recent("2611.20003", 2, "Streaming language models with memory"),
        _recent("2611.20004", 2, "Multilingual instruction tuning"),
        _recent("2611.20005", 3, "Speech recognition for long recordings"),
    ])
    hub.run("index", "update")
    hub.run("keywords")
    with hub.serving(2) as served:
        yield served.url


def test_a_keyword_chip_opens_a_search_for_its_phrase(served_hub):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
        page = browser.new_context(base_url=served_hub).new_page()
        page.goto("/papers/2611.20001")
        expect(page.locator(".extracted")).to_contain_text(
            "Extracted summary We propose sparse attention for long documents.")
        chip = page.locator(".keywords a.chip", has_text="sparse attention")
        expect(chip).to_have_count(1)
        page.goto("/")
        card = page.locator("article.card", has_text="Retrieval with sparse attention")
        expect(card.locator(".extracted")).to_contain_text("We introduce retrieval with sparse attention")
        short = page.locator("article.card", has_text="Sparse attention for long documents")
        expect(short.locator(".extracted")).to_have_count(0)  # its excerpt already holds the sentence
        shot(page, "keywords-card")
        card.locator(".keywords a.chip", has_text="sparse attention").click()
        expect(page.locator("input[name=q]").first).to_have_value('"sparse attention"')
        expect(page.locator("article.card h2")).to_have_count(2)
        expect(page.locator("article.card h2").first).to_contain_text("sparse attention", ignore_case=True)
        shot(page, "keywords-search")
        browser.close()
