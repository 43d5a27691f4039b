"""What a digest holds: the period it covers and its papers. Pure period arithmetic first."""

from dataclasses import dataclass
from datetime import date, timedelta

from paperhub.papers import citation, feeds, queries
from paperhub.papers.models import Paper
from paperhub.papers.tex import plain_text

TOP = 10


def period_for(frequency: str, today: date) -> feeds.Period:
    """The period a digest sent today covers: yesterday, or the last complete ISO week."""
    if frequency == "daily":
        return feeds.day_period(today - timedelta(days=1))
    return feeds.week_period(today - timedelta(days=7))


def period_key(frequency: str, period: feeds.Period) -> str:
    """The delivery's period name, unique per frequency and period: 'daily:2026-11-24', 'weekly:2026-W48'."""
    return f"{frequency}:{period.key}"


@dataclass
class DigestPaper:
    uid: str
    title: str
    summary: str
    authors: str
    votes: int


@dataclass
class Digest:
    """The shared part of a period's digest (each subscriber's copy adds their own links)."""

    frequency: str
    period: feeds.Period
    top: list[DigestPaper]
    trending: list[DigestPaper]

    @property
    def subject(self) -> str:
        what = "Daily papers" if self.frequency == "daily" else "Weekly papers"  # (last week's, sent on Monday)
        return f"{what}: {self.period.label}"

    @property
    def empty(self) -> bool:
        """No paper of its own period (what trends now is no news): sent only with a personal part."""
        return not self.top


def shaped(papers: list[Paper]) -> list[DigestPaper]:
    """Papers as a digest lists them: plain title, a byline of three authors, a bounded summary, votes."""
    names = queries.author_names_by_paper([p.pk for p in papers])
    shaped = []
    for paper in papers:
        authors = names.get(paper.pk, [])
        byline = ", ".join(authors[:3]) + (f" and {len(authors) - 3} more" if len(authors) > 3 else "")
        shaped.append(DigestPaper(uid=paper.uid, title=plain_text(paper.title),
                                  summary=citation.bounded(citation.plain_line(paper.abstract), 400),
                                  authors=byline, votes=getattr(paper, "votes", paper.upvotes)))
    return shaped


def build(frequency: str, period: feeds.Period) -> Digest:
    """The period's most upvoted papers and what is trending now."""
    top, _ = feeds.period_papers(period, limit=TOP)
    seen = {p.pk for p in top}
    trending = [p for p in feeds.trending(limit=TOP + len(seen)) if p.pk not in seen][:5]
    return Digest(frequency, period, shaped(top), shaped(trending))
