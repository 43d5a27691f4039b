"""The arXiv API (Atom 1.0 over HTTP): queries by category and date, or by id, paged and resumable."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from paperhub.ingest import checkpoints
from paperhub.ingest.http import PoliteClient, SourceError
from paperhub.ingest.report import BadRecord, RecordError
from paperhub.papers.records import PaperRecord, clean_abstract, clean_text, split_arxiv_id

SOURCE = "arxiv-api"
ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV = "{http://arxiv.org/schemas/atom}"
MAX_PAGE = 2000  # the API's own limit on max_results


@dataclass
class AtomPage:
    """One page of API results: the records on it and where it sits in the whole result."""

    total: int
    start: int
    entries: int
    items: list[PaperRecord | BadRecord]


def _child_text(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _when(text: str, what: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{what} is not a date: {text!r}") from None


def parse_entry(entry: ET.Element) -> PaperRecord:
    """One Atom <entry> -> PaperRecord; raises RecordError saying what is wrong with it."""
    raw_id = _child_text(entry, f"{ATOM}id")
    if not raw_id:
        raise RecordError("entry has no <id>")
    try:
        uid, version = split_arxiv_id(raw_id)
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    title = clean_text(_child_text(entry, f"{ATOM}title"))
    if not title:
        raise RecordError(f"{uid}: empty title")
    authors = tuple(
        " ".join((a.findtext(f"{ATOM}name") or "").split()) for a in entry.findall(f"{ATOM}author")
    )
    primary = entry.find(f"{ARXIV}primary_category")
    codes = [primary.get("term", "")] if primary is not None else []
    codes += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    return PaperRecord(
        uid=uid,
        title=title,
        source=SOURCE,
        abstract=clean_abstract(entry.findtext(f"{ATOM}summary")),
        authors=tuple(a for a in authors if a),
        categories=tuple(dict.fromkeys(c for c in codes if c)),
        version=version,
        published=_when(_child_text(entry, f"{ATOM}published"), "published"),
        updated=_when(_child_text(entry, f"{ATOM}updated"), "updated"),
        comments=clean_text(entry.findtext(f"{ARXIV}comment")),
        journal_ref=clean_text(entry.findtext(f"{ARXIV}journal_ref")),
        doi=_child_text(entry, f"{ARXIV}doi"),
    )


def parse_feed(body: bytes, where: str = "") -> AtomPage:
    """A whole API response; raises SourceError for an error feed or a document that is not Atom."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(f"arXiv API answered with broken XML ({exc})") from None
    if root.tag != f"{ATOM}feed":
        raise SourceError(f"arXiv API answered with <{root.tag}>, not an Atom feed")
    entries = root.findall(f"{ATOM}entry")
    if len(entries) == 1 and "/api/errors" in (entries[0].findtext(f"{ATOM}id") or ""):
        raise SourceError(f"arXiv API error: {clean_text(entries[0].findtext(f'{ATOM}summary'))}")

    def number(tag: str) -> int:
        text = root.findtext(f"{OPENSEARCH}{tag}") or "0"
        return int(text) if text.strip().isdecimal() else 0

    start = number("startIndex")
    items: list[PaperRecord | BadRecord] = []
    for i, entry in enumerate(entries):
        try:
            items.append(parse_entry(entry))
        except RecordError as exc:
            items.append(BadRecord(start + i + 1, str(exc), where=f"{where}result {start + i + 1}"))
    return AtomPage(total=number("totalResults"), start=start, entries=len(entries), items=items)


def category_query(categories: Sequence[str], since: date, until: date) -> str:
    """The search_query for papers in any of the categories submitted between two days (inclusive)."""
    cats = " OR ".join(f"cat:{c}" for c in categories)
    span = f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
    return f"({cats}) AND {span}" if cats else span


def harvest(client: PoliteClient, base_url: str, *, search_query: str = "", ids: Sequence[str] = (),
            page_size: int = 200) -> Iterator[list[PaperRecord | BadRecord]]:
    """Pages of records; the position is checkpointed after each page lands, so a rerun resumes there."""
    page_size = max(1, min(page_size, MAX_PAGE))
    params = {"sortBy": "submittedDate", "sortOrder": "descending"} if search_query else {}
    if search_query:
        params["search_query"] = search_query
    if ids:
        params["id_list"] = ",".join(ids)
    key = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    checkpoint = checkpoints.load(SOURCE, key)
    start = int(checkpoint.cursor or 0)
    empty_tries = 0
    while True:
        body = client.get(base_url, {**params, "start": str(start), "max_results": str(page_size)})
        page = parse_feed(body, where=f"{SOURCE} ")
        if page.entries == 0 and start < page.total and empty_tries < 3:
            empty_tries += 1  # the API sometimes answers a page empty; asking again usually fills it
            continue
        empty_tries = 0
        yield page.items
        start += page.entries
        checkpoints.advance(checkpoint, str(start), page.entries)
        if page.entries == 0 or start >= page.total or ids and start >= len(ids):
            break
    checkpoints.finish(checkpoint)
