"""Thin HTML views over paperhub.papers.queries."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paperhub.papers import queries

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """The newest papers, fifty to a page."""
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    papers = queries.newest_papers(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
    return render(request, "web/home.html", {
        "papers": papers[:PAGE_SIZE],
        "page": page,
        "has_next": len(papers) > PAGE_SIZE,
        "total": f"{queries.paper_count():,}",
    })
