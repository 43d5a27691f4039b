"""Shared collections: the owner names collaborators, who add, remove, annotate and reorder papers and see a private
collection; only the owner renames, deletes, changes privacy or collaborators; banned collaborators lose it all."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps

from paperhub.community import curation, holding
from paperhub.community import queries as community
from paperhub.community.models import Collaborator, Collection, CollectionItem
from paperhub.core.permissions import NotAllowed
from tests.factories import add_paper, at_once, user


@pytest.fixture
def lab(db):
    ann, bob = user("ann"), user("bob")
    shelf = curation.create_collection(ann, "Lab reading", public=False)
    curation.add_collaborator(ann, shelf, "bob")
    return ann, bob, shelf


def test_a_collaborator_curates_and_sees_a_private_collection(lab):
    ann, bob, shelf = lab
    paper = add_paper("2611.00001")
    assert curation.add_to_collection(bob, shelf, paper)
    assert CollectionItem.objects.get(collection=shelf).added_by == bob
    assert community.collection(bob, "ann", shelf.slug) == shelf
    assert community.collection(user("eve"), "ann", shelf.slug) is None  # private: nobody else
    assert [c.title for c in community.own_collections(bob, 10)[0]] == ["Lab reading"]
    assert [c.title for c in holding.collections_lacking(bob, add_paper("2611.00002"), 10)[0]] == ["Lab reading"]
    assert curation.remove_from_collection(bob, shelf, paper)


def test_curated_finds_a_collection_only_for_its_curators(lab):
    ann, bob, shelf = lab
    shelf.public = True
    shelf.save()
    assert community.curated(ann, "ann", shelf.slug) == shelf == community.curated(bob, "ann", shelf.slug)
    eve = user("eve")
    assert community.collection(eve, "ann", shelf.slug) == shelf and community.curated(eve, "ann", shelf.slug) is None
    assert community.curated(bob, "ann", f"{shelf.slug}\x00") is None and community.curated(bob, "bob", shelf.slug) is None


def test_only_the_owner_edits_deletes_or_changes_collaborators(lab):
    ann, bob, shelf = lab
    user("cy")
    for act in (lambda: curation.edit_collection(bob, shelf, "Mine now", "", True),
                lambda: curation.delete_collection(bob, shelf),
                lambda: curation.add_collaborator(bob, shelf, "cy"),
                lambda: curation.remove_collaborator(bob, shelf, "bob")):
        with pytest.raises(NotAllowed, match="Only its owner"):
            act()
    with pytest.raises(NotAllowed, match="Only its owner and collaborators"):
        curation.add_to_collection(user("eve"), shelf, add_paper("2611.00001"))
    with pytest.raises(NotAllowed, match="no user named"):
        curation.add_collaborator(ann, shelf, "nobody")
    with pytest.raises(NotAllowed, match="own this collection"):
        curation.add_collaborator(ann, shelf, "ann")
    assert curation.remove_collaborator(ann, shelf, "bob") and not curation.may_curate(bob, shelf)
    assert community.collection(bob, "ann", shelf.slug) is None


def test_a_collaborator_is_named_in_any_case(lab):
    ann, bob, shelf = lab
    cy = user("cy")
    assert curation.add_collaborator(ann, shelf, "CY") == cy  # cy signed up in lower case
    assert curation.add_collaborator(ann, shelf, " Bob ") == bob
    big, small = user("Dee"), user("dee")  # names differing only in case (staff may make them)
    assert curation.add_collaborator(ann, shelf, "Dee") == big and curation.add_collaborator(ann, shelf, "dee") == small
    user("DEe")
    with pytest.raises(NotAllowed, match="no user named “DEE”: did you mean “DEe” or “Dee” or “dee”?"):
        curation.add_collaborator(ann, shelf, "DEE")


def test_a_banned_collaborator_loses_access(lab):
    ann, bob, shelf = lab
    bob.is_active = False
    bob.save()
    assert not curation.may_curate(bob, shelf) and community.collection(bob, "ann", shelf.slug) is None
    assert community.own_collections(bob, 10) == ([], 0)
    with pytest.raises(NotAllowed):
        curation.add_to_collection(bob, shelf, add_paper("2611.00001"))
    assert [u.username for u in curation.collaborators_of(shelf)] == ["bob"]  # still listed, for the owner to remove
    with pytest.raises(NotAllowed, match="no user named"):
        curation.add_collaborator(ann, curation.create_collection(ann, "Other"), "bob")


@pytest.mark.django_db(transaction=True)
def test_adds_at_once_never_take_a_collection_past_its_collaborator_cap(settings):
    """Four owners' adds racing for the last collaborator place: one gets it (the collection's row is locked)."""
    settings.PAPERHUB_COLLECTION_MAX_COLLABORATORS = 2
    ann = user("ann")
    shelf = curation.create_collection(ann, "Almost full")
    curation.add_collaborator(ann, shelf, user("bob").username)
    names = [user(f"u{n}").username for n in range(4)]
    outcomes = at_once(lambda name: curation.add_collaborator(ann, shelf, name), names, NotAllowed)
    assert sorted(type(o).__name__ for o in outcomes) == ["NotAllowed"] * 3 + ["User"]
    assert Collaborator.objects.filter(collection=shelf).count() == 2


LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def _changed_by(shelf, write) -> bool:
    """Whether the write moved the collection's updated_at (set long ago first)."""
    Collection.objects.filter(pk=shelf.pk).update(updated_at=LONG_AGO)
    write()
    return Collection.objects.get(pk=shelf.pk).updated_at > LONG_AGO


def test_every_write_to_a_collection_moves_its_updated_at_and_no_op_leaves_it(lab):
    ann, bob, shelf = lab
    first, second, outside = add_paper("2611.00001"), add_paper("2611.00002"), add_paper("2611.00003")
    assert shelf.updated_at == shelf.created_at  # never changed: last updated when made
    assert _changed_by(shelf, lambda: curation.add_to_collection(bob, shelf, first))
    curation.add_to_collection(bob, shelf, second)
    assert _changed_by(shelf, lambda: curation.set_note(bob, shelf, first, "read §3"))
    assert _changed_by(shelf, lambda: curation.move_item(bob, shelf, first, "top"))
    assert _changed_by(shelf, lambda: curation.edit_collection(ann, shelf, "Renamed", "", public=False))
    assert not _changed_by(shelf, lambda: curation.edit_collection(ann, shelf, "Renamed", "", public=False))  # as it was
    assert _changed_by(shelf, lambda: curation.remove_from_collection(bob, shelf, second))
    assert not _changed_by(shelf, lambda: curation.add_to_collection(bob, shelf, first))  # there already
    assert not _changed_by(shelf, lambda: curation.remove_from_collection(bob, shelf, outside))
    assert not _changed_by(shelf, lambda: curation.set_note(bob, shelf, outside, "x"))
    assert not _changed_by(shelf, lambda: curation.move_item(bob, shelf, first, "top"))  # the first already


def test_the_migration_backfills_the_latest_addition_else_the_creation(lab):
    ann, _, shelf = lab
    empty = curation.create_collection(ann, "Empty")
    curation.add_to_collection(ann, shelf, add_paper("2611.00001"))
    added = datetime(2026, 3, 4, tzinfo=UTC)
    CollectionItem.objects.filter(collection=shelf).update(added_at=added)
    Collection.objects.filter(pk=empty.pk).update(created_at=LONG_AGO)
    Collection.objects.update(updated_at=datetime(2026, 12, 1, tzinfo=UTC))  # as the added column holds them
    importlib.import_module("paperhub.community.migrations.0012_collection_updated_at").backfill(apps, None)
    assert Collection.objects.get(pk=shelf.pk).updated_at == added
    assert Collection.objects.get(pk=empty.pk).updated_at == LONG_AGO
