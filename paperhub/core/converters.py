"""What a request's text becomes: the path converters the URL configurations share, and the numbers (row ids,
counts) that forms and query strings send."""

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


#: The most digits a number asked for may have: 18 stay within a bigint column (and far below the 4,300 digits
#: past which int() refuses, a ValueError that was a 500).
NUMBER_DIGITS = 18


def asked_number(text: str) -> int | None:
    """The whole number a form or query string sends (a row's id, a count): ASCII digits only, at most
    NUMBER_DIGITS of them; anything else (a sign, "²", Arabic-Indic digits, 5,000 nines) is None."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= NUMBER_DIGITS else None
