"""search() and similar(): keyword and semantic candidates, fused, turned into highlighted hits."""

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from django.utils.safestring import SafeString

from paperhub.papers.queries import uids_with_doi
from paperhub.papers.tex import plain_text
from paperhub.search import (
    analysis,
    embed,
    emptied,
    fusion,
    highlight,
    keyword,
    keyword_queries,
    keyword_schema,
    related,
    spelling,
)
from paperhub.search.indexing import STATIC, vector_name
from paperhub.search.keyword_files import keyword_index
from paperhub.search.named import named_doi, named_papers
from paperhub.search.query import (
    MAX_OFFSET,
    NO_DAYS,
    NO_FILTERS,
    Filters,
    ParsedQuery,
    parse,
    wants_code,
    window,
)
from paperhub.search.semantic import nearest_in_meaning, query_vector, semantic_models
from paperhub.search.vector_files import vector_index
from paperhub.search.volumes import Volume, volume_series

Sort = Literal["relevance", "newest", "upvotes"]
Mode = Literal["hybrid", "keyword", "semantic"]

#: Fusion weights, tuned on SciFact's train split (bench/quality.py): with transformer vectors, and with
#: static vectors alone (before the transformer has reached a paper; the query embedded by the transformer
#: and projected into the static model's space, see semantic._encode_query).
WEIGHTS = {"keyword": 0.4, "dense": 0.6, "static": 0.0}
WEIGHTS_STATIC = {"keyword": 0.5, "static": 0.5}
#: How far (in the fused scale: standard scores, weighted) a candidate lacking the query's rare word
#: (keyword.RARE_SHARE) falls in hybrid search: 1.0 cost SciFact 0.7 points, 0.3 none (docs/benchmarks.md).
RARE_PENALTY = 0.3
#: How deep each list goes into the fused head of a hybrid search, and how deep semantic mode goes at all
#: (every paper is some distance from any query: past the best few hundred, nearness says nothing).
CANDIDATES = 100
SEMANTIC_DEPTH = 200


@dataclass
class Hit:
    """One search result, ready to show: highlighted title and snippet are HTML-safe."""

    id: int
    uid: str
    title: str
    title_html: SafeString
    snippet_html: SafeString
    authors: list[str]
    categories: list[str]
    day: int
    score: float
    ranks: dict[str, int] = field(default_factory=dict)
    reasons: list[related.Reason] = field(default_factory=list)

    @property
    def published(self) -> date | None:
        """The day of first publication (None when unknown)."""
        return keyword_schema.day_date(self.day)


@dataclass
class Results:
    """A page of results and how many matched in all."""

    hits: list[Hit]
    total: int
    query: ParsedQuery
    semantic_models: list[str]
    suggestion: spelling.Suggestion | None = None  # "did you mean": the query with its misspelt words corrected
    # the hits are the suggestion's: the query as typed found nothing, or far fewer papers holding all its words
    corrected: bool = False
    found_as_typed: bool = False  # (with corrected) the query as typed found papers too: one click away
    why: list[emptied.Part] = field(default_factory=list)  # found nothing: the parts that emptied it (explain)
    # ranked by words alone for now: no semantic index has vectors yet (a new hub's first minutes)
    semantic_pending: bool = False

    @property
    def left_out_note(self) -> str:
        """The query's words left out of the search and why, in a sentence ("" for none)."""
        words = ", ".join(f"“{word}”" for word in self.query.left_out)
        return f"Left out: {words}; {LEFT_OUT}." if words else ""


def _code_unknown(index: keyword.KeywordIndex, parsed: ParsedQuery, filters: Filters) -> bool:
    """A has-code query on an index written before it held links (served while its rebuild runs): no answer rather
    than a wrong one."""
    return wants_code(parsed, filters) and not index.has_code


def _hit(doc: dict[str, Any], score: float, words: Sequence[str], ranks: dict[str, int]) -> Hit:
    """A result from the keyword index's stored fields of a paper."""
    return _as_hit(keyword_schema.IndexedPaper.from_stored(doc), score, words, ranks)


def _as_hit(paper: keyword_schema.IndexedPaper, score: float, words: Sequence[str] = (),
            ranks: dict[str, int] | None = None, reasons: list[related.Reason] | None = None) -> Hit:
    return Hit(  # math and accents as Unicode text, so highlights never land inside LaTeX source
        id=paper.id, uid=paper.uid, title=paper.title, title_html=highlight.mark(plain_text(paper.title), words),
        snippet_html=highlight.snippet(plain_text(paper.abstract), words), authors=list(paper.authors),
        categories=list(paper.categories), day=paper.day, score=score, ranks=ranks or {}, reasons=reasons or [],
    )


def _hits(index: keyword.KeywordIndex, ranked: Sequence[tuple[int, float]], parsed: ParsedQuery,
          ranks: dict[int, dict[str, int]]) -> list[Hit]:
    """Results for ranked paper ids, in that order, their stored fields read in one query."""
    if not ranked:
        return []
    found = {int(doc["id"][0]): doc for _, doc in index.search(keyword_queries.with_ids([i for i, _ in ranked]),
                                                               limit=len(ranked))[1]}
    words = keyword_queries.query_words(parsed)  # (filler words are not marked: "for" was, 33 times a page)
    # a paper in a vector index but not (yet) in the keyword index is left out
    return [_hit(found[i], score, words, ranks.get(i, {})) for i, score in ranked if i in found]


def search(query: str, filters: Filters = NO_FILTERS, sort: Sort = "relevance", limit: int = 20, offset: int = 0,
           mode: Mode = "hybrid", correct: bool = False, explain: bool = False) -> Results:
    """Papers for a query: relevance fuses BM25 with every semantic index that has vectors; and, where a word is
    misspelt, the query corrected. With `correct`, a query that finds nothing, or far fewer papers than its
    correction, gets its correction's results instead (Results.corrected says so); with `explain`, a search that
    finds nothing says which of its parts emptied it (Results.why)."""
    results = _found(query, filters, sort, limit, offset, mode)
    index = keyword_index()
    if index is None or results.query.problem or named_papers(query) or named_doi(query):
        return results  # (ids and DOIs have no spelling, nor parts)
    if results.query.terms or results.query.phrases:
        results = _spelt(index, query, results, filters, sort, limit, offset, mode, correct)
    if explain and not results.total and not _code_unknown(index, results.query, filters):
        results.why = emptied.why_empty(index, query, results.query, filters,
                                        _counter(index, results.query.text, sort, mode))
    return results


def _counter(index: keyword.KeywordIndex, text: str, sort: Sort, mode: Mode) -> emptied.Count:
    """How a search of this sort and mode, one part of it dropped, is counted (emptied.why_empty), as its total
    would be: holding every word where it lists papers so (date or vote order, or no words to rank by); else its
    keyword matches and the papers the vectors add, where its text is `text`, the search's own, whose embedding the
    search made (cached); where the text differs, counting those would embed it, so the keyword matches alone."""

    def count(parsed: ParsedQuery, filters: Filters) -> tuple[int, bool]:
        if sort != "relevance" or not parsed.text:
            return index.count(keyword_queries.matching_all(parsed, filters)), True
        person = index.may_name_person(parsed)
        query = keyword_queries.build_query(parsed, filters, person=person)
        models = semantic_models() if mode != "keyword" and index.knows_any(parsed) else []
        if not models or parsed.text != text:
            return index.count(query), not models
        depth = SEMANTIC_DEPTH if mode == "semantic" else CANDIDATES
        near = list({i for kind in models for i, _ in nearest_in_meaning(kind, parsed, filters, depth, index)})
        if mode == "semantic":
            return len(near), True
        # (as _hybrid's total) the papers near in meaning on the keyword index that the keyword query does not match
        alone = index.count(keyword_queries.with_ids(near)) - index.count(keyword_queries.among(near, query)) \
            if near else 0
        return index.count(query) + alone, True

    return count


def _spelt(index: keyword.KeywordIndex, query: str, results: Results, filters: Filters, sort: Sort, limit: int,
           offset: int, mode: Mode, correct: bool) -> Results:
    """The results with their "did you mean"; with `correct`, the correction's instead where the query as typed
    found nothing (no results, or only papers near the typo in meaning, "protien" being a letter from a known word,
    while no paper holds its words), or where no paper holds all its words and at least spelling.MIN_HELD hold all
    the correction's ("difusion models"). Where one paper holds them all the user may mean them ("Gemma", a new
    model, beside hundreds of "Gamma" papers): offered, not taken. Two counts and the correction's search at most."""
    results.suggestion = suggestion = spelling.suggest(index, query, filters)
    if not correct or suggestion is None:
        return results
    found = bool(results.total and index.count(keyword_queries.build_query(results.query, filters)))
    if found:
        if index.count(keyword_queries.matching_all(results.query, filters)):
            return results
        if index.count(keyword_queries.matching_all(parsed_query(suggestion.query), filters)) < spelling.MIN_HELD:
            return results
    return replace(_found(suggestion.query, filters, sort, limit, offset, mode), suggestion=suggestion,
                   corrected=True, found_as_typed=found)


#: What a query of filler words alone is told (ParsedQuery.problem): every paper holds them, none is about them.
ONLY_FILLER = "only common words (such as “the”, “of”, “and”): add a word that says what the papers are about"


#: What a query holding a word too long to be indexed is told where nothing else is left to search, or where the
#: word must be held (in a phrase, ti:, abs:, author:): no paper is found by it, and without it the query would be
#: another (alone, no words: every paper).
LONG_WORD = (f"a word of {analysis.LONG_WORD_BYTES} letters or more: words this long are not indexed, so no paper is "
             "found by it; leave it out")
#: Why such a word beside words the index reads is left out of the search (Results.left_out_note).
LEFT_OUT = (f"words of {analysis.LONG_WORD_BYTES} letters or more are not indexed, so no paper is found by them: "
            "the rest of the query is searched")
#: What a query of signs alone ("!!!", "___") is told: no word is left to search for, and no words list every paper.
NO_WORD = "no word to search for: words are made of letters and digits"


def _words_read(query: str, parsed: ParsedQuery) -> ParsedQuery:
    """The query's words as the index can read them: words of no letter or digit ("___") and words too long to be
    indexed left out (the latter said in left_out), a word too long where it must be held refused (LONG_WORD), and a
    query typed that is left with nothing refused (LONG_WORD, or NO_WORD)."""
    held = [*(w for phrase in parsed.phrases for w in phrase), *(w for _, words in parsed.in_fields for w in words),
            *parsed.authors]
    if any(analysis.long_words(word) for word in held):
        return replace(parsed, problem=LONG_WORD)
    long = tuple(term for term in parsed.terms if analysis.long_words(term))
    terms = tuple(term for term in parsed.terms if term not in long and analysis.stems(term))
    if terms != parsed.terms:
        text = " ".join([*terms, *(" ".join(phrase) for phrase in parsed.phrases)])
        parsed = replace(parsed, terms=terms, text=text)
    if long and parsed.is_empty:  # nothing to rank by but the long words: as no words, it listed every paper
        return replace(parsed, problem=LONG_WORD)
    if query.strip() and replace(parsed, text="") == ParsedQuery():
        return replace(parsed, problem=NO_WORD)
    return replace(parsed, left_out=long)


def parsed_query(query: str, filters: Filters = NO_FILTERS) -> ParsedQuery:
    """parse(), and a query of filler words alone ("the of and") refused as its problem: as words it found nearly
    every paper, topped by authors named "The"; so too dates that no day is within (since: after until:, the query's
    or the filters'), and words the index cannot read (_words_read)."""
    parsed = parse(query)
    if not parsed.problem:
        parsed = _words_read(query, parsed)
    since, until = window(parsed, filters)
    if not parsed.problem and since and until and since > until:
        return replace(parsed, problem=NO_DAYS)
    if parsed.problem or not parsed.terms or parsed.phrases or parsed.authors or parsed.categories:
        return parsed
    if all(keyword_queries.is_filler(term) for term in parsed.terms):  # "WHO" or "IT" in capitals: an acronym, searched
        return replace(parsed, problem=ONLY_FILLER)
    return parsed


def _found(query: str, filters: Filters, sort: Sort, limit: int, offset: int, mode: Mode) -> Results:
    parsed = parsed_query(query, filters)
    if offset > MAX_OFFSET:  # past where pages go: how many there are, and none of them
        return Results([], _found(query, filters, sort, 1, 0, mode).total, parsed, [])
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    index = keyword_index()
    # a date that is no date: nothing rather than papers of every date (the page says why)
    if index is None or parsed.problem or _code_unknown(index, parsed, filters):
        return Results([], 0, parsed, [])
    uids = named_papers(query) if filters == NO_FILTERS else ()  # (a saved search's date window stays a filter)
    if filters == NO_FILTERS and not uids and (doi := named_doi(query)):
        uids = tuple(uids_with_doi(doi))  # a journal's DOI: its paper, or nothing (its digits are no words)
        if not uids:
            return Results([], 0, parsed, [])
    if uids:
        # the papers the ids name, in their order, whatever the sort or mode: that is what was asked for; one not
        # on this hub is no near miss for an exact request (the page offers to submit it)
        named = [found[0] for uid in uids if (found := index.search(keyword_queries.with_uid(uid), 1)[1])]
        return Results([_hit(doc, score, (), {}) for score, doc in named[offset:offset + limit]], len(named), parsed,
                       [])
    order_by = {"newest": "day", "upvotes": "upvotes"}.get(sort)
    if not parsed.text:  # no words to rank by (author: or cat: alone, exclusions, filters): newest first
        order_by = order_by or "day"
    if order_by or mode == "keyword" or not parsed.text:
        # In date or vote order nothing ranks the best matches first, so every word must match: "graph neural"
        # newest first listed papers holding either word (and a feed of the search, which is newest first)
        wanted = keyword_queries.matching_all(parsed, filters) if order_by else \
            keyword_queries.build_query(parsed, filters, person=index.may_name_person(parsed))
        total, found = index.search(wanted, limit, offset, order_by=order_by)
        words = keyword_queries.query_words(parsed)  # the stored fields came with the matches: no second read
        return Results([_hit(doc, score, words, {}) for score, doc in found], total, parsed, [])
    # Every vector has nearest neighbours, so gibberish ("zzzzqqq") would get a page of papers found by meaning
    # alone. A query none of whose words any paper holds gives its embedding nothing the hub knows to go by: no
    # semantic half then, and what is left is the keyword half, which finds nothing either.
    knows = index.knows_any(parsed)
    models = semantic_models() if knows else []
    if mode == "semantic":
        lists = {kind: nearest_in_meaning(kind, parsed, filters, SEMANTIC_DEPTH, index) for kind in models}
        fused, ranks, _ = fuse(lists, parsed, filters, index, models, person=False)  # (no keyword list to score)
        results = Results(_hits(index, fused[offset:offset + limit], parsed, ranks), len(fused), parsed, models)
    else:
        results = _hybrid(index, parsed, filters, limit, offset, models)
    results.semantic_pending = knows and not models
    return results


def _hybrid(index: keyword.KeywordIndex, parsed: ParsedQuery, filters: Filters, limit: int, offset: int,
            models: list[str]) -> Results:
    """Every keyword match, and the papers close in meaning among the best: the first CANDIDATES of each list
    fused (the same head whatever the page), then the rest of the keyword matches by BM25. So pages never repeat
    or skip a paper, and the total is exact: the keyword matches plus the head's papers found by meaning alone."""
    person = index.may_name_person(parsed)  # once: the keyword query and fuse()'s scores of the others agree
    query = keyword_queries.build_query(parsed, filters, person=person)
    matches, best = index.counted_ids(query, CANDIDATES)
    lists = {"keyword": best, **{kind: nearest_in_meaning(kind, parsed, filters, CANDIDATES, index) for kind in models}}
    head, ranks, matched = fuse(lists, parsed, filters, index, models, person=person)
    page = head[offset:offset + limit]
    if len(page) < limit and matches > len(matched):
        # past the head: the keyword matches it did not hold, in BM25 order, scored below the head's last so
        # that the score keeps falling down the list (a BM25 score is not on the fused scale)
        start = max(0, offset - len(head))
        deeper = index.ids(query, start + limit - len(page) + len(matched))
        floor = head[-1][1] if head else 0.0
        rest = [(paper_id, rank) for rank, (paper_id, _) in enumerate(deeper, start=1) if paper_id not in matched]
        for paper_id, rank in rest[start:start + limit - len(page)]:
            ranks[paper_id] = {"keyword": rank}
            page.append((paper_id, floor - 1.0 - rank / (len(deeper) + 1)))
    return Results(_hits(index, page, parsed, ranks), matches + len(head) - len(matched), parsed, models)


Ranks = dict[int, dict[str, int]]


def fuse(lists: dict[str, list[tuple[int, float]]], parsed: ParsedQuery, filters: Filters,
         index: keyword.KeywordIndex, kinds: Sequence[str], person: bool
         ) -> tuple[list[tuple[int, float]], Ranks, set[int]]:
    """Union of every list's candidates, each scored by every signal (see fusion.union_fusion); and which of
    them match the keyword query (a BM25 score above 0), scored as the keyword list was (`person`:
    KeywordIndex.may_name_person, worked out once per search)."""
    candidates = list(dict.fromkeys(paper_id for ranking in lists.values() for paper_id, _ in ranking))
    features: dict[str, dict[int, float]] = {}
    if "keyword" in lists:
        scores = dict(lists["keyword"])
        unscored = [c for c in candidates if c not in scores]
        if unscored:
            among = keyword_queries.scored_among(unscored, parsed, filters, person)
            scores.update(index.ids(among, len(unscored)))
        features["keyword"] = scores
        candidates = [c for c in candidates if c in scores]  # a paper not in the keyword index (yet) is left out
    matched = {paper_id for paper_id, score in features.get("keyword", {}).items() if score > 0}
    for kind in kinds:
        features[kind] = vector_index(vector_name(kind)).similarities(query_vector(kind, parsed.text), candidates)
    # In semantic mode the vectors alone score: the transformer's where a paper has one.
    semantic_only: list[dict[str, float]] = [{"dense": 1.0}, {"static": 1.0}]
    profiles = [WEIGHTS, WEIGHTS_STATIC, {"keyword": 1.0}] if "keyword" in lists else semantic_only
    fused = fusion.profile_fusion(features, profiles, candidates)
    if "keyword" in lists and candidates and (rare := index.rarest_word(parsed)) is not None:
        held = {paper_id for paper_id, _ in index.ids(keyword_queries.holding_among(candidates, rare), len(candidates))}
        fused = fusion.demoted(fused, set(candidates) - held, RARE_PENALTY)
    ranks: dict[int, dict[str, int]] = {}
    for kind, ranking in lists.items():
        for rank, (paper_id, _) in enumerate(ranking, start=1):
            ranks.setdefault(paper_id, {})[kind] = rank
    return fused, ranks, matched


def similar(paper_id: int, limit: int = 10) -> list[Hit]:
    """The papers most like a paper, every signal it has fused (search/related.py), each with its reasons."""
    return [_as_hit(paper, scored.score, reasons=scored.reasons) for scored, paper in related.similar(paper_id, limit)]


def volume(query: str, filters: Filters = NO_FILTERS) -> Volume:
    """Papers holding all of a query's words (in authors' names too, as date order lists them), per month or year."""
    parsed = parsed_query(query, filters)
    index = keyword_index()
    if index is None or parsed.is_empty or parsed.problem or _code_unknown(index, parsed, filters):
        return Volume("month", [], [], parsed.problem)
    return volume_series(index.per_month(keyword_queries.matching_all(parsed, filters)))


def warm() -> float:
    """Load the models, open the indexes, run one hybrid search and list the common stems (spelling), so the first
    visitor does not wait."""
    started = time.monotonic()
    for loader in (embed.static, embed.transformer):
        with contextlib.suppress(embed.ModelError):
            loader()
    for kind in (STATIC, "dense"):
        len(vector_index(vector_name(kind)))
    related.current_topics()  # (similar papers' topics: 35 ms to load at 346K papers)
    search("language models", limit=1)
    if (index := keyword_index()) is not None:
        spelling.common_stems(index, wait=True)
    return time.monotonic() - started
