"""Reading reference libraries people already keep: BibTeX and CSL JSON (Zotero's exports). Pure."""

import json
import re
from dataclasses import dataclass

from paperhub.papers.records import clean_text, split_arxiv_id
from paperhub.papers.tex import plain_text

MAX_ENTRIES = 5000
#: CSL JSON nests a few levels (items, authors, date parts); deeper input is refused before json.loads recurses.
MAX_DEPTH = 32
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
ARXIV_IN_TEXT = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)?(\d{4}\.\d{4,5}(?:v\d+)?"
                           r"|[a-z-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", flags=re.I)


@dataclass(frozen=True)
class Reference:
    """One library entry, as much as is needed to find it among the hub's papers or to embed it."""

    line: int
    title: str
    abstract: str = ""
    arxiv_id: str = ""
    doi: str = ""
    tex_title: str = ""  # a BibTeX entry's title as typed, braces dropped: TeX, as the hub stores a title


@dataclass
class Library:
    references: list[Reference]
    errors: list[str]  # "line N: what was wrong"


def _arxiv(*candidates: str) -> str:
    for text in candidates:
        for match in ARXIV_IN_TEXT.finditer(text or ""):
            if "arxiv" in (text or "").lower() or re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", (text or "").strip()):
                try:
                    return split_arxiv_id(match.group(1))[0]
                except ValueError:
                    continue
    return ""


def _doi(text: str) -> str:
    match = re.search(r"10\.\d{4,9}/\S+", text or "")
    return match.group(0).rstrip(".,;").lower() if match else ""


def _braces(text: str) -> str:
    return clean_text(text.replace("{", "").replace("}", ""))


def _tex(text: str) -> str:
    """A BibTeX field's text as the hub shows TeX (accents, \\&, math as Unicode), then its protecting braces
    dropped."""
    return _braces(plain_text(text))


def _unread(block: object) -> str:
    """Why bibtexparser could not read a block, in its own words (its exception's class name says nothing)."""
    error = getattr(block, "error", None)
    reason = " ".join(str(getattr(error, "abort_reason", "") or error or "").split())
    return reason[:200] or "bibtexparser could not read it (unbalanced braces?)"


def parse_bibtex(text: str) -> Library:
    """References from BibTeX; a broken entry is reported with its line and the others still come through."""
    from bibtexparser.entrypoint import parse_string

    parsed = parse_string(text)
    references, errors = [], []
    for entry in parsed.entries[:MAX_ENTRIES]:
        fields = {k.lower(): str(f.value) for k, f in entry.fields_dict.items()}
        title = _tex(fields.get("title", ""))
        if not title:
            errors.append(f"line {(entry.start_line or 0) + 1}: entry {entry.key!r} has no title")
            continue
        prefix = fields.get("archiveprefix", "") + fields.get("eprinttype", "")
        eprint = fields.get("eprint", "")
        arxiv = (_arxiv(f"arxiv:{eprint}") if eprint and ("arxiv" in prefix.lower() or not prefix) else "") or \
            _arxiv(*(fields.get(name, "") for name in ("url", "journal", "note", "howpublished")))
        references.append(Reference(line=(entry.start_line or 0) + 1, title=title, arxiv_id=arxiv,
                                    abstract=_tex(fields.get("abstract", "")), doi=_doi(fields.get("doi", "")),
                                    tex_title=_braces(fields["title"])))
    for block in parsed.failed_blocks:
        errors.append(f"line {(block.start_line or 0) + 1}: could not read this entry: {_unread(block)}")
    return Library(references, errors)


def json_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep JSON text nests its arrays and objects (strings skipped), counting no further than `limit` + 1."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif token in "]}":
            depth -= 1
    return deepest


def parse_csl_json(text: str) -> Library:
    """References from CSL JSON (Zotero: Export Library -> CSL JSON)."""
    if json_depth(text) > MAX_DEPTH:
        return Library([], [f"line 1: the JSON nests deeper than {MAX_DEPTH} levels; this is not a CSL JSON export"])
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        return Library([], [f"line {exc.lineno}: not valid JSON ({exc.msg})"])
    if isinstance(items, dict):
        items = items.get("items", [items])
    if not isinstance(items, list):
        return Library([], ["line 1: expected a list of CSL JSON items"])
    references, errors = [], []
    for number, item in enumerate(items[:MAX_ENTRIES], start=1):
        if not isinstance(item, dict) or not str(item.get("title") or "").strip():
            errors.append(f"item {number}: no title")
            continue
        arxiv = _arxiv(str(item.get("URL", "")), str(item.get("number", "")), str(item.get("archive_location", "")),
                       str(item.get("container-title", "")), str(item.get("note", "")))
        if not arxiv and str(item.get("publisher", "")).lower() == "arxiv":
            arxiv = _arxiv(f"arxiv:{item.get('number', '')}")
        references.append(Reference(line=number, title=clean_text(str(item["title"])),
                                    abstract=clean_text(str(item.get("abstract", ""))), arxiv_id=arxiv,
                                    doi=_doi(str(item.get("DOI", "")))))
    return Library(references, errors)


def parse_library(text: str) -> Library:
    """BibTeX or CSL JSON, whichever the text is."""
    stripped = text.lstrip("\ufeff \t\r\n")
    return parse_csl_json(stripped) if stripped[:1] in "[{" else parse_bibtex(text)


#: Zotero item types that are not works of their own (attached files, notes, PDF annotations).
ZOTERO_NOT_WORKS = frozenset({"attachment", "note", "annotation"})


def zotero_reference(item: dict[str, object], number: int = 0) -> Reference | None:
    """A reference from an item of the Zotero Web API (format=json), or None for an attachment, note or untitled
    item. arXiv ids come from archiveID ("arXiv:2501.01234"), the URL, Extra or the publication's name."""
    data = item.get("data")
    if not isinstance(data, dict) or data.get("itemType") in ZOTERO_NOT_WORKS:
        return None
    title = clean_text(str(data.get("title") or ""))
    if not title:
        return None
    fields = {name: str(data.get(name) or "") for name in ("archiveID", "url", "extra", "publicationTitle",
                                                            "repository", "number", "DOI", "abstractNote")}
    arxiv = _arxiv(fields["archiveID"], fields["url"], fields["extra"], fields["publicationTitle"])
    if not arxiv and fields["repository"].lower() == "arxiv":
        arxiv = _arxiv(f"arxiv:{fields['number']}")
    return Reference(line=number, title=title, abstract=clean_text(fields["abstractNote"]), arxiv_id=arxiv,
                     doi=_doi(fields["DOI"] or fields["extra"]))
