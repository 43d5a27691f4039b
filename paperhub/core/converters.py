"""Path converters the URL configurations share."""

from django.urls import register_converter


class Segment:
    """One path segment (a username, a slug) with no control character: a NUL in a query is an error on
    PostgreSQL, so such a path matches no route and answers 404 rather than 500."""

    regex = "[^/\x00-\x1f\x7f-\x9f]+"

    def to_python(self, value: str) -> str:
        """The segment as the view receives it."""
        return value

    def to_url(self, value: str) -> str:
        """The segment as reverse() writes it."""
        return value


register_converter(Segment, "segment")
