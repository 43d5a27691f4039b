"""PaperRecord: what every source's parser produces and the upsert service consumes. Pure, no database."""

import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from paperhub.papers.categories import CATEGORY_NAMES
from paperhub.papers.links import NO_LINKS, Links, find_links

#: arXiv's ids since April 2007 (0704): YYMM.NNNN, and YYMM.NNNNN from January 2015 (1501) on.
_NEW_ID = re.compile(r"^(\d\d(\d\d))\.(\d{4,5})$")
#: The shape of the ids since January 2015 (what most ids read are): five digits, a month 01-12.
_RECENT_ID = re.compile(r"^(?:1[5-9]|[2-9]\d)(?:0[1-9]|1[0-2])\.\d{5}$")
#: Its ids before: an archive's, archive/YYMMNNN (hep-th/9901001), from August 1991 to March 2007.
_OLD_ID = re.compile(r"^([a-z][a-z\-]*)/(\d\d(\d\d))\d{3}$")
#: The archives that gave ids of the old form (several long since merged into others: chao-dyn into nlin).
OLD_ARCHIVES = frozenset({
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn", "chem-ph", "cmp-lg",
    "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math",
    "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio",
    "quant-ph", "solv-int", "supr-con"})
#: Longer than any id or address of one that people paste (arXiv's longest addresses are under 60 characters).
MAX_ID_TEXT = 300
#: An id of before 2007 with its subject class (cs.AI/9902027, as arXiv printed them): the class is no part of the
#: id, which is the archive's (cs/9902027: what arXiv's API, OAI-PMH and snapshot all say).
_OLD_ID_CLASS = re.compile(r"^(([a-z][a-z\-]*)\.[a-z]{2})(/\d{7})$", re.IGNORECASE)
#: The subject classes such an id may name (cs.ai as well as cs.AI).
_CLASSES = frozenset(code.lower() for code in CATEGORY_NAMES)
_VERSION_SUFFIX = re.compile(r"v(\d+)$")
MAX_NAME = 300
MAX_CATEGORY = 64
#: An arXiv category's shape (cs.CV, hep-th, cond-mat.mes-hall, physics.atom-ph). Listings and the API mix ACM and
#: MSC classes in among the categories ("cs.CV I.4", "cs.RO 68T45", "68U10, 90C26"): 2% of recent papers here.
#: Those are not subjects of the hub and would show as chips and filters, so they are left out.
ARXIV_CATEGORY = re.compile(r"[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?")
#: The most a record may hold. Each is several times what arXiv allows or real metadata reaches (arXiv caps
#: abstracts at 1,920 characters; the longest author lists, of the LHC collaborations, have about 5,000 names);
#: a record past one is a parsing accident or hostile, and is reported as a bad record, not stored cut short.
#: (No limit is under 300: PaperRecord checks each only when a text is longer.)
LIMITS = {"title": 1_000, "abstract": 10_000, "comments": 2_000, "journal_ref": 1_000, "doi": 300,
          "report_no": 1_000, "license": 300, "code_url": 2_000, "project_url": 2_000, "organization": 300}
MAX_AUTHORS = 10_000
MAX_CATEGORIES = 100
# Characters no stored text should hold: the C0 controls but tab, newline and carriage return; DEL and the C1
# controls; lone surrogates (JSON's "\ud800" decodes to one; UTF-8 cannot store it); U+FFFE and U+FFFF.
# XML 1.0 forbids most of them: one in a title would break every feed that shows it.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: The printable ASCII characters, which bytes.translate() deletes to leave the others (see printable()).
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


class RecordError(ValueError):
    """A record that cannot become a paper; the message says why."""


@dataclass(frozen=True)
class PaperRecord:
    """One paper as a source describes it; empty fields mean the source did not say."""

    uid: str
    title: str
    source: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # the first is the primary category
    version: int | None = None
    published: datetime | None = None
    updated: datetime | None = None
    comments: str = ""
    journal_ref: str = ""
    doi: str = ""
    report_no: str = ""
    license: str = ""
    code_url: str = ""
    project_url: str = ""
    organization: str = ""
    #: author_key() of each author, computed once where the record is made (a parsing process, say).
    author_keys: tuple[str, ...] = field(init=False, compare=False, repr=False)
    #: The links the abstract and comments name (looked for only where the record states none), found where the
    #: record is made too: in a snapshot ingest that is the parsing process, beside the writer rather than in it.
    found_links: Links = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        texts: tuple[str, ...] = (self.title, self.abstract, self.comments, self.journal_ref, self.doi,
                                  self.report_no, self.license, self.code_url, self.project_url,
                                  self.organization)  # in LIMITS' order
        every = (*texts, *self.authors, *self.categories)
        if not printable("".join(every)) and any(map(has_controls, every)):
            texts = tuple(map(strip_controls, texts))
            for name, text in zip(LIMITS, texts, strict=True):
                object.__setattr__(self, name, text)
            object.__setattr__(self, "authors", tuple(map(strip_controls, self.authors)))
            object.__setattr__(self, "categories", tuple(map(strip_controls, self.categories)))
        if max(map(len, texts)) > 300:
            for (name, limit), text in zip(LIMITS.items(), texts, strict=True):
                if len(text) > limit:
                    raise RecordError(f"{name} is {len(text):,} characters long, over the limit of {limit:,}")
        if len(self.authors) > MAX_AUTHORS:
            raise RecordError(f"{len(self.authors):,} authors, over the limit of {MAX_AUTHORS:,}")
        if len(self.categories) > MAX_CATEGORIES:
            raise RecordError(f"{len(self.categories):,} categories, over the limit of {MAX_CATEGORIES:,}")
        # Past these lengths a "name" or "category" is a parsing accident upstream, and would not fit an index.
        # A name listed twice is one author, in its first place.
        names, keys = _names_and_keys(self.authors)
        if len(set(keys)) < len(keys):
            first = {key: i for i, key in reversed(list(enumerate(keys)))}
            names = [name for i, name in enumerate(names) if first[keys[i]] == i]
            keys = list(dict.fromkeys(keys))
        object.__setattr__(self, "authors", tuple(names))
        object.__setattr__(self, "author_keys", tuple(keys))
        object.__setattr__(self, "categories", tuple(c for c in self.categories
                                                     if len(c) <= MAX_CATEGORY and ARXIV_CATEGORY.fullmatch(c)))
        stated = self.code_url and self.project_url
        object.__setattr__(self, "found_links", NO_LINKS if stated else find_links(self.abstract, self.comments))


def _names_and_keys(authors: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Each author's clean_name() (cut at MAX_NAME) and author_key(), names that clean to nothing left out. A list of
    plain ASCII names (most of them) is worked on whole, joined by NUL: a dozen string operations a paper instead of
    a dozen a name, and the same names and keys. (Records strip control characters first, NUL among them; a name
    that still held one would take the name by name way.)"""
    joined = "\0".join(authors)
    if joined.isascii() and "\\" not in joined and "{" not in joined and joined.count("\0") == len(authors) - 1:
        # then clean_name only collapses white space, and author_key lowers (casefold() is lower() on ASCII)
        cleaned = _one_space(joined)
        names = cleaned.split("\0")
        if max(map(len, names)) <= MAX_NAME:
            keys = _one_space(cleaned.lower().replace(".", ". ")).split("\0")
            if all(names):
                return names, keys
            return [name for name in names if name], [key for name, key in zip(names, keys, strict=True) if name]
    names = [name[:MAX_NAME] for name in map(clean_name, authors) if name]
    return names, list(map(author_key, names))


def _one_space(joined: str) -> str:
    """NUL-joined texts with their white space collapsed, as " ".join(text.split()) does to each."""
    return " ".join(joined.split()).replace(" \0", "\0").replace("\0 ", "\0")


#: What comes before an id in the addresses people paste: arXiv's pages, Hugging Face's and alphaXiv's paper pages,
#: and arXiv's DOIs (10.48550/arXiv.2501.01234, with or without doi.org).
_PAPER_ADDRESS = re.compile(
    r"^(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|(?:https?://)?(?:www\.)?huggingface\.co/papers/"
    r"|(?:https?://)?(?:www\.)?alphaxiv\.org/(?:abs/|overview/)?"
    r"|(?:doi:\s*)?(?:https?://)?(?:dx\.)?(?:doi\.org/)?10\.48550/arxiv\.)",
    re.IGNORECASE)
#: What an address holds after its path: ?context=cs, #community (an id never holds either character).
_QUERY_OR_FRAGMENT = re.compile(r"[?#].*$", re.DOTALL)


class ArxivIdError(ValueError):
    """Text that is no arXiv id; reason says why, in words for the person who pasted it."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"not an arXiv id: {raw[:100]!r} ({reason})")
        self.reason = reason


def split_arxiv_id(raw: str) -> tuple[str, int | None]:
    """'arXiv:2501.01234v2', its DOI, or an arXiv abs/pdf/html, Hugging Face or alphaXiv paper address ->
    ('2501.01234', 2); an old id's subject class dropped (cs.AI/9902027 -> cs/9902027); raises ArxivIdError (a
    ValueError) with the reason if it is no arXiv id, or one of a shape arXiv never gave (2513.00001: no month 13;
    whatever the clock says: see still_to_come)."""
    if _RECENT_ID.match(raw):  # most ids: a shape arXiv gives since 2015
        return raw, None
    if len(raw) > MAX_ID_TEXT:
        raise ArxivIdError(raw, f"{len(raw):,} characters, longer than any arXiv id or address")
    text = _QUERY_OR_FRAGMENT.sub("", raw.strip())
    text = _PAPER_ADDRESS.sub("", text)
    text = re.sub(r"^arxiv:", "", text, flags=re.I)
    text = re.sub(r"\.pdf$", "", text).strip("/")
    version = None
    match = _VERSION_SUFFIX.search(text)
    if match:
        version = int(match.group(1))
        text = text[: match.start()]
    if (classed := _OLD_ID_CLASS.match(text)) and classed[1].lower() not in _CLASSES:
        raise ArxivIdError(raw, f"{classed[1]} is not an arXiv subject class")
    if classed:
        text = classed[2] + classed[3]
    if match := _NEW_ID.match(text):
        fault = _new_id_fault(match)
    elif old := _OLD_ID.match(text):
        fault = _old_id_fault(old)
    else:
        fault = ("not an id of arXiv's forms (2501.01234, hep-th/9901001) nor an arXiv, Hugging Face, alphaXiv or "
                 "DOI address of one")
    if fault:
        raise ArxivIdError(raw, fault)
    return text, version


def _new_id_fault(match: re.Match[str]) -> str:
    """Why a YYMM.NNNNN id is one arXiv never gave, or "" (it may have)."""
    yymm, month, number = match[1], int(match[2]), match[3]
    if not 1 <= month <= 12:
        return f"{yymm} is not a year and month arXiv has used (no month {match[2]})"
    if yymm < "0704":
        return f"ids of this form start in April 2007 (0704); older ones are like hep-th/9901001, not {yymm}"
    if len(number) == 4 and yymm >= "1501":
        return f"ids since January 2015 have five digits after the dot, not {number}"
    if len(number) == 5 and yymm < "1501":
        return f"ids before 2015 have four digits after the dot, not {number}"
    return ""


def _old_id_fault(match: re.Match[str]) -> str:
    """Why an archive/YYMMNNN id is one arXiv never gave, or "" (it may have)."""
    archive, yymm, month = match[1], match[2], int(match[3])
    if archive not in OLD_ARCHIVES:
        return f"{archive} is not one of the arXiv archives that gave ids of this form (hep-th, cond-mat, math...)"
    if not 1 <= month <= 12:
        return f"{yymm} is not a year and month arXiv has used (no month {match[3]})"
    if "0703" < yymm < "91":  # 91xx to 99xx (arXiv began in August 1991), then 0001 to 0703 (March 2007)
        return f"ids of this form run from 1991 to March 2007 (0703), not {yymm}; later ones are like 2501.01234"
    return ""


def sent_in_by(uid: str) -> datetime:
    """When the paper of a (valid, versionless) arXiv id was first sent in, at the latest: the end of its id's
    month (UTC), as the month after begins (hep-th/9901001: 1 February 1999)."""
    yymm = uid.split("/")[-1][:4]
    year = int(yymm[:2]) + (1900 if yymm >= "91" and "/" in uid else 2000)
    month = int(yymm[2:])
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def still_to_come(uid: str) -> str:
    """Why a (valid, versionless) new-style id typed by someone cannot be a paper yet: its month is after next month's
    (UTC), or "". Only for what people type: parsers and lookups never ask, so a machine whose clock is behind still
    ingests and shows every paper."""
    yymm = uid[:4]
    return f"{yymm} is a month still to come" if "/" not in uid and yymm > _next_month() else ""


def _next_month() -> str:
    """The YYMM of next month in UTC, the latest an id may name: a paper sent in at the end of a month in New York
    may already be in the next one's numbering. (Worked out once an hour.)"""
    hour = int(time.time()) // 3600
    if hour != _MONTH_AFTER[0]:
        now = datetime.fromtimestamp(hour * 3600, UTC)
        _MONTH_AFTER[:] = [hour, f"{now.year % 100 + now.month // 12:02d}{now.month % 12 + 1:02d}"]
    return str(_MONTH_AFTER[1])


_MONTH_AFTER: list[int | str] = [-1, ""]  # the hour _next_month() worked it out in, and its answer


def arxiv_abs_url(uid: str, version: int | None = None) -> str:
    """A paper's page on arxiv.org, of one version when given."""
    return f"https://arxiv.org/abs/{uid}" + (f"v{version}" if version else "")


def possible_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """split_arxiv_id() of what someone typed or linked to, or None for no id arXiv may have given (still_to_come
    included: a page of a paper not here offers only one that may exist)."""
    try:
        uid, version = split_arxiv_id(strip_controls(text))
    except ArxivIdError:
        return None
    return None if still_to_come(uid) else (uid, version)


#: An id written among other words: a new one (not part of a longer number or word; after "arXiv." in a DOI is
#: fine), or an old one of a known archive, with a subject class or not; a version after either.
_ID_AMONG_WORDS = re.compile(
    r"(?<!\w)(?<!\d\.)\d{4}\.\d{4,5}(?:v\d+)?(?!\w)"
    rf"|(?<![\w.-])(?:{'|'.join(sorted(OLD_ARCHIVES))})(?:\.[A-Za-z]{{2}})?/\d{{7}}(?:v\d+)?(?!\w)")


def arxiv_ids_in(text: str) -> list[str]:
    """The versionless arXiv ids a pasted text holds, each once in its order: the whole text as split_arxiv_id reads
    it (an id, arXiv:id, an address), else every id written among its words ("arXiv:2401.12345v2 [cs.CL] 3 Jan
    2024", a citation line, an address in a sentence; not in a text holding control characters). Raises ArxivIdError
    when it holds none: the reason of the first id-shaped one arXiv never gave (2513.00001), else why the whole text
    is none."""
    try:
        return [split_arxiv_id(text.strip())[0]]
    except ArxivIdError as whole:
        if len(text) > MAX_ID_TEXT or has_controls(text):  # (bytes no pasted text holds: a probe, not a citation)
            raise
        fault = whole
    uids: list[str] = []
    faults: list[ArxivIdError] = []
    for written in _ID_AMONG_WORDS.findall(text):
        try:
            uids.append(split_arxiv_id(written)[0])
        except ArxivIdError as exc:
            faults.append(exc)
    if not uids:
        raise (faults or [fault])[0]
    return list(dict.fromkeys(uids))


# LaTeX accent commands as found in arXiv author lists, mapped to Unicode combining marks.
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a",
}
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}
_ACCENT_RE = re.compile(
    r"\\([\"'`^~=.]|[uvHckr](?![a-zA-Z]))\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij]|[A-Za-z]))"
)
_BRACED_LETTER = re.compile(r"\{(\w)\}")
_LETTER_RE = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![a-zA-Z])\s*(\{\})?")


def _accent(match: re.Match[str]) -> str:
    base = match.group(2) or match.group(3)
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _ACCENTS[match.group(1)])


def accent_at(text: str, index: int) -> tuple[str, int] | None:
    """The letter that the accent or letter command at text[index] (\\"u, \\H{o}, \\ss) writes, and where the
    command ends; None when no such command starts there."""
    if match := _ACCENT_RE.match(text, index):
        return _accent(match), match.end()
    if match := _LETTER_RE.match(text, index):
        return _LETTERS[match.group(1)], match.end()
    return None


def latex_to_unicode(text: str) -> str:
    """Turn the LaTeX accents of names (M{\\"u}ller, Erd\\H{o}s, \\o) into Unicode; leave other text alone."""
    if "\\" not in text:
        return text
    text = _ACCENT_RE.sub(_accent, text)
    text = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], text)
    return _BRACED_LETTER.sub(r"\1", text)


def clean_name(name: str) -> str:
    """An author's display name: LaTeX accents resolved, braces dropped, white space collapsed."""
    if "\\" in name or "{" in name:
        name = latex_to_unicode(name).replace("{", "").replace("}", "")
    return " ".join(unicodedata.normalize("NFC", name).split())


def author_key(name: str) -> str:
    """The identity of an author name: same key, same Author row."""
    if not name.isascii() or "\\" in name or "{" in name:
        name = unicodedata.normalize("NFKC", clean_name(name))
    return " ".join(name.casefold().replace(".", ". ").split())


def printable(text: str) -> bool:
    """str.isprintable(), three times quicker on ASCII text (most metadata): isascii() reads a flag, and deleting
    the printable bytes is a plainer loop than asking the Unicode database about each character."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return text.isprintable()


def has_controls(text: str) -> bool:
    """Whether strip_controls would change the text."""
    return not printable(text) and _CONTROLS.search(text) is not None  # the first test is twice as quick


def strip_controls(text: str) -> str:
    """The text without control characters (tab and line breaks kept), lone surrogates and non-characters."""
    return _CONTROLS.sub("", text)


def clean_text(text: str | None) -> str:
    """A title: control characters dropped, LaTeX kept raw, line-wrapping white space collapsed."""
    if not text:
        return ""
    if has_controls(text):
        text = strip_controls(text)
    if "\n" not in text and "  " not in text and "\t" not in text and "\r" not in text:
        return text.strip()
    return " ".join(text.split())


def clean_abstract(text: str | None) -> str:
    """An abstract: LaTeX kept raw, wrapped lines joined, paragraphs (indented lines) kept apart."""
    if not text:
        return ""
    if "\n" not in text.strip():
        return clean_text(text)
    paragraphs: list[list[str]] = [[]]
    for line in text.strip("\n").split("\n"):
        if line[:1].isspace() and paragraphs[-1]:
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line.strip())
    return "\n\n".join(" ".join(words) for words in paragraphs if words)
