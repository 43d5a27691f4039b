"""Keywords of a paper (search/keyphrases.py): pure functions on small, realistic inputs."""

from paperhub.search import keyphrases

TITLE = "Sparse Mixtures of Retrieval Experts for $k$-shot Reasoning"
ABSTRACT = ("Large language models struggle with multi-step reasoning. We propose sparse mixtures of retrieval "
            "experts, in which a router selects retrieval experts per token. Retrieval experts reduce the cost "
            "of $O(n^2)$ attention, and the router is trained with a load-balancing loss. On GSM8K the sparse "
            "mixture of retrieval experts improves accuracy.")
COMMON = {"larg", "languag", "model", "token", "accuraci", "loss", "attent", "cost"}


def idf_of(stem: str) -> float:
    """A hub where the words of COMMON are everywhere and the rest are rare."""
    return 1.0 if stem in COMMON else 4.0


def test_runs_break_at_stop_words_math_and_punctuation():
    assert keyphrases.runs("We propose sparse mixtures of $k$-shot retrieval experts, trained on GPT-4o.") == [
        ["sparse", "mixtures"], ["shot", "retrieval", "experts"], ["trained"], ["gpt-4o"]]


def test_spellings_with_the_same_stems_are_one_candidate():
    found = {c.stems: c for c in keyphrases.candidates("Retrieval Experts", "A retrieval expert. Retrieval experts.")}
    merged = found[("retriev", "expert")]
    assert merged.phrase == "retrieval experts"
    assert merged.count == keyphrases.TITLE_WEIGHT + 2


def test_keywords_are_distinctive_phrases_without_repeats():
    chosen = keyphrases.keywords(TITLE, ABSTRACT, idf_of)
    assert chosen[0] == "retrieval experts"
    assert keyphrases.FEWEST <= len(chosen) <= keyphrases.MOST
    assert all(k == k.lower() for k in chosen)
    stems = [tuple(keyphrases.stem(w) for w in k.split()) for k in chosen]
    assert len(set(stems)) == len(stems)
    assert "retrieval" not in chosen and "experts" not in chosen  # said by "retrieval experts"
    assert not {"we", "propose", "improves", "o", "n"} & set(chosen)


def test_a_phrase_replaces_its_own_word_and_a_low_score_ends_the_list():
    word = keyphrases.Candidate("router", ("router",), 3)
    phrase = keyphrases.Candidate("router training", ("router", "train"), 2)
    weak = keyphrases.Candidate("accuracy", ("accuraci",), 1)
    others = [keyphrases.Candidate(f"w{i}x", (f"w{i}x",), 1) for i in range(5)]
    scored = [(word, 9.0), (phrase, 8.0), (weak, 1.0)] + [(c, 5.0) for c in others]
    assert keyphrases.choose(scored, most=8, fewest=5, cutoff=0.35) == [
        "router training", "w0x", "w1x", "w2x", "w3x", "w4x"]


def test_words_in_no_other_paper_and_short_words_are_left_out():
    assert keyphrases.keywords("Zyx", "An qq zyx.", lambda stem: 0.0 if stem == "zyx" else 2.0) == []


def test_a_keyword_is_only_a_phrase_the_keyword_index_holds_in_a_row():
    """A keyword opens a search for its "phrase", which must match the paper's text as indexed, LaTeX and all."""
    from paperhub.search.keyphrases import candidates, indexed_as_written

    title, abstract = "Sparse attention", r"We use a transformer~\cite{vaswani2017} architecture with GPT-4o \emph{graph} layers."
    held = indexed_as_written(title, abstract)
    said = {c.phrase: held(c) for c in candidates(title, abstract)}
    assert said["transformer architecture"] is False  # a citation stands between them in the index
    assert said["transformer"] and said["architecture"] and said["GPT-4o"] and said["graph layers"]
    assert said["sparse attention"]


def test_keywords_are_spelt_as_the_paper_writes_them():
    """Keywords were lower-cased: "llms", "clip", "gaussian splatting"."""
    forms = keyphrases.written_forms(
        "Vision-Language LLMs for Gaussian Splatting",
        "Large language models (LLMs) and GPT-4o. Gaussian processes with a Gaussian prior and a Bayesian one. "
        "Diffusion models are good; Transformers and the transformer.")
    # acronyms and names with capitals inside as written; a word capitalised inside sentences; not Title Case or a
    # sentence's first word ("Diffusion", "Transformers" after ";"), nor a word as often lower case
    # (and the parts of a hyphenated word with capitals inside: the key terms of similar papers are single words)
    assert forms == {"llms": "LLMs", "gpt-4o": "GPT-4o", "gpt": "GPT", "gaussian": "Gaussian", "bayesian": "Bayesian"}
    assert keyphrases.written_forms("DEEP LEARNING WITH CLIP", "") == {}  # a title in capitals tells nothing
    # a term spelt out for its acronym is no name: "graph Neural Networks" was a keyword
    assert keyphrases.written_forms("", "We study Graph Neural Networks (GNNs) on Riemannian graphs.") == {
        "gnns": "GNNs", "riemannian": "Riemannian"}
    found = {c.phrase for c in keyphrases.candidates("LLMs as judges", "We ask whether LLMs judge fairly.")}
    assert "LLMs" in found and "LLMs judge fairly" in found and "llms" not in found
    assert "how" in keyphrases.STOP_WORDS


def test_filler_ends_a_key_phrase():
    """Keyword chips read "change despite fixed", "abandons auxiliary decoders" ("despite", "instead" were stop
    words of the key terms only)."""
    assert keyphrases.runs("Change despite fixed supervision, instead abandons decoders") == [
        ["change"], ["fixed", "supervision"], ["abandons", "decoders"]]
    assert keyphrases.runs("A well-known, innovative and powerful parser") == [["parser"]]
