"""What a paper card shows, gathered for a page of papers in a few queries."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString

from paperhub import search
from paperhub.community import queries as community
from paperhub.community import ranks
from paperhub.core.converters import asked_number
from paperhub.papers.models import Paper
from paperhub.papers.queries import author_names_by_paper, repository_stars
from paperhub.papers.summary import one_line, one_line_beyond, opening
from paperhub.papers.tex import closed_prefix, render_tex


@dataclass
class Card:
    """A paper as a feed or search result shows it."""

    paper: Paper
    title_html: SafeString
    snippet_html: SafeString
    authors: list[str]
    day: date | None
    votes: int
    upvoted: bool
    comments: int
    summary_html: SafeString
    keywords: list["Keyword"]
    stars: int | None = None  # the code repository's GitHub stars, once known
    rank: ranks.Rank | None = None  # its "#N Paper of the day / week / month" badge
    named: tuple[str, ...] = ()  # the authors the page is about (a search's "author:ghosh"): the byline shows them
    login_url: str = ""  # where a visitor's vote button goes (reversed once a page of cards, not once a card)

    @cached_property
    def url(self) -> str:  # a card shows it twice: one reverse() a card
        return reverse("paper", args=[self.paper.uid])

    @property
    def byline(self) -> str:
        """The organisation, the authors when three or fewer, else "First and N others (M authors)", with the
        authors the page is about after the first ("First, Named and N others (M authors)"); never "1 others"."""
        if self.paper.organization:
            return self.paper.organization
        shown = list(dict.fromkeys([self.authors[0], *self.named[:3]])) if self.authors else []
        others = len(self.authors) - len(shown)
        if len(self.authors) <= 3 or others <= 1:
            return ", ".join(self.authors)
        return f"{', '.join(shown)} and {others} others ({len(self.authors)} authors)"


@dataclass(frozen=True)
class Keyword:
    """A keyword chip: the phrase, and the search for it as a quoted phrase."""

    phrase: str
    url: str


def quoted(phrase: str) -> str:
    """A phrase as the search box's "exact phrase"."""
    return '"' + phrase + '"'


def keyword_chips(phrases: list[str], search_url: str) -> list[Keyword]:
    """Chips for a paper's keywords, each opening a search for its phrase at `search_url` (the search page's
    address: a page of cards reverses it once, not once a card)."""
    return [Keyword(phrase, f"{search_url}?{urlencode({'q': quoted(phrase)})}") for phrase in phrases]


def excerpt(text: str, words: int = 45) -> str:
    """The first words of a text, LaTeX left whole: no half-open math span, no unclosed {group}."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return closed_prefix(" ".join(parts[:words])) + " …"


def summary_beside(abstract: str, shown: str | None) -> SafeString:
    """The extracted summary for a card, or nothing where the card already shows the start of that sentence in
    `shown`, the abstract's opening it shows (a short abstract, or one that opens with its contribution; None: a
    search hit's snippet, another passage): the same words twice tell nothing."""
    return render_tex(one_line(abstract) if shown is None else one_line_beyond(abstract, shown))


def page_number(request: HttpRequest, name: str = "page") -> int:
    """The ?page= (or another name's) number of a request, 1 when missing or not a number."""
    asked = asked_number(request.GET.get(name, "1"))
    return max(1, min(asked, 10_000)) if asked is not None else 1


def pager(page: int, total: int, size: int) -> dict[str, int | bool]:
    """The pager's context for page `page` of `total` items, `size` a page; past the end it links to the last page."""
    last = max(1, -(-total // size))
    return {"page": page, "has_next": page < last, "last_page": last}


def cards(request: HttpRequest, papers: list[Paper], hits: dict[int, Any] | None = None,
          names: dict[int, list[str]] | None = None, excerpts: bool = True,
          named: Callable[[list[str]], list[str]] | None = None) -> list[Card]:
    """Cards for papers; search hits bring their highlighted title and snippet, callers that already read
    the author names pass them; a page that shows the whole abstract instead of the excerpt says excerpts=False;
    `named` picks the authors the page is about from a paper's (a search's, an author page's): bylines show them."""
    ids = [p.pk for p in papers]
    names = author_names_by_paper(ids) if names is None else names
    upvoted = community.upvoted_ids(request.user, ids)
    counts = community.comment_counts(ids)
    stars = repository_stars(papers)
    badges = ranks.ranks_for(ids)
    keywords = search.keywords_of(ids)
    search_url, login_url = reverse("search"), reverse("login")
    result = []
    for paper in papers:
        hit = (hits or {}).get(paper.pk)
        shown = None if hit else excerpt(paper.abstract)  # once: the snippet, and what the summary must not repeat
        # what the reader has of the abstract beside the summary: the excerpt; the paper page's whole abstract opens
        # just below it, so its first sentence
        before = shown if excerpts or shown is None else opening(paper.abstract)
        result.append(Card(
            paper=paper,
            title_html=hit.title_html if hit else render_tex(paper.title),
            snippet_html=hit.snippet_html if hit else render_tex(shown or ""),
            authors=names.get(paper.pk, []),
            day=paper.published.date() if paper.published else None,
            votes=getattr(paper, "votes", paper.upvotes),
            upvoted=paper.pk in upvoted,
            comments=counts.get(paper.pk, 0),
            stars=stars.get(paper.pk),
            rank=badges.get(paper.pk),
            summary_html=summary_beside(paper.abstract, shown=before),
            keywords=keyword_chips(keywords.get(paper.pk, []), search_url),
            named=tuple(named(names.get(paper.pk, []))) if named else (),
            login_url=login_url,
        ))
    return result
