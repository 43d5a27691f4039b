"""Trend charts and the topic map in headless Chromium, light and dark, with screenshots (20-... to 27-...)."""

import re
import struct
from collections.abc import Iterator

import pytest

from tests.web.test_browser import SCREENSHOTS, _chromium, _recent, shot

pytestmark = pytest.mark.browser

TOPICS = {
    "cs.RO": ["Robot grasping with {}", "Legged robot locomotion with {}", "Robot navigation with {}"],
    "astro-ph.CO": ["Galaxy clusters and {}", "Dark matter halos and {}", "Gravitational lensing and {}"],
    "q-bio.BM": ["Protein folding with {}", "Enzyme design with {}", "Protein structure with {}"],
}

SETUP = """
from datetime import timedelta
import numpy as np
from django.contrib.auth.models import User
from django.utils import timezone
from paperhub.community.models import Upvote
from paperhub.community.services import upvote
from paperhub.papers.models import Paper
from paperhub.search.vector_files import follow_vectors
from paperhub.search.stored import store_vectors
rng = np.random.default_rng(3)
centres = {code: rng.normal(size=32) for code in ("cs.RO", "astro-ph.CO", "q-bio.BM")}
papers = list(Paper.objects.prefetch_related("paper_categories__category").order_by("id"))
vectors = [centres[p.paper_categories.all()[0].category.code] + 0.35 * rng.normal(size=32) for p in papers]
store_vectors("static", [p.id for p in papers], np.asarray(vectors, dtype=np.float32))
follow_vectors("static")
star = Paper.objects.get(uid="2611.20000")
for n in range(12):  # upvotes arriving over twelve days
    reader = User.objects.create_user(f"reader{n}")
    upvote(reader, star)
    Upvote.objects.filter(user=reader).update(created_at=timezone.now() - timedelta(days=12 - n))
"""


@pytest.fixture(scope="module")
def pictures(module_hub) -> Iterator[str]:
    """180 papers in three topics over nine weeks, upvotes on one, clustered vectors, a map built; served to both
    tests here, which only read (building it takes most of a minute)."""
    hub = module_hub
    records = []
    for t, (code, shapes) in enumerate(TOPICS.items()):
        for i in range(60):
            records.append(_recent(f"2611.{t}{i:04d}", (i * 7 + t * 3) % 63, shapes[i % 3].format(f"method {i}"),
                                   categories=code))
    hub.ingest("papers.jsonl", records)
    hub.run("shell", "-v0", "-c", SETUP)
    hub.run("index", "update")
    built = hub.run("map", "build", "--landmarks", "120", "--clusters", "3")
    assert "map of 180 papers built" in built.stdout
    with hub.serving(1) as served:
        yield served.url


def _browser(url: str, scheme: str):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=_chromium(), headless=True, args=["--no-sandbox"])
    context = browser.new_context(base_url=url, viewport={"width": 1200, "height": 900}, color_scheme=scheme)
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return playwright, browser, page, problems


def test_trend_charts_in_light_and_dark(pictures):
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    fills = {}
    for scheme in ("light", "dark"):
        manager, browser, page, problems = _browser(pictures, scheme)
        try:
            page.goto("/trends?weeks=8")  # within the nine weeks the hub holds (earlier weeks are not drawn)
            chart = page.locator("figure.chart")
            expect(chart.locator("svg[role=img] > title")).to_contain_text("Papers per week in")
            assert chart.locator("polyline").count() == 3 and chart.locator("circle").count() == 24
            expect(chart.locator("figcaption")).to_contain_text("3 series over 8 points")
            chart.locator("summary").click()  # the text alternative: a table of the same numbers
            expect(chart.locator("table tbody tr")).to_have_count(8)
            fills[scheme] = page.evaluate("getComputedStyle(document.querySelector('.chart .axis text')).fill")
            chart.screenshot(path=str(SCREENSHOTS / f"20-trends-{scheme}.png"))

            page.goto("/papers/search?q=robot")
            volume = page.locator("figure.chart")
            expect(volume.locator("svg > title")).to_contain_text("Papers with all of “robot” per month")
            assert volume.locator("rect").count() >= 2
            volume.screenshot(path=str(SCREENSHOTS / f"21-search-volume-{scheme}.png"))

            page.goto("/papers/2611.20000")
            votes = page.locator("section", has=page.locator("#votes-h")).locator("figure.chart")
            expect(votes.locator("svg > title")).to_have_text("Upvotes over time")
            last = votes.locator("circle title").last.text_content()
            assert last.endswith(": 12 upvotes"), last
            votes.screenshot(path=str(SCREENSHOTS / f"22-paper-upvotes-{scheme}.png"))
            assert not problems, problems
        finally:
            browser.close()
            manager.stop()
    assert fills["light"] != fills["dark"]  # the axes follow the theme


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _under_a_label(page) -> str:
    """The uid of the paper lying most squarely under a small topic's label (its centre), as the map shows them."""
    clusters = page.evaluate("JSON.parse(document.getElementById('map-data').textContent).clusters")
    body = page.request.get("/map/points.bin").body()
    (n,) = struct.unpack("<I", body[:4])
    xs = struct.unpack(f"<{n}f", body[4:4 + 4 * n])
    ys = struct.unpack(f"<{n}f", body[4 + 4 * n:4 + 8 * n])
    ids = struct.unpack(f"<{n}I", body[4 + 8 * n:4 + 12 * n])
    # a label is wide and short: a paper a little beside its centre is under it, one a little above is not
    _, best = min((abs(x - c["x"]) / 4 + abs(y - c["y"]), i) for c in clusters if c["level"] == "fine"
                  for x, y, i in zip(xs, ys, ids, strict=True))
    return page.request.get(f"/map/papers/{best}").json()["uid"]


def test_topic_map_zoom_pan_hover_and_click(pictures):
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    manager, browser, page, problems = _browser(pictures, "light")
    try:
        page.goto("/map?q=robot")
        canvas = page.locator("#topic-map")
        expect(canvas).to_have_attribute("data-ready", "1")
        assert canvas.get_attribute("data-points") == "180"
        expect(page.locator("ol.topics li")).to_have_count(3)
        topics = page.locator("ol.topics").inner_text().lower()
        assert "robot" in topics and "protein" in topics
        expect(page.locator(".legend")).to_contain_text("results for “robot”")
        shot(page, "23-map")

        # Hover a search result: its title shows; then click it: its page opens.
        data = page.evaluate("JSON.parse(document.getElementById('map-data').textContent)")
        _, x, y = data["search"][0]
        box = canvas.bounding_box()
        sx, sy = page.evaluate(f"window.paperhubMap.screenOf({x}, {y})")
        page.mouse.move(box["x"] + sx, box["y"] + sy)
        tip = page.locator("#map-tip")
        expect(tip).to_be_visible()
        expect(tip).to_contain_text(re.compile("Robot", re.I))
        shot(page, "24-map-hover")

        # Zoom with the wheel around the pointer, with the keyboard, and move with the arrows.
        page.mouse.wheel(0, -600)
        expect(canvas).not_to_have_attribute("data-scale", "1.00")
        zoomed = float(canvas.get_attribute("data-scale"))
        canvas.focus()
        page.keyboard.press("+")
        expect(canvas).not_to_have_attribute("data-scale", f"{zoomed:.2f}")
        before = page.evaluate("[window.paperhubMap.view.x, window.paperhubMap.view.y]")
        page.keyboard.press("ArrowRight")
        after = page.evaluate("[window.paperhubMap.view.x, window.paperhubMap.view.y]")
        assert after[0] > before[0] and after[1] == before[1]
        page.wait_for_timeout(400)  # the zoomed view's own points arrive
        shot(page, "25-map-zoomed")
        page.keyboard.press("0")
        expect(canvas).to_have_attribute("data-scale", "1.00")

        # Drag to pan: the view moves and nothing opens.
        start = page.evaluate("[window.paperhubMap.view.x, window.paperhubMap.view.y]")
        page.mouse.move(box["x"] + 300, box["y"] + 300)
        page.mouse.down()
        page.mouse.move(box["x"] + 380, box["y"] + 340, steps=5)
        page.mouse.up()
        # (a release taken for a click opens its paper only once the paper is fetched, later than the address below
        # is read; one taken for a drag has moved the view, and opens nothing)
        assert page.evaluate("[window.paperhubMap.view.x, window.paperhubMap.view.y]") != start
        assert page.url.endswith("/map?q=robot")

        sx, sy = page.evaluate(f"window.paperhubMap.screenOf({x}, {y})")
        page.mouse.click(box["x"] + sx, box["y"] + sy)
        page.wait_for_url(re.compile(r"/papers/2611\.0\d{4}$"))
        expect(page.locator("h1")).to_contain_text(re.compile("Robot|robot|locomotion"))
        assert not problems, problems
    finally:
        browser.close()
        manager.stop()

    manager, browser, page, problems = _browser(pictures, "dark")
    try:
        page.goto("/map")
        expect(page.locator("#topic-map")).to_have_attribute("data-ready", "1")
        shot(page, "26-map-dark")
        # from a paper's page: the map opens close in on the paper, ringed, among its similar papers
        page.goto("/map?paper=2611.00001")
        expect(page.locator("#topic-map")).to_have_attribute("data-scale", "8.00")
        expect(page.locator(".legend")).to_contain_text("of its similar papers")

        # the paper nearest under a small topic's label: the label moves off its ring, which stays in sight
        uid = _under_a_label(page)
        page.goto(f"/map?paper={uid}")
        expect(page.locator("#topic-map")).to_have_attribute("data-ready", "1")
        drawn = page.evaluate("window.paperhubMap.labels()")
        assert drawn["moved"] >= 1 and drawn["labels"] and len(drawn["rings"]) == 1, drawn
        ring = drawn["rings"][0]
        assert not any(_overlap(ring, box) for box in drawn["labels"]), drawn
        shot(page, "27-map-paper-label-clear")
        assert not problems, problems
    finally:
        browser.close()
        manager.stop()


WHOLE_VIEW = """async () => {
  const m = window.paperhubMap, canvas = document.getElementById("topic-map"), c = canvas.getBoundingClientRect();
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const buffer = await (await fetch(data.urls.points)).arrayBuffer(), n = new DataView(buffer).getUint32(0, true);
  const xs = new Float32Array(buffer, 4, n), ys = new Float32Array(buffer, 4 + 4 * n, n), box = [1e9, 1e9, -1e9, -1e9];
  for (let i = 0; i < n; i++) {
    const [sx, sy] = m.screenOf(xs[i], ys[i]);
    box[0] = Math.min(box[0], sx); box[1] = Math.min(box[1], sy); box[2] = Math.max(box[2], sx); box[3] = Math.max(box[3], sy);
  }
  return {frame: [c.width, c.height], points: box, labels: m.labels().labels, width: canvas.width};
}"""


UNDER_THE_BUTTONS = """([cx, cy]) => {
  const m = window.paperhubMap, canvas = document.getElementById("topic-map");
  const c = canvas.getBoundingClientRect(), b = document.querySelector(".map-controls").getBoundingClientRect();
  const f = m.pixelsPerUnit();
  m.view.x = cx - (b.left + b.width / 2 - c.left - c.width / 2) / f;
  m.view.y = cy - (b.top + b.height / 2 - c.top - c.height / 2) / f;
  window.dispatchEvent(new Event("resize"));
  const ratio = canvas.width / c.width;
  return {drawn: m.labels(), buttons: [(b.left - c.left) * ratio, (b.top - c.top) * ratio, b.width * ratio,
                                       b.height * ratio]};
}"""


@pytest.mark.parametrize("width", [1200, 375])
def test_map_labels_keep_clear_of_the_zoom_buttons(pictures, width):
    """A topic whose centre lies under the zoom buttons: its label moves below them, readable."""
    from playwright.sync_api import expect

    manager, browser, page, problems = _browser(pictures, "light")
    try:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/map")
        expect(page.locator("#topic-map")).to_have_attribute("data-ready", "1")
        # the whole view fills the frame (on a phone and a wide screen alike): the papers reach across it one way but
        # for a margin, and every label is drawn whole inside it
        whole = page.evaluate(WHOLE_VIEW)
        frame, points = whole["frame"], whole["points"]
        assert max((points[2] - points[0]) / frame[0], (points[3] - points[1]) / frame[1]) > 0.92, whole
        assert points[0] >= 0 and points[1] >= 0 and points[2] <= frame[0] and points[3] <= frame[1], whole
        assert whole["labels"] and all(box[0] >= 0 and box[0] + box[2] <= whole["width"] for box in whole["labels"])
        clusters = page.evaluate("JSON.parse(document.getElementById('map-data').textContent).clusters")
        for cluster in [c for c in clusters if c["level"] == "top"]:
            found = page.evaluate(UNDER_THE_BUTTONS, [cluster["x"], cluster["y"]])
            drawn = found["drawn"]
            assert drawn["labels"] and drawn["moved"] >= 1, found  # moved off the buttons, not dropped
            assert not any(_overlap(found["buttons"], box) for box in drawn["labels"]), found
        shot(page, f"28-map-labels-clear-of-buttons-{width}")
        assert not problems, problems
    finally:
        browser.close()
        manager.stop()
