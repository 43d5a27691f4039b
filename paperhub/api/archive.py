"""/api/archive: the JSON twin of the archive page, every year and month whose feeds have papers (api.py mounts it)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from paperhub.papers import archive

router = Router(tags=["paperhub"])


class ArchiveMonthOut(Schema):
    month: str
    papers: int
    url: str


class ArchiveYearOut(Schema):
    year: int
    papers: int
    url: str
    months: list[ArchiveMonthOut]


class ArchiveGapOut(Schema):
    first: int
    last: int


class ArchiveOut(Schema):
    years: list[ArchiveYearOut]
    gaps: list[ArchiveGapOut]


def _month(month: archive.ArchiveMonth) -> dict[str, Any]:
    return {"month": month.period.key, "papers": month.papers, "url": reverse("month", args=[month.period.key])}


@router.get("", response=ArchiveOut, url_name="archive")
def archive_index(request: HttpRequest) -> dict[str, Any]:
    """Each year whose feeds have papers, newest first, with its papers and its months that have any (`url`: the
    month's page; a year's: its first month's), and the runs of years between them without papers (`gaps`)."""
    rows = archive.archive_years(archive.month_counts())
    years = [{"year": row.year, "papers": row.papers, "url": _month(row.first)["url"],
              "months": [_month(month) for month in row.months if month.papers]}
             for row in rows if isinstance(row, archive.ArchiveYear)]
    gaps = [{"first": row.first, "last": row.last} for row in rows if isinstance(row, archive.ArchiveGap)]
    return {"years": years, "gaps": gaps}
