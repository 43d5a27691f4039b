"""A comment's actions in headless Chromium: Reply, Edit and Delete on one line, each foldout opening below them,
with JavaScript off (the page as the test client renders it, with the site's stylesheet)."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from paperhub.community.models import Comment
from tests.factories import add_paper, user
from tests.web.test_browser import SCREENSHOTS, _chromium

pytestmark = pytest.mark.browser

STYLESHEET = Path(__file__).resolve().parents[2] / "paperhub" / "web" / "static" / "web" / "site.css"


def test_a_comments_actions_share_one_line_and_open_below_it(db, search_dir):
    from playwright.sync_api import expect, sync_playwright

    ann = user("ann")
    paper = add_paper("2611.00001", published=timezone.now())
    Comment.objects.create(paper=paper, user=ann, body="Does this hold for **long** inputs?")
    client = Client()
    client.force_login(ann)
    html = client.get(f"/papers/{paper.uid}").content.decode()  # (before Playwright: its loop bars the database)
    link = re.search(r'<link rel="stylesheet" href="[^"]*/site\.css">', html)[0]
    html = html.replace(link, f"<style>{STYLESHEET.read_text()}</style>")  # (a page without scripts, so inline)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
        page = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900}).new_page()
        page.route("**/*", lambda route: route.abort())  # the page's own scripts and stylesheet URL: not here
        page.set_content(html)
        comment = page.locator(".comment").first
        reply, edit = comment.locator("summary", has_text="Reply"), comment.get_by_role("link", name="Edit")
        delete = comment.locator("summary", has_text="Delete")
        boxes = [item.bounding_box() for item in (reply, edit, delete)]
        assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 4, boxes  # one line
        assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"] and boxes[2]["x"] < 400, boxes  # compact, in order
        comment.screenshot(path=str(SCREENSHOTS / "comment-actions.png"))
        delete.click()  # a foldout, no script: it opens below the row, and the other actions stay put
        confirm = comment.get_by_label("Yes, delete this comment")
        expect(confirm).to_be_visible()
        assert confirm.bounding_box()["y"] > boxes[0]["y"] + boxes[0]["height"]
        assert reply.bounding_box() == boxes[0] and edit.bounding_box() == boxes[1]
        comment.screenshot(path=str(SCREENSHOTS / "comment-actions-delete-open.png"))
        reply.click()
        expect(comment.get_by_label("Reply to ann")).to_be_visible()
        comment.screenshot(path=str(SCREENSHOTS / "comment-actions-reply-open.png"))
        browser.close()
