"""What a digest holds: the period it covers and its papers. Pure period arithmetic first."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.safestring import SafeString

from paperhub.community.markdown import render_comment
from paperhub.community.markdown_text import markdown_text
from paperhub.community.models import Collection, CollectionItem
from paperhub.community.named import people_named
from paperhub.papers import citation, feeds, periods, queries
from paperhub.papers.models import Paper
from paperhub.papers.tex import plain_text

TOP = 10


def period_for(frequency: str, today: date) -> periods.Period:
    """The period a digest sent today covers: yesterday, or the last complete ISO week."""
    if frequency == "daily":
        return periods.day_period(today - timedelta(days=1))
    return periods.week_period(today - timedelta(days=7))


def period_key(frequency: str, period: periods.Period, collection_id: int | None = None) -> str:
    """The delivery's period name, unique per frequency and period: 'daily:2026-11-24', 'weekly:2026-W48'; a
    collection's digest adds the collection: 'weekly:2026-W48:c12'."""
    return f"{frequency}:{period.key}" + (f":c{collection_id}" if collection_id is not None else "")


@dataclass
class DigestPaper:
    uid: str
    title: str
    summary: str
    authors: str
    votes: int
    note: str = ""  # a collection's note on it as plain text (the mail's text part), its later lines indented
    note_html: SafeString = SafeString("")  # the same, rendered as the collection's page renders it


@dataclass
class Digest:
    """The shared part of a period's digest (each subscriber's copy adds their own links)."""

    frequency: str
    period: periods.Period
    top: list[DigestPaper]
    trending: list[DigestPaper]
    collection: Collection | None = None  # a collection's digest: `top` is what was added to it in the period
    more: int = 0  # papers added beyond those listed

    @property
    def title(self) -> str:
        """The collection's name as one line of plain text (its owner's words: no TeX)."""
        return citation.plain_line(self.collection.title, tex=False) if self.collection is not None else ""

    @property
    def subject(self) -> str:
        if self.collection is not None:
            return f"{self.title}: new papers, {self.period.label}"
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


def build(frequency: str, period: periods.Period) -> Digest:
    """The period's most upvoted papers and what is trending now."""
    top, _ = feeds.period_papers(period, limit=TOP)
    seen = {p.pk for p in top}
    trending = [p for p in feeds.trending(limit=TOP + len(seen)) if p.pk not in seen][:5]
    return Digest(frequency, period, shaped(top), shaped(trending))


LISTED = 50  # a collection digest's papers at most (the rest: "and N more", on the collection's page)
NOTE_INDENT = " " * len("   Note: ")  # where a note's later lines start in the text part (collection.txt)


def _start(day: date) -> datetime:
    """The day's first moment in the hub's time zone (PAPERHUB_TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _lined_up(note: str) -> str:
    """A note's plain text with its later lines under its first in the text part (blank lines left blank)."""
    first, *rest = note.split("\n")
    return "\n".join([first, *(NOTE_INDENT + line if line else "" for line in rest)])


def build_collection(frequency: str, period: periods.Period, collection: Collection, root: str = "") -> Digest:
    """What was added to a collection in the period (in the hub's time zone), the first added first, with each
    paper's note rendered safely as the collection's page renders notes, its @mentions linked to profiles under
    `root` (the mail's hub_root) with one look-up for all the notes, and as plain text for the text part (its
    relative links under `root`)."""
    items = (CollectionItem.objects.filter(collection=collection, added_at__gte=_start(period.first),
                                           added_at__lt=_start(period.last + timedelta(days=1)))
             .select_related("paper").order_by("added_at", "id"))
    listed = list(items[:LISTED])
    papers = shaped([item.paper for item in listed])
    people = people_named(item.note for item in listed)
    for paper, item in zip(papers, listed, strict=True):
        paper.note = _lined_up(markdown_text(item.note, root))
        paper.note_html = render_comment(item.note, people, root) if item.note else SafeString("")
    return Digest(frequency, period, papers, [], collection=collection, more=max(0, items.count() - LISTED))
