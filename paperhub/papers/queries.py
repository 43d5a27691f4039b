"""Reads of papers, shared by the HTML and JSON front doors."""

from django.db.models import Prefetch, QuerySet

from paperhub.papers.models import Paper, PaperAuthor, PaperCategory


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
