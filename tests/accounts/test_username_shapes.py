"""Look-alike usernames by one indexed lookup (issue 15): every account's name shapes stored in a table whose
unique shapes let the database refuse the second of two look-alike sign-ups at the same moment."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command

from paperhub.accounts import names
from paperhub.accounts import services as accounts
from paperhub.accounts.models import UsernameShape
from tests.factories import PASSWORD, at_once, user

record_migration = importlib.import_module("paperhub.accounts.migrations.0003_record_username_shapes")


def taken_by(*held: str):
    """The `taken` answer of a hub whose accounts are `held`."""
    shapes = frozenset().union(*(names.shapes(name) for name in held))
    return lambda looks: bool(looks & shapes)


@pytest.mark.parametrize(
    ("name", "held", "error"),
    [
        ("al1ce", ["alice"], names.TAKEN),
        ("ALICE", ["alice"], names.TAKEN),
        ("alIce", ["bob", "alice"], names.TAKEN),
        ("alice", [], None),
        ("alicia", ["alice"], None),
        ("zoe", ["bob"], None),
        ("supp0rt", [], "That username is reserved."),
        ("\u0430lice", [], "one script"),
    ],
)
def test_problem_asks_only_whether_a_shape_of_the_name_is_taken(name, held, error):
    found = names.problem(name, taken_by(*held))
    assert found == error if error is None or error == names.TAKEN else error in found


def test_a_new_account_holds_its_shapes_and_a_rename_moves_them(db):
    ann = accounts.create_account("ann", "ann@example.org", PASSWORD)
    assert accounts.own_shapes(ann) == names.shapes("ann") != set()
    assert accounts.username_problem("ANN") == names.TAKEN
    ann.username = "anna"  # as the admin renames
    ann.save()
    assert accounts.own_shapes(ann) == names.shapes("anna")
    assert accounts.username_problem("ann") is None and accounts.username_problem("annA") == names.TAKEN
    ann.delete()
    assert not UsernameShape.objects.exists()


def test_a_login_leaves_the_shapes_alone(db, django_assert_num_queries):
    ann = user("ann")
    with django_assert_num_queries(1):  # the last_login update only
        ann.save(update_fields=["last_login"])


def test_accounts_made_outside_sign_up_hold_their_shapes_too(db):
    call_command("createsuperuser", interactive=False, username="boss", email="boss@example.org", verbosity=0)
    assert accounts.own_shapes(User.objects.get(username="boss")) == names.shapes("boss")
    alice = user("alice")
    staff_made = user("Alice")  # staff may make a look-alike: the shapes stay the first account's
    assert accounts.own_shapes(alice) == names.shapes("alice") and not accounts.own_shapes(staff_made)
    with pytest.raises(accounts.AccountError, match="too like"):
        accounts.create_account("AL1CE", "x@example.org", PASSWORD)


def test_a_look_alike_that_passed_the_check_is_refused_by_the_shapes_table(db, monkeypatch):
    user("alice")
    monkeypatch.setattr(accounts, "username_problem", lambda name: None)  # as a sign-up checked a moment too early
    with pytest.raises(accounts.AccountError, match="too like"):
        accounts.create_account("al1ce", "x@example.org", PASSWORD)
    assert not User.objects.filter(username="al1ce").exists()


def test_look_alike_sign_ups_at_once_let_one_in(transactional_db):
    """Eight look-alike sign-ups at the same instant, each in its own connection: one account is made."""
    tries = ["alice", "al1ce", "ALICE", "a1ice", "Alice", "alIce", "aIice", "alice"]
    outcomes = [str(o) if isinstance(o, accounts.AccountError) else "made" for o in at_once(
        lambda at: accounts.create_account(tries[at], f"{at}@example.org", PASSWORD), range(len(tries)),
        accounts.AccountError)]
    assert outcomes.count("made") == 1 == User.objects.count(), outcomes
    assert outcomes.count(names.TAKEN) == len(tries) - 1
    assert accounts.own_shapes(User.objects.get()) == frozenset(UsernameShape.objects.values_list("shape", flat=True))


def test_the_migration_records_existing_accounts_in_batches(db, monkeypatch):
    User.objects.bulk_create([User(username=name) for name in ("bob", "carol", "BOB", "dave", "erin")])  # no signal
    assert not UsernameShape.objects.exists()
    monkeypatch.setattr(record_migration, "BATCH", 2)
    record_migration.record_all(apps, None)
    record_migration.record_all(apps, None)  # a rerun adds nothing
    held = {person.username: accounts.own_shapes(person) for person in User.objects.all()}
    assert held == {name: names.shapes(name) for name in ("bob", "carol", "dave", "erin")} | {"BOB": frozenset()}
