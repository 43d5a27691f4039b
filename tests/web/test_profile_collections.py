"""A profile (and one's own /collections/) lists a page of the collections the viewer may see (its page and its JSON twin), with their count and
a link to the next page: an account with hundreds of collections costs no more than one page of them."""

import re

import pytest
from django.test import Client

from paperhub.community import curation
from paperhub.community import queries as community
from paperhub.web import accounts
from tests.factories import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def eve(monkeypatch):
    monkeypatch.setattr(community, "PROFILE_COLLECTIONS", 3)
    eve = user("eve")
    for n in range(5):
        curation.create_collection(eve, f"Shelf {n}")
    curation.create_collection(eve, "Shelf private", public=False)
    return eve


def _titles(html: str) -> list[str]:
    return re.findall(r'<a href="/collections/eve/[\w-]+">([^<]+)</a>', html)


def test_the_profile_page_shows_a_page_of_collections_and_links_the_next(eve):
    first = Client().get("/users/eve").content.decode()
    assert _titles(first) == ["Shelf 0", "Shelf 1", "Shelf 2"]
    assert "Collections (5; page 1 of 2)" in first and 'rel="next" href="?page=2"' in first
    second = Client().get("/users/eve?page=2").content.decode()
    assert _titles(second) == ["Shelf 3", "Shelf 4"] and 'rel="next"' not in second
    assert '<a href="/api/users/eve?p=1">This page as JSON</a>' in second
    owner = Client()
    owner.force_login(eve)
    assert "Shelf private" in owner.get("/users/eve?page=2").content.decode()  # (6 for her: by title, the last)


def test_the_profile_json_is_paged_with_the_total(eve):
    first = Client().get("/api/users/eve").json()
    assert [c["title"] for c in first["collections"]] == ["Shelf 0", "Shelf 1", "Shelf 2"]
    assert first["collectionsTotal"] == 5
    second = Client().get("/api/users/eve?p=1").json()
    assert [c["title"] for c in second["collections"]] == ["Shelf 3", "Shelf 4"]
    assert Client().get("/api/users/eve?p=-1").status_code == 422


def test_the_profile_json_reads_its_collections_in_a_fixed_number_of_queries(eve, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # (not one more per collection: their owners come in the same query)
        Client().get("/api/users/eve")


def test_ones_own_collections_page_is_paged(eve, monkeypatch):
    monkeypatch.setattr(accounts, "OWN_COLLECTIONS_PAGE", 4)
    client = Client()
    client.force_login(eve)
    first = client.get("/collections/").content.decode()
    assert _titles(first) == ["Shelf 0", "Shelf 1", "Shelf 2", "Shelf 3"]
    assert "6, page 1 of 2" in first and 'rel="next" href="?page=2"' in first
    assert _titles(client.get("/collections/?page=2").content.decode()) == ["Shelf 4", "Shelf private"]
