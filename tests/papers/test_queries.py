import pytest

from paperhub.papers import queries
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import add_paper, record


@pytest.mark.django_db
def test_papers_in_order_follows_the_ids_and_skips_gone_ones():
    upsert_papers([record(f"2501.0000{n}") for n in (1, 2, 3)])
    ids = {p.uid: p.pk for p in Paper.objects.all()}
    gone = max(ids.values()) + 1  # a hit for a paper deleted since the index was built
    wanted = [ids["2501.00003"], gone, ids["2501.00001"], ids["2501.00002"]]
    assert [p.uid for p in queries.papers_in_order(wanted)] == ["2501.00003", "2501.00001", "2501.00002"]
    assert queries.papers_in_order([]) == []


@pytest.mark.django_db
def test_authors_are_found_by_the_id_in_their_address():
    paper = add_paper("2501.00001", authors=("Ada Lovelace",))
    author = paper.authorships.get().author
    assert queries.author_by_slug(author.slug) == author
    assert queries.author_by_slug(f"an-old-name-{author.pk}") == author
    assert queries.author_by_slug("ada-lovelace") is None and queries.author_by_slug(f"x-{author.pk + 1}") is None
    assert queries.paper_by_id(str(paper.pk)) == paper and queries.paper_by_id("1 or 1") is None
    assert queries.paper_brief(paper.pk) == {"uid": "2501.00001", "title": "Paper 2501.00001",
                                             "published": paper.published}
