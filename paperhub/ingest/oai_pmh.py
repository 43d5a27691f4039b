"""OAI-PMH harvesting in arXiv's own metadata format, following resumption tokens, checkpointed per page."""

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from paperhub.ingest import checkpoints
from paperhub.ingest.http import PoliteClient, SourceError
from paperhub.ingest.report import BadRecord, RecordError
from paperhub.papers.records import PaperRecord, clean_abstract, clean_text, split_arxiv_id

log = logging.getLogger(__name__)

SOURCE = "oai-pmh"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"


@dataclass
class OaiPage:
    """One ListRecords response."""

    items: list[PaperRecord | BadRecord] = field(default_factory=list)
    deleted: int = 0
    token: str = ""
    complete_size: int | None = None
    error_code: str = ""
    error_message: str = ""


def _day(text: str, what: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text[:10]), datetime.min.time(), UTC)
    except ValueError:
        raise RecordError(f"{what} is not a date: {text!r}") from None


def _text(element: ET.Element, tag: str) -> str:
    return (element.findtext(f"{ARXIV}{tag}") or "").strip()


def parse_metadata(meta: ET.Element) -> PaperRecord:
    """One <arXiv> metadata element -> PaperRecord; raises RecordError saying what is wrong."""
    try:
        uid, version = split_arxiv_id(_text(meta, "id"))
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    title = clean_text(_text(meta, "title"))
    if not title:
        raise RecordError(f"{uid}: empty title")
    authors = []
    for author in meta.iterfind(f"{ARXIV}authors/{ARXIV}author"):
        parts = [_text(author, "forenames"), _text(author, "keyname"), _text(author, "suffix")]
        name = " ".join(" ".join(p.split()) for p in parts if p)
        if name:
            authors.append(name)
    published = _day(_text(meta, "created"), "created")
    return PaperRecord(
        uid=uid,
        title=title,
        source=SOURCE,
        abstract=clean_abstract(meta.findtext(f"{ARXIV}abstract")),
        authors=tuple(authors),
        categories=tuple(dict.fromkeys(_text(meta, "categories").split())),
        version=version,
        published=published,
        updated=_day(_text(meta, "updated"), "updated") or published,
        comments=clean_text(_text(meta, "comments")),
        journal_ref=clean_text(_text(meta, "journal-ref")),
        doi=_text(meta, "doi"),
        report_no=clean_text(_text(meta, "report-no")),
        license=_text(meta, "license"),
    )


def parse_list_records(body: bytes, where: str = "") -> OaiPage:
    """A whole ListRecords response; raises SourceError when it is not an OAI-PMH document."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(f"OAI-PMH answered with broken XML ({exc})") from None
    if root.tag != f"{OAI}OAI-PMH":
        raise SourceError(f"OAI-PMH answered with <{root.tag}>, not an OAI-PMH document")
    page = OaiPage()
    error = root.find(f"{OAI}error")
    if error is not None:
        page.error_code = error.get("code", "")
        page.error_message = (error.text or "").strip()
        return page
    listing = root.find(f"{OAI}ListRecords")
    if listing is None:
        raise SourceError("OAI-PMH response has neither <ListRecords> nor <error>")
    for n, record in enumerate(listing.iterfind(f"{OAI}record"), start=1):
        header = record.find(f"{OAI}header")
        identifier = header.findtext(f"{OAI}identifier", "") if header is not None else ""
        if header is not None and header.get("status") == "deleted":
            page.deleted += 1
            continue
        meta = record.find(f"{OAI}metadata/{ARXIV}arXiv")
        try:
            if meta is None:
                raise RecordError("record has no arXiv metadata")
            page.items.append(parse_metadata(meta))
        except RecordError as exc:
            page.items.append(BadRecord(n, str(exc), where=f"{where}record {n} {identifier}".strip()))
    token = listing.find(f"{OAI}resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip()
        size = token.get("completeListSize", "")
        page.complete_size = int(size) if size.isdecimal() else None
    return page


def harvest(client: PoliteClient, base_url: str, *, set_spec: str = "", since: date | None = None,
            until: date | None = None) -> Iterator[list[PaperRecord | BadRecord]]:
    """Pages of records; the resumption token is checkpointed after each page lands."""
    first = {"verb": "ListRecords", "metadataPrefix": "arXiv"}
    if set_spec:
        first["set"] = set_spec
    if since:
        first["from"] = since.isoformat()
    if until:
        first["until"] = until.isoformat()
    checkpoint = checkpoints.load(SOURCE, "&".join(f"{k}={v}" for k, v in sorted(first.items())))
    token = checkpoint.cursor
    restarted = False
    page_no = 0
    while True:
        page_no += 1
        params = {"verb": "ListRecords", "resumptionToken": token} if token else first
        page = parse_list_records(client.get(base_url, params), where=f"{SOURCE} page {page_no} ")
        if page.error_code == "badResumptionToken" and token and not restarted:
            log.warning("resumption token expired; harvesting again from the start (landing is idempotent)")
            token, restarted = "", True
            continue
        if page.error_code == "noRecordsMatch":
            break
        if page.error_code:
            raise SourceError(f"OAI-PMH error {page.error_code}: {page.error_message}")
        yield page.items
        token = page.token
        checkpoints.advance(checkpoint, token, len(page.items))
        if not token:
            break
    checkpoints.finish(checkpoint)
