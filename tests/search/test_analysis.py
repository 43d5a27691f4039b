"""The keyword index's terms on small inputs: names stay within one author, initials, accents, TeX (no database)."""

import pytest

from paperhub.search import keyword_queries, keyword_schema
from paperhub.search.analysis import shown_terms, spellings, stems, text_terms
from paperhub.search.query import NO_FILTERS, Filters, parse
from paperhub.search.reading import readable
from tests.factories import small_keyword_index

PAPERS = {
    1: ("Joint retrieval", "A study.", ("Yuhao Chen", "Bin Shan")),  # "Chen Bin" across two authors
    2: ("Dense retrieval", "A study.", ("Bin Chen",)),
    3: ("Deep learning", "A review.", ("Yoshua Bengio", "Yann LeCun")),
    4: ("Knowledge graphs", "A survey.", ("Jeff Z. Pan",)),
    5: ("Kernel methods", "We study Rényi divergence and the Schrödinger bridge.", ("Bernhard Schölkopf",)),
    6: ("R$^2$BD: a benchmark", "Bounds of $\\mathcal{O}(n \\log n)$ time.", ("Ada Lovelace",)),
    7: ("M$^{3}$Searcher for agents", "Search.", ("Wei Li", "Wei Zhang")),
    8: ("Instruction fine-tuning for agents", "Self-supervised multi-modal pre-training in C++.", ("Ann Bee",)),
    9: ("Finetuning large models", "Selfsupervised multimodal pretraining in C.", ("Cy Dee",)),
    10: ("Gradient flows in $\\mathcal{P}_2$", "Wasserstein geometry.", ("Ed Eff",)),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return small_keyword_index(tmp_path_factory.mktemp("keyword"), PAPERS)


def found(index, text, filters=NO_FILTERS):
    return sorted(pid for pid, _ in index.ids(keyword_queries.build_query(parse(text), filters), 10))


def test_two_authors_names_never_join_into_one(index):
    assert found(index, 'author:"Chen Bin"') == [2]
    assert found(index, "", Filters(authors=("Chen Bin",))) == [2]
    assert found(index, '"Chen Bin"') == []  # a quoted phrase does not run from one author into the next
    assert found(index, '"Yuhao Chen"') == [1]
    assert found(index, 'author:"Li Zhang"') == [] and found(index, 'author:"Wei Wei"') == []
    assert found(index, 'author:"Wei Li"') == [7] == found(index, "author:Li")


def test_a_name_is_every_word_in_any_order_an_initial_for_a_given_name(index):
    assert found(index, 'author:"Y. Bengio"') == [3] == found(index, 'author:"Bengio, Yoshua"')
    assert found(index, 'author:"Jeff Pan"') == [4] == found(index, 'author:"J. Z. Pan"')  # middle initial skipped
    assert found(index, 'author:"B. Schölkopf"') == [5] == found(index, 'author:"Schölkopf, Bernhard"')
    assert found(index, 'author:"Yann Bengio"') == []  # both words, but of two authors
    assert found(index, 'author:"Z. Bengio"') == [] and found(index, 'author:"Yo Bengio"') == []
    assert found(index, "", Filters(authors=("Y. LeCun", "nobody"))) == [3]


def test_the_index_finds_the_authors_a_search_names(index):
    """carries() (which authors of a hit the search named) says what the index finds."""
    from paperhub.search.analysis import carries

    for name in ("Chen Bin", "Y. Bengio", "Bengio Yoshua", "Jeff Pan", "Schölkopf, B.", "Scholkopf", "Yann Bengio",
                 "Wei Wei", "Li Wei"):
        by_index = found(index, f'author:"{name}"')
        by_names = sorted(pid for pid, (_, _, authors) in PAPERS.items() if any(carries(a, name) for a in authors))
        assert by_index == by_names, name
    assert not carries("Yuhao Chen", "") and carries("Jeff Z. Pan", "pan jeff")


def test_accents_fold_in_papers_and_queries_alike(index):
    assert found(index, "author:Scholkopf") == [5] == found(index, "author:Schölkopf")
    assert found(index, '"Renyi divergence"') == [5] == found(index, '"Rényi divergence"')
    assert found(index, '"Schrodinger bridge"') == [5] == found(index, "Schrödinger")


def test_tex_is_indexed_as_it_reads(index):
    assert found(index, "R2BD") == [6] == found(index, "r2bd benchmark")
    assert found(index, "M3Searcher") == [7]
    assert found(index, "mathcal") == [] and found(index, "log") == [6]
    hit = index.search(keyword_queries.with_ids([6]), 1)[1][0][1]
    assert keyword_schema.IndexedPaper.from_stored(hit).title == "R$^2$BD: a benchmark"  # stored as written


def test_a_hyphenated_word_is_found_written_either_way(index):
    for hyphenated, closed in (("fine-tuning", "finetuning"), ("pre-training", "pretraining"),
                               ("multi-modal", "multimodal"), ("self-supervised", "selfsupervised")):
        assert found(index, hyphenated) == [8, 9] == found(index, closed), hyphenated
        assert index.count(keyword_queries.matching_all(parse(closed))) == 2
    # a quoted phrase with a hyphenated word finds it closed too; one with the closed word only finds that
    assert found(index, '"instruction fine-tuning"') == [8] and found(index, '"fine-tuning large"') == [9]
    assert found(index, '"finetuning large"') == [9] and found(index, '"instruction finetuning"') == []
    assert found(index, "agents -finetuning") == [7] == found(index, "agents NOT fine-tuning")


def test_hyphenated_words_are_indexed_by_their_parts_and_joined():
    assert text_terms("instruction fine-tuning of GPT-4 in 2020-2021") == (None, ["finetun", "gpt4"])  # (no dates)
    assert text_terms("R$^2$BD in C++ with self-attention") == (["r2bd", "in", "cplusplus", "with", "self", "attent"],
                                                              ["selfattent"])
    assert text_terms("plain words, nothing to join") == (None, [])  # tantivy's own analyzer reads it the same
    assert spellings("fine-tuning") == [["fine", "tune"], ["finetun"]] and spellings("finetuning") == [["finetun"]]


def test_a_query_word_has_one_reading_its_clauses_vocabulary_and_rare_word_take_theirs_from():
    """stems() picks a spelling: a hyphenated word's parts (looked up in the vocabulary, and for filler words), or
    closed up (its rare-word count); no reading of its own that could drift from the clauses'."""
    assert stems("fine-tuning") == ["fine", "tune"] and stems("fine-tuning", closed=True) == ["finetun"]
    for word in ("fine-tuning", "finetuning", "C++", "R^2BD", "x_1", "the", "state-of-the-art", "2020-2021", "--"):
        forms = spellings(word) or [[]]
        assert (stems(word), stems(word, closed=True)) == (forms[0], forms[-1]), word


def test_language_names_keep_their_signs(index):
    assert found(index, "C++") == [8] and found(index, "C#") == [] and found(index, "F#") == []
    assert found(index, '"in C++"') == [8]


def test_tex_scripts_typed_in_a_query_read_as_the_index_reads_tex(index):
    assert found(index, "R^2BD") == [6] == found(index, "R^{2}BD") == found(index, "r^2bd benchmark")
    assert found(index, "M^3Searcher") == [7] == found(index, "M^{3}Searcher")
    assert parse("x^{2} loss").terms == ("x^{2}", "loss")
    from paperhub.search.analysis import stems

    assert stems("x_1") == ["x1"] == stems("x^1")  # as "$x_1$" is indexed: x₁, folded


def test_tex_pasted_in_a_query_reads_as_the_index_reads_a_papers(index):
    """"\\mathcal{P}_2" from a paper's source was the word mathcal{P}_2, which no paper holds; it is P_2."""
    assert found(index, "\\mathcal{P}_2") == [10] == found(index, "P_2") == found(index, "$\\mathcal{P}_2$")
    assert found(index, "\\mathcal{P}_{2} flows") == [10] == found(index, "ti:\\mathcal{P}_2")
    assert parse("\\mathcal{P}_2").terms == ("P_2",) and parse("$O(n^2)$ attention").terms == ("O", "n²", "attention")
    assert found(index, "$\\mathcal{O}(n \\log n)$") == [6]  # a span split by spaces: its words all the same
    assert parse("\\mathcal{P").terms == ("P",)  # unbalanced: what is left of it
    for hostile in ("\\", "}{", "$" * 500, "\\" * 500, "{" * 500, "\\frac{" * 80):
        assert parse(hostile).terms == (), hostile  # signs alone (the search says so: test_keyword_search)


def test_title_and_abstract_fields_restrict_their_words(index):
    assert found(index, "agents") == [7, 8] and found(index, "ti:agents") == [7, 8]
    assert found(index, "search") == [7] and found(index, "ti:search") == [] and found(index, "abs:search") == [7]
    assert found(index, "title:finetuning") == [8, 9] and found(index, "abstract:finetuning") == []
    assert found(index, 'ti:"instruction fine-tuning"') == [8] and found(index, 'abs:"instruction fine-tuning"') == []
    assert found(index, "agents -ti:instruction") == [7] and found(index, "agents -abs:instruction") == [7, 8]
    assert index.count(keyword_queries.matching_all(parse("ti:search"))) == 0


def test_readable_renders_math_without_a_command():
    assert readable("R$^2$BD") == "R²BD" and readable("plain words") == "plain words"


def test_stored_authors_of_either_shape_read_back():
    doc = {"id": [1], "uid": ["x"], "title": ["t"], "day": [0]}
    assert keyword_schema.IndexedPaper.from_stored({**doc, "authors": ["A One", "B Two"]}).authors == ("A One", "B Two")
    assert keyword_schema.IndexedPaper.from_stored({**doc, "authors": ["A One; B Two"]}).authors == ("A One", "B Two")
    assert keyword_schema.IndexedPaper.from_stored(doc).authors == ()


def test_key_terms_fold_accents_and_show_them_as_written():
    from paperhub.search.terms import paper_counts, surface_forms

    assert paper_counts("Schrödinger bridges", "A Schrodinger bridge in $\\mathcal{O}(n)$ steps.") == {
        "schroding": 3, "bridg": 3, "step": 1}
    assert surface_forms(["Schrödinger bridges"]) == {"schroding": "schrödinger", "bridg": "bridges"}


def test_maths_letters_are_searched_as_letters():
    """The renderer writes \\mathcal{O} as 𝒪 and \\mathbb{R} as ℝ; a reader searching types O and R."""
    assert shown_terms(readable(r"An $\mathcal{O}(n\log n)$ bound on $\mathbb{R}$ in $\mathfrak{g}$")) == \
        ["an", "o", "n", "log", "n", "bound", "on", "r", "in", "g"]
