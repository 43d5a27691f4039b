"""'Did you mean': misspelt words corrected from the hub's own papers, on every front door."""

import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command

from paperhub.papers.services import upsert_papers
from paperhub.search import rebuild, search, spelling
from paperhub.search.keyword_files import keyword_index
from paperhub.search.spelling import common_stems, suggest, two_edit_correction
from paperhub.search.typos import edits, starts_within_two, within_two
from tests.factories import record


def test_edits_are_one_change_away():
    near = edits("graph")
    assert {"grap", "rgaph", "grapht", "grbph", "agraph"} <= near and "graph" not in near and "grpha" not in near
    assert {"a", "b", "ba", "cb", "abc", "aab"} <= edits("ab") and all(len(e) in (1, 2, 3) for e in edits("ab"))


@pytest.fixture
def spelled(indexed):
    """The search fixtures and three papers more: a correction is a word (or a name) three papers hold at least."""
    upsert_papers([record(f"2502.0001{n}", title="Graph transformers for protein folding",
                          abstract="Graph transformers with attention and diffusion models for protein folding.",
                          authors=("Ada Lovelace", "Sanjay Ghosh")) for n in range(3)])
    rebuild()
    return keyword_index()


def test_misspelt_words_are_corrected_as_the_papers_spell_them(spelled):
    found = suggest(spelled, "grpah transformr attention")
    assert found is not None and found.query == "graph transformer attention"
    assert found.changes == (("grpah", "graph"), ("transformr", "transformer"))
    assert suggest(spelled, "Protien foldnig").query == "Protein folding"  # the typed capital kept
    assert suggest(spelled, '"difusion models" author:lovelace').query == '"diffusion models" author:lovelace'
    assert suggest(spelled, "protien-foldnig").query == "protein-folding"  # parts of words (and of "x's")
    assert suggest(spelled, "Ghsoh").query == "Ghosh"  # a name, as the papers write it


def test_a_typo_the_stemmer_folds_onto_a_word_is_corrected_too(spelled):
    """"foldding" stems as "folding" does, so its papers are found, yet no paper writes it: "did you mean" still."""
    assert search("protein foldding", mode="keyword").total == 4  # found as typed
    found = suggest(spelled, "Protein foldding")
    assert found is not None and found.query == "Protein folding" and found.changes == (("foldding", "folding"),)
    # a form the papers write, or another's plural (however few papers write it), is no typo
    for query in ("protein folding", "protein foldings", "graph transformer"):
        assert suggest(spelled, query) is None, query


def test_known_words_names_gibberish_and_corrections_finding_nothing_get_no_suggestion(spelled):
    # the hub's words in any form, an author's name, too short to judge, not a plain word, nothing one edit away,
    # a field's value, a word fewer than three papers hold ("molecules"), a correction that finds nothing either
    for query in ("graphs transformers", "Lovelace", "Babbage molecules", "grph", "gpt4x", "zzzzqqq", "",
                  "author:lovelaec", "cat:cs.LG", "moleculs", '"protien folding" author:babbage',
                  "difusion author:nobody", "Babbgae"):
        assert suggest(spelled, query) is None, query


def test_the_front_doors_offer_the_corrected_query(spelled, client):
    found = search("protien graph")
    assert found.suggestion.query == "protein graph" and not found.corrected and found.total  # "graph" finds papers
    # (as typed: the correction finds far more papers holding both words, so it is shown unless asked not to)
    page = client.get("/papers/search", {"q": "protien graph", "cat": "cs.LG", "exact": "1"}).content.decode()
    assert 'Did you mean <a href="/papers/search?q=protein+graph&amp;cat=cs.LG"><strong>protein</strong> ' \
           'graph</a>?' in page
    page = client.get("/papers/search", {"q": "<b>protien</b> graph", "exact": "1"}).content.decode()  # escaped
    assert "<strong>protein</strong>&lt;/b&gt; graph</a>?" in page and "<b>protein" not in page
    api = client.get("/api/search", {"q": "protien graph", "exact": "true"}).json()
    assert (api["suggestion"], api["corrected"]) == ("protein graph", False)
    assert client.get("/api/search", {"q": "protein"}).json()["suggestion"] is None
    out = StringIO()
    call_command("search", "protien graph", "--exact", stdout=out)
    assert "Did you mean: protein graph\n" in out.getvalue()
    assert "Did you mean" not in client.get("/papers/search", {"q": "protein"}).content.decode()


def test_a_query_that_finds_nothing_as_typed_gets_its_corrections_results(spelled, client):
    assert search("protien foldnig").total == 0  # as typed (feeds, digests, exports): nothing
    found = search("protien foldnig", correct=True)
    assert found.corrected and found.suggestion.query == "protein folding"
    assert {h.uid for h in found.hits} == {"2501.00002", "2502.00010", "2502.00011", "2502.00012"}
    page = client.get("/papers/search", {"q": "protien foldnig", "sort": "newest"}).content.decode()
    assert "No papers match “protien foldnig”. Showing results for <a href=\"/papers/search?q=protein+folding" \
           "&amp;sort=newest\"><strong>protein</strong> <strong>folding</strong></a>." in page
    assert "4 results" in page and "/papers/2501.00002" in page
    assert '?q=protein%20folding">Atom</a>' in page  # the feed of the papers shown
    api = client.get("/api/search", {"q": "protien foldnig"}).json()
    assert api["corrected"] and api["total"] == 4 and api["suggestion"] == "protein folding"
    out = StringIO()
    call_command("search", "protien foldnig", "--json", stdout=out)
    assert json.loads(out.getvalue())["corrected"] is True
    out = StringIO()
    call_command("search", "protien foldnig", stdout=out)
    assert "No papers match 'protien foldnig'; showing results for: protein folding" in out.getvalue()


def test_a_typo_a_paper_or_two_hold_beside_a_word_a_hundred_times_as_common(db, search_dir):
    """arXiv's abstracts hold their own typos: "modles" is in one of the 74,728 recent papers."""
    upsert_papers([record(f"2502.{n:05d}", title=f"Paper {n}", abstract="Language models and their tokens.")
                   for n in range(1, 202)]
                  + [record("2502.90001", title="Typo", abstract="Large language modles."),
                     *(record(f"2502.9100{n}", title="Rare", abstract="Tokenz are rare.") for n in range(3))])
    rebuild()
    index = keyword_index()
    assert suggest(index, "modles").query == "models"  # held by one paper, "models" by 201
    assert suggest(index, "tokenz") is None  # held by three: a word of this hub, however rare



def test_a_commoner_stem_no_paper_writes_near_the_typo_gives_way_to_the_next(db, search_dir):
    """"agention", a letter from "atention", stems as agent, which more papers hold than attent: no paper writes
    "agention", so "attention" is offered, not nothing."""
    upsert_papers([record(f"2502.{n:05d}", title=f"Agents {n}", abstract="Agents and agent systems.")
                   for n in range(1, 151)]
                  + [record(f"2502.{n:05d}", title=f"Attention {n}", abstract="Attention heads.")
                     for n in range(200, 300)]
                  + [record(f"2502.{n:05d}", title=f"Arteries {n}", abstract="Of the arter.") for n in range(400, 405)]
                  + [record(f"2502.{n:05d}", title=f"Bart {n}", abstract="BART models.") for n in range(500, 510)])
    rebuild()
    index = keyword_index()
    assert suggest(index, "atention").query == "attention"
    # "barte" stems as bart, which ten papers hold ("BART"), none written so; "arter" is in five: too few to be the
    # word meant after another (a real word's neighbour)
    assert suggest(index, "barter") is None


def test_words_two_edits_apart():
    assert within_two("trnasformre", "transformer") and within_two("lerning", "learning")
    assert within_two("karbulaxem", "karbulaxem") and within_two("transformer", "transformers")
    assert not within_two("kitten", "sitting") and not within_two("abcdefgh", "badcfehg")  # three edits, four
    assert not within_two("transformer", "transformation")


@pytest.fixture
def invented(db, search_dir):
    """A vocabulary of made-up words, so that which word two edits from a typo is the commonest is known."""
    upsert_papers([record(f"2503.{n:05d}", title="Karbulaxem", abstract="The karbulaxem of a zorbax.")
                   for n in range(1, 26)]
                  + [record(f"2503.1{n:04d}", title="Korbelaxum", abstract="The korbelaxum of a zorbax.")
                     for n in range(1, 22)]
                  + [record("2503.20001", title="Kirbulaxom", abstract="A kirbulaxom, one paper's own word.")])
    rebuild()
    return keyword_index()


def test_a_long_word_two_edits_from_the_hubs_words_gets_the_commonest(invented):
    """"korbulaxim" is two edits from "karbulaxem" (25 papers) and from "korbelaxum" (21), one from none: the first
    found in the papers the fuzzy query lists first, the second by the stems of its first two letters."""
    assert not any(within_two("korbulaxim", word) and word in edits("korbulaxim")
                   for word in ("karbulaxem", "korbelaxum"))
    found = suggest(invented, "Korbulaxim")
    assert found is not None and found.changes == (("Korbulaxim", "Karbulaxem"),)
    assert suggest(invented, "zorbax") is None  # (spelt right)
    assert suggest(invented, "zrobax").query == "zorbax"  # a short word: one edit,
    assert suggest(invented, "zrobxa") is None  # not two


def test_a_rare_word_the_hub_holds_is_never_taken_for_a_typo_two_edits_away(invented):
    """"kirbulaxom" is one paper's word, two edits from "karbulaxem": searched as typed, no suggestion."""
    assert two_edit_correction(invented, "kirbulaxom") == "karbulaxem"  # (what it is two edits from)
    assert suggest(invented, "kirbulaxom") is None


def test_words_starting_two_edits_from_a_stem():
    """A typo in the ending the stemmer cuts: "trasnfromers" stems as itself, "transformers" as "transform"."""
    assert starts_within_two("transform", "trasnfromers") and starts_within_two("transform", "transformers")
    assert starts_within_two("karbulax", "kabrulaxatoins")  # a transposition (one edit) at the start
    assert not starts_within_two("trans", "trasnformers")  # a short stem starts too many words
    assert not starts_within_two("transform", "tarsnfromers")  # three edits
    assert not starts_within_two("deform", "trasnformers")


@pytest.fixture
def endings(db, search_dir):
    """A made-up word the stemmer cuts an ending from ("karbulaxations": karbulax) that 25 papers hold."""
    upsert_papers([record(f"2504.{n:05d}", title="Karbulaxations", abstract="The karbulaxations of a zorbax.")
                   for n in range(1, 26)])
    rebuild()
    index = keyword_index()
    common_stems(index, wait=True)  # (as search.warm() does when a worker starts)
    return index


def _join_listings() -> None:
    for thread in threading.enumerate():
        if thread.name == "common-stems":
            thread.join(10)


def test_common_stems_are_listed_again_while_the_last_listing_serves(endings, monkeypatch):
    """A stale listing keeps serving while a thread lists the stems again: a search never waits for it."""
    _join_listings()  # (one an earlier test started)
    served = common_stems(endings)
    assert (-25, "karbulax") in served[(0, "k")]
    monkeypatch.setattr(spelling, "STEMS_EVERY_S", 0)
    assert common_stems(endings) is served
    _join_listings()
    monkeypatch.setattr(spelling, "STEMS_EVERY_S", 3600)
    listed_again = common_stems(endings)  # the thread's listing, served without waiting
    assert listed_again is not served and listed_again == served
    monkeypatch.setattr(spelling, "STEMS_EVERY_S", 0)
    kept = common_stems(endings, wait=True)
    assert kept is not listed_again
    spelling._list_stems(endings, asked=0)  # a listing asked for before the one served, finishing after it
    monkeypatch.setattr(spelling, "STEMS_EVERY_S", 3600)
    assert common_stems(endings) is kept


def test_the_term_dictionary_lists_the_most_held_terms_first(endings):
    """common_stems() stops at the first term fewer than TWO_EDITS_HELD papers hold: tantivy lists them by count."""
    counts = [count for _, count in endings.searcher().terms_with_prefix("abstract", "")]
    assert counts == sorted(counts, reverse=True) and counts[0] == 25


def test_a_typo_in_the_ending_the_stemmer_cuts_is_corrected(endings, client):
    """"kabrulaxatoins" (two swaps) stems as kabrulaxatoin, far from karbulax: it starts one edit from the stem."""
    assert two_edit_correction(endings, "kabrulaxatoins") == "karbulaxations"
    assert suggest(endings, "kabrulaxatoins zorbax").query == "karbulaxations zorbax"
    assert suggest(endings, "karbulaxomorphic") is None  # a longer word of the stem is no typo of its forms
    assert suggest(endings, "kabrulaxatoinsqq") is None  # four edits from them
    page = client.get("/papers/search", {"q": "kabrulaxatoins"}).content.decode()
    assert "No papers match “kabrulaxatoins”. Showing results for <a href=" in page
    assert "<strong>karbulaxations</strong></a>." in page
