"""The Zotero page in headless Chromium follows a sync by itself: `serve`'s worker syncs against a Zotero API on
loopback that holds its answer until the test lets it go, and the page shows the result without a reload."""

import re
import threading
import time

import pytest

from tests.conftest import Reply
from tests.web.test_browser import _chromium

pytestmark = pytest.mark.browser

KEY = "P9NiFoyLeZu2bZNvvuQPDWsd"


def test_the_zotero_page_follows_a_sync_until_it_ends(hub, source_server):
    from playwright.sync_api import expect, sync_playwright

    answer = threading.Event()

    def items(query: dict[str, str]) -> Reply:
        answer.wait(60)  # the worker's sync waits here, so the page is seen while it is busy
        return Reply(
            b"[]", headers={"Content-Type": "application/json", "Last-Modified-Version": "1450", "Total-Results": "0"}
        )

    source_server.routes["/users/475425/items"] = items
    hub.env.update(PAPERHUB_ZOTERO_API_URL=source_server.url, PAPERHUB_ZOTERO_DELAY="0", PAPERHUB_HTTP_TIMEOUT="90")
    hub.run(
        "shell",
        "-v0",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_user('reader', 'r@example.org', 'a-good-long-passphrase')",
    )
    with hub.serving(1) as served, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
        page = browser.new_context(base_url=served.url).new_page()
        page.set_default_timeout(15_000)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        polls: list[float] = []
        page.on(
            "request", lambda r: polls.append(time.monotonic()) if r.url.endswith("/for-you/zotero/status") else None
        )
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("reader")
        page.get_by_label("Password").fill("a-good-long-passphrase")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("header")).to_contain_text("reader")  # (a goto now would cancel the login's answer)
        page.goto("/for-you/zotero")
        page.get_by_label("Library id").fill("475425")
        page.get_by_label("API key").fill(KEY)
        page.get_by_role("button", name="Connect").click()

        status = page.locator("#zotero-status")
        expect(status).to_contain_text("A sync or push is on its way")
        expect(status).to_have_attribute("hx-trigger", "every 3s")
        with page.expect_request(re.compile(r".*/for-you/zotero/status$"), timeout=10_000):
            pass  # it asks again while the worker waits for Zotero
        expect(status).to_contain_text("on its way")
        page.evaluate("window.notReloaded = true")
        answer.set()  # Zotero answers; the worker finishes the sync and writes it down
        expect(status).to_contain_text("library version 1450", timeout=20_000)
        expect(status).to_contain_text("Last sync or push")
        expect(status).not_to_contain_text("on its way")
        assert page.evaluate("window.notReloaded") is True  # swapped in place, not reloaded
        assert status.evaluate("e => e.hasAttribute('hx-get') || e.hasAttribute('hx-trigger')") is False
        finished = len(polls)
        page.wait_for_timeout(4_000)
        assert len(polls) == finished  # polling stopped with the result
        browser.close()
    assert not problems, f"JavaScript errors: {problems}"
