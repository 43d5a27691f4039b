"""Usernames people cannot mistake for someone else's: no reserved names, no mixed scripts, no look-alikes.

Look-alikes are compared by confusable skeletons (after Unicode TR39): NFKC-normalised, each character replaced
by the lowest code point of its group of single-character homoglyphs in the Unicode confusables table that
confusable-homoglyphs ships (Cyrillic "а" and Latin "a" meet, and so do "l", "I" and "1"), then case-folded;
taken in the name's own, lower and upper case, since "I" and "l" look alike only across cases.
"""

import unicodedata
from collections.abc import Callable
from functools import cache

from confusable_homoglyphs import confusables

#: What a username may hold (Django's UnicodeUsernameValidator), as a request's field pattern: a name asked for
#: with anything else (a NUL, which PostgreSQL refuses in a query) is refused before any query.
CHARACTERS = r"^[\w.@+-]*$"

#: Names that look official, and the first parts of the site's own paths (tests/accounts checks those).
RESERVED = frozenset({
    "admin", "administrator", "root", "staff", "support", "help", "paperhub", "moderator", "mod", "system",
    "security", "abuse", "postmaster", "webmaster", "hostmaster", "noreply", "no-reply", "info", "owner",
    "official", "team", "api", "feeds", "papers", "users", "collections", "for-you", "authors", "searches",
    "accounts", "digests", "upvote", "comments", "trends", "map", "static", "login", "logout", "signup",
    "settings", "anonymous", "null", "none", "mcp",
})


def _glyphs(char: str) -> list[str]:
    return [h["c"] for h in confusables.confusables_data.get(char, []) if len(h["c"]) == 1]


@cache
def _prototype(char: str) -> str:
    # The table is not transitive ("I" lists "l", "l" lists "1"): take the lowest of the whole group.
    group, todo = {char}, [char]
    while todo:
        for glyph in _glyphs(todo.pop()):
            if glyph not in group:
                group.add(glyph)
                todo.append(glyph)
    return min(group)


def _skeleton(text: str) -> str:
    return "".join(_prototype(c) for c in text)


def shapes(name: str) -> frozenset[str]:
    """How the name can look, in lower, upper and its own case: names sharing a shape are easily mistaken."""
    name = unicodedata.normalize("NFKC", name)
    return frozenset(_skeleton(_skeleton(variant).casefold()) for variant in (name, name.casefold(), name.upper()))


@cache
def _reserved_shapes() -> frozenset[str]:
    return frozenset().union(*(shapes(name) for name in RESERVED))


TAKEN = "That username is taken or too like one that is."


def problem(name: str, taken: Callable[[frozenset[str]], bool]) -> str | None:
    """Why `name` may not be a new username, or None if it may; `taken` says whether any of its shapes is held."""
    if confusables.is_mixed_script(name):
        return "A username must be written in one script (it mixes letters of different alphabets)."
    looks = shapes(name)
    if looks & _reserved_shapes():
        return "That username is reserved."
    if taken(looks):
        return TAKEN
    return None
