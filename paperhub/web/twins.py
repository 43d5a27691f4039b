"""Every page's JSON twin: the API route that answers the same question, linked from the page (in its head, for
programs, and at its foot, for people), so what a page shows can always be fetched as data."""

from urllib.parse import urlencode

from django.urls import reverse

from paperhub import search as search_api


def json_twin(route: str, *args: object, **params: object) -> str:
    """The address of an API route (its name in the api namespace) with query parameters, unset ones left out."""
    url = reverse(f"api:{route}", args=args)
    query = urlencode({name: value for name, value in params.items() if value not in ("", None, False, 0)})
    return f"{url}?{query}" if query else url


def search_twin(q: str, filters: search_api.Filters, sort: str, offset: int, limit: int) -> str:
    """/api/search for a search page: its query, the filters as the page understood them, its sort and page ("" past
    the last page the API serves)."""
    if offset > search_api.MAX_OFFSET:
        return ""
    return json_twin("search", q=q, since=filters.since or "", until=filters.until or "",
                     cat=" ".join(filters.categories), author=", ".join(filters.authors),
                     code="true" if filters.has_code else "", sort="" if sort == "relevance" else sort,
                     offset=offset, limit=limit)
