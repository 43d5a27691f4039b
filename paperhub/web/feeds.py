"""Feed pages: the day, week and month feeds, their archive, trending. Thin views over paperhub.papers.feeds and
.archive."""

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize

from paperhub.papers import archive, feeds, periods, queries
from paperhub.web.cards import cards, page_number, pager
from paperhub.web.twins import json_twin

PAGE_SIZE = 30


def home(request: HttpRequest) -> HttpResponse:
    """Today's papers, or the latest day that has any; the newest papers when no feed has any yet."""
    day = feeds.latest_day()
    if day is None:
        page = page_number(request)
        papers = queries.newest_papers(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        total = queries.paper_count()
        return render(request, "web/newest.html", {
            "cards": cards(request, papers), **pager(page, total, PAGE_SIZE), "total": total,
        })
    return _period(request, periods.day_period(day), home=True)


def period(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """/papers/date/YYYY-MM-DD, /papers/week/YYYY-Www, /papers/month/YYYY-MM."""
    try:
        chosen = periods.parse_period(kind, key)
    except periods.PeriodError as exc:
        raise Http404(str(exc)) from None
    if chosen.key != key:  # 2026-W5 -> 2026-W05, 2026-1 -> 2026-01
        return redirect(kind, key=chosen.key)
    return _period(request, chosen)


def _period(request: HttpRequest, chosen: periods.Period, home: bool = False) -> HttpResponse:
    page = page_number(request)
    papers, total = feeds.period_papers(chosen, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    kinds = [("day", periods.day_period(chosen.first)), ("week", periods.week_period(chosen.first)),
             ("month", periods.month_period(chosen.first))]
    previous, following = feeds.neighbours(chosen)
    today = feeds.today()
    note = "" if total else feeds.empty_period_note(chosen, today, feeds.follows_announcements())
    which = {"day": "date"}.get(chosen.kind, chosen.kind)
    return render(request, "web/period.html", {
        "json_url": json_twin("daily_papers", **{which: chosen.key}, p=page - 1, limit=PAGE_SIZE),
        "period": chosen, "previous": previous, "next": following, "kinds": kinds, "home": home,
        "empty_note": note, "to_come": chosen.first > today, "today": today,
        "period_summary": f"{total} paper{pluralize(total)} of {chosen.label} on paperhub, most upvoted first."
                          if total else f"No papers of {chosen.label} on paperhub.",
        "cards": cards(request, papers), "total": total, **pager(page, total, PAGE_SIZE),
    })


def trending(request: HttpRequest) -> HttpResponse:
    """Papers by votes decayed by age (see docs/web.md#trending)."""
    papers = feeds.trending(limit=50)
    latest = None if papers else feeds.latest_day()  # where an empty page sends readers instead
    window = timedelta(days=settings.PAPERHUB_TRENDING_DAYS)
    return render(request, "web/trending.html", {
        "cards": cards(request, papers), "json_url": json_twin("daily_papers", sort="trending", limit=50),
        "days": settings.PAPERHUB_TRENDING_DAYS, "gravity": settings.PAPERHUB_TRENDING_GRAVITY,
        "latest": latest, "latest_in_window": latest is not None and latest >= feeds.today() - window,
    })


def archive_page(request: HttpRequest) -> HttpResponse:
    """/papers/archive: every year and month whose feeds have papers; with ?date= (and ?kind=), a 302 to the day,
    week or month holding that date, or the archive again saying why not (400)."""
    today = feeds.today()
    asked, kind = request.GET.get("date"), request.GET.get("kind", "day")
    error = ""
    if asked is not None or "kind" in request.GET:
        try:
            chosen = archive.period_to_go_to(kind, asked or "", today)
        except periods.PeriodError as exc:
            error = str(exc)
        else:
            return redirect(chosen.kind, key=chosen.key)
    return render(request, "web/archive.html", {
        "json_url": json_twin("archive"), "years": archive.archive_years(archive.month_counts()), "today": today,
        "error": error, "asked": (asked or "")[:40], "go_kind": kind if kind in periods.PERIODS else "day",
    }, status=400 if error else 200)
