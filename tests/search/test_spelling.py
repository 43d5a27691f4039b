"""'Did you mean': misspelt words corrected from the hub's own papers, on every front door."""

import json
from io import StringIO

from django.core.management import call_command

from paperhub.search import search
from paperhub.search.keyword_files import keyword_index
from paperhub.search.spelling import edits, suggest


def test_edits_are_one_change_away():
    near = edits("graph")
    assert {"grap", "rgaph", "grapht", "grbph", "agraph"} <= near and "graph" not in near and "grpha" not in near
    assert {"a", "b", "ba", "cb", "abc", "aab"} <= edits("ab") and all(len(e) in (1, 2, 3) for e in edits("ab"))


def test_misspelt_words_are_corrected_as_the_papers_spell_them(indexed):
    index = keyword_index()
    found = suggest(index, "grpah transformr attention")
    assert found is not None and found.query == "graph transformer attention"
    assert found.changes == (("grpah", "graph"), ("transformr", "transformer"))
    assert suggest(index, "Protien foldnig").query == "Protein folding"  # the typed capital kept
    assert suggest(index, '"difusion models" author:lovelace').query == '"diffusion models" author:lovelace'


def test_known_words_names_and_gibberish_get_no_suggestion(indexed):
    index = keyword_index()
    # the hub's words in any form, an author's name, too short to judge, not a plain word, nothing one edit away
    for query in ("graphs transformers", "Lovelace", "Babbage molecules", "grph", "gpt4x", "zzzzqqq", "",
                  "author:lovelaec", "cat:cs.LG"):
        assert suggest(index, query) is None, query


def test_the_front_doors_offer_the_corrected_query(indexed, client):
    assert search("protien").suggestion.query == "protein"
    page = client.get("/papers/search", {"q": "protien <b>x</b>", "sort": "newest"}).content.decode()
    assert 'Did you mean <a href="/papers/search?q=protein+%3Cb%3Ex%3C%2Fb%3E&amp;sort=newest">' \
           '<strong>protein</strong> &lt;b&gt;x&lt;/b&gt;</a>?' in page
    assert client.get("/api/search", {"q": "protien"}).json()["suggestion"] == "protein"
    assert client.get("/api/search", {"q": "protein"}).json()["suggestion"] is None
    out = StringIO()
    call_command("search", "protien", stdout=out)
    assert "Did you mean: protein\n" in out.getvalue()
    out = StringIO()
    call_command("search", "protien", "--json", stdout=out)
    assert json.loads(out.getvalue())["suggestion"] == "protein"
    assert "Did you mean" not in client.get("/papers/search", {"q": "protein"}).content.decode()


def test_a_typo_a_paper_or_two_hold_beside_a_word_a_hundred_times_as_common(db, search_dir):
    """arXiv's abstracts hold their own typos: "modles" is in one of the 74,728 recent papers."""
    from paperhub.papers.services import upsert_papers
    from paperhub.search import rebuild
    from tests.factories import record

    upsert_papers([record(f"2502.{n:05d}", title=f"Paper {n}", abstract="Language models and their tokens.")
                   for n in range(1, 202)]
                  + [record("2502.90001", title="Typo", abstract="Large language modles."),
                     *(record(f"2502.9100{n}", title="Rare", abstract="Tokenz are rare.") for n in range(3))])
    rebuild()
    index = keyword_index()
    assert suggest(index, "modles").query == "models"  # held by one paper, "models" by 201
    assert suggest(index, "tokenz") is None  # held by three: a word of this hub, however rare

