"""Shared collections: the owner names collaborators, who add, remove, annotate and reorder papers and see a private
collection; only the owner renames, deletes, changes privacy or collaborators; banned collaborators lose it all."""

import pytest

from paperhub.community import curation, services
from paperhub.community import queries as community
from paperhub.community.models import Collaborator, CollectionItem
from paperhub.core.permissions import NotAllowed
from tests.factories import add_paper, at_once, user


@pytest.fixture
def lab(db):
    ann, bob = user("ann"), user("bob")
    shelf = services.create_collection(ann, "Lab reading", public=False)
    curation.add_collaborator(ann, shelf, "bob")
    return ann, bob, shelf


def test_a_collaborator_curates_and_sees_a_private_collection(lab):
    ann, bob, shelf = lab
    paper = add_paper("2611.00001")
    assert services.add_to_collection(bob, shelf, paper)
    assert CollectionItem.objects.get(collection=shelf).added_by == bob
    assert community.collection(bob, "ann", shelf.slug) == shelf
    assert community.collection(user("eve"), "ann", shelf.slug) is None  # private: nobody else
    assert [c.title for c in community.own_collections(bob)] == ["Lab reading"]
    assert [c.title for c in community.collections_lacking(bob, add_paper("2611.00002"))] == ["Lab reading"]
    assert services.remove_from_collection(bob, shelf, paper)


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
    for act in (lambda: services.edit_collection(bob, shelf, "Mine now", "", True),
                lambda: services.delete_collection(bob, shelf),
                lambda: curation.add_collaborator(bob, shelf, "cy"),
                lambda: curation.remove_collaborator(bob, shelf, "bob")):
        with pytest.raises(NotAllowed, match="Only its owner"):
            act()
    with pytest.raises(NotAllowed, match="Only its owner and collaborators"):
        services.add_to_collection(user("eve"), shelf, add_paper("2611.00001"))
    with pytest.raises(NotAllowed, match="no user named"):
        curation.add_collaborator(ann, shelf, "nobody")
    with pytest.raises(NotAllowed, match="own this collection"):
        curation.add_collaborator(ann, shelf, "ann")
    assert curation.remove_collaborator(ann, shelf, "bob") and not curation.may_curate(bob, shelf)
    assert community.collection(bob, "ann", shelf.slug) is None


def test_a_banned_collaborator_loses_access(lab):
    ann, bob, shelf = lab
    bob.is_active = False
    bob.save()
    assert not curation.may_curate(bob, shelf) and community.collection(bob, "ann", shelf.slug) is None
    assert community.own_collections(bob) == []
    with pytest.raises(NotAllowed):
        services.add_to_collection(bob, shelf, add_paper("2611.00001"))
    assert [u.username for u in curation.collaborators_of(shelf)] == ["bob"]  # still listed, for the owner to remove
    with pytest.raises(NotAllowed, match="no user named"):
        curation.add_collaborator(ann, services.create_collection(ann, "Other"), "bob")


@pytest.mark.django_db(transaction=True)
def test_adds_at_once_never_take_a_collection_past_its_collaborator_cap(settings):
    """Four owners' adds racing for the last collaborator place: one gets it (the collection's row is locked)."""
    settings.PAPERHUB_COLLECTION_MAX_COLLABORATORS = 2
    ann = user("ann")
    shelf = services.create_collection(ann, "Almost full")
    curation.add_collaborator(ann, shelf, user("bob").username)
    names = [user(f"u{n}").username for n in range(4)]
    outcomes = at_once(lambda name: curation.add_collaborator(ann, shelf, name), names, NotAllowed)
    assert sorted(type(o).__name__ for o in outcomes) == ["NotAllowed"] * 3 + ["User"]
    assert Collaborator.objects.filter(collection=shelf).count() == 2
