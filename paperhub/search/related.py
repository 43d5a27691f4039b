"""The papers most like one paper, from every signal it has, each with the signals that brought it.

Signals, each with its own list of the nearest papers over the whole hub:
    terms      the paper's key terms as a BM25 query (candidates), scored by tf-idf cosine (search/terms.py) of
               the term counts the keyword index stores with each paper (not read from ~150 texts at each view)
    dense      the transformer's cosine, where the paper has a transformer vector
    static     the static model's cosine, where it has a static vector
    topics     the cosine of topic vectors (search/topics.py: latent semantic analysis of the hub's key terms,
               learnt with the static model), from term counts alone; scores only the other signals' DEPTH best
               (its list: them by its score), no list of its own over the hub
    authors    papers sharing an author (candidates), and a bonus per shared author
    categories a bonus for shared categories (scores only)

Every candidate of any list is scored by every signal (topics: those among the other lists' DEPTH best). Each
signal is standardised against its own top list (the mean and spread of its best DEPTH scores for this paper), so a
paper's score does not depend on how many candidates were drawn: asking for 8 papers or for all of them gives the
same order. A candidate without a transformer vector takes its static score in the transformer's place (the static
model is trained to imitate the transformer), one without a static vector (or a topic score) its term score. The
weights depend on which signals the paper itself has (PROFILES), tuned on CSFCube's dev fold by bench/similar.py.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from paperhub.search import analysis, embed, filler, keyword, keyword_queries, terms, topics, wording
from paperhub.search.indexing import vector_name
from paperhub.search.keyword_files import keyword_index
from paperhub.search.keyword_schema import IndexedPaper as Paper
from paperhub.search.vector_files import vector_index
from paperhub.search.vectors import VectorIndex

#: How deep each signal's own list goes, and what its score is standardised against; papers sharing an author
#: are candidates too, the most authors shared first (a prolific author's other papers need their content).
DEPTH = 40
AUTHOR_DEPTH = 30
MAX_AUTHORS = 20  # of a paper's authors, the first, for its candidates (a collaboration lists hundreds)
#: How many of a paper's key terms make its BM25 query.
KEY_TERMS = 30
#: A hit gets a signal's reason when it is among that signal's best REASON_RANK; "same key terms" names
#: LABEL_TERMS of the words both papers share.
REASON_RANK = 20
LABEL_TERMS = 3

TERMS, DENSE, STATIC, TOPICS, AUTHORS = "terms", "dense", "static", "topics", "authors"
CONTENT = (TERMS, DENSE, STATIC, TOPICS)
#: Weights of the content signals by the signals the paper has, tuned on CSFCube's dev fold (`bench.similar
#: --tune`) with a static model and topics that learnt from the judged papers and with ones that never saw them:
#: the grid is flat within a point near these, so they are round numbers good for both (docs/benchmarks.md).
PROFILES: dict[frozenset[str], dict[str, float]] = {
    frozenset({TERMS, DENSE, STATIC, TOPICS}): {TERMS: 0.2, DENSE: 0.1, STATIC: 0.3, TOPICS: 0.4},
    frozenset({TERMS, STATIC, TOPICS}): {TERMS: 0.2, STATIC: 0.4, TOPICS: 0.4},
    frozenset({TERMS, DENSE, TOPICS}): {TERMS: 0.3, DENSE: 0.3, TOPICS: 0.4},
    frozenset({TERMS, TOPICS}): {TERMS: 0.5, TOPICS: 0.5},
    # a hub whose static model has no topics yet (built before them, or too small to learn them)
    frozenset({TERMS, DENSE, STATIC}): {TERMS: 0.6, DENSE: 0.3, STATIC: 0.1},
    frozenset({TERMS, STATIC}): {TERMS: 0.6, STATIC: 0.4},
    frozenset({TERMS, DENSE}): {TERMS: 0.6, DENSE: 0.4},
    frozenset({TERMS}): {TERMS: 1.0},
}
#: Metadata on top of content, in standard deviations of the fused content score: per shared author (at most
#: AUTHOR_CAP of them), and for the share of categories in common (Jaccard).
AUTHOR_BONUS = 0.35
AUTHOR_CAP = 3
CATEGORY_BONUS = 0.25
#: A standard score below this says only "not among this signal's neighbours": one signal must not bury a paper
#: another finds (a tight list of near-duplicates puts everything else at -15 standard deviations).
FLOOR = -2.0
#: Where a candidate lacks a signal, the one that stands in for it.
STAND_IN = {DENSE: STATIC, STATIC: TERMS, TOPICS: TERMS}


@dataclass(frozen=True)
class Reason:
    """Why a paper is on a similar list: a signal, a label for people, and what was shared."""

    signal: str  # "terms", "meaning" or "authors"
    label: str
    shared: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "label": self.label, "shared": list(self.shared)}

    def __str__(self) -> str:
        return f"{self.label}: {', '.join(self.shared)}" if self.shared else self.label


def reasons_text(found: Sequence[Reason]) -> str:
    """Reasons as one line for people ("same key terms: driver, activity · close in meaning")."""
    return " · ".join(map(str, found))


@dataclass
class Scored:
    """A candidate's fused score, each signal's weighted contribution, and its reasons."""

    id: int
    score: float
    contributions: dict[str, float] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)


def author_key(name: str) -> str:
    """An author name as compared between papers: its words as the keyword index holds them."""
    return " ".join(analysis.name_words(name))


def standardised(scores: Mapping[int, float], reference: Sequence[float]) -> dict[int, float]:
    """Scores as standard scores against a reference list (a signal's own best scores for this paper)."""
    if not reference:
        return {}
    mean = float(np.mean(reference))
    spread = float(np.std(reference)) or 1.0
    return {k: (v - mean) / spread for k, v in scores.items()}


def fuse(z: Mapping[str, Mapping[int, float]], weights: Mapping[str, float], candidates: Sequence[int],
         shared_authors: Mapping[int, int], shared_categories: Mapping[int, float]) -> list[Scored]:
    """Candidates by weighted standard scores plus metadata bonuses, best first (ties by id)."""
    fused = []
    for candidate in candidates:
        parts: dict[str, float] = {}
        for signal, weight in weights.items():
            source = signal
            while candidate not in z.get(source, {}) and source in STAND_IN:
                source = STAND_IN[source]
            parts[signal] = weight * max(FLOOR, z.get(source, {}).get(candidate, 0.0))
        authors = min(shared_authors.get(candidate, 0), AUTHOR_CAP)
        if authors:
            parts[AUTHORS] = AUTHOR_BONUS * authors
        if shared_categories.get(candidate):
            parts["categories"] = CATEGORY_BONUS * shared_categories[candidate]
        fused.append(Scored(candidate, sum(parts.values()), parts))
    fused.sort(key=lambda s: (-s.score, s.id))
    return fused


def profile(signals: set[str]) -> dict[str, float]:
    """The weights for the content signals a paper has."""
    return PROFILES.get(frozenset(signals & set(CONTENT)), {})  # none: metadata alone


def reasons(hit: Scored, ranks: Mapping[str, Mapping[int, int]], shared_terms: list[str],
            shared_names: list[str]) -> list[Reason]:
    """The signals that brought a hit: those that rank it among their best, else the one adding most."""
    def near(signal: str) -> bool:
        return ranks.get(signal, {}).get(hit.id, REASON_RANK + 1) <= REASON_RANK

    found = []
    same_terms = Reason("terms", "same key terms", tuple(shared_terms))
    if near(TERMS) and shared_terms:  # (a paper sharing no term is only near by the terms' stand-in)
        found.append(same_terms)
    if near(DENSE) or near(STATIC) or near(TOPICS):
        found.append(Reason("meaning", "close in meaning"))
    if shared_names:
        n = len(shared_names)
        found.append(Reason("authors", f"shares {n} author{'s' if n > 1 else ''}", tuple(shared_names)))
    if not found:
        content = {s: v for s, v in hit.contributions.items() if s in CONTENT}
        best = max(content, key=lambda s: content[s]) if content else TERMS
        found.append(same_terms if best == TERMS and shared_terms else Reason("meaning", "close in meaning"))
    return found


class _Idfs:
    """Terms' idf from the keyword index's document frequencies, remembered until the index is replaced or has
    grown by a hundredth (document frequencies move slowly; looking each up costs more than the rest)."""

    LIMIT = 500_000

    def __init__(self) -> None:
        self.key: tuple[object, int] | None = None
        self.known: dict[str, float] = {}

    def lookup(self, index: keyword.KeywordIndex) -> Callable[[str], float]:
        searcher = index.searcher()
        n_docs = int(searcher.num_docs)
        if self.key is None or self.key[0] is not index or abs(n_docs - self.key[1]) > self.key[1] / 100 \
                or len(self.known) > self.LIMIT:
            self.key, self.known = (index, n_docs), {}
        known, counted = self.known, self.key[1]

        def idf_of(term: str) -> float:
            value = known.get(term)
            if value is None:
                value = known[term] = terms.idf(int(searcher.doc_freq("abstract", term)), counted)
            return value

        return idf_of


_idfs = _Idfs()


def served_idf() -> Callable[[str], float] | None:
    """Terms' idf in the served keyword index (its document frequencies), or None before the first build."""
    index = keyword_index()
    return None if index is None else _idfs.lookup(index)


def _stored(index: keyword.KeywordIndex, ids: Sequence[int]) -> dict[int, Paper]:
    if not ids:
        return {}
    _, docs = index.search(keyword_queries.with_ids(ids), limit=len(ids))
    papers = (Paper.from_stored(doc) for _, doc in docs)
    if index.outdated:  # its stored counts may be an older paper_counts()'s (terms.COUNTS_VERSION): read the text
        papers = (replace(paper, counts=None) for paper in papers)
    return {paper.id: paper for paper in papers}


@dataclass
class Signals:
    """Everything similar() knows about a paper's candidates: each signal's scores, standardised scores and
    own ranking, shared authors and categories, the tf-idf vectors."""

    me: Paper
    papers: dict[int, Paper]
    candidates: list[int]
    scores: dict[str, dict[int, float]]
    z: dict[str, dict[int, float]]
    ranks: dict[str, dict[int, int]]
    shared_names: dict[int, list[str]]
    shared_categories: dict[int, float]
    term_vectors: dict[int, terms.Weights]
    is_common: Callable[[str], bool]  # (a term too common to label what two papers share)

    def fused(self, weights: Mapping[str, float] | None = None) -> list[Scored]:
        """Every candidate by the fused score, best first (weights: the paper's profile unless given)."""
        return fuse(self.z, weights or profile(set(self.scores)), self.candidates,
                    {c: len(n) for c, n in self.shared_names.items()}, self.shared_categories)


def current_topics() -> topics.Topics | None:
    """The topics learnt with this node's current static model, None before one that has them."""
    return topics.load(embed.static_model_path()) if embed.static_name() else None


def _topic_scores(mine: terms.Weights, term_vectors: Mapping[int, terms.Weights],
                  candidates: Sequence[int]) -> dict[int, float] | None:
    """The candidates' topic cosines with the paper (none for one whose terms the topics do not know: its term
    score stands in), None where the hub has no topics yet or the paper has no known term."""
    table = current_topics()
    if table is None:
        return None
    vectors = table.vectors([mine, *(term_vectors[candidate] for candidate in candidates)])
    me, theirs = vectors[0], vectors[1:]
    if not me.any():
        return None
    cosines, known = theirs @ me, np.abs(theirs).sum(axis=1) > 0
    return {candidate: float(cosines[at]) for at, candidate in enumerate(candidates) if known[at]}


Lists = dict[str, list[tuple[int, float]]]
Vectors = dict[str, tuple[VectorIndex, np.ndarray]]


def _lists(index: keyword.KeywordIndex, me: Paper, mine: terms.Weights, depth: int) -> tuple[Lists, Vectors]:
    """Each signal's own list of a paper's nearest papers over the hub (the paper left out), and the vector
    indexes holding its vectors with them."""
    lists: Lists = {}
    if mine:
        lists[TERMS] = index.ids(keyword_queries.more_like_this(terms.key_terms(mine, KEY_TERMS)), depth + 1)
    if me.authors:
        lists[AUTHORS] = index.ids(keyword_queries.by_authors(me.authors[:MAX_AUTHORS]), AUTHOR_DEPTH + 1)
    vectors: Vectors = {}
    for kind in (DENSE, STATIC):
        vec_index = vector_index(vector_name(kind))
        vector = vec_index.vector(me.id)
        if vector is not None:
            vectors[kind] = (vec_index, vector)
            lists[kind] = vec_index.search(vector, depth + 1)
    return {k: [(i, s) for i, s in found if i != me.id] for k, found in lists.items()}, vectors


def _scores(mine: terms.Weights, lists: Lists, vectors: Vectors, candidates: list[int],
            term_vectors: Mapping[int, terms.Weights]) -> dict[str, dict[int, float]]:
    """Every candidate's score by every signal the paper has (topics: those among the lists' DEPTH best; their own
    list is added to `lists`)."""
    scores: dict[str, dict[int, float]] = {}
    if mine:
        scores[TERMS] = {c: terms.cosine(mine, term_vectors[c]) for c in candidates}
    for kind, (vec_index, vector) in vectors.items():
        scores[kind] = vec_index.similarities(vector, candidates)
    # Topics have no list of their own over the hub: they score the other signals' DEPTH best, whatever the depth
    # asked (a paper drawn deeper takes its term score in their place, so asking for more cannot lift it over one
    # of the first: the order is the same for 8 papers or for all of them).
    kept = set(candidates)
    drawn = list(dict.fromkeys(i for found in lists.values() for i, _ in found[:DEPTH] if i in kept))
    if (topic_scores := _topic_scores(mine, term_vectors, drawn)) is not None:
        scores[TOPICS] = topic_scores
        lists[TOPICS] = sorted(topic_scores.items(), key=lambda pair: -pair[1])
    return scores


def _shared(me: Paper, papers: Mapping[int, Paper]) -> tuple[dict[int, list[str]], dict[int, float]]:
    """Each candidate's authors shared with the paper (as the paper names them), and its share of categories in
    common (Jaccard)."""
    my_authors = {author_key(a): a for a in me.authors}
    shared_names = {c: [my_authors[k] for k in dict.fromkeys(map(author_key, p.authors)) if k in my_authors]
                    for c, p in papers.items()}
    mine_categories = set(me.categories)
    shared_categories = {c: len(mine_categories & set(p.categories)) / len(mine_categories | set(p.categories))
                         for c, p in papers.items() if mine_categories and p.categories}
    return shared_names, shared_categories


def signals(paper_id: int, depth: int = DEPTH) -> Signals | None:
    """Each signal's list for a paper (at least `depth` deep), and every candidate scored by every signal."""
    index = keyword_index()
    if index is None:
        return None
    me = _stored(index, [paper_id]).get(paper_id)
    if me is None:  # not in the keyword index yet
        return None
    idf_of = _idfs.lookup(index)
    mine = terms.weights(me.term_counts(), idf_of)
    lists, vectors = _lists(index, me, mine, max(DEPTH, depth))
    candidates = list(dict.fromkeys(i for found in lists.values() for i, _ in found))
    papers = _stored(index, candidates)
    candidates = [c for c in candidates if c in papers]  # (vectors of papers not in the keyword index yet)
    term_vectors = {c: terms.weights(p.term_counts(), idf_of) for c, p in papers.items()}
    term_vectors[paper_id] = mine

    scores = _scores(mine, lists, vectors, candidates, term_vectors)
    z = {signal: standardised(values, [values[i] for i, _ in lists[signal][:DEPTH] if i in values])
         for signal, values in scores.items()}
    ranks = {signal: {i: r for r, (i, _) in enumerate(sorted(
        ((i, values[i]) for i, _ in lists[signal] if i in values), key=lambda p: -p[1]), start=1)}
        for signal, values in scores.items()}
    shared_names, shared_categories = _shared(me, papers)
    floor = terms.label_floor(int(index.searcher().num_docs))  # a term of more papers is too common for a label
    return Signals(me, papers, candidates, scores, z, ranks, shared_names, shared_categories, term_vectors,
                   lambda term: idf_of(term) < floor)


def similar(paper_id: int, limit: int = 10) -> list[tuple[Scored, Paper]]:
    """The `limit` papers most like a paper, fused from every signal it has, with their reasons."""
    found = signals(paper_id, limit + 1)
    if found is None:
        return []
    ranked = found.fused()[:limit]
    mine = found.term_vectors[paper_id]
    spelt = cache(lambda: wording.spelling(found.me.title, found.me.abstract))  # "LLMs", not "llms" (reads the text)

    def shown(term: str) -> bool:  # as the paper writes it, a word that says something of its topic
        return not filler.is_filler(spelt()(term, term))

    for hit in ranked:
        shared = terms.shared(mine, found.term_vectors.get(hit.id, {}), None, found.is_common, shown)
        labels = wording.one_idea_each([spelt()(t, t) for t in shared], LABEL_TERMS)
        hit.reasons = reasons(hit, found.ranks, labels, found.shared_names.get(hit.id, []))
    return [(hit, found.papers[hit.id]) for hit in ranked]
