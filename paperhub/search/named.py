"""What a query names: the arXiv ids it is (2501.01234, arXiv:2501.01234v2, its DOI, an arXiv, Hugging Face or
alphaXiv paper address, give or take what is pasted with them: arXiv:, a bracketed category, the date of a PDF's margin
stamp), a journal's DOI, and which of a paper's authors a search named. Pure."""

import re

from paperhub.papers.records import split_arxiv_id
from paperhub.search.query import NO_FILTERS, Filters, ParsedQuery

#: What is pasted with an id and says nothing else: "arXiv:", "doi:", a bracketed category ("[cs.IT]"), the date of
#: the stamp in a PDF's margin ("15 Jan 2026"), and words or signs between two ids. Any other word makes the query
#: words: "resnet 1512.03385" or "top 10 2023" are searched, not looked up.
_PASTED_WITH_IDS = re.compile(
    r"arxiv:?|doi:?|and|or|&|\[[a-z][a-z\-]*(?:\.[a-z][a-z\-]*)?\]|\d{1,2}|(?:19|20)\d\d"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august"
    r"|september|october|november|december", re.IGNORECASE)
#: Around an id in pasted text: brackets, quotes, a sentence's end ("[2601.08929]", "2601.08929.").
_AROUND_ID = "[](){}<>\"'.,;:"
#: A hub's paper address (this one's or another paperhub's: /papers/<id>, or arXiv's /abs/ and /pdf/ paths on it).
_HUB_ADDRESS = re.compile(r"^https?://[^/\s?#]+/(?:papers|abs|pdf)/(?=[^/])", re.IGNORECASE)
#: At most this many ids a query looks up.
MAX_IDS = 10


def named_papers(raw: object) -> tuple[str, ...]:
    """The arXiv ids a query is, when it holds ids and nothing else that counts (see _PASTED_WITH_IDS), in their
    order, each once (any version: the paper's id without it); () for a query of other words."""
    if not isinstance(raw, str) or len(raw) > 500:
        return ()
    uids: list[str] = []
    for token in raw.replace(",", " ").split():
        word = token.strip(_AROUND_ID)
        if not word or _PASTED_WITH_IDS.fullmatch(word) or _PASTED_WITH_IDS.fullmatch(token.rstrip(".;:")):
            continue
        try:
            uids.append(split_arxiv_id(_HUB_ADDRESS.sub("", _one_id(token)))[0])
        except ValueError:
            return ()
    return tuple(dict.fromkeys(uids))[:MAX_IDS]


#: A DOI as people paste it: bare, after "doi:", or as a doi.org address (arXiv's own are ids: named_papers).
_DOI = re.compile(r"(?:doi:\s*)?(?:https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/[^\s\x00-\x1f\x7f]+)", re.IGNORECASE)


def named_doi(raw: object) -> str:
    """The DOI a query is, when it is one DOI and nothing else (a journal's: its paper is looked up by it), without a
    full stop or bracket after it; "" for anything else."""
    if not isinstance(raw, str) or len(raw) > 500:
        return ""
    found = _DOI.fullmatch(raw.strip().rstrip(_AROUND_ID))
    return found.group(1) if found else ""


def _one_id(token: str) -> str:
    """A token's id or address without the brackets or full stop around it (an address's own "/" kept)."""
    return token.lstrip(_AROUND_ID.replace(":", "")).rstrip(_AROUND_ID)


def named_paper(raw: object) -> str | None:
    """The first arXiv id a query names (named_papers), or None."""
    uids = named_papers(raw)
    return uids[0] if uids else None


def _in_a_row(run: list[str], words: list[str]) -> bool:
    return any(words[i:i + len(run)] == run for i in range(len(words) - len(run) + 1))


def named_authors(authors: list[str], parsed: ParsedQuery, filters: Filters = NO_FILTERS) -> list[str]:
    """Which of a paper's authors a search named: by author: or the author filter (every word of the name given,
    in any order, an initial for a word: what the index finds), or by a word (three letters or more) or phrase of
    the query that is in their name (accents folded)."""
    from paperhub.search import analysis  # (tantivy's analyzers: this module imports before Django, without them)

    given = [*parsed.authors, *filters.authors]
    runs = [analysis.name_words(term) for term in parsed.terms if len(term) > 2]
    runs += [analysis.name_words(" ".join(phrase)) for phrase in parsed.phrases]

    def named(author: str) -> bool:
        # a name given as the index reads it (analysis.carries: initials, accents); a word of the query as it is
        words = analysis.name_words(author)
        return any(analysis.carries(author, name) for name in given) or any(r and _in_a_row(r, words) for r in runs)

    return [author for author in authors if named(author)]
