"""For you in headless Chromium: cold start, feedback changing the feed, import, following an author, and a saved
search reaching an email digest (through a real SMTP server on loopback). Screenshots: 10-... to 14-..."""

import re
import time
from collections.abc import Iterator

import pytest

from tests.conftest import free_port
from tests.web.test_browser import SCREENSHOTS, _chromium, _recent, shot

pytestmark = pytest.mark.browser

PAPERS = [
    ("2611.20001", "Protein folding with diffusion models", "q-bio.BM", "Rosalind Franklin, Linus Pauling"),
    ("2611.20002", "Protein structure prediction from sequences", "q-bio.BM", "Linus Pauling, Ada Byron"),
    ("2611.20003", "Enzyme design with protein language models", "q-bio.BM", "Rosalind Franklin"),
    ("2611.20004", "Antibody binding affinity of proteins", "q-bio.BM", "Linus Pauling"),
    ("2611.20005", "Cryo-EM maps of protein complexes", "q-bio.BM", "Dorothy Hodgkin"),
    ("2611.20006", "Galaxy clusters and dark matter halos", "astro-ph.CO", "Vera Rubin"),
    ("2611.20007", "Gravitational lensing of distant galaxies", "astro-ph.CO", "Vera Rubin, Edwin Hubble"),
    ("2611.20008", "Robot grasping with reinforcement learning", "cs.RO", "Rodney Brooks"),
    ("2611.20009", "Legged locomotion from simulation to reality", "cs.RO", "Rodney Brooks"),
    ("2611.20010", "In-context learning in large language models", "cs.CL", "Alan Turing"),
]


@pytest.fixture
def page(hub, mail_sink) -> Iterator:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    hub.env.update(PAPERHUB_SIGNUP_OPEN="true", PAPERHUB_EMAIL_HOST="127.0.0.1",
                   PAPERHUB_EMAIL_PORT=str(mail_sink.port))
    hub.ingest("papers.jsonl", [
        {**_recent(uid, 1, title, categories, f"We study {title.lower()}: methods, data and results."),
         "authors": authors, "authors_parsed": [[n.split()[-1], " ".join(n.split()[:-1]), ""] for n in authors.split(", ")]}
        for uid, title, categories, authors in PAPERS])
    hub.run("index", "update")
    port = free_port()
    hub.env["PAPERHUB_BASE_URL"] = f"http://127.0.0.1:{port}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with hub.serving(1, port=port) as served, sync_playwright() as playwright:
        url = served.url
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=url, viewport={"width": 1200, "height": 900})
        context.set_default_timeout(60_000)  # a first For you page may load the embedding model for a liked text
        tab = context.new_page()
        problems: list[str] = []
        tab.on("pageerror", lambda error: problems.append(str(error)))
        yield tab
        browser.close()
        assert not problems, f"JavaScript errors: {problems}"


def test_for_you_from_cold_start_to_a_personal_digest(page, hub, mail_sink, tmp_path):
    from playwright.sync_api import expect

    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Email", exact=True).fill("reader@example.org")
    page.get_by_label("Password", exact=True).fill("a-good-long-passphrase")
    page.get_by_label("Password confirmation").fill("a-good-long-passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".messages")).to_contain_text("Welcome, reader!")  # (the goto below would cancel its answer)

    # The address gets digests' personal part only once verified: the link comes by mail, from the queue
    for _ in range(300):
        if mail_sink.messages:
            break
        time.sleep(0.1)
    verify = re.search(r"http://127\.0\.0\.1:\d+(/accounts/verify/\S+)", mail_sink.messages[-1].get_content())[1]
    page.goto(verify)
    page.get_by_role("button", name="Verify my address").click()
    expect(page.locator("h1")).to_have_text("Address verified")

    # Cold start: nothing known yet, so the page asks; pick one paper (htmx, no reload)
    page.get_by_role("link", name="For you").click()
    expect(page.locator("h2#start")).to_have_text("Tell us what you read")
    shot(page, "10-for-you-cold-start")
    page.locator(".pick", has_text="Protein folding with diffusion models").get_by_role(
        "button", name="More like this").click()
    expect(page.locator(".pick", has_text="Protein folding with diffusion models")).to_contain_text("Picked")
    page.reload()
    # the page never builds the recommendation space: until serve's watcher or worker has, it says so
    for _ in range(120):
        if not page.locator("#preparing").count():
            break
        expect(page.locator("#preparing")).to_contain_text("Your recommendations are being prepared")
        page.wait_for_timeout(500)
        page.reload()
    cards = page.locator(".pick article.card h2")
    expect(cards.first).to_contain_text(re.compile("Protein|Enzyme|Antibody|Cryo"))
    expect(page.locator(".reasons").first).to_contain_text("Why:")
    shot(page, "11-for-you-picks")

    # Feedback changes the feed: "Not interested" removes the card at once and for good
    first = cards.first.inner_text()
    page.locator(".pick").first.get_by_role("button", name="Not interested").click()
    expect(page.locator(".pick").first).to_contain_text("Noted")
    page.reload()
    expect(page.locator(".pick article.card h2", has_text=first)).to_have_count(0)

    # Import a BibTeX library: matched by arXiv id, plus one entry kept from its text
    bib = tmp_path / "library.bib"
    bib.write_text("@article{r, title={Gravitational lensing}, eprint={2611.20007}, archivePrefix={arXiv}}\n"
                   "@article{q, title={Quasars in radio surveys}, abstract={Radio telescopes watch quasars.}}\n")
    page.get_by_label("BibTeX (.bib) or Zotero CSL JSON (.json)").set_input_files(str(bib))
    page.get_by_role("button", name="Import").click()
    # A worker of `serve` matches it; the list of imports polls until it is done
    expect(page.locator("#imports")).to_contain_text("done: 1 found in this hub, 1 kept from their title",
                                                    timeout=30_000)
    page.reload()
    expect(page.locator("main")).to_contain_text("Quasars in radio surveys")
    shot(page, "12-for-you-imported")

    # Follow an author from their page
    page.goto("/papers/2611.20008")
    page.get_by_role("link", name="Rodney Brooks").click()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("button", name="Unfollow")).to_be_focused()  # the page's own form, swapped in
    expect(page.locator("main")).to_contain_text("You follow Rodney Brooks")
    page.goto("/for-you")
    expect(page.locator("main")).to_contain_text("Rodney Brooks")
    expect(page.locator(".reasons", has_text="whom you follow").first).to_be_visible()

    # Save a search; subscribe with the account's address, offered and verified already: no confirmation mail
    page.get_by_placeholder("Search papers, authors, topics").fill("language models")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save this search").click()
    expect(page.locator(".messages")).to_contain_text("Saved “language models”")
    shot(page, "13-saved-search")
    expect(page.get_by_label("Get the top papers by email")).to_have_value("reader@example.org")
    mailed = len(mail_sink.messages)
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".messages")).to_contain_text("reader@example.org gets the daily digest from now on")

    # The daily digest carries the saved search's new paper, the followed author's, and feedback links
    hub.run("digests", "send", "--frequency", "daily")
    digest = mail_sink.messages[-1]
    assert len(mail_sink.messages) == mailed + 1  # the digest alone: subscribing mailed nothing
    text = digest.get_body(("plain",)).get_content()
    assert 'Your search "language models"' in text and "In-context learning in large language models" in text
    assert "From authors you follow" in text and "Robot grasping with reinforcement learning" in text
    link = re.search(r"More like this: http://127\.0\.0\.1:\d+(/for-you/feedback/\S+)", text)[1]
    page.goto(link)
    page.get_by_role("button", name="Upvote it").click()
    expect(page.locator("h1")).to_have_text("Thanks")
    shot(page, "14-digest-feedback")
