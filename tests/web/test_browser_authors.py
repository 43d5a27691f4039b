"""Claimed authors and rank badges in headless Chromium: a user claims an author entry, a moderator approves it
in the admin, the author's comment carries the "author" mark, and a paper upvoted on its (finished) day shows its
"#N Paper of the ..." badge on its card and its page. Screenshots: 20-... to 22-..."""

import re
from collections.abc import Iterator

import pytest

from tests.web.test_browser import _chromium, _recent, shot

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "a-moderators-long-password"


@pytest.fixture
def browser(hub) -> Iterator:
    """A served hub with two papers in the feed of a finished day, a moderator, and Chromium."""
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    hub.env.update(PAPERHUB_FEED_CATEGORIES="cs.CL", PAPERHUB_SIGNUP_OPEN="true",
                   PAPERHUB_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    # a week ago: announced at most four days after (a Thursday's after the cutoff on Monday), so their feed day is
    # over whatever the hour (3 days ago, a Thursday after 14:00 ET was announced on Monday: not yet finished)
    hub.ingest("papers.jsonl", [_recent("2611.30001", 7, "Analytical engines for language"),
                                _recent("2611.30002", 7, "Notes on the difference engine")])
    hub.env["DJANGO_SUPERUSER_PASSWORD"] = ADMIN_PASSWORD
    hub.run("createsuperuser", "--noinput", "--username", "moderator", "--email", "mod@example.org")
    with hub.serving(2) as served, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        yield lambda: _tab(chromium, served.url)
        chromium.close()


def _tab(chromium, url: str):
    context = chromium.new_context(base_url=url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def _sign_up(tab, name: str) -> None:
    from playwright.sync_api import expect

    tab.goto("/accounts/signup/")
    tab.get_by_label("Username").fill(name)
    tab.get_by_label("Email", exact=True).fill(f"{name}@example.org")
    tab.get_by_label("Password", exact=True).fill("a-good-long-passphrase")
    tab.get_by_label("Password confirmation").fill("a-good-long-passphrase")
    tab.get_by_role("button", name="Sign up").click()
    expect(tab.locator(".messages")).to_contain_text(f"Welcome, {name}!")  # (a goto now would cancel its answer)


#: Ada's upvote, moved back to the start of her paper's feed day: cast today, it would count for no finished period
#: (docs/web.md#rank-badges), and only finished periods give badges.
CAST_ON_ITS_DAY = """
from paperhub.community.models import Upvote
from paperhub.papers import feeds
from paperhub.papers.models import FeedEntry
entry = FeedEntry.objects.get(paper__uid="2611.30001")
assert feeds.today() > entry.day
print(Upvote.objects.filter(paper_id=entry.paper_id).update(created_at=feeds.day_start(entry.day)))
"""


def test_a_claimed_author_is_marked_and_a_ranked_paper_wears_its_badge(browser, hub):
    from playwright.sync_api import expect

    ada = browser()
    _sign_up(ada, "ada")
    ada.goto("/papers/2611.30001")
    ada.get_by_text("Are you an author of this paper?").click()
    ada.get_by_label("I am").select_option(label="Ada Lovelace")
    ada.get_by_role("button", name="Claim").click()
    expect(ada.locator(".messages")).to_contain_text("Your claim as Ada Lovelace: waiting for a moderator")
    ada.locator("main form.vote button").first.click()  # her paper's only vote: #1 of its (finished) day
    expect(ada.locator("main form.vote button").first).to_have_attribute("aria-pressed", "true")
    assert hub.run("shell", "-v0", "-c", CAST_ON_ITS_DAY).stdout.strip() == "1"

    moderator = browser()
    moderator.goto("/admin/login/")
    moderator.get_by_label("Username").fill("moderator")
    moderator.get_by_label("Password").fill(ADMIN_PASSWORD)
    moderator.get_by_role("button", name="Log in").click()
    expect(moderator.locator("#user-tools")).to_contain_text("moderator")  # (the admin's own, signed in)
    moderator.goto("/admin/community/authorclaim/")
    moderator.locator("input[name=_selected_action]").first.check()
    moderator.locator("select[name=action]").select_option("approve")
    moderator.get_by_role("button", name="Go").click()
    expect(moderator.locator(".messagelist")).to_contain_text("Approved 1 claim(s).")

    ada.goto("/papers/2611.30001")
    ada.get_by_label("Add a comment").fill("Happy to answer questions about the engine.")
    ada.get_by_role("button", name="Comment").click()
    expect(ada.locator(".comment .author-mark")).to_have_text("author")

    reader = browser()
    _sign_up(reader, "reader")
    reader.goto("/papers/2611.30001")
    reader.get_by_label("Add a comment").fill("Does it compute Bernoulli numbers?")
    reader.get_by_role("button", name="Comment").click()
    comments = reader.locator("#comment-list .comment")
    expect(comments).to_have_count(2)
    expect(comments.nth(0).locator(".author-mark")).to_have_text("author")
    expect(comments.nth(1).locator(".author-mark")).to_have_count(0)
    expect(reader.locator("#authors .verified")).to_have_attribute("href", "/users/ada")
    badge = re.compile(r"#1 Paper of the (day|week|month)")
    expect(reader.locator("h1 + .meta .rank-badge")).to_have_text(badge)
    shot(reader, "20-claimed-author-and-badge")
    reader.locator(".rank-badge").first.click()  # the badge opens the period it ranked in
    card = reader.locator("article.card", has_text="Analytical engines for language")
    expect(card.locator(".rank-badge")).to_have_text(badge)
    expect(reader.locator("article.card", has_text="Notes on the difference engine").locator(".rank-badge")) \
        .to_have_count(0)
    shot(reader, "21-rank-badge-on-card")
    reader.goto("/users/ada")
    expect(reader.get_by_role("heading", name="Papers (verified author)")).to_be_visible()
    expect(reader.locator("article.card").first).to_contain_text("Analytical engines for language")
    shot(reader, "22-profile-authored")
