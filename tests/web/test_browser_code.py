"""A code link with GitHub stars on a card and on a paper page, in headless Chromium against `paperhub serve`:
links found in the abstract as the papers land, stars asked by `paperhub links stars` of a local GitHub."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Reply
from tests.web.test_browser import SCREENSHOTS, _chromium, _recent, shot

pytestmark = pytest.mark.browser
REPO = (Path(__file__).parent.parent / "fixtures" / "github_repo.json").read_bytes()


@pytest.fixture
def code_hub(hub, source_server) -> Iterator[str]:
    source_server.routes["/repos/mrazhou/seta"] = lambda q: Reply(REPO, headers={"ETag": '"e1"'})
    hub.env.update(PAPERHUB_FEED_CATEGORIES="cs.CL", PAPERHUB_GITHUB_API_URL=source_server.url,
                   PAPERHUB_GITHUB_DELAY="0")
    hub.ingest("papers.jsonl", [
        _recent("2611.20001", 1, "Scale efficient training", abstract="We prune data. Code is available at "
                "https://github.com/mrazhou/SeTa. Project page: https://mrazhou.github.io/seta/"),
        _recent("2611.20002", 1, "A paper without code"),
    ])
    assert "1 repositories checked (1 stars" in hub.run("links", "stars").stdout
    hub.run("index", "update")
    with hub.serving(1) as served:
        yield served.url


def test_code_link_with_stars_on_a_card_and_a_page(code_hub):
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
        page = browser.new_page(base_url=code_hub, viewport={"width": 1200, "height": 900})
        page.goto("/")
        card = page.locator("article.card", has_text="Scale efficient training")
        code = card.get_by_role("link", name="Code ★ 1.2k")
        expect(code).to_have_attribute("href", "https://github.com/mrazhou/SeTa")
        expect(code).to_have_attribute("rel", "noopener nofollow ugc")
        expect(card.get_by_role("link", name="Project page")).to_have_attribute("href", "https://mrazhou.github.io/seta/")
        expect(page.locator("article.card", has_text="A paper without code").locator(".code-link")).to_have_count(0)
        shot(page, "code-card")
        card.get_by_role("link", name="Scale efficient training").click()
        links = page.get_by_role("navigation", name="Links")
        expect(links.get_by_role("link", name="Code ★ 1.2k")).to_have_attribute("href", "https://github.com/mrazhou/SeTa")
        expect(links.get_by_role("link", name="Project page")).to_be_visible()
        shot(page, "code-page")
        page.goto("/papers/search?q=&code=1")
        expect(page.locator("article.card")).to_have_count(1)
        expect(page.get_by_label("Has code")).to_be_checked()
        browser.close()
