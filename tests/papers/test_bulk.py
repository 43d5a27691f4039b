"""Set-at-a-time writes: insert_new, the fast path for rows the writer knows to be new."""

import pytest
from django.db import transaction

from paperhub.papers.bulk import insert_new
from paperhub.papers.models import Author

pytestmark = pytest.mark.django_db

COLUMNS = ["name", "key"]


def test_insert_new_maps_each_key_to_its_new_row():
    with transaction.atomic():
        ids = insert_new(Author._meta.db_table, COLUMNS, [("Ada Lovelace", "ada lovelace"), ("Bo Li", "bo li")], "key")
    assert {key: Author.objects.get(pk=i).key for key, i in ids.items()} == {"ada lovelace": "ada lovelace",
                                                                              "bo li": "bo li"}
    assert Author.objects.count() == 2


def test_a_row_stored_after_all_goes_in_the_careful_way_and_the_transaction_goes_on():
    stored = Author.objects.create(name="Ada Lovelace", key="ada lovelace")
    with transaction.atomic():
        ids = insert_new(Author._meta.db_table, COLUMNS, [("Bo Li", "bo li"), ("Ada L.", "ada lovelace")], "key")
        Author.objects.create(name="Cy Twombly", key="cy twombly")  # the transaction is still usable
    assert ids["ada lovelace"] == stored.pk and Author.objects.get(pk=ids["bo li"]).name == "Bo Li"
    assert Author.objects.get(pk=stored.pk).name == "Ada Lovelace"  # the stored row is left as it was
    assert Author.objects.count() == 3
