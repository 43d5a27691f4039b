"""A new user's first visit, in headless Chromium (Playwright) against `paperhub serve`, with screenshots.

Screenshots land in test-artifacts/screenshots/ (CI keeps them as artifacts).
"""

import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.factories import snapshot_object

CHROMIUM = os.environ.get("PAPERHUB_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser


def _chromium() -> str:
    if not shutil.which(CHROMIUM):
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set PAPERHUB_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def _recent(arxiv_id: str, days_ago: int, title: str, categories: str = "cs.CL", abstract: str = "") -> dict:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    return snapshot_object(arxiv_id, title=title, categories=categories,
                           abstract=abstract or f"We study {title.lower()} with $O(n \\log n)$ cost.",
                           versions=[{"version": "v1", "created": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}],
                           update_date=when.strftime("%Y-%m-%d"))


@pytest.fixture(scope="module")
def served_hub(module_hub) -> Iterator[str]:
    """A hub with a few recent papers in its feeds (a category rule), indexed, served by gunicorn: one for the
    module (a served hub takes 15-20 s to build); each test acts as a user of its own, on papers of its own."""
    hub = module_hub
    hub.env.update(PAPERHUB_FEED_CATEGORIES="cs.CL", PAPERHUB_SIGNUP_OPEN="true",
                   PAPERHUB_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    hub.ingest("papers.jsonl", [
        _recent("2611.10001", 1, "Sparse attention for long documents"),
        _recent("2611.10002", 1, "Retrieval augmented generation at scale"),
        _recent("2611.10003", 2, "Attention sinks in streaming language models"),
        _recent("2611.10004", 9, "Multilingual instruction tuning"),
        _recent("2611.10005", 1, "Neural radiance fields from sparse views", categories="cs.CV"),  # no rule
        _recent("2611.10006", 3, "Tokenizer " + "x" * 300, abstract="Code: https://example.org/" + "y" * 300),
    ])
    hub.run("index", "update")
    with hub.serving(2) as served:
        yield served.url


@pytest.fixture
def page(served_hub: str):
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=served_hub, viewport={"width": 1200, "height": 900})
        context.set_default_timeout(15_000)
        tab = context.new_page()
        problems: list[str] = []
        tab.on("pageerror", lambda error: problems.append(str(error)))
        yield tab
        browser.close()
        assert not problems, f"JavaScript errors: {problems}"


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_new_user_walks_through_the_hub(page):
    from playwright.sync_api import expect

    # Home: today's feed, most upvoted first; reading works for anyone
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Daily papers")
    expect(page.locator("article.card")).not_to_have_count(0)
    shot(page, "01-home")

    # Sign up
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("newreader")
    page.get_by_label("Email", exact=True).fill("newreader@example.org")
    page.get_by_label("Password", exact=True).fill("a-good-long-passphrase")
    page.get_by_label("Password confirmation").fill("a-good-long-passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".messages")).to_contain_text("Welcome, newreader!")

    # Browse days and weeks
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Week")
    previous = page.locator("a[rel=prev]").first
    before = previous.get_attribute("href")
    previous.click()  # (the week before says "Week" too: wait for its address, or the next click lands on this one)
    expect(page).to_have_url(re.compile(re.escape(before) + "$"))
    expect(page.locator("h1")).to_contain_text("Week")
    page.get_by_role("link", name="Daily", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Daily papers")  # (a week's page has a "Day" link too)
    page.get_by_role("link", name="Day", exact=True).click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^\w+day, \d+ \w+ \d{4}$"))  # not the home's "Daily papers · …"

    # Search from the header box
    page.get_by_placeholder("Search papers, authors, topics").fill("sparse attention")
    page.keyboard.press("Enter")
    expect(page.locator("article.card mark").first).to_be_visible()
    expect(page.locator("article.card h2").first).to_contain_text("Sparse")
    shot(page, "02-search")

    # Open a paper
    page.locator("article.card h2 a").first.click()
    expect(page.locator("h1")).to_have_text("Sparse attention for long documents")
    expect(page.locator(".abstract .math")).to_contain_text("O(n log n)")

    # Upvote without a reload (htmx), and it stays after one
    vote = page.locator("main form.vote button").first
    expect(vote).to_have_attribute("aria-pressed", "false")
    vote.click()
    expect(page.locator("main form.vote button").first).to_have_attribute("aria-pressed", "true")
    expect(page.locator("main form.vote .count").first).to_have_text("1")
    expect(page.locator("#votes")).to_contain_text("1 upvote in all")  # its chart redrawn too (out of band)
    page.reload()
    expect(page.locator("main form.vote .count").first).to_have_text("1")

    # Comment, then reply to the comment
    page.get_by_label("Add a comment").fill("Does this hold for **long** inputs?")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".comment .text strong")).to_have_text("long")
    page.locator(".comment summary", has_text="Reply").first.click()
    page.get_by_label("Reply to newreader").fill("Answering myself: yes, up to 64k tokens.")
    page.get_by_role("button", name="Reply", exact=True).click()
    expect(page.locator(".comment.reply .text")).to_contain_text("64k tokens")

    # A refused comment says why where it was sent, in place; math and bare links show in comments
    page.get_by_label("Add a comment").fill("   ")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comment-list [role=alert]")).to_have_text("A comment needs some text.")
    page.get_by_label("Add a comment").fill(r"So $a*b*c$ is \(\alpha\), see https://example.org/x.")
    page.get_by_role("button", name="Comment", exact=True).click()
    mine = page.locator(".comment", has_text="example.org")
    expect(mine.locator(".text .math")).to_have_text(["a*b*c", "α"])
    expect(mine.locator(".text a")).to_have_attribute("href", "https://example.org/x")
    expect(page.locator("#comment-list [role=alert]")).to_have_count(0)

    # Deleting asks first: the box must be ticked
    mine.locator("summary", has_text="Delete").click()
    delete = mine.locator("form[action$='/delete']")
    assert delete.evaluate("form => form.checkValidity()") is False  # unticked, the browser will not send it
    mine.get_by_label("Yes, delete this comment").check()
    mine.get_by_role("button", name="Delete").click()
    expect(page.locator(".messages")).to_contain_text("Your comment is deleted.")
    expect(page.locator(".comment", has_text="example.org")).to_have_count(0)

    # Make a collection holding this paper
    page.get_by_label("New collection with this paper").fill("Long context reading group")
    page.get_by_role("button", name="Create and save").click()
    expect(page.locator("aside")).to_contain_text("Long context reading group")
    shot(page, "03-paper")
    page.emulate_media(color_scheme="dark")
    shot(page, "04-paper-dark")
    page.emulate_media(color_scheme="light")
    page.get_by_role("link", name="Long context reading group").click()
    expect(page.locator("h1")).to_have_text("Long context reading group")
    expect(page.locator("article.card")).to_have_count(1)
    expect(page.locator("main p.meta").first).to_contain_text("updated just now")
    # A note hangs from its paper's card, close under it with a rule down its side, not halfway to the next one
    page.locator("summary", has_text="Add a note").click()
    page.locator("textarea[name=note]").fill("Read **§3** first")
    page.get_by_role("button", name="Save note").click()
    note = page.locator(".note")
    expect(note).to_have_text("Read §3 first")
    card, box = page.locator("article.card").bounding_box(), note.bounding_box()
    assert 0 <= box["y"] - (card["y"] + card["height"]) <= 8 and box["x"] > card["x"], (card, box)
    assert note.evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid"

    # Submit a paper that is in no feed yet: it lands in today's
    page.get_by_role("link", name="Submit").click()
    page.get_by_label("arXiv id or URL").fill("https://arxiv.org/abs/2611.10005v1")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_contain_text("it is being fetched from arXiv")
    # A worker of `serve` fetches it; the list polls until it says how it went
    expect(page.locator("#submissions")).to_contain_text("in the feed: Neural radiance fields", timeout=30_000)
    page.goto("/papers/date/" + datetime.now(UTC).strftime("%Y-%m-%d"))
    expect(page.locator("article.card h2", has_text="Neural radiance fields")).to_be_visible()
    shot(page, "05-today")

    # The profile shows what the user did
    page.get_by_role("link", name="newreader").click()
    expect(page.locator("main")).to_contain_text("Long context reading group")
    expect(page.locator("main")).to_contain_text("Does this hold for")
    shot(page, "06-profile")

    # Subscribe to the digest from the form at the foot of the page
    page.get_by_label("Get the top papers by email").fill("newreader@example.org")
    page.get_by_label("How often").select_option("weekly")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".messages")).to_contain_text("we are sending you an email with a link to confirm")

    # Keyboard: the first Tab reaches the skip link
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()

    # A phone: one column, nothing wider than the screen, not even a 300-character word or a form's textarea
    page.set_viewport_size({"width": 375, "height": 812})
    for path in ("/", "/papers/2611.10001", "/papers/2611.10006", "/papers/search?q=attention", "/for-you"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.goto("/papers/2611.10001")
    shot(page, "07-paper-phone")


def test_reading_works_without_javascript(served_hub):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=served_hub, java_script_enabled=False)
        page = context.new_page()
        page.goto("/")
        page.locator("article.card h2 a").first.click()
        expect(page.locator(".abstract")).to_be_visible()
        page.locator("main form.vote button").first.click()  # a plain form post: off to log in
        expect(page).to_have_url(re.compile(r".*/accounts/login/.*"))
        browser.close()


def test_pages_keep_to_their_content_security_policy(module_hub, served_hub):
    """No page breaks the CSP (issue 16, item 6): no violation in the console, and htmx still upvotes in place."""
    from playwright.sync_api import expect, sync_playwright

    module_hub.run("shell", "-v0", "-c", "from django.contrib.auth.models import User; "
                                         "User.objects.create_user('reader', 'r@example.org', 'a-good-long-passphrase')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=served_hub, permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.on("pageerror", lambda error: console.append(str(error)))
        for path in ("/", "/papers/trending", "/papers/search?q=attention", "/trends", "/map", "/papers/2611.10001",
                     "/authors/x-1", "/api/docs", "/accounts/login/"):
            response = page.goto(path)
            assert response and "script-src 'self'" in response.headers.get("content-security-policy", ""), path
        expect(page.locator("#swagger-ui, form")).not_to_have_count(0)
        page.get_by_label("Username").fill("reader")
        page.get_by_label("Password").fill("a-good-long-passphrase")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("header")).to_contain_text("reader")  # (a goto now would cancel the login's answer)
        page.goto("/papers/2611.10002")  # (the walk-through upvotes 2611.10001 and counts its votes)
        with page.expect_request(lambda r: "/upvote/" in r.url and r.headers.get("hx-request") == "true"):
            page.locator("main form.vote button").first.click()
        expect(page.locator("main form.vote button").first).to_have_attribute("aria-pressed", "true")
        page.locator("summary", has_text="BibTeX").click()  # the copy button's script is a static file now
        page.get_by_role("button", name="Copy BibTeX").click()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        page.goto("/api/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("paperhub API")
        browser.close()
    violations = [line for line in console if "Content Security Policy" in line or "Refused to" in line]
    assert not violations, violations


AXE_PAGES = ("/", "/papers/search?q=attention", "/papers/search?q=atention", "/papers/search?q=zzqxw",
             "/papers/2611.10001", "/accounts/login/", "/map")


def test_main_pages_pass_axe_and_keep_the_keyboard(module_hub, page):
    """axe-core finds nothing serious or critical on the main pages, on a desktop (light) and a phone (dark); an
    upvote made with the keyboard keeps the focus on its button, named and described (docs/web.md, Accessibility)."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    axe, found = Axe(), []
    for width, scheme in ((1280, "light"), (375, "dark")):
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        for path in AXE_PAGES:
            page.goto(path)
            found += [f"{path} ({width} px, {scheme}): {rule['id']}: {rule['help']}: "
                      f"{[node['target'] for node in rule['nodes']][:3]}"
                      for rule in axe.run(page).response["violations"] if rule["impact"] in ("serious", "critical")]
    assert not found, "\n".join(found)

    module_hub.run("shell", "-v0", "-c", "from django.contrib.auth.models import User; "
                                         "User.objects.create_user('keys', 'k@example.org', 'a-good-long-passphrase')")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("keys")
    page.get_by_label("Password").fill("a-good-long-passphrase")
    page.keyboard.press("Enter")
    expect(page.locator("header")).to_contain_text("keys")
    page.goto("/papers/search?q=streaming")
    vote = page.locator("main form.vote button").first
    expect(vote).to_have_accessible_name("Upvote (0 upvotes)")
    expect(vote).to_have_accessible_description("Attention sinks in streaming language models")
    vote.focus()
    page.keyboard.press("Enter")  # htmx swaps the form: the new button takes the focus, pressed
    expect(page.locator("main form.vote button[aria-pressed=true]")).to_be_focused()
    expect(page.locator("main form.vote button").first).to_have_accessible_name("Upvote (1 upvote)")


SEED = """
from django.contrib.auth.models import User
from django.utils import timezone
from paperhub.community.models import Submission
from paperhub.core.sealing import seal
from paperhub.digests.models import Subscription
from paperhub.digests.subscriptions import confirm_token
from paperhub.recommend.models import ImportJob, ZoteroLink
user = User.objects.create_user('signed', 'signed@example.org', 'a-good-long-passphrase')
today = timezone.now().date()
Submission.objects.create(user=user, arxiv_id='2611.99998', day=today, status='failed', message='No such paper.')
Submission.objects.create(user=user, arxiv_id='2611.99999', day=today)
ImportJob.objects.create(user=user, name='old.bib', status='failed', message='Not BibTeX.', errors=['line 3: no title'])
ImportJob.objects.create(user=user, name='mine.bib', entries=4, done=1, status='running')
ZoteroLink.objects.create(user=user, library_id='475425', sealed_key=seal('k' * 24), key_end='kkkk',
                          busy_since=timezone.now())
print(confirm_token(Subscription.objects.create(email='signed@example.org', frequency='weekly')))
"""
ENDED = """
from django.utils import timezone
from paperhub.community.models import Submission
from paperhub.recommend.models import ImportJob, ZoteroLink
Submission.objects.filter(arxiv_id='2611.99999').update(status='failed', message='arXiv has no 2611.99999.')
ImportJob.objects.filter(name='mine.bib').update(status='done', done=4, matched=3, already=1)
ZoteroLink.objects.update(busy_since=None, synced_at=timezone.now(), message='Synced 7 items.', items=7)
"""
VERIFIED = """
from django.contrib.auth.models import User
from paperhub.accounts.models import VerifiedAddress
VerifiedAddress.objects.create(user=User.objects.get(username='signed'), email='signed@example.org')
"""
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_signed_in_pages_pass_axe_and_say_what_was_wrong(module_hub, page):
    """The pages a signed-in user uses, in their states (refused forms, open foldouts, polling lists), pass axe's
    WCAG 2.1 A and AA rules at 320 px without scrolling sideways (reflow); a refused form's wrong fields are marked,
    described by their errors and the first is focused; a polled list reads out only an item that ended
    (docs/web.md, Accessibility)."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    token = module_hub.run("shell", "-v0", "-c", SEED).stdout.strip()
    axe, found = Axe(), []
    page.set_viewport_size({"width": 320, "height": 640})  # 1280 px at 400 %: WCAG 1.4.10's reflow width

    def check(state: str) -> None:
        found.extend(f"{state}: {rule['id']}: {rule['help']}: {[node['target'] for node in rule['nodes']][:3]}"
                     for rule in axe.run(page, options=WCAG).response["violations"])
        if page.evaluate("document.documentElement.scrollWidth") > 320:
            found.append(f"{state}: wider than 320 px")

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("signed")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    for name in ("Username", "Password"):  # the form's own error concerns both, and is read with each
        expect(page.get_by_label(name)).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label(name)).to_have_accessible_description(re.compile("correct username and password"))
    expect(page.get_by_label("Username")).to_be_focused()
    check("login, wrong password")
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email", exact=True).fill("x@example.org")
    page.get_by_label("Password", exact=True).fill("a-good-long-passphrase")
    page.get_by_label("Password confirmation").fill("another-long-passphrase")
    page.get_by_role("button", name="Sign up").click()
    confirmation = page.get_by_label("Password confirmation")
    expect(confirmation).to_be_focused()  # the first wrong field, not the username Django focuses otherwise
    expect(confirmation).to_have_attribute("aria-invalid", "true")
    expect(confirmation).to_have_accessible_description(re.compile("didn.t match"))
    expect(page.get_by_label("Username")).not_to_have_attribute("aria-invalid", "true")
    check("signup, invalid")

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("signed")
    page.get_by_label("Password").fill("a-good-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header")).to_contain_text("signed")
    for path in ("/accounts/authorship/", "/accounts/digest/", f"/digests/confirm/{token}", "/users/signed", "/collections/",
                 "/accounts/password_reset/", "/accounts/password_change/"):
        page.goto(path)
        check(path)
    page.get_by_label("Current password").fill("wrong")
    page.get_by_label("New password").fill("short")
    page.get_by_label("Again").fill("short")
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_label("Current password")).to_be_focused()
    check("password change, refused")
    page.goto("/accounts/email/")
    page.get_by_label("New address").fill("new@example.org")
    page.get_by_label("Your current password").fill("wrong")
    page.get_by_role("button", name="Change my address").click()
    expect(page.get_by_label("Your current password")).to_be_focused()
    check("email, change refused")
    page.goto("/accounts/tokens/")
    page.get_by_label("Name").fill("script")
    page.get_by_role("button", name="Make a token").click()
    expect(page.locator("#new-token")).to_be_visible()  # (axe run while the page is being replaced finds no document)
    check("tokens, a new one")
    page.goto("/papers/2611.10004")
    page.get_by_label("New collection with this paper").fill("Tuning")
    page.get_by_role("button", name="Create and save").click()
    expect(page.locator("aside")).to_contain_text("Tuning")
    page.get_by_label("Add a comment").fill("A *first* comment.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".comment .text em")).to_have_text("first")
    page.get_by_label("Add a comment").fill(" ")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_label("Add a comment")).to_be_focused()
    for summary in page.locator("main summary").all():  # reply, delete, claim, BibTeX
        summary.click()
    check("paper, comment refused, foldouts open")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(re.compile(r"/comments/\d+/edit$"))
    check("comment edit")
    page.goto("/collections/signed/tuning")
    page.locator("summary", has_text="Edit or delete").click()
    check("collection, edit open")

    # Three polling pages at once: each reads out only the item that ended, once, and a focused button keeps the focus
    pages = {"/for-you/zotero": "Synced 7 items", "/papers/submit": "2611.99999", "/for-you": "mine.bib"}
    tabs = [page] + [page.context.new_page() for _ in range(2)]
    for tab, path in zip(tabs, pages, strict=True):
        tab.goto(path)
        expect(tab.locator("[data-state=waiting]")).to_have_count(1)
    check("/for-you/zotero, syncing")
    page.get_by_role("button", name="Sync now").focus()
    module_hub.run("shell", "-v0", "-c", ENDED)
    for tab, said in zip(tabs, pages.values(), strict=True):
        expect(tab.locator("#announce")).to_contain_text(said, timeout=10_000)
        expect(tab.locator("#announce")).not_to_contain_text("No such paper")  # (it had ended before)
    expect(page.get_by_role("button", name="Sync now")).to_be_focused()
    for path in ("/papers/submit", "/for-you"):
        page.goto(path)
        check(path)
    page.goto("/for-you/zotero")
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_label("API key")).to_be_visible()
    check("zotero, disconnected")
    module_hub.run("shell", "-v0", "-c", VERIFIED)  # her address proved: the digest page's form, the footer's line
    page.goto("/accounts/digest/")
    page.locator("main").get_by_label("How often").select_option("daily")
    page.get_by_role("button", name="Start the digest").click()
    expect(page.locator("footer")).to_contain_text("You get the daily digest at signed@example.org")
    check("digest, started")
    assert not found, "\n".join(found)


def test_a_card_on_a_phone_clamps_its_excerpt_and_a_desktops_does_not(page):
    """A phone's card was about a screen tall (its 45-word excerpt, the summary and every chip in full beside the
    vote column): at 390 px the excerpt is clamped to at most three lines, at 1200 px it is whole."""
    clamp = "e => [getComputedStyle(e).webkitLineClamp, e.clientHeight, parseFloat(getComputedStyle(e).lineHeight)]"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    for lines, height, line in page.locator("article.card .snippet").evaluate_all(f"all => all.map({clamp})"):
        assert lines in ("2", "3") and height < 4 * line
    shot(page, "phone-cards")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto("/")
    assert {lines for lines, _, _ in page.locator("article.card .snippet").evaluate_all(f"all => all.map({clamp})")} \
        == {"none"}
