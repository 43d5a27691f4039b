"""Trend charts: the SVG (pure), the counts behind them, and the pages that show them."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from paperhub.community import services
from paperhub.papers import trends
from paperhub.papers.models import Paper
from paperhub.papers.repositories import backfill_links
from paperhub.papers.services import upsert_papers
from paperhub.search.volumes import months_between, volume_series
from paperhub.web import charts
from tests.factories import record, user

SVG = "{http://www.w3.org/2000/svg}"


def _svg(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_ticks_are_round_and_cover_the_top():
    assert charts.nice_ticks(0) == [0.0, 1.0]
    assert charts.nice_ticks(7) == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert charts.nice_ticks(1234) == [0.0, 500.0, 1000.0, 1500.0]
    assert charts.nice_ticks(0.3)[-1] >= 0.3


def test_line_chart_is_valid_svg_with_a_text_alternative():
    html = charts.line_chart("Papers <per> week", ["W1", "W2", "W3"],
                             [charts.Series("cs.CL", (3, 5, 4)), charts.Series("cs.<b>LG", (1, 0, 2))])
    svg = _svg(html)
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text == "Papers <per> week"
    assert len(svg.findall(f".//{SVG}polyline")) == 2 and len(svg.findall(f".//{SVG}circle")) == 6
    assert svg.find(f".//{SVG}circle/{SVG}title").text == "cs.CL, W1: 3 papers"
    assert "<b>" not in html and "cs.&lt;b&gt;LG" in html  # names are escaped everywhere
    assert "<table>" in html and "<td>5</td>" in html and "the largest is cs.CL with 12 papers" in html
    assert 'class="key k1"' in html  # a legend keyed to the same colours
    anchors = {t.text: t.get("text-anchor") for t in svg.findall(f".//{SVG}g[@class='axis']/{SVG}text")}
    assert anchors["W1"] == anchors["W2"] == "middle" and anchors["W3"] == "end"  # the last ends at the edge, whole


def test_a_narrow_chart_shows_fewer_larger_labels_that_do_not_overlap():
    """A phone draws the 720-wide picture at half its width or less: site.css then sets its axis labels at
    NARROW_FONT and leaves out those marked minor; the others fit at that size, and all of them at FONT."""
    weeks = [f"2026-W{i:02d}" for i in range(1, 27)]
    svg = _svg(charts.line_chart("Per week", weeks, [charts.Series("a", tuple(range(1000, 1026)))]))
    x_labels = svg.findall(f".//{SVG}g[@class='axis']/{SVG}text[@dominant-baseline='hanging']")
    narrow = [t for t in x_labels if t.get("class") != "minor"]
    assert 2 < len(narrow) < len(x_labels) <= len(weeks) and narrow[0].text == "2026-W01"

    def spans(labels: list[ET.Element], font: float) -> list[tuple[float, float]]:
        out = []
        for t in labels:
            x, width = float(t.get("x")), len(t.text) * 0.64 * font
            out.append({"start": (x, x + width), "end": (x - width, x)}.get(t.get("text-anchor"),
                                                                            (x - width / 2, x + width / 2)))
        return out

    for shown, font in ((narrow, charts.NARROW_FONT), (x_labels, charts.FONT)):
        runs = spans(shown, font)
        assert all(start >= 0 and end <= 720 for start, end in runs), font  # inside the picture
        assert all(end <= start for (_, end), (start, _) in zip(runs, runs[1:], strict=False)), font  # apart
    grid = svg.find(f".//{SVG}line[@class='grid']")
    assert float(grid.get("x1")) - 6 >= len("1,500") * 0.64 * charts.NARROW_FONT  # room for the y labels, large
    css = (Path(charts.__file__).parent / "static" / "web" / "site.css").read_text()
    assert f".chart .axis text {{ font-size: {charts.NARROW_FONT}px; }}" in css
    assert ".chart .axis .minor { display: none; }" in css


def test_bar_chart_has_a_bar_and_a_tooltip_per_value():
    html = charts.bar_chart("Per month", ["2026-01", "2026-02"], [10, 0])
    svg = _svg(html)
    bars = svg.findall(f".//{SVG}rect")
    assert len(bars) == 2 and float(bars[1].get("height")) == 0
    assert bars[0].find(f"{SVG}title").text == "2026-01: 10 papers"
    assert "the most in 2026-01 (10)" in html


def test_charts_say_one_in_the_singular():
    line = charts.line_chart("Upvotes over time", ["7 Dec 2026"], [charts.Series("Upvotes", (1,))], unit="upvotes")
    assert "1 series over 1 point, on 7 Dec 2026; the largest is Upvotes with 1 upvote in all." in line
    assert _svg(line).find(f".//{SVG}circle/{SVG}title").text == "Upvotes, 7 Dec 2026: 1 upvote"
    bars = charts.bar_chart("Per month", ["2026-01"], [1])
    assert "1 paper on 2026-01;" in bars and _svg(bars).find(f".//{SVG}rect/{SVG}title").text == "2026-01: 1 paper"
    assert "2 series over 2 points, from W1 to W2" in charts.line_chart(
        "Per week", ["W1", "W2"], [charts.Series("a", (1, 0)), charts.Series("b", (0, 0))])


def test_weeks_and_running_totals():
    assert trends.monday(date(2026, 11, 29)) == date(2026, 11, 23)
    assert trends.week_key(date(2026, 11, 23)) == "2026-W48"
    assert trends.weeks_ending(date(2026, 11, 25), 3) == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    days, totals = trends.cumulative([(date(2026, 1, 1), 2), (date(2026, 1, 3), 1)], date(2026, 1, 4))
    assert days[0] == date(2026, 1, 1) and totals == [2, 2, 3, 3]
    assert trends.cumulative([], date(2026, 1, 4)) == ([], [])


def test_a_chart_is_worth_drawing_over_two_periods_and_a_handful_of_papers():
    assert charts.worth_drawing([3, 2]) and charts.worth_drawing([0, 0, 5])
    assert not charts.worth_drawing([40]) and not charts.worth_drawing([1, 0, 3]) and not charts.worth_drawing([])


def test_search_volume_fills_months_and_falls_back_to_years():
    assert months_between(202511, 202602) == [202511, 202512, 202601, 202602]
    months = volume_series({202511: 3, 202602: 1, 202513: 9})  # 202513 is no month: ignored
    assert months.unit == "month" and months.labels == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months.counts == [3, 0, 0, 1]
    years = volume_series({199901: 2, 201005: 1, 201012: 4})
    assert years.unit == "year" and years.labels[0] == "1999" and years.counts[-1] == 5 and years.total == 7


@pytest.fixture
def weekly(db, settings, tmp_path):
    """Papers over six weeks in two categories, indexed."""
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    from paperhub.search import indexing, update

    indexing.forget()
    when = datetime(2026, 11, 27, 12, tzinfo=UTC)
    upsert_papers([record(f"2611.{i:05d}", published=when - timedelta(days=3 * i),
                          title=f"In-context learning study {i}" if i % 2 else f"Protein folding study {i}",
                          categories=("cs.CL",) if i % 2 else ("q-bio.BM", "cs.LG")) for i in range(14)])
    update()
    return when


def test_category_weeks_count_cross_lists_up_to_the_newest_paper(weekly):
    data = trends.category_weeks(weeks=6)
    assert data.labels[-1] == "2026-W48" and len(data.weeks) == 6
    assert set(data.counts) == {"cs.CL", "q-bio.BM", "cs.LG"}
    assert sum(data.counts["cs.CL"]) == 7 and data.counts["q-bio.BM"] == data.counts["cs.LG"]
    assert set(trends.category_weeks(["cs.CL"], weeks=6).counts) == {"cs.CL"}
    # a window longer than the hub's history starts at its first paper's week, not with empty weeks
    whole = trends.category_weeks(weeks=26)
    assert whole.weeks[0] == trends.monday((weekly - timedelta(days=39)).date()) and whole.weeks[-1] == data.weeks[-1]
    assert len(whole.weeks) < 26 and all(any(series[i] for series in whole.counts.values()) for i in (0, -1))


def test_search_volume_counts_papers_with_all_the_words(weekly):
    from paperhub.search import volume

    assert volume("in-context learning").total == 7
    assert volume("learning protein").total == 0  # every word, not any
    assert volume('"protein folding" cat:q-bio.BM').total == 7
    assert volume("").total == 0


def test_has_code_filters_counts_exactly_and_follows_links_found_later(client, weekly, monkeypatch):
    from paperhub.search import Filters, search, update, volume

    assert volume("in-context learning has:code").total == 0  # no paper links to code yet
    found_later = ["2611.00001", "2611.00003", "2611.00004"]  # two of them hold all the words
    Paper.objects.filter(uid__in=found_later).update(abstract="Code is at https://github.com/owner/repo.")
    assert backfill_links().code == 3
    update()  # the links' change stamps bring the papers back to the index
    assert volume("in-context learning has:code").total == 2 == volume("in-context learning", Filters(has_code=True)).total
    assert volume("in-context learning").total == 7
    for mode in ("keyword", "hybrid"):
        hits = search("learning study has:code", mode=mode).hits
        assert sorted(h.uid for h in hits) == found_later, mode
    listing = search("", filters=Filters(has_code=True), sort="newest")
    assert [h.uid for h in listing.hits] == found_later and listing.total == 3
    # its two papers of one month drawn all the same: the caption is what is checked here
    monkeypatch.setattr(charts, "FEWEST_DRAWN", 1)
    monkeypatch.setattr(charts, "FEWEST_PERIODS", 1)
    for params in ({"q": "in-context learning has:code"}, {"q": "in-context learning", "code": "1"}):
        page = client.get("/papers/search", params).content.decode()
        assert "Papers with code and all of “in-context learning” per month" in page, params
    assert client.get("/api/search/volume", {"q": "in-context learning", "code": "true"}).json()["total"] == 2
    assert client.get("/api/search/volume", {"q": "in-context learning", "code": "maybe"}).status_code == 422


def test_pages_show_their_charts(client, weekly):
    page = client.get("/trends", {"weeks": "6"}).content.decode()
    assert 'role="img"' in page and "Papers per week in" in page and "2026-W48" in page
    assert "cs.CL" in client.get("/trends", {"cat": "cs.CL", "weeks": "x"}).content.decode()
    # spelt any case, the stored code; one the hub has no paper in is named, not drawn as a flat zero
    asked = client.get("/trends", {"cat": "cs.cl nonexistent", "weeks": "6"}).content.decode()
    assert "Papers per week in cs.CL" in asked and "No papers on this hub are in nonexistent: left out." in asked
    assert "the largest is Computation and Language (cs.CL) with 7 papers" in asked  # the legend names it
    found = client.get("/papers/search", {"q": "protein folding"}).content.decode()
    assert "Papers with all of “protein folding” per month" in found and "<rect" in found
    phrase = client.get("/papers/search", {"q": '"protein folding" -zzz'}).content.decode()
    assert "Papers with all of “protein folding”, without “zzz” per month" in phrase and "“&quot;" not in phrase
    few = client.get("/papers/search", {"q": "protein folding since:2026-11-20"}).content.decode()
    assert "2 results" in few and "<figure" not in few  # one month's bar of two papers says nothing
    paper = Paper.objects.get(uid="2611.00000")
    assert "No upvotes here yet" in client.get(f"/papers/{paper.uid}").content.decode()
    for n in range(3):
        services.upvote(user(f"reader{n}"), paper)
    shown = client.get(f"/papers/{paper.uid}").content.decode()
    assert "Upvotes over time" in shown and "Upvotes, " in shown and "3 upvotes" in shown


def test_the_same_counts_through_the_api(client, weekly):
    found = client.get("/api/search/volume", {"q": "in-context learning"}).json()
    assert found["unit"] == "month" and found["total"] == 7 and len(found["periods"]) == len(found["counts"])
    assert client.get("/api/search/volume").status_code == 422  # q is required
    week = client.get("/api/trends/categories", {"weeks": 6, "cat": "cs.CL"}).json()
    assert week["weeks"][-1] == "2026-W48" and sum(week["counts"]["cs.CL"]) == 7
    assert week["unknown"] == []
    asked = client.get("/api/trends/categories", {"weeks": 6, "cat": "cs.CL,zz.XX"}).json()
    assert list(asked["counts"]) == ["cs.CL"] and asked["unknown"] == ["zz.XX"]  # said, not dropped silently
    too_many = client.get("/api/trends/categories", {"cat": " ".join(f"a.{n}" for n in range(9))})
    assert too_many.status_code == 400 and too_many.json() == {"detail": "at most 8 categories"}
    twice = " ".join(f"a.{n}" for n in range(7)) + " cs.CL cs.cl"  # 8 codes, one written twice
    assert client.get("/api/trends/categories", {"cat": twice}).status_code == 200
    paper = Paper.objects.get(uid="2611.00000")
    services.upvote(user("reader"), paper)
    history = client.get(f"/api/papers/{paper.uid}/upvotes").json()
    assert history["totals"] == [1] and len(history["days"]) == 1


def test_the_volume_charts_caption_says_the_syntax_in_words():
    from paperhub.search import Filters, parse
    from paperhub.web.search import volume_caption

    assert volume_caption(parse("cat:cs.CL"), "month", Filters()) == "Papers in cs.CL per month"
    assert volume_caption(parse('author:"Yoshua Bengio"'), "year", Filters(has_code=True)) == (
        "Papers with code, by Yoshua Bengio per year")
    assert volume_caption(parse('diffusion "video generation" NOT survey has:code'), "month", Filters()) == (
        "Papers with code and all of “diffusion” and “video generation”, without “survey” per month")
    # a phrase quoted once, not “"large language models"”
    assert volume_caption(parse('"large language models" -reasoning'), "month", Filters()) == (
        "Papers with all of “large language models”, without “reasoning” per month")
