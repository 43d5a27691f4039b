from paperhub.search.fusion import normalized, reciprocal_rank_fusion, score_fusion
from paperhub.search.highlight import mark, snippet


def test_rrf_rewards_agreement():
    fused = reciprocal_rank_fusion({"bm25": ["a", "b", "c"], "dense": ["c", "a", "d"]}, k=60)
    assert [item for item, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1 ] == 1 / 61 + 1 / 62


def test_rrf_weights_and_empty():
    fused = reciprocal_rank_fusion({"bm25": ["a"], "dense": ["b"]}, weights={"bm25": 1.0, "dense": 2.0})
    assert [item for item, _ in fused] == ["b", "a"]
    assert reciprocal_rank_fusion({}) == []
    assert reciprocal_rank_fusion({"x": ["a"]}, weights={"x": 0}) == []


def test_score_fusion_normalises_each_list():
    fused = score_fusion({"bm25": [("a", 30.0), ("b", 10.0)], "dense": [("b", 0.9), ("c", 0.5)]},
                         {"bm25": 0.5, "dense": 0.5})
    assert dict(fused) == {"a": 0.5, "b": 0.5, "c": 0.0}
    assert normalized([2.0, 2.0]) == [1.0, 1.0] and normalized([]) == []


def test_mark_escapes_then_highlights():
    html = mark('<script>alert("x")</script> Transformers & transformer-based models', ["transformers"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>Transformers</mark>" in html and "<mark>transformer</mark>-based" in html
    assert mark("AT&T", ["amp"]) == "AT&amp;T"  # never inside the entity escaping made


def test_a_word_is_marked_hyphenated_or_closed_up():
    """As the index finds them: "finetuning" marks "fine-tuning" and "fine-tuning" marks "Finetuning"."""
    assert mark("Instruction fine-tuning helps.", ["finetuning"]) == "Instruction <mark>fine-tuning</mark> helps."
    assert mark("Finetuning, fine-tuned.", ["fine-tuning"]) == "<mark>Finetuning</mark>, <mark>fine-tuned</mark>."
    assert mark("GPT-4, GPT4, C++", ["gpt4", "c++"]) == "<mark>GPT-4</mark>, <mark>GPT4</mark>, <mark>C++</mark>"
    assert mark("a fine tune", ["fine-tuning"]) == "a fine tune"  # parts apart are another word
    text = "filler " * 100 + "we study fine\u2011tuning here " + "tail " * 100
    assert "<mark>fine\u2011tuning</mark>" in snippet(text, ["finetuning"], width=120)
    assert mark("x - y", ["-"]) == "x - y"  # a hyphen alone is no word


def test_snippet_centres_on_the_matches():
    text = "filler " * 100 + "the graph neural network is here " + "tail " * 100
    html = snippet(text, ["graph", "network"], width=120)
    assert "<mark>graph</mark>" in html and html.startswith("… ") and html.endswith(" …")
    assert len(html) < 220
    assert snippet("short", ["x"]) == "short"


def test_profile_fusion_scores_each_candidate_by_the_signals_it_has():
    from paperhub.search.fusion import profile_fusion

    features = {"keyword": {"a": 1.0, "b": 3.0, "c": 2.0},
                "dense": {"a": 0.9, "b": 0.1},            # c has no transformer vector yet
                "static": {"a": 0.5, "b": 0.4, "c": 0.9}}
    fused = dict(profile_fusion(features, [{"keyword": 0.4, "dense": 0.6}, {"keyword": 0.8, "static": 0.2},
                                           {"keyword": 1.0}], ["a", "b", "c"]))
    assert set(fused) == {"a", "b", "c"}
    # c is scored from keyword + static, not sunk by a missing transformer score
    assert fused["c"] > min(fused["a"], fused["b"])
    assert profile_fusion({}, [{"keyword": 1.0}], ["x"]) == [("x", 0.0)]


def test_a_short_word_marks_itself_whole_not_every_word_it_begins():
    """"O", "Go", "AI", "RL" marked "of", "goal", "AIMS", "RLHF": a stem under four letters marks whole words."""
    assert mark("The O(n²) cost of our ordering, over or out on O", ["O", "n²"]) == (
        "The <mark>O</mark>(<mark>n²</mark>) cost of our ordering, over or out on <mark>O</mark>")
    assert mark("Go: a goal, gold that governs Go-like games", ["Go", "game"]) == (
        "<mark>Go</mark>: a goal, gold that governs <mark>Go</mark>-like <mark>games</mark>")
    assert mark("AI safety AIMS: AIs and A-I", ["AI", "safety"]) == (
        "<mark>AI</mark> <mark>safety</mark> AIMS: <mark>AIs</mark> and <mark>A-I</mark>")
    assert mark("RL for robots, RLs, RLHF", ["RL", "robots"]) == (
        "<mark>RL</mark> for <mark>robots</mark>, <mark>RLs</mark>, RLHF")
    # a stem of three letters from a longer word: its endings, not every word it begins
    assert mark("games, gaming, a game, gamma, gamble", ["games"]) == (
        "<mark>games</mark>, <mark>gaming</mark>, a <mark>game</mark>, gamma, gamble")
    assert mark("graphs and graphical models", ["graph"]) == "<mark>graphs</mark> and <mark>graphical</mark> models"


def test_tex_scripts_of_a_query_word_are_marked_as_the_text_shows_them():
    """A snippet is plain_text: the "$P_2$" of a paper reads "P₂", which the query's "P_2" finds."""
    assert mark("the P₂ distance, P_2, and R²BD in O(n²)", ["P_2", "R^2BD", "n^2"]) == (
        "the <mark>P₂</mark> distance, <mark>P_2</mark>, and <mark>R²BD</mark> in O(<mark>n²</mark>)")
    # "$\\mathcal{P}_2(\\mathbb{R}^d)$" shows math's letters, which the index reads as P and R
    assert mark("The space 𝒫₂(ℝ^d), not Ƥ₂", ["P_2", "R"]) == "The space <mark>𝒫₂</mark>(<mark>ℝ</mark>^d), not Ƥ₂"


def test_the_snippet_centres_on_whole_words_not_on_words_a_short_one_begins():
    text = "Goals of gold govern goal setting; " * 20 + "we play the board game Go with search. " + "tail " * 100
    html = snippet(text, ["Go", "game"], width=120)
    assert "<mark>Go</mark>" in html and "<mark>game</mark>" in html and "<mark>Go</mark>als" not in html


def test_hostile_words_mark_nothing_they_do_not_match():
    long = "a" * 500
    assert mark(long, [long]) == f"<mark>{long}</mark>" and mark("a b", [long]) == "a b"
    assert mark("x {P y \\ z", ["{P", "\\", "}", "{"]) == "x {P y \\ z"  # signs alone are no word
    assert snippet("a " * 400, ["a"] * 500, width=40).count("<mark>a</mark>") >= 10
