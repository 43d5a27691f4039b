"""Whether the topic map is drawn, asked once a request: the header links to it on every page, and the search and
paper pages link to it too."""

from django.http import HttpRequest

from paperhub.topicmap import store as topicmap

_MEMO = "_paperhub_map_drawn"


def map_drawn(request: HttpRequest | None) -> bool:
    """Whether a topic map is drawn (two file checks, no query), checked once for a request (each time without one)."""
    if request is None:
        return topicmap.exists()
    drawn = getattr(request, _MEMO, None)
    if drawn is None:
        drawn = topicmap.exists()
        setattr(request, _MEMO, drawn)
    return bool(drawn)
