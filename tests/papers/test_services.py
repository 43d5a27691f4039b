from datetime import UTC, datetime

import pytest

from paperhub.papers.models import Author, FeedEntry, Paper, PaperAuthor, PaperCategory
from paperhub.papers.services import FeedPlacement, merge, place_in_feed, supersedes, upsert_papers
from tests.factories import record

pytestmark = pytest.mark.django_db


def authors_of(uid):
    return list(PaperAuthor.objects.filter(paper__uid=uid).order_by("position")
                .values_list("author__name", flat=True))


def categories_of(uid):
    return list(PaperCategory.objects.filter(paper__uid=uid).order_by("-is_primary", "category__code")
                .values_list("category__code", "is_primary"))


def test_upsert_lands_papers_with_ordered_authors_and_primary_category():
    result = upsert_papers([record("2501.00001", categories=("cs.LG", "cs.CL", "stat.ML"),
                                   authors=("Zoe Zed", "Ada Lovelace"))])
    assert (result.new, result.updated, result.unchanged) == (1, 0, 0)
    paper = Paper.objects.get(uid="2501.00001")
    assert paper.title == "Paper 2501.00001" and paper.version == 1 and paper.source == "test"
    assert paper.published == datetime(2025, 1, 6, 18, tzinfo=UTC)
    assert authors_of("2501.00001") == ["Zoe Zed", "Ada Lovelace"]
    assert categories_of("2501.00001") == [("cs.LG", True), ("cs.CL", False), ("stat.ML", False)]


def test_upsert_is_idempotent():
    records = [record(f"2501.{i:05d}") for i in range(1, 30)]
    assert upsert_papers(records, batch_size=7).new == 29
    again = upsert_papers(records, batch_size=7)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 29)
    assert Paper.objects.count() == 29
    assert PaperAuthor.objects.count() == 58
    assert Author.objects.count() == 2


def test_same_name_is_one_author_across_papers_and_spellings():
    upsert_papers([
        record("2501.00001", authors=("Jürgen Müller",)),
        record("2501.00002", authors=('J{\\"u}rgen M\\"uller',)),
        record("2501.00003", authors=("JÜRGEN MÜLLER", "Jürgen Müller")),  # listed twice: one authorship
    ])
    assert Author.objects.count() == 1
    assert Author.objects.get().papers.count() == 3
    assert authors_of("2501.00003") == ["Jürgen Müller"]


def test_newer_version_updates_the_paper():
    upsert_papers([record("2501.00001", title="Old title", version=1, authors=("A One",))])
    later = datetime(2025, 3, 1, tzinfo=UTC)
    result = upsert_papers([record("2501.00001", title="New title", version=2, updated=later,
                                   authors=("A One", "B Two"), categories=("cs.AI",))])
    assert (result.new, result.updated) == (0, 1)
    paper = Paper.objects.get(uid="2501.00001")
    assert (paper.title, paper.version, paper.updated) == ("New title", 2, later)
    assert authors_of("2501.00001") == ["A One", "B Two"]
    assert categories_of("2501.00001") == [("cs.AI", True)]


def test_older_version_does_not_overwrite():
    upsert_papers([record("2501.00001", title="v2 title", version=2)])
    result = upsert_papers([record("2501.00001", title="v1 title", version=1)])
    assert result.unchanged == 1
    assert Paper.objects.get().title == "v2 title"


def test_sparse_source_fills_gaps_but_never_erases():
    upsert_papers([record("2501.00001", source="hf-daily", version=None, categories=(), code_url="https://github.com/x/y")])
    result = upsert_papers([record("2501.00001", version=1, comments="8 pages", categories=("cs.CL",))])
    assert result.updated == 1
    paper = Paper.objects.get()
    assert paper.version == 1 and paper.comments == "8 pages" and paper.code_url == "https://github.com/x/y"
    assert categories_of("2501.00001") == [("cs.CL", True)]
    # and the sparse source again changes nothing
    assert upsert_papers([record("2501.00001", source="hf-daily", version=None, categories=())]).unchanged == 1


def test_a_batch_listing_a_paper_twice_keeps_the_newest():
    result = upsert_papers([record("2501.00001", version=1, title="one"), record("2501.00001", version=3, title="three"),
                            record("2501.00001", version=2, title="two")])
    assert result.new == 1
    assert Paper.objects.get().title == "three"


def test_supersedes_and_merge_are_pure():
    t1, t2 = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    assert supersedes(record(version=2), 1, t1)
    assert not supersedes(record(version=1), 2, t1)
    assert supersedes(record(version=None, updated=t2), None, t1)
    assert not supersedes(record(version=1, updated=t1), 1, t1)
    stored = {name: None for name in ("title", "abstract", "version", "published", "updated", "comments",
                                      "journal_ref", "doi", "report_no", "license", "code_url", "project_url",
                                      "organization")}
    stored.update(title="Kept", abstract="", version=1, updated=t1)
    updates, authors, categories = merge(stored, record(title="Other", abstract="Filled", version=1, updated=t1),
                                         has_authors=True, has_categories=False)
    assert updates["abstract"] == "Filled" and "title" not in updates
    assert authors is False and categories is True


def test_place_in_feed_is_idempotent_and_refreshes_upvotes():
    upsert_papers([record("2501.00001")])
    day = datetime(2025, 1, 7, tzinfo=UTC).date()
    assert place_in_feed([FeedPlacement("2501.00001", day, "hf-daily", "akhaliq", None, 3)]) == 1
    assert place_in_feed([FeedPlacement("2501.00001", day, "hf-daily", "akhaliq", None, 9),
                          FeedPlacement("2599.99999", day, "hf-daily")]) == 0
    entry = FeedEntry.objects.get()
    assert entry.external_upvotes == 9 and entry.submitted_by == "akhaliq"


def test_paper_links():
    upsert_papers([record("2501.00001"), record("doi:10.1000/xyz", doi="10.1000/xyz")])
    arxiv, other = Paper.objects.get(uid="2501.00001"), Paper.objects.get(uid="doi:10.1000/xyz")
    assert arxiv.arxiv_id == "2501.00001" and arxiv.pdf_url == "https://arxiv.org/pdf/2501.00001"
    assert other.arxiv_id is None and other.abs_url == "https://doi.org/10.1000/xyz" and other.pdf_url == ""


def test_rule_placements_land_in_one_statement_once_per_paper():
    upsert_papers([record("2501.00001"), record("2501.00002")])
    first, second = datetime(2025, 1, 7, tzinfo=UTC).date(), datetime(2025, 1, 8, tzinfo=UTC).date()
    FeedEntry.objects.create(paper=Paper.objects.get(uid="2501.00002"), day=second, source="submission")
    placements = [FeedPlacement("2501.00001", first, "rule"), FeedPlacement("2501.00001", second, "rule"),
                  FeedPlacement("2501.00002", first, "rule"), FeedPlacement("2599.99999", first, "rule")]
    assert place_in_feed(placements, keep_existing=True, unplaced_only=True) == 1
    assert place_in_feed(placements, keep_existing=True, unplaced_only=True) == 0
    assert sorted(FeedEntry.objects.values_list("paper__uid", "day", "source")) == [
        ("2501.00001", first, "rule"), ("2501.00002", second, "submission")]
    assert place_in_feed([FeedPlacement("2501.00002", first, "rule")], keep_existing=True) == 1


def test_rewriting_one_papers_categories_keeps_its_authors_while_another_gets_authors():
    upsert_papers([record("2501.00001", source="hf-daily", version=None, categories=()),
                   record("2501.00002", source="hf-daily", version=None, authors=(), categories=("cs.AI",))])
    # The same versions again, richer: the first gains categories only (it has authors), the second authors only.
    result = upsert_papers([record("2501.00001", version=None, categories=("cs.CL",)),
                            record("2501.00002", version=None, authors=("B Two",), categories=("cs.AI",))])
    assert result.updated == 2
    assert authors_of("2501.00001") == ["Ada Lovelace", "Charles Babbage"]
    assert categories_of("2501.00001") == [("cs.CL", True)]
    assert authors_of("2501.00002") == ["B Two"]
    assert categories_of("2501.00002") == [("cs.AI", True)]
