"""How keyword search ranks what a query names: a person, a title, a system's name (a tiny index, no database)."""

import pytest

from paperhub.search import keyword, keyword_queries, keyword_schema
from paperhub.search.query import parse
from tests.factories import small_keyword_index

PAPERS = {
    1: ("Offline policy learning for robots", "We learn robot policies from logged data.", ("Sergey Levine",)),
    2: ("Levin search revisited", "Levin search, after Sergey Levin, and the Levine bound: Levin search again.",
        ("Ada Lovelace",)),
    3: ("Universal search", "Sergey studies Levin search and Levine trees.", ("Alan Turing",)),
    4: ("PARALLAX: hallucination detection without artifacts", "A benchmark of model errors.", ("Grace Hopper",)),
    5: ("Depth from motion", "Motion parallax gives depth, as parallax between frames of a moving camera shows.",
        ("Bin Chen",)),
    6: ("Stereo vision", "The parallax between two views makes a map of depth; we correct its parallax errors.",
        ("Yuhao Chen",)),
    7: ("Generative recursive reasoning", "A model that reasons.", ("Yoshua Bengio",)),
    8: ("Recursive reasoning in generative models", "Generative models reason recursively, step by step.",
        ("Bin Shan",)),
    9: ("A Newton method for nonlinear equations", "A Newton method and its convergence.", ("Ada Lovelace",)),
    10: ("Graph sparsification", "Sparse graphs and their cuts.", ("Newton Howard",)),
    11: ("Joint retrieval of methods", "Newton and method retrieval.", ("Newton Smith", "Method Man")),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return small_keyword_index(tmp_path_factory.mktemp("keyword"), PAPERS)


def ranked(index, text):
    return [pid for pid, _ in index.ids(keyword_queries.build_query(parse(text)), 20)]


def test_a_query_that_is_a_persons_name_ranks_their_papers_first(index):
    """Abstracts saying "Levin search" and "Sergey" outscored his paper: "Levine" is stemmed "levin" there."""
    assert ranked(index, "Sergey Levine")[0] == 1
    assert ranked(index, "Levine Sergey")[0] == 1 == ranked(index, "S. Levine")[0]


def test_words_of_a_name_are_no_person_in_a_topical_query(index):
    """"Newton method": no author is named both (11's two authors hold one word each), so the text ranks."""
    assert ranked(index, "Newton method")[0] == 9
    assert ranked(index, "Newton")[0] == 9  # one word is a topic as much as a name: no bonus


def test_topic_words_held_by_an_organisations_name_are_no_person(tmp_path):
    """"Alzheimer disease" ranked first a paper of the Alzheimer's Disease Neuroimaging Initiative (review): every
    word of the query is a topic, so no name bonus; a first name that is no topic ("Sergey") keeps it."""
    index = small_keyword_index(tmp_path, {
        1: ("Alzheimer disease progression", "Alzheimer disease biomarkers over time.", ("Ann Bee",)),
        2: ("Imaging in Alzheimer disease", "Scans of disease.", ("Cy Dee",)),
        3: ("Cohort statistics", "Brain scans.", ("Alzheimer's Disease Neuroimaging Initiative",)),
        4: ("Robot learning", "Policies from data.", ("Sergey Levine",)),
    })
    topic = parse("Alzheimer disease")
    assert not index.may_name_person(topic) and index.may_name_person(parse("Sergey Levine"))
    found = [pid for pid, _ in index.ids(keyword_queries.build_query(topic, person=index.may_name_person(topic)), 10)]
    assert found[:2] in ([1, 2], [2, 1]) and 3 in found  # (still found by its name: ranked below)
    assert [pid for pid, _ in index.ids(keyword_queries.build_query(topic), 10)][0] == 3  # with the bonus, as before


def test_a_system_name_in_a_title_ranks_that_paper_first(index):
    assert ranked(index, "PARALLAX")[0] == 4
    assert ranked(index, "parallax hallucination")[0] == 4


def test_a_papers_whole_title_ranks_it_first(index):
    assert ranked(index, "Generative recursive reasoning")[0] == 7
    assert ranked(index, "generative recursive reasoning for")[0] == 7  # a filler word need not be in it
    assert ranked(index, "reasoning-generative") == []  # a hyphenated word is a phrase, no title holds it


@pytest.fixture(scope="module")
def spelt(tmp_path_factory):
    """Titles and abstracts holding words the index reads its own way: C++, and hyphenated or closed words."""
    return small_keyword_index(tmp_path_factory.mktemp("spelt"), {
        1: ("Memory safety in C++", "We check programs for errors.", ("Ann Bee",)),
        2: ("Compilers for the C language", "Templates, macros and modules in C++ code.", ("Cy Dee",)),
        3: ("Finetuning language models", "We adapt models to tasks.", ("Ed Eff",)),
        4: ("Language models", "Their fine-tuning on tasks.", ("Gus Ho",)),
        5: ("Instruction Finetuning at scale", "Tasks as instructions.", ("Ian Jay",)),
        6: ("Scaling instruction data", "Instruction fine-tuning of models.", ("Kim Lee",)),
    })


def scores(index, text):
    return dict(index.ids(keyword_queries.build_query(parse(text)), 20))


def test_a_title_holding_a_signed_name_gets_the_title_bonus(spelt):
    """"C++" is cplusplus to the index: the bonus went to titles holding a "c" (2 ranked first, by its abstract)."""
    assert ranked(spelt, "C++")[0] == 1


def test_a_hyphenated_word_gives_a_closed_title_its_bonus(spelt):
    """"fine-tuning" and "finetuning" read a "Finetuning" title alike: the same bonus, the same score (the
    hyphenated query's bonus asked for the title's parts, "fine tune", alone: 0.33 against 1.42)."""
    hyphenated, closed = scores(spelt, "fine-tuning"), scores(spelt, "finetuning")
    assert hyphenated[3] == pytest.approx(closed[3]) and hyphenated[5] == pytest.approx(closed[5])
    # in order too: "Instruction Finetuning" is the whole query as typed, whichever way it is written
    assert ranked(spelt, "instruction fine-tuning")[0] == 5 == ranked(spelt, "instruction finetuning")[0]


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """1,000 papers on graphs, two of them holding "parallax": rare at keyword.RARE_SHARE (0.2%)."""
    index = keyword.KeywordIndex(tmp_path_factory.mktemp("many"))
    writer = index.writer(heap_mb=15)
    for pid in range(1, 1001):
        extra = {7: " with parallax", 9: " with parallax", 3: " after finetuning", 5: " after fine-tuning"}.get(pid, "")
        writer.add_document(keyword_schema.document(keyword_schema.IndexedPaper(
            id=pid, uid=f"2501.{pid:05d}", title=f"Graph study {pid}", abstract=f"Graphs and hallucination{extra}.",
            authors=("Sergey Levine",) if pid == 8 else (), categories=("cs.LG",), day=20250101)))
    writer.commit()
    del writer
    index.refresh()
    return index


def test_the_rarest_word_of_a_query_is_the_one_a_hit_should_hold(many):
    assert many.rarest_word(parse("PARALLAX hallucination")) == "PARALLAX"
    assert many.rarest_word(parse("graph hallucination")) is None  # every paper holds them: none is rare
    assert many.rarest_word(parse("zzzqqq graphs")) is None  # a word no paper holds is no word to hold
    held = many.ids(keyword_queries.holding_among([1, 7, 8, 9], "parallax"), 10)
    assert sorted(pid for pid, _ in held) == [7, 9]
    assert many.rarest_word(parse("Sergey Levine graphs")) in {"Sergey", "Levine"}  # a name holds it too
    assert [pid for pid, _ in many.ids(keyword_queries.holding_among([1, 7, 8], "Levine"), 10)] == [8]


def test_a_rare_word_is_held_written_either_way(many):
    """The rare-word demotion reads a hyphenated word as the index does: closed up too ("fine-tuning" asked for the
    phrase "fine tune" alone, so a paper writing "finetuning" lacked it)."""
    for word in ("fine-tuning", "finetuning", "Fine-Tuning"):
        assert many.rarest_word(parse(f"{word} graphs")) == word
        assert sorted(pid for pid, _ in many.ids(keyword_queries.holding_among([1, 3, 5, 7], word), 10)) == [3, 5]


def test_a_hit_lacking_the_rare_word_falls_below_those_holding_it():
    from paperhub.search.fusion import demoted

    fused = [(1, 2.0), (7, 1.5), (2, 0.4), (9, -0.2)]  # 1 and 2 found by meaning alone
    assert [i for i, _ in demoted(fused, {1, 2}, 1.0)] == [7, 1, 9, 2]
    assert demoted(fused, set(), 1.0) == fused
