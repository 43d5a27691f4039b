"""Every page's JSON twin: the API route that answers the same question, linked from the page (in its head, for
programs, and at its foot, for people), so what a page shows can always be fetched as data."""

from urllib.parse import urlencode

from django.urls import reverse


def json_twin(route: str, *args: object, **params: object) -> str:
    """The address of an API route (its name in the api namespace) with query parameters, unset ones left out."""
    url = reverse(f"api:{route}", args=args)
    query = urlencode({name: value for name, value in params.items() if value not in ("", None, False, 0)})
    return f"{url}?{query}" if query else url
