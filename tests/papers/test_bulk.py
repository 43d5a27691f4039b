"""Set-at-a-time writes: insert_new, the fast path for rows the writer takes to be new."""

import pytest
from django.db import IntegrityError, transaction

from paperhub.papers import services
from paperhub.papers.bulk import (
    STATEMENT_ROWS,
    _statement_chunks,
    chunk_size,
    insert_new,
    load_rows,
    select_ids,
    select_rows,
)
from paperhub.papers.models import Author, Paper, PaperAuthor
from paperhub.papers.services import upsert_papers
from tests.factories import record

pytestmark = pytest.mark.django_db

COLUMNS = ["name", "key"]


def test_insert_new_maps_each_key_to_its_new_row():
    with transaction.atomic():
        ids = insert_new(Author._meta.db_table, COLUMNS, [("Ada Lovelace", "ada lovelace"), ("Bo Li", "bo li")], "key")
    assert {key: Author.objects.get(pk=i).key for key, i in ids.items()} == {"ada lovelace": "ada lovelace",
                                                                              "bo li": "bo li"}
    assert Author.objects.count() == 2


def test_a_clash_inserts_nothing_and_the_transaction_goes_on():
    stored = Author.objects.create(name="Ada Lovelace", key="ada lovelace")
    with transaction.atomic():
        ids = insert_new(Author._meta.db_table, COLUMNS, [("Bo Li", "bo li"), ("Ada L.", "ada lovelace")], "key")
        Author.objects.create(name="Cy Twombly", key="cy twombly")  # the transaction is still usable
    assert ids is None and not Author.objects.filter(key="bo li").exists()  # the clash rolled the savepoint back
    assert Author.objects.get(pk=stored.pk).name == "Ada Lovelace"  # the stored row is left as it was
    assert Author.objects.filter(key="cy twombly").exists()


def test_upserts_into_a_hub_with_authors_check_them():
    upsert_papers([record("2501.00001", authors=("Ada Lovelace",))])
    upsert_papers([record("2501.00002", authors=("Bo Li", "Ada Lovelace")), record("2501.00003", authors=("Bo Li",))],
                  batch_size=1)
    assert Author.objects.count() == 2
    assert list(PaperAuthor.objects.filter(paper__uid="2501.00002").order_by("position")
                .values_list("author__key", flat=True)) == ["bo li", "ada lovelace"]


def test_a_paper_stored_by_another_writer_after_the_look_up_is_updated_not_lost(monkeypatch):
    """A batch finds its papers new, but one is stored (by a writer that took no turn) before the batch inserts it:
    the batch is rolled back and runs again, this time updating that paper."""
    upsert_papers([record("2501.00001", version=1, title="Old title", authors=("Ada Lovelace",))])
    real = services._stored_papers
    calls = []

    def looked_up_too_early(uids):
        calls.append(uids)
        return {} if len(calls) == 1 else real(uids)  # the first look-up does not see it yet

    monkeypatch.setattr(services, "_stored_papers", looked_up_too_early)
    done = upsert_papers([record("2501.00001", version=2, title="New title", authors=("Bo Li", "Cy Twombly")),
                          record("2501.00002")])
    assert len(calls) == 2  # (on SQLite no such writer can come between: a batch holds the write lock throughout)
    paper = Paper.objects.get(uid="2501.00001")
    assert paper.title == "New title" and paper.version == 2
    assert list(PaperAuthor.objects.filter(paper=paper).order_by("position").values_list("author__name", flat=True)) \
        == ["Bo Li", "Cy Twombly"]
    assert Paper.objects.count() == 2 and (done.new, done.updated) == (1, 1)


def test_a_batch_rolled_back_after_its_authors_went_in_forgets_them(monkeypatch):
    """The authors a rolled-back batch inserted are gone with it: run again, it inserts them again rather than
    linking its papers to ids it remembered from the first try."""
    real = services.note_repositories
    calls = []

    def rolled_back_once(urls):
        calls.append(urls)
        if len(calls) == 1:  # after the batch's papers and authors went in
            raise services._StoredMeanwhile
        real(urls)

    monkeypatch.setattr(services, "note_repositories", rolled_back_once)
    upsert_papers([record("2501.00001", authors=("Ada Lovelace", "Bo Li"))])
    assert len(calls) == 2
    assert list(PaperAuthor.objects.filter(paper__uid="2501.00001").order_by("position")
                .values_list("author__name", flat=True)) == ["Ada Lovelace", "Bo Li"]
    assert Author.objects.count() == 2


def test_look_ups_by_many_keys_find_texts_of_any_characters_and_ids():
    """select_ids/select_rows send a key list as one string on PostgreSQL (JSON for texts, commas for ids)."""
    keys = ['plain', 'with "quotes"', "back\\slash", "comma, {brace}", "ünïcödé ∑", "new\nline", "'single'", "ANY(x)"]
    with transaction.atomic():
        ids = insert_new(Author._meta.db_table, COLUMNS, [(key.title(), key) for key in keys], "key")
    assert ids is not None
    assert select_ids(Author._meta.db_table, "key", [*keys, "absent"]) == ids
    wanted = sorted(ids.values())[:3]
    assert sorted(select_rows(Author._meta.db_table, ["id", "key"], "id", wanted)) == sorted(
        (i, key) for key, i in ids.items() if i in wanted)
    assert select_ids(Author._meta.db_table, "key", []) == {}


def test_a_bad_value_is_an_error_not_a_clash():
    """Only a clash on a unique key sends a batch round again; any other integrity error is raised as it is."""
    with pytest.raises(IntegrityError):
        upsert_papers([record("2501.00009", version=-1)])  # (a check constraint: versions count from 1)


@pytest.mark.parametrize("columns", [2, 40, 600])
@pytest.mark.parametrize("count", [0, 1, 5, 1023, 1024, 1025, 5000, 12_345])
def test_multi_row_statements_are_of_a_few_lengths_and_take_every_row_in_order(count, columns):
    rows = [(i,) * columns for i in range(count)]
    sizes = [len(chunk) for chunk in _statement_chunks(rows, columns)]
    assert [row for chunk in _statement_chunks(rows, columns) for row in chunk] == rows
    assert all(size & (size - 1) == 0 and size <= STATEMENT_ROWS for size in sizes)  # powers of two
    assert all(size <= chunk_size(columns) for size in sizes)  # within the database's limit on parameters
    assert sizes == sorted(sizes, reverse=True)
    rest = [size for size in sizes if size != sizes[0]]
    assert len(set(rest)) == len(rest)  # after the longest ones, one statement of each shorter length at most


def test_a_load_that_breaks_a_constraint_midway_leaves_none_of_its_rows():
    """A row of a multi-row statement breaking a constraint: the error is raised, and the rows before it, in the
    same statement, are undone with the atomic block the error leaves (SQLite writes them OR FAIL, keeping no
    statement journal)."""
    rows = [(f"Author {i}", f"author {i}") for i in range(3000)]
    rows[1000] = ("Again", "author 7")  # in the first statement (1,024 rows), a thousand rows in
    with transaction.atomic():
        Author.objects.create(name="Kept", key="kept")
        with pytest.raises(IntegrityError), transaction.atomic():
            load_rows(Author._meta.db_table, COLUMNS, rows)
        assert list(Author.objects.values_list("key", flat=True)) == ["kept"]  # the transaction goes on
    with pytest.raises(IntegrityError), transaction.atomic():
        load_rows(Author._meta.db_table, COLUMNS, rows)
    assert list(Author.objects.values_list("key", flat=True)) == ["kept"]


@pytest.mark.django_db(transaction=True)
def test_a_load_outside_a_transaction_is_all_or_nothing():
    rows = [(f"Author {i}", f"author {i}") for i in range(10)] + [("Again", "author 7")]
    with pytest.raises(IntegrityError):
        load_rows(Author._meta.db_table, COLUMNS, rows)
    assert not Author.objects.exists()
