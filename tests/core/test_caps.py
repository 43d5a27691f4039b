"""core/caps.py: writers for one owner take turns, so a cap counted inside owner_locked lets exactly its number in."""

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection

from paperhub.core import caps
from paperhub.core.models import ApiToken
from tests.factories import at_once, at_once_before_saving, user


@pytest.mark.django_db(transaction=True)
def test_writers_for_one_owner_counting_at_once_fill_a_cap_exactly():
    """Three writers at once for one account, a cap of 2 with 1 held: they count in turn, so one more lands."""
    ann = user("ann")
    ApiToken.objects.create(user=ann, name="held", digest="held", prefix="ph_held")

    def add(n: int) -> str:
        with caps.owner_locked(User, ann.pk):
            if ApiToken.objects.filter(user=ann).count() >= 2:
                return "refused"
            ApiToken.objects.create(user=ann, name=f"t{n}", digest=f"d{n}", prefix=f"ph_{n}")
            return "added"

    assert sorted(at_once_before_saving(ApiToken, add, range(3))) == ["added", "refused", "refused"]
    assert ApiToken.objects.filter(user=ann).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_refusal_inside_takes_back_what_was_written_and_frees_the_owner():
    """An exception out of the block rolls its writes back, and the next writer for that owner goes ahead."""
    ann = user("ann")
    with pytest.raises(ValueError), caps.owner_locked(User, ann.pk):
        ApiToken.objects.create(user=ann, name="gone", digest="gone", prefix="ph_gone")
        raise ValueError("refused")
    assert not ApiToken.objects.exists()
    with caps.owner_locked(User, ann.pk):
        ApiToken.objects.create(user=ann, name="kept", digest="kept", prefix="ph_kept")
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["kept"]


@pytest.mark.django_db(transaction=True)
def test_a_locked_owner_is_still_open_to_rows_that_only_reference_it():
    """PostgreSQL: an insert referencing the owner (its foreign key takes FOR KEY SHARE) goes ahead while the owner
    is locked for a cap: FOR NO KEY UPDATE, where FOR UPDATE would make every upvote and comment of the owner wait."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes no row locks: its IMMEDIATE transactions serialise every writer")
    ann = user("ann")

    def reference(n: int) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            ApiToken.objects.create(user=ann, name=f"t{n}", digest=f"d{n}", prefix=f"ph_{n}")
        except DatabaseError:
            return "waited"
        return "added"

    with caps.owner_locked(User, ann.pk):
        assert at_once(reference, [0]) == ["added"]
