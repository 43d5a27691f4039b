"""Why a search found nothing (each part dropped in turn and counted), and a typo beside a known word searched as
its correction where no paper holds all its words as typed."""

import json
from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.template.loader import render_to_string

from paperhub.papers.services import upsert_papers
from paperhub.search import NO_FILTERS, Filters, rebuild, search
from paperhub.search.queries import NO_DAYS, Results
from paperhub.search.query import parse, unknown_categories
from tests.factories import record


def _why(query, filters=NO_FILTERS, sort="relevance"):
    return [(p.words, p.held, p.without, p.q, p.unknown) for p in search(query, filters, sort, explain=True).why]


def test_a_category_no_paper_is_in_is_named_and_the_search_without_it_counted(indexed):
    assert _why("graph cat:cs.XX") == [("in cs.XX", False, 2, "graph", ("cs.XX",))]
    found = search("graph cat:cs.XX", explain=True).why[0]
    assert found.reason == "No papers in cs.XX on this hub (cs.XX: not an arXiv category)"
    # arXiv's, none on the hub: no unknown code; a filter's category, dropped from the filters
    assert _why("graph", Filters(categories=("math.AG",))) == [("in math.AG", False, 2, "graph", ())]
    assert search("graph", Filters(categories=("math.AG",)), explain=True).why[0].filters == Filters()
    assert unknown_categories(("cs.XX", "cs", "CS.lg", "q-bio.BM", "math.zz")) == ("cs.XX", "math.zz")


def test_authors_dates_and_code_that_empty_a_search_are_named(indexed):
    assert _why('graph author:"Nobody Here"') == [("by Nobody Here", False, 2, "graph", ())]
    assert _why("graph", Filters(authors=("Nobody Here",))) == [("by Nobody Here", False, 2, "graph", ())]
    assert _why("graph since:2030-01-01") == [("from 2030-01-01", False, 2, "graph", ())]
    assert _why("graph", Filters(until=date(2020, 1, 1))) == [("to 2020-01-01", False, 2, "graph", ())]
    assert _why("graph has:code") == [("with code", False, 2, "graph", ())]
    assert _why("has:code") == [("with code", False, 0, "", ())]  # nothing left to search: no count


def test_parts_each_held_but_not_together_are_counted_without_each(indexed):
    """Lovelace wrote in cs.LG, not cs.CR: each part has papers, the two together none."""
    why = search("cat:cs.CR author:lovelace", sort="newest", explain=True).why
    assert [(p.words, p.held, p.without, p.q) for p in why] == [
        ("in cs.CR", True, 2, "author:lovelace"), ("by lovelace", True, 1, "cat:cs.CR")]
    assert why[0].reason == "None of the papers in cs.CR match the rest of the search"


def test_a_search_that_finds_papers_or_is_not_asked_says_nothing_of_why(indexed):
    assert search("graph cat:cs.LG", explain=True).why == []
    assert search("graph cat:cs.XX").why == []  # (feeds and digests: no counting)


def test_since_after_until_is_a_problem_not_an_empty_search(indexed, client):
    assert search("graph since:2025-03-01 until:2025-02-01").query.problem == NO_DAYS
    assert search("graph", Filters(since=date(2025, 3, 1), until=date(2025, 2, 1))).query.problem == NO_DAYS
    assert search("graph until:2025-02-01", Filters(since=date(2025, 3, 1))).query.problem == NO_DAYS
    assert not search("graph since:2025-02-01 until:2025-02-01").query.problem  # one day is a window
    page = client.get("/papers/search", {"q": "graph", "since": "2025-03-01", "until": "2025-02-01"})
    assert page.status_code == 400 and NO_DAYS in page.content.decode()
    page = client.get("/papers/search", {"q": "graph since:2025-03-01 until:2025-02-01"})  # the query's own dates
    assert page.status_code == 400 and NO_DAYS in page.content.decode()
    assert "No papers match." not in page.content.decode()  # the reason, not an empty result's words under it
    assert client.get("/api/search", {"q": "graph", "since": "2025-03-01", "until": "2025-02-01"}).status_code == 400


@pytest.fixture
def diffusion(indexed):
    upsert_papers([record(f"2502.0002{n}", title="Diffusion models for images",
                          abstract="Denoising diffusion models generate images.") for n in range(3)])
    rebuild()


def test_a_typo_beside_a_known_word_is_searched_as_its_correction(diffusion):
    """"difusion models" finds papers holding "models" as typed, none holding both; its correction finds some."""
    typed = search("difusion models")
    assert typed.total and not typed.corrected  # (feeds, digests: the query as typed)
    found = search("difusion models", correct=True)
    assert found.corrected and found.found_as_typed and found.suggestion.query == "diffusion models"
    assert {"2502.00020", "2502.00021", "2502.00022", "2501.00002"} <= {h.uid for h in found.hits}
    # a typo the stemmer searches as its word finds as many papers as its correction: offered, not swapped in
    kept = search("diffusion modells", correct=True)
    assert kept.suggestion.query == "diffusion models" and not kept.corrected


def test_a_rare_word_some_paper_holds_is_searched_as_typed_beside_a_common_neighbour(indexed):
    """One paper on a new model ("Gemma") beside many on "Gamma": the user may mean it, so it is never swapped."""
    upsert_papers([record("2502.00030", title="Gemma instruction tuning", abstract="We tune Gemma.")]
                  + [record(f"2502.0004{n}", title="Gamma ray bursts", abstract="Gamma ray bursts observed.")
                     for n in range(6)])
    rebuild()
    found = search("Gemma", correct=True)
    assert not found.corrected and found.hits[0].uid == "2502.00030"


def test_the_front_doors_say_what_emptied_a_search(indexed, client):
    page = client.get("/papers/search", {"q": "graph cat:cs.XX", "sort": "newest"}).content.decode()
    assert "No papers match.</p><p class=\"why\">No papers in cs.XX on this hub (cs.XX: not an arXiv category); " \
           '<a href="/papers/search?q=graph&amp;sort=newest">2 results without it</a>.</p>' in page
    api = client.get("/api/search", {"q": "graph", "cat": "math.AG"}).json()
    assert api["total"] == 0 and api["emptied_by"] == [{
        "reason": "No papers in math.AG on this hub", "part": "in math.AG", "held": False, "without": 2,
        "unknown": [], "search": "/api/search?q=graph"}]
    out = StringIO()
    call_command("search", "graph cat:cs.XX", stdout=out)
    assert "No papers in cs.XX on this hub (cs.XX: not an arXiv category); 2 without it: 'graph'\n" in out.getvalue()
    out = StringIO()
    call_command("search", "graph cat:cs.XX", "--json", stdout=out)
    assert json.loads(out.getvalue())["emptied_by"][0]["query"] == "graph"


def test_the_page_prints_counts_with_thousands_separators(rf):
    """As the commands print them (12,345); the API keeps plain integers."""
    request = rf.get("/papers/search", {"q": "graph"})
    request.user = AnonymousUser()
    why = [("None of the papers in cs.CR match the rest of the search", 1234, True, "/papers/search?q=graph")]
    page = render_to_string("web/search.html", {"q": "graph", "sort": "relevance", "page": 1, "cards": [], "why": why,
                                                "results": Results([], 12345, parse("graph"), ["dense"])}, request)
    assert "12,345 results (keyword + semantic)." in page
    assert '<a href="/papers/search?q=graph">at least 1,234 results without it</a>' in page


def test_the_front_doors_show_the_correction_and_keep_the_query_as_typed_a_click_away(diffusion, client):
    page = client.get("/papers/search", {"q": "difusion models"}).content.decode()
    assert 'Showing results for <a href="/papers/search?q=diffusion+models"><strong>diffusion</strong> models</a>. ' \
           'Search instead for <a href="/papers/search?q=difusion+models&amp;exact=1">difusion models</a>.' in page
    assert "/papers/2502.00020" in page and "No papers match" not in page
    exact = client.get("/papers/search", {"q": "difusion models", "exact": "1"}).content.decode()
    assert "Did you mean" in exact and "Showing results for" not in exact
    api = client.get("/api/search", {"q": "difusion models"}).json()
    assert api["corrected"] and api["found_as_typed"] and api["suggestion"] == "diffusion models"
    assert not client.get("/api/search", {"q": "difusion models", "exact": "true"}).json()["corrected"]
    hf = client.get("/api/papers/search", {"q": "difusion models"}).json()  # as Hugging Face's: never corrected
    assert [item["paper"]["id"] for item in hf] == [hit.uid for hit in search("difusion models").hits]
    out = StringIO()
    call_command("search", "difusion models", stdout=out)
    assert "Showing results for: diffusion models (search instead for 'difusion models' with --exact)" \
        in out.getvalue()


@pytest.mark.parametrize(("template", "context", "shown"), [
    ("web/period.html", {"period": SimpleNamespace(kind="week", label="Week 49", key="2026-W49"), "total": 12345,
                         "cards": [], "page": 1}, "12,345 papers, most upvoted first."),
    ("web/_comments.html", {"comment_pages": 2, "comment_page": 1, "comment_total": 1200, "discussion": [],
                            "paper": SimpleNamespace(uid="2611.00001")},
     "(1,200 comments, oldest first)"),
])
def test_other_pages_print_their_counts_so_too(rf, template, context, shown):
    request = rf.get("/")
    request.user = AnonymousUser()
    assert shown in render_to_string(template, context, request)
