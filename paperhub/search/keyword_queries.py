"""The keyword index's queries, built clause by clause from ParsedQuery with tantivy's query objects (never its query
language, so no syntax reaches it from the search box): a search's ranked words and required parts, what every word
must match, a paper's key terms, papers by id."""

from collections.abc import Sequence

import tantivy

from paperhub.search.analysis import (
    MAX_NAME_WORDS,
    PLAIN,
    STEMMED,
    name_query_terms,
    name_words,
    spellings,
    stems,
)
from paperhub.search.keyword_schema import SCHEMA, day_number
from paperhub.search.query import FILLER_TEXT, NO_FILTERS, Filters, ParsedQuery, wants_code, window

#: Field weights, tuned on SciFact's train split (bench/quality.py).
TITLE_BOOST = 0.3
ABSTRACT_BOOST = 1.0
AUTHORS_BOOST = 0.5
PHRASE_BOOST = 1.5
#: A query whose words are all words of one author's name ("Sergey Levine") asks for that person's papers, as
#: Semantic Scholar and arXiv read it: each of them scores this much more per word of the name, above papers that
#: only mention the words (a stemmed "levine" is "levin" in every abstract). Topical words are of no one's name.
NAME_BOOST = 10.0
#: A title holding every word of the query (filler words aside): an exact title, or a system's name typed alone
#: ("PARALLAX"), ranks that paper above papers that mention the words in their abstracts. Its title terms' score
#: counts this many times more; title words weigh TITLE_BOOST elsewhere (SciFact's claims are no titles).
TITLE_MATCH_BOOST = 1.0


#: query.FILLER_TEXT's words as the index's terms: where every word must match they are not required, unless the query
#: holds nothing else.
QUERY_FILLERS = frozenset(STEMMED.analyze(FILLER_TEXT))


def _text_clauses(tokens: list[str], fields: Sequence[tuple[str, float]], phrase_boost: float = 1.0
                  ) -> list[tantivy.Query]:
    """Tokens in each of the fields: one token a term query per field, several a phrase query per field."""
    if not tokens:
        return []
    clauses = []
    for name, boost in fields:
        if len(tokens) == 1:
            q = tantivy.Query.term_query(SCHEMA, name, tokens[0])
        else:
            q = tantivy.Query.phrase_query(SCHEMA, name, list[str | tuple[int, str]](tokens))
            boost *= phrase_boost
        clauses.append(tantivy.Query.boost_query(q, boost) if boost != 1.0 else q)
    return clauses


def _text_clause(text: str, fields: Sequence[tuple[str, float]]) -> tantivy.Query | None:
    """A query's words in any of the fields, spelt any of their ways, as one query."""
    clauses = _spelt(text, fields)
    return _any(clauses) if clauses else None


def _spelt(text: str, fields: Sequence[tuple[str, float]], phrase_boost: float = 1.0) -> list[tantivy.Query]:
    """_text_clauses for each way a query's words are found (analysis.spellings: "fine-tuning" is finetuning too)."""
    return [clause for tokens in spellings(text) for clause in _text_clauses(tokens, fields, phrase_boost)]


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, q) for q in queries])


def _author(name: str) -> tantivy.Query | None:
    """Papers by an author of this name: every term of analysis.name_query_terms, all in one author's name."""
    held = [tantivy.Query.term_query(SCHEMA, "authors", term) for term in name_query_terms(name)]
    words = name_words(name)
    if len(words) < 2:
        return held[0] if held else None
    # an index of an older version has no pairs: searched as it is while rebuilt, it finds the name as a phrase
    return _any([tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in held]),
                 *_text_clauses(words, [("authors", 1.0)])])


def _named(parsed: ParsedQuery, by_name: bool = True) -> list[tantivy.Query]:
    """Scored clauses for what a query's words may name: a title (every word in it, fillers aside; as typed, in
    order, more) and, in a query of words alone, one author (every word in that author's name)."""
    # of the scored words alone: each clause matches only where a word's own clause does, so a paper that holds a
    # required "phrase" and none of the words is not left out
    words = [word for word in parsed.terms if not is_filler(word)] or list(parsed.terms)
    # each word as its own clause has it, any of its spellings ("C++"; "fine-tuning" a phrase, or "finetuning")
    in_title = [clause for word in dict.fromkeys(words) if (clause := _text_clause(word, [("title", 1.0)]))]
    clauses = [tantivy.Query.boost_query(tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, clause) for clause in in_title]), TITLE_MATCH_BOOST)] if in_title else []
    if len(words) > 1:  # and as typed, in order (any word in a filler's place), more: the exact title first
        clauses.extend(tantivy.Query.boost_query(phrase, TITLE_MATCH_BOOST) for phrase in _in_order(parsed, words))
    name = " ".join(parsed.terms)
    length = len(name_words(name))
    author = _author(name) if by_name and not parsed.phrases and 2 <= length <= MAX_NAME_WORDS else None
    if author is not None:  # one word is as much a topic as a name ("Newton", "Markov"): never a person alone
        clauses.append(tantivy.Query.const_score_query(author, NAME_BOOST * length))
    return clauses


def _in_order(parsed: ParsedQuery, words: list[str]) -> list[tantivy.Query]:
    """Title phrases of the query's terms as typed, `words` at their places (any word in a filler's place): one of
    the hyphenated words' parts, one of them closed up ("instruction fine-tuning" is "Instruction Finetuning" too)."""
    phrases: dict[tuple[tuple[int, str], ...], None] = {}
    for closed in (False, True):
        typed = [(word, token) for word in parsed.terms for token in stems(word, closed)]
        phrases[tuple((at, token) for at, (word, token) in enumerate(typed) if word in words)] = None
    return [tantivy.Query.phrase_query(SCHEMA, "title", list[str | tuple[int, str]](placed)) if len(placed) > 1
            else tantivy.Query.term_query(SCHEMA, "title", placed[0][1]) for placed in phrases if placed]


def _category(code: str) -> tantivy.Query:
    return tantivy.Query.term_query(SCHEMA, "cats", code.lower())


def build_query(parsed: ParsedQuery, filters: Filters = NO_FILTERS, title_boost: float = TITLE_BOOST,
                abstract_boost: float = ABSTRACT_BOOST, authors_boost: float = AUTHORS_BOOST,
                person: bool = True) -> tantivy.Query:
    """The tantivy query: scored words, required phrases and filters, excluded parts; `person`: the query's words
    may be a person's name (KeywordIndex.may_name_person), whose papers then rank first."""
    text_fields = [("title", title_boost), ("abstract", abstract_boost)]
    # The scored clauses stay flat, one level under the root: tantivy's block-max WAND then skips most
    # documents that cannot reach the top k (three times faster than one nested clause per word at 1M papers).
    scored: list[tantivy.Query] = []
    for term in parsed.terms:
        scored.extend(_spelt(term, text_fields, PHRASE_BOOST))
        if authors_boost:
            scored.extend(_text_clauses(PLAIN.analyze(term), [("authors", authors_boost)]))
    scored.extend(_named(parsed, bool(authors_boost) and person))
    must: list[tuple[tantivy.Occur, tantivy.Query]] = []
    # A "quoted phrase" is required, as in every search engine (and still scores): in the text or a name.
    for phrase in parsed.phrases:
        in_fields = _spelt(" ".join(phrase), text_fields, PHRASE_BOOST)
        in_fields += _text_clauses(PLAIN.analyze(" ".join(phrase)), [("authors", authors_boost or 1.0)])
        if in_fields:
            must.append((tantivy.Occur.Must, _any(in_fields)))
    # ti: and abs: words are required in their own field, as arXiv reads them (and score there)
    for name, words in parsed.in_fields:
        in_field = _spelt(" ".join(words), [(name, dict(text_fields)[name])], PHRASE_BOOST)
        if in_field:
            must.append((tantivy.Occur.Must, _any(in_field)))
    # each of the query's author:s must match (papers they wrote together, as search engines read several); the
    # filter's authors any of them; cat:s and the filter's categories each any of theirs; every set must match
    for name in parsed.authors:
        clause = _author(name)
        if clause is not None:
            must.append((tantivy.Occur.Must, clause))
    by_any = [q for q in map(_author, filters.authors) if q is not None]
    if by_any:
        must.append((tantivy.Occur.Must, _any(by_any)))
    for codes in (parsed.categories, filters.categories):
        if codes:
            must.append((tantivy.Occur.Must, _any([_category(c) for c in codes])))
    if wants_code(parsed, filters):
        must.append((tantivy.Occur.Must, tantivy.Query.term_query(SCHEMA, "code", 1)))
    since, until = window(parsed, filters)
    if since or until:
        must.append((tantivy.Occur.Must, tantivy.Query.range_query(
            SCHEMA, "day", tantivy.FieldType.Integer, day_number(since), day_number(until) if until else 99991231)))
    excluded = [q for q in (
        *(_text_clause(t, text_fields) for t in parsed.not_terms),
        *(_text_clause(" ".join(p), text_fields) for p in parsed.not_phrases),
        *(_text_clause(" ".join(words), [(name, 1.0)]) for name, words in parsed.not_in_fields),
        *(map(_author, parsed.not_authors)),
        *(_category(c) for c in parsed.not_categories),
    ) if q is not None]
    should = [(tantivy.Occur.Should, q) for q in scored]
    if not must and not should:
        must.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    clauses = must + should + [(tantivy.Occur.MustNot, q) for q in excluded]
    # With required clauses beside them, at least one scored clause must still match.
    return tantivy.Query.boolean_query(clauses, minimum_number_should_match=1 if must and should else None)


def matching_all(parsed: ParsedQuery, filters: Filters = NO_FILTERS) -> tantivy.Query:
    """Papers holding every word and phrase of the query (in the title, the abstract or the author names) and
    passing its filters: what date or vote order lists and what a volume chart counts, so the chart counts the
    list's papers ("hinton" newest first lists his papers) (ranking is happy with any word; "papers on in-context
    learning" means all of them)."""
    text_fields = [("title", 1.0), ("abstract", 1.0)]
    required: list[tuple[tantivy.Occur, tantivy.Query]] = []
    every = [" ".join(words) for words in [*((t,) for t in parsed.terms), *parsed.phrases]]
    topical = [text for text in every if not is_filler(text)]
    for text in topical or every:  # "attention for long documents": "for" is no topic; "the who": both are
        clauses = _spelt(text, text_fields)
        clauses += _text_clauses(PLAIN.analyze(text), [("authors", 1.0)])
        if clauses:
            required.append((tantivy.Occur.Must, _any(clauses)))
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, build_query(parsed.constraints, filters)), *required])


def query_words(parsed: ParsedQuery) -> list[str]:
    """A query's words (of its phrases too), filler words left out unless the query holds nothing else (as
    matching_all does): "the zzzzqqq" has no word the hub knows."""
    words = [*parsed.terms, *(word for phrase in parsed.phrases for word in phrase)]
    return [word for word in words if not is_filler(word)] or words


def vocabulary_terms(parsed: ParsedQuery) -> list[tuple[str, str]]:
    """The (field, token) pairs a query's words are looked up by in titles and abstracts."""
    pairs: dict[tuple[str, str], None] = {}
    for word in query_words(parsed):
        for token in stems(word):
            pairs[("title", token)] = pairs[("abstract", token)] = None
    return list(pairs)


def is_filler(text: str) -> bool:
    """Whether a query's word (or phrase) is a filler word; in capitals it is an acronym ("WHO", "IT"), no filler."""
    if len(text) > 1 and text.isupper():
        return False
    tokens = stems(text)
    return len(tokens) == 1 and tokens[0] in QUERY_FILLERS


def more_like_this(terms: Sequence[tuple[str, float]], title_boost: float = TITLE_BOOST) -> tantivy.Query:
    """Papers holding a paper's key terms (already stemmed), each term weighted by its share of the heaviest."""
    if not terms:
        return tantivy.Query.empty_query()
    top = max(weight for _, weight in terms) or 1.0
    clauses = []
    for term, weight in terms:
        boost = weight / top
        clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(
            tantivy.Query.term_query(SCHEMA, "abstract", term), boost)))
        clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(
            tantivy.Query.term_query(SCHEMA, "title", term), boost * title_boost)))
    return tantivy.Query.boolean_query(clauses)


def by_authors(names: Sequence[str]) -> tantivy.Query:
    """Papers by any of these authors, scored by how many of them they share."""
    clauses = [(tantivy.Occur.Should, tantivy.Query.const_score_query(q, 1.0))
               for q in map(_author, names) if q is not None]
    return tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.empty_query()


def with_ids(ids: Sequence[int]) -> tantivy.Query:
    """The documents of these papers."""
    # One term query per id: for the hundred or so ids of a page or a candidate list this is 3-4x faster
    # than term_set_query, which walks the whole term dictionary of every segment; for thousands it is not.
    unique = list(dict.fromkeys(ids))
    if len(unique) > 1000:
        return tantivy.Query.term_set_query(SCHEMA, "id", unique)
    if len(unique) == 1:
        return tantivy.Query.term_query(SCHEMA, "id", unique[0])
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "id", i))
                                        for i in unique])


def with_uid(uid: str) -> tantivy.Query:
    """The document of the paper with this arXiv id (or other source's uid)."""
    return tantivy.Query.term_query(SCHEMA, "uid", uid)


def among(ids: Sequence[int], query: tantivy.Query) -> tantivy.Query:
    """Which of `ids` match a query."""
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, with_ids(ids)), (tantivy.Occur.Must, query)])


def holding_among(ids: Sequence[int], word: str) -> tantivy.Query:
    """Which of `ids` hold a query's word: in the title, the abstract or an author's name."""
    return among(ids, _any([*_spelt(word, [("title", 1.0), ("abstract", 1.0)]),
                            *_text_clauses(PLAIN.analyze(word), [("authors", 1.0)])]))


def scored_among(ids: Sequence[int], parsed: ParsedQuery, filters: Filters, person: bool = True) -> tantivy.Query:
    """The query's BM25 score for each of `ids` (0 where it does not match)."""
    return tantivy.Query.boolean_query([
        (tantivy.Occur.Must, tantivy.Query.const_score_query(with_ids(ids), 0.0)),
        (tantivy.Occur.Should, build_query(parsed, filters, person=person)),
    ])


def id_filter(ids: Sequence[int], parsed: ParsedQuery, filters: Filters) -> tantivy.Query:
    """Which of `ids` pass the query's required parts and exclusions (for filtering semantic hits)."""
    return tantivy.Query.boolean_query([
        (tantivy.Occur.Must, with_ids(ids)),
        (tantivy.Occur.Must, build_query(parsed.constraints, filters)),
    ])
