"""/trends: papers per category per week (the counts are papers.trends'; the SVG is charts')."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paperhub.papers import trends
from paperhub.web import charts


def _weeks(request: HttpRequest) -> int:
    text = request.GET.get("weeks", "")
    return max(4, min(int(text), trends.MAX_WEEKS)) if text.isdigit() else 26


def category_chart(categories: list[str], weeks: int) -> tuple[trends.CategoryWeeks, str]:
    """The weekly counts and their chart (shared by the page and its tests)."""
    data = trends.category_weeks(categories or None, weeks)
    title = f"Papers per week in {', '.join(data.counts) or 'no category'}"
    chart = charts.line_chart(title, data.labels, [charts.Series(c, tuple(v)) for c, v in data.counts.items()])
    return data, chart


def trends_page(request: HttpRequest) -> HttpResponse:
    """Papers per category per week: the busiest categories, or the ones asked for (?cat=cs.CL cs.LG)."""
    asked = request.GET.get("cat", "")
    categories = [c for c in asked.replace(",", " ").split() if c][: trends.MAX_CATEGORIES]
    weeks = _weeks(request)
    data, chart = category_chart(categories, weeks)
    return render(request, "web/trends.html", {"chart": chart, "data": data, "cat": asked, "weeks": weeks})
