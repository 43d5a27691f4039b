"""Reads of papers, shared by the HTML and JSON front doors."""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TypedDict

from django.db.models import Prefetch, QuerySet

from paperhub.core.converters import asked_number
from paperhub.papers.links import repository_key
from paperhub.papers.models import Author, CodeRepository, Paper, PaperAuthor, PaperCategory
from paperhub.papers.records import split_arxiv_id, strip_controls


def with_listing_details(papers: QuerySet[Paper]) -> QuerySet[Paper]:
    """Papers with their ordered authors and categories fetched in two extra queries, not one per paper."""
    return papers.prefetch_related(
        Prefetch("authorships", queryset=PaperAuthor.objects.select_related("author").order_by("position")),
        Prefetch("paper_categories", queryset=PaperCategory.objects.select_related("category")
                 .order_by("-is_primary", "category__code")),
    )


def newest_papers(offset: int = 0, limit: int = 50) -> list[Paper]:
    """The most recently published papers, newest first."""
    queryset = Paper.objects.order_by("-published", "-id")[offset:offset + limit]
    return list(with_listing_details(queryset))


def paper_count() -> int:
    """How many papers the hub holds."""
    return Paper.objects.count()


def paper_by_id(paper_id: str) -> Paper | None:
    """A paper by its id as a form sends it (not a number: None)."""
    pk = asked_number(paper_id)
    return Paper.objects.filter(pk=pk).first() if pk is not None else None


class PaperBrief(TypedDict):
    uid: str
    title: str
    published: datetime | None


def paper_brief(paper_id: int) -> PaperBrief | None:
    """A paper's uid, title and publication time only (what a map point shows), or None."""
    return Paper.objects.filter(pk=paper_id).values("uid", "title", "published").first()


def paper_by_uid(uid: str) -> Paper | None:
    """A paper by its uid, or its arXiv id (versions ignored) or address (arXiv, Hugging Face, alphaXiv, DOI), with
    authors and categories."""
    uid = strip_controls(uid)[:300]  # no uid holds one, and PostgreSQL refuses a NUL in a query's text
    if ":" in uid and (found := with_listing_details(Paper.objects.filter(uid=uid)).first()) is not None:
        return found  # another source's uid ("scheme:id")
    try:
        uid = split_arxiv_id(uid)[0]
    except ValueError:  # no arXiv id, so no paper of ours (a typo, a probe): "not found", not an error
        return None
    return with_listing_details(Paper.objects.filter(uid=uid)).first()


def uids_with_doi(doi: str, limit: int = 10) -> list[str]:
    """The papers a DOI names (a journal's version of an arXiv paper), oldest first: the DOI as written, or all in
    lower or upper case (DOIs ignore case, but a lookup in any other mix would read every row: the column's index
    holds them as arXiv gives them)."""
    spellings = list(dict.fromkeys((doi, doi.lower(), doi.upper())))
    return list(Paper.objects.filter(doi__in=spellings).order_by("id").values_list("uid", flat=True)[:limit])


def papers_in_order(ids: Sequence[int]) -> list[Paper]:
    """The papers with these ids in the ids' order (a page of search hits), left out where gone since indexing
    (cards read the author names themselves)."""
    found = Paper.objects.in_bulk(list(ids))
    return [found[i] for i in ids if i in found]


def author_names(paper: Paper) -> list[str]:
    """A paper's author names in order (uses prefetched authorships when there are some)."""
    return [a.author.name for a in paper.authorships.all()]


def author_by_slug(slug: str) -> Author | None:
    """The author an address (/authors/<name>-<id>) names, found by its id: a stale name still finds them."""
    number = re.search(r"(?:^|-)([0-9]{1,18})$", slug)  # ASCII digits, few enough for any database's integer
    return Author.objects.filter(pk=int(number[1])).first() if number else None


def author_papers(author_id: int, offset: int = 0, limit: int = 50) -> tuple[list[Paper], int]:
    """An author's papers, newest first, and how many there are."""
    papers = Paper.objects.filter(authorships__author_id=author_id)
    return list(with_listing_details(papers.order_by("-published", "-id")[offset:offset + limit])), papers.count()


def author_names_by_paper(paper_ids: list[int]) -> dict[int, list[str]]:
    """Ordered author names for many papers in one query (plain tuples: far cheaper than model instances)."""
    names: dict[int, list[str]] = {}
    for paper_id, name in (PaperAuthor.objects.filter(paper_id__in=paper_ids).order_by("paper_id", "position")
                           .values_list("paper_id", "author__name")):
        names.setdefault(paper_id, []).append(name)
    return names


def category_codes_by_paper(paper_ids: list[int]) -> dict[int, list[str]]:
    """Category codes for many papers in one query, each paper's primary first."""
    codes: dict[int, list[str]] = {}
    rows = PaperCategory.objects.filter(paper_id__in=paper_ids).order_by("paper_id", "-is_primary", "id")
    for paper_id, code in rows.values_list("paper_id", "category__code"):
        codes.setdefault(paper_id, []).append(code)
    return codes


def repository_stars(papers: Sequence[Paper]) -> dict[int, int]:
    """The GitHub stars of each paper's code repository, by paper id, where GitHub has told them (one query)."""
    keys = {paper.pk: repository_key(paper.code_url) for paper in papers if paper.code_url}
    rows = CodeRepository.objects.filter(full_name__in=set(keys.values()) - {""}, stars__isnull=False)
    stars = {name: count for name, count in rows.values_list("full_name", "stars") if count is not None}
    return {paper_id: stars[key] for paper_id, key in keys.items() if key in stars}

