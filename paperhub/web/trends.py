"""/trends: papers per category per week (the counts are papers.trends'; the SVG is charts')."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paperhub.core.converters import asked_number
from paperhub.papers import trends
from paperhub.papers.categories import category_label
from paperhub.papers.records import strip_controls
from paperhub.web import charts
from paperhub.web.twins import json_twin


def _weeks(request: HttpRequest) -> int:
    weeks = asked_number(request.GET.get("weeks", ""))
    return max(4, min(weeks, trends.MAX_WEEKS)) if weeks is not None else 26


def trends_page(request: HttpRequest) -> HttpResponse:
    """Papers per category per week: the busiest categories, or the ones asked for (?cat=cs.CL cs.LG)."""
    asked = strip_controls(request.GET.get("cat", ""))[:200]
    weeks = _weeks(request)
    known = trends.parse_categories(asked)
    data = trends.category_weeks(known or None, weeks)
    title = f"Papers per week in {', '.join(data.counts) or 'no category'}"
    series = [charts.Series(category_label(code), tuple(counts)) for code, counts in data.counts.items()]
    chart = charts.line_chart(title, data.labels, series)
    return render(request, "web/trends.html", {
        "json_url": json_twin("category_trends", cat=" ".join(known), weeks=weeks),
        "unknown": trends.unknown_categories(asked, known),
        "chart": chart, "data": data, "cat": asked, "weeks": weeks})
