"""Whom comments' @mentions name: the users that exist among the names their @words may name, in one query."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from paperhub.community.markdown import mention_names

#: Names one query asks for at most: a page of comments written to be costly (10 @words of 150 ". " each) is
#: looked up in a few queries instead of overflowing SQLite's limit of variables in one (32,766).
LOOKUP_BATCH = 5_000


def people_named(bodies: Iterable[str]) -> frozenset[str]:
    """The active users (their profiles show) that these comments' @mentions may name, in one query per
    LOOKUP_BATCH names (one for a page of ordinary comments)."""
    return frozenset(people_ids(bodies))


def people_ids(bodies: Iterable[str]) -> dict[str, int]:
    """people_named with each user's id (what mention mail goes to), in the same single look-up."""
    return users_named(name for body in bodies for name in mention_names(body))


def users_named(names: Iterable[str]) -> dict[str, int]:
    """The active users of these names (those comments parsed once already may name: markdown.Parsed.names) with
    their ids, in one query per LOOKUP_BATCH names."""
    names = sorted(set(names))
    users = get_user_model().objects.filter(is_active=True)
    return {username: pk for i in range(0, len(names), LOOKUP_BATCH)
            for username, pk in users.filter(username__in=names[i:i + LOOKUP_BATCH]).values_list("username", "pk")}
