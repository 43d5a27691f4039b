"""Hugging Face's daily papers (the JSON of /api/daily_papers): papers plus their place in a day's feed."""

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from paperhub.ingest.http import PoliteClient, SourceError
from paperhub.ingest.report import BadRecord, RecordError, json_kind
from paperhub.papers.records import PaperRecord, clean_abstract, clean_text, split_arxiv_id
from paperhub.papers.services import FeedPlacement

SOURCE = "hf-daily"


def _field(entry: dict[str, Any], paper: dict[str, Any], name: str) -> Any:
    value = paper.get(name)
    return entry.get(name) if value is None else value


def _string(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"field {name!r} must be a string, not {json_kind(value)}")
    return value.strip()


def _when(value: Any, name: str) -> datetime | None:
    text = _string(value, name)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{name} is not a date: {text!r}") from None


def _who(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("fullname") or "").strip()
    return value.strip() if isinstance(value, str) else ""


def parse_entry(entry: Any) -> tuple[PaperRecord, FeedPlacement | None]:
    """One daily_papers item -> (PaperRecord, its feed placement); raises RecordError saying what is wrong."""
    if not isinstance(entry, dict):
        raise RecordError(f"an item must be a JSON object, not {json_kind(entry)}")
    inner = entry.get("paper")
    paper: dict[str, Any] = inner if isinstance(inner, dict) else {}
    try:
        uid, version = split_arxiv_id(_string(_field(entry, paper, "id"), "paper.id"))
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    title = clean_text(_string(_field(entry, paper, "title"), "title"))
    if not title:
        raise RecordError(f"{uid}: empty title")
    authors = _field(entry, paper, "authors") or []
    if not isinstance(authors, list):
        raise RecordError("authors must be a list")
    names = tuple(" ".join(_who(a).split()) for a in authors if _who(a))
    upvotes = _field(entry, paper, "upvotes") or 0
    if not isinstance(upvotes, int) or isinstance(upvotes, bool) or upvotes < 0:
        raise RecordError(f"upvotes must be a whole number, not {upvotes!r}")
    organization = _field(entry, paper, "organization")
    org_name = _who({"name": organization.get("fullname") or organization.get("name")}) \
        if isinstance(organization, dict) else _who(organization)
    published = _when(_field(entry, paper, "publishedAt"), "publishedAt")
    record = PaperRecord(
        uid=uid,
        title=title,
        source=SOURCE,
        abstract=clean_abstract(_string(_field(entry, paper, "summary"), "summary")),
        authors=names,
        version=version,
        published=published,
        code_url=_string(_field(entry, paper, "githubRepo"), "githubRepo"),
        project_url=_string(_field(entry, paper, "projectPage"), "projectPage"),
        organization=org_name,
    )
    on_daily = _when(_field(entry, paper, "submittedOnDailyAt"), "submittedOnDailyAt")
    placement = None
    if on_daily is not None:
        placement = FeedPlacement(
            uid=uid,
            day=on_daily.date(),
            source=SOURCE,
            submitted_by=_who(entry.get("submittedBy") or paper.get("submittedOnDailyBy")),
            submitted_at=on_daily,
            external_upvotes=upvotes,
        )
    return record, placement


def parse_daily(body: bytes | str) -> Iterator[tuple[PaperRecord, FeedPlacement | None] | BadRecord]:
    """Every item of a daily_papers response, or a BadRecord for each one that is malformed."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("papers"), list):
        data = data["papers"]
    if not isinstance(data, list):
        raise SourceError("expected a JSON list of daily papers")
    for n, entry in enumerate(data, start=1):
        try:
            yield parse_entry(entry)
        except RecordError as exc:
            yield BadRecord(n, str(exc), where=f"item {n}")


def fetch_day(client: PoliteClient, base_url: str, day: date) -> bytes:
    """The daily_papers JSON of one day."""
    return client.get(f"{base_url.rstrip('/')}/api/daily_papers", {"date": day.isoformat(), "limit": "100"})
