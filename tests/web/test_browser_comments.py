"""A comment's actions in headless Chromium: Reply, Edit and Delete on one line, each foldout's form opening below
them while the three stay put, its own summary included, at 1200 and 375 px, on a comment and on a reply (indented);
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
    first = Comment.objects.create(paper=paper, user=ann, body="Does this hold for **long** inputs?")
    Comment.objects.create(paper=paper, user=ann, parent=first, body="Table 4 has lengths up to 8k.")
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
        delete.click()  # a foldout, no script: its form opens below the row, and the actions stay put, its own too
        confirm = comment.get_by_label("Yes, delete this comment")
        expect(confirm).to_be_visible()
        assert confirm.bounding_box()["y"] > boxes[0]["y"] + boxes[0]["height"]
        assert [item.bounding_box() for item in (reply, edit, delete)] == boxes
        comment.screenshot(path=str(SCREENSHOTS / "comment-actions-delete-open.png"))
        reply.click()
        expect(comment.get_by_label("Reply to ann")).to_be_visible()
        assert [item.bounding_box() for item in (reply, edit, delete)] == boxes
        comment.screenshot(path=str(SCREENSHOTS / "comment-actions-reply-open.png"))
        page.set_viewport_size({"width": 375, "height": 800})  # a phone: the reply, indented, its Reply opened
        answer = page.locator(".comment.reply").first
        row = answer.locator(":scope > .actions")
        row.scroll_into_view_if_needed()
        items = [row.locator("summary", has_text="Reply"), row.get_by_role("link", name="Edit"),
                 row.locator("summary", has_text="Delete")]
        narrow = [item.bounding_box() for item in items]
        assert max(b["y"] for b in narrow) - min(b["y"] for b in narrow) < 4, narrow
        items[0].click()
        form = row.locator("form").first
        expect(form).to_be_visible()
        assert [item.bounding_box() for item in items] == narrow
        placed, line = form.bounding_box(), row.bounding_box()
        assert placed["y"] > narrow[0]["y"] + narrow[0]["height"], (placed, narrow)  # below the row
        assert placed["x"] == line["x"] and placed["width"] == line["width"], (placed, line)  # the row's full width
        answer.screenshot(path=str(SCREENSHOTS / "comment-actions-reply-open-375.png"))
        browser.close()
