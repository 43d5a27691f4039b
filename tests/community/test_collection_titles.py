"""A title is one collection's per owner: refused as taken on a create or a rename, held by the database when two
creates race, and the migration that makes it so renames the duplicates a hub holds already."""

import importlib

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from paperhub.community import curation
from paperhub.community.models import Collection
from tests.factories import at_once, user

renaming = importlib.import_module("paperhub.community.migrations.0013_rename_duplicate_collection_titles")
BEFORE = [("community", "0012_collection_updated_at")]
AFTER = [("community", "0014_collection_title_per_owner")]


@pytest.fixture
def ann(db):
    return user("ann")


def test_a_second_collection_of_a_title_is_refused_naming_the_first(ann, settings):
    first = curation.create_collection(ann, "Reading group")
    with pytest.raises(curation.TitleTaken, match="You have a collection titled “Reading group” already.") as taken:
        curation.create_collection(ann, "  Reading\x00 group ")  # trimmed, control characters dropped: the same
    assert taken.value.collection == first
    settings.PAPERHUB_COLLECTIONS_MAX = 2
    curation.create_collection(ann, "reading group")  # case tells titles apart, as the API's 409 always did
    with pytest.raises(curation.TitleTaken):  # at the cap, a taken title still answers its collection
        curation.create_collection(ann, "Reading group")
    assert curation.create_collection(user("bob"), "Reading group").slug == "reading-group"  # bob's own
    assert Collection.objects.filter(owner=ann).count() == 2


def test_a_rename_onto_another_of_ones_titles_is_refused_and_changes_nothing(ann):
    curation.create_collection(ann, "Diffusion")
    other = curation.create_collection(ann, "Other", "kept")
    with pytest.raises(curation.TitleTaken, match="“Diffusion” already"):
        curation.edit_collection(ann, other, "Diffusion ", "changed", public=False)
    assert (other.title, other.description, other.public) == ("Other", "kept", True)
    other.refresh_from_db()
    assert (other.title, other.description, other.public) == ("Other", "kept", True)
    assert curation.edit_collection(ann, other, "Other", "changed", public=True).description == "changed"


def test_the_database_holds_a_title_once_per_owner(ann):
    curation.create_collection(ann, "Diffusion")
    with pytest.raises(IntegrityError):  # as the admin, or any write that skips the service, would
        Collection.objects.create(owner=ann, title="Diffusion", slug="diffusion-2")


@pytest.mark.django_db(transaction=True)
def test_creates_of_one_title_at_once_make_one_collection_and_tell_the_others_it_exists():
    """Four creates racing (as huggingface_hub's create_collection(exists_ok=True) from four processes): one makes
    it, the others are told it exists and which it is (each thread on a connection of its own)."""
    ann = user("ann")
    outcomes = at_once(lambda _: curation.create_collection(ann, "Reading group"), range(4), curation.TitleTaken)
    made = Collection.objects.get(owner=ann)
    assert [o for o in outcomes if isinstance(o, Collection)] == [made]
    assert [o.collection for o in outcomes if isinstance(o, curation.TitleTaken)] == [made] * 3


@pytest.mark.parametrize(("titles", "kept"), [
    (["A", "B"], ["A", "B"]),
    (["A", "A", "A"], ["A", "A (2)", "A (3)"]),
    (["A", "A (2)", "A"], ["A", "A (2)", "A (3)"]),  # never a title they hold already
    (["A (2)", "A", "A", "A (2)"], ["A (2)", "A", "A (3)", "A (2) (2)"]),
    (["x" * 200] * 2, ["x" * 200, "x" * 196 + " (2)"]),  # cut to fit the column
])
def test_the_migration_renames_later_repeats_of_a_title(titles, kept):
    assert renaming.distinct_titles(titles) == kept


@pytest.mark.django_db(transaction=True)
def test_the_migration_renames_a_hubs_duplicates_so_the_constraint_holds():
    ann, bob = user("ann"), user("bob")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # as a hub was before: nothing forbade two of a title
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("community", "Collection")
        for owner, title, slug in [(ann, "Reading", "reading"), (bob, "Reading", "reading"),
                                   (ann, "Reading", "reading-2"), (ann, "Reading (2)", "reading-2-1"),
                                   (ann, "Reading", "reading-3")]:
            old.objects.create(owner_id=owner.pk, title=title, slug=slug)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    titles = list(Collection.objects.order_by("pk").values_list("owner__username", "title", "slug"))
    assert titles == [("ann", "Reading", "reading"), ("bob", "Reading", "reading"), ("ann", "Reading (3)", "reading-2"),
                      ("ann", "Reading (2)", "reading-2-1"), ("ann", "Reading (4)", "reading-3")]


@pytest.mark.django_db(transaction=True)
def test_a_repeat_made_between_the_renames_and_the_constraint_is_renamed_too():
    """A web process still serving during `migrate` may make a repeat after 0013 ran: 0014 renames it again first,
    or it could not add the constraint (and 0013, recorded as applied, would not run again)."""
    ann = user("ann")
    executor = MigrationExecutor(connection)
    executor.migrate([("community", "0013_rename_duplicate_collection_titles")])
    try:
        old = executor.loader.project_state([("community", "0013_rename_duplicate_collection_titles")]).apps \
            .get_model("community", "Collection")
        old.objects.create(owner_id=ann.pk, title="Reading", slug="reading")
        old.objects.create(owner_id=ann.pk, title="Reading", slug="reading-2")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    assert list(Collection.objects.order_by("pk").values_list("title", flat=True)) == ["Reading", "Reading (2)"]
