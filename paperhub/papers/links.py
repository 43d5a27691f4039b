"""A paper's code repository and project page, found in its abstract and arXiv comments. Pure, no database.

Authors write "Code is available at https://github.com/owner/repo." in running text, often LaTeX-ish
(`\\url{...}`, `\\href{..}{..}`, `\\_`), with line wrapping that left a space inside the URL. The code link is a
GitHub repository, normalised to https://github.com/owner/repo; the project page is a *.github.io site or a URL
that a "project page:" cue names.
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

#: How every link to an address someone else wrote (a comment's, an abstract's) is marked: not endorsed, no access
#: to this page's window, no referrer.
LINK_REL = "nofollow noopener noreferrer ugc"
#: Paths under github.com that are GitHub's own pages, not an owner's.
_GITHUB_PAGES = frozenset({
    "about", "apps", "collections", "contact", "enterprise", "explore", "features", "issues", "login", "marketplace",
    "new", "notifications", "orgs", "organizations", "pricing", "pulls", "search", "settings", "site", "sponsors",
    "topics", "trending", "users",
})
#: Hosts that are never a project page: papers, DOIs, data and model hosts, code hosts.
_NOT_PROJECT = re.compile(
    r"(^|\.)(arxiv\.org|doi\.org|github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|zenodo\.org|kaggle\.com"
    r"|figshare\.com|osf\.io|openreview\.net|aclanthology\.org|paperswithcode\.com|drive\.google\.com"
    r"|youtube\.com|youtu\.be|creativecommons\.org|anonymous\.4open\.science|dropbox\.com)$", re.I)

def _word_before(match: re.Match[str]) -> bool:
    """Whether a match continues a word (a \\b in its pattern would cost 10 times as much: it defeats the regex
    engine's search for the pattern's literal prefix)."""
    before = match.string[match.start() - 1:match.start()]
    return bool(before) and (before.isalnum() or before == "_")


# LaTeX escapes and wrapping that break URLs in abstracts; each is undone before URLs are read. Each pattern runs
# only on a text holding its first string (a test many times quicker than the pattern's search).
#: A character LaTeX escapes that a URL holds as it is (\\_ in \\url{a\\_b}).
_ESCAPED = re.compile(r"\\([_%&#~])")
_ESCAPES = (
    ("\\", _ESCAPED, r"\1"),
    ("\\", re.compile(r"\\(?:textasciitilde|string~|~)\{?\}?"), "~"),
    ("http", re.compile(r"(https?):\s+//"),  # "https: //"
     lambda m: m.group(0) if _word_before(m) else f"{m.group(1)}://"),
)
#: GitHub addresses broken by a line wrap, each mended after the escapes (each written to match only what it
#: mends: "github.com" matched and written back as it was cost twice as much).
_WRAPPED_GITHUB = (
    (re.compile(r"github(?:\s+\.\s*|\.\s+)(com|io)\b"), r"github.\1"),  # "github. com"
    (re.compile(r"github\.com/\s+(?=\w)"), "github.com/"),  # "github.com/ owner"
    (re.compile(r"(github\.com/[\w.-]+)\s*/\s+(?=\w)"), r"\1/"),  # "github.com/owner/ repo"
    (re.compile(r"(github\.com/[\w.-]*\w-)\s+(?=\w)"), r"\1"),  # "github.com/SAI- Lab/x": hyphen at a wrap
)
#: White space where one of those breaks could be (after "github", "github." or in an address's first two parts):
#: one search, where most texts naming GitHub have none, instead of the four.
_MAYBE_WRAPPED = re.compile(r"github(?:\.?\s|\.com/(?:[\w.-]+\s*/)?[\w.-]*\s)")
#: Capitalised schemes and hosts, lowered first so that the patterns need no IGNORECASE (which is 3-10 times
#: slower: it defeats the regex engine's search for a literal prefix).
#: (Flat alternatives: a group around the host names would hide the first letters from the engine's quick scan, and
#: cost four times as much. The dot after a host name is left for ".COM".)
_CAPITALISED = re.compile(r"HTTPS:|Https:|HTTP:|Http:|WWW\.|GitHub(?= ?\.)|Github(?= ?\.)|GITHUB(?= ?\.)|gitHub(?= ?\.)"
                          r"|\.COM|\.IO")
#: A URL runs to the first space, brace, angle bracket, quote, backslash or bar.
_URL_END = re.compile(r"[\s{}<>\"'\\|]")
_REPO = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/([A-Za-z0-9._-]+)",
                   re.I)
#: A pull request, issue or commit: a change to someone's repository rather than the paper's own.
_CONTRIBUTION = re.compile(r"^[^/]*(?://)?[^/]+/[^/]+/[^/]+/(pull|issues|commit|discussions)/", re.I)
_SENTENCE_END = re.compile(r"(?:[.!?;](?:\s|$)|\|\||\n)")
#: Words before a repository that make it the paper's own (code, release, implementation...).
_OWN_CUE = re.compile(r"\b(code|codes|implementation|source|repository|repo|released?|available|open[- ]?sourced?|"
                      r"github|project|our|we)\b", re.I)
#: Words right before a repository that make it someone else's (a baseline, a tool used).
_OTHERS_CUE = re.compile(r"\b(based on|buil[dt]s? (?:up)?on|using|uses|used|adapted from|borrowed from|"
                         r"fork(?:ed)? (?:of|from)|following|e\.g\.|such as|see also|provided by|implemented in|"
                         r"extends?)\s*[:(]?\s*$", re.I)
_PROJECT_CUE = re.compile(r"\b(project|webpage|web page|website|homepage|home page|demo|page|site)\b", re.I)
_TRAILING = ".,;:!?*'\"`"


@dataclass(frozen=True)
class Links:
    """A paper's code repository (https://github.com/owner/repo) and project page; empty when none is named."""

    code_url: str = ""
    project_url: str = ""


NO_LINKS = Links()


@dataclass(frozen=True)
class _Found:
    url: str
    before: str  # the sentence's text before the URL


def _unescape(text: str) -> str:
    text = _CAPITALISED.sub(_lowered, text)
    for first, pattern, replacement in _ESCAPES:
        if first in text:
            text = pattern.sub(replacement, text)
    if "github" in text and _MAYBE_WRAPPED.search(text):
        for pattern, replacement in _WRAPPED_GITHUB:
            text = pattern.sub(replacement, text)
    return text


def _lowered(match: re.Match[str]) -> str:
    return match.group(0).lower()


def _trim(url: str) -> str:
    """A URL without the punctuation that ended its sentence or closing brackets it did not open."""
    while url and (url[-1] in _TRAILING or _unopened(url)):
        url = url[:-1]
    return url


def _unopened(url: str) -> bool:
    """Whether a URL ends with a bracket it did not open (the text's, around the URL)."""
    closing = url[-1]
    return closing in ")]" and url.count({")": "(", "]": "["}[closing]) < url.count(closing)


def _in_word(char: str) -> bool:
    return char.isalnum() or char in "_.-"


def _url_starts(text: str) -> list[int]:
    """Where URLs may start: at a scheme or www., and at the word of a bare GitHub address (a word not
    continuing a path or an e-mail address). (Found with str.find: a pattern of alternatives such as
    "https?://|www\\." has no literal prefix for the regex engine to search for, and cost four times as much.)"""
    starts = set()
    for start in _occurrences(text, "http"):
        scheme_end = start + 5 if text.startswith("s", start + 4) else start + 4
        if text.startswith("://", scheme_end) and _url_follows(text, scheme_end + 3):
            starts.add(start)
    starts.update(start for start in _occurrences(text, "www.") if _url_follows(text, start + 4))
    for start in _occurrences(text, "github.com/"):
        if not _continues_address(text, start):
            starts.add(start)
    for dot in _occurrences(text, ".github.io"):  # the address starts with its word: owner.github.io
        start = dot
        while start > 0 and _in_word(text[start - 1]):
            start -= 1
        if start != dot and not _continues_address(text, start):
            starts.add(start)
    return sorted(starts)


def _occurrences(text: str, literal: str) -> Iterator[int]:
    """Where a literal occurs in a text, left to right, not overlapping (as a pattern's matches)."""
    at = text.find(literal)
    while at >= 0:
        yield at
        at = text.find(literal, at + len(literal))


def _url_follows(text: str, at: int) -> bool:
    """Whether a URL goes on after its scheme or www. ("https:// " is none)."""
    return at < len(text) and not _URL_END.match(text, at)


def _continues_address(text: str, start: int) -> bool:
    """Whether a bare address's word continues a path or an e-mail address (or another word)."""
    before = text[start - 1:start]
    return bool(before) and (_in_word(before) or before in "/@")


def _urls(text: str) -> list[_Found]:
    """Every URL of a text in order, each with the part of its sentence before it."""
    found = []
    end = 0
    for start in _url_starts(text):
        if start < end:  # inside the URL before it
            continue
        stop = _URL_END.search(text, start)
        end = stop.start() if stop else len(text)
        url = _trim(text[start:end])
        ends = list(_SENTENCE_END.finditer(text, max(0, start - 200), start))
        sentence_start = ends[-1].end() if ends else max(0, start - 200)
        if url:
            found.append(_Found(url, text[sentence_start:start]))
    return found


def repository(url: str) -> str:
    """https://github.com/owner/repo for a URL inside a GitHub repository (a tree, a .git, a file), else ""."""
    match = _REPO.match(url.strip())
    if not match:
        return ""
    owner, name = match.group(1), match.group(2)
    name = name.rstrip(".")
    if name.lower().endswith(".git"):
        name = name[:-4].rstrip(".")
    if owner.lower() in _GITHUB_PAGES or not re.search(r"[A-Za-z0-9]", name):
        return ""
    return f"https://github.com/{owner}/{name}"


def repository_key(url: str) -> str:
    """The case-folded "owner/repo" of a GitHub repository URL (GitHub's names ignore case), else ""."""
    normal = repository(url)
    return normal.removeprefix("https://github.com/").lower() if normal else ""


def _host(url: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I).split("/", 1)[0].split(":", 1)[0].lower()


def _own_code(found: list[_Found]) -> str:
    """The paper's own repository: the first one a code cue announces, else the first not named as another's,
    else a pull request or issue (a contribution to another project)."""
    repos = [(repository(f.url), f) for f in found]
    mine = [(url, f.before) for url, f in repos if url and not _CONTRIBUTION.match(f.url)]
    for url, before in mine:
        if _OWN_CUE.search(before) and not _OTHERS_CUE.search(before):
            return url
    for url, before in mine:
        if not _OTHERS_CUE.search(before):
            return url
    return next((url for url, f in repos if url and _CONTRIBUTION.match(f.url)), "")


def _project_page(found: list[_Found]) -> str:
    """The first *.github.io page, or the first other page that a "project page" cue introduces."""
    for f in found:
        host = _host(f.url)
        if _NOT_PROJECT.search(host) or "." not in host:
            continue
        if host.endswith(".github.io") or _PROJECT_CUE.search(f.before[-60:]):
            return f.url if re.match(r"https?://", f.url, re.I) else f"https://{f.url}"
    return ""


def find_links(abstract: str, comments: str = "") -> Links:
    """The code repository and project page a paper's abstract and comments name (comments after the abstract)."""
    text = f"{abstract}\n{comments}"
    folded = text.lower()
    if "http" not in folded and "www." not in folded and "github" not in folded:
        return NO_LINKS  # most papers name no URL: the patterns below cost 30 times more than this test
    found = _urls(_unescape(text))
    return Links(code_url=_own_code(found), project_url=_project_page(found))


def web_url(url: str) -> str:
    """The URL when it is http(s), else nothing (a javascript: code link from a source never reaches a reader)."""
    try:
        return url if url and urlsplit(url.strip()).scheme in ("http", "https") else ""
    except ValueError:  # "http://[x": not an address at all
        return ""


def latex_url(source: str) -> str:
    """The address a LaTeX \\url{} or \\href{} argument names: its escaped characters (\\_, \\%, \\#) as themselves,
    white space from line wrapping dropped."""
    return "".join(_ESCAPED.sub(r"\1", source).split())


def anchor(url: str, inner: str) -> str:
    """An HTML link to `url` around `inner` (escaped HTML already) when the URL is http(s), else `inner` alone."""
    if not web_url(url):
        return inner
    return f'<a href="{html.escape(url.strip())}" rel="{LINK_REL}">{inner}</a>'
