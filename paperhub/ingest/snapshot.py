"""arXiv's bulk metadata snapshot: JSON lines, plain, gzip or xz, read as a stream in constant memory."""

import gzip
import io
import json
import lzma
import queue
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from paperhub.ingest.report import BadRecord, RecordError, json_kind
from paperhub.papers.records import PaperRecord, clean_abstract, clean_text, split_arxiv_id

SOURCE = "arxiv-snapshot"
BinaryStream = io.BufferedReader | gzip.GzipFile | lzma.LZMAFile


def _text(obj: dict[str, Any], name: str, required: bool = False) -> str:
    value = obj.get(name)
    if type(value) is str:  # (JSON makes no subclasses) the usual case, tested first: ten fields a record
        return value.strip()
    if value is None:
        if required:
            raise RecordError(f"missing field {name!r}")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"field {name!r} must be a string, not {json_kind(value)}")
    return value.strip()


def _version_date(text: Any) -> datetime:
    if not isinstance(text, str):
        raise RecordError("versions[].created must be a string")
    return _parse_version_date(text)


@lru_cache(maxsize=8192)
def _parse_version_date(text: str) -> datetime:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise RecordError(f"versions[].created is not a date: {text!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _author_name(entry: Any) -> str:
    """'first last suffix' from one of authors_parsed's [last, first, suffix] lists (shorter ones padded)."""
    if type(entry) is list and len(entry) == 3:  # the usual case, without a loop over the parts
        last, first, suffix = entry
        if type(last) is str and type(first) is str and type(suffix) is str:
            return f"{first} {last} {suffix}"
    if not isinstance(entry, list) or not all(isinstance(part, str) for part in entry):
        raise RecordError("authors_parsed must be a list of [last, first, suffix] lists")
    last, first, suffix = ([*entry, "", ""])[:3]
    return f"{first} {last} {suffix}"


def _authors(obj: dict[str, Any]) -> tuple[str, ...]:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        return tuple(map(_author_name, parsed))
    raw = _text(obj, "authors")
    parts = raw.replace(" and ", ", ").split(",")
    return tuple(parts)


def parse_record(obj: Any) -> PaperRecord:
    """One snapshot object -> PaperRecord; raises RecordError saying what is wrong with it."""
    if not isinstance(obj, dict):
        raise RecordError(f"a record must be a JSON object, not {json_kind(obj)}")
    raw_id = _text(obj, "id", required=True)
    try:
        uid, _ = split_arxiv_id(raw_id)
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    title = clean_text(_text(obj, "title", required=True))
    if not title:
        raise RecordError("empty title")
    categories = tuple(_text(obj, "categories").split())
    versions = obj.get("versions") or []
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        raise RecordError("versions must be a list of objects")
    published = updated = None
    version = None
    if versions:
        published = _version_date(versions[0].get("created"))
        updated = _version_date(versions[-1].get("created"))
        label = versions[-1].get("version")
        version = len(versions)
        if isinstance(label, str) and label.lstrip("v").isdecimal():
            version = int(label.lstrip("v"))
    update_date = _text(obj, "update_date")
    if update_date and published is None:
        try:
            published = updated = datetime.combine(date.fromisoformat(update_date), datetime.min.time(), UTC)
        except ValueError:
            raise RecordError(f"update_date is not a date: {update_date!r}") from None
    return PaperRecord(
        uid=uid,
        title=title,
        source=SOURCE,
        abstract=clean_abstract(_text(obj, "abstract")),
        authors=_authors(obj),
        categories=categories,
        version=version,
        published=published,
        updated=updated,
        comments=clean_text(_text(obj, "comments")),
        journal_ref=clean_text(_text(obj, "journal-ref")),
        doi=_text(obj, "doi"),
        report_no=clean_text(_text(obj, "report-no")),
        license=_text(obj, "license"),
    )


_XZ_MAGIC, _GZIP_MAGIC = b"\xfd7zXZ\x00", b"\x1f\x8b"


def _magic(path: Path) -> bytes:
    with path.open("rb") as probe:
        return probe.read(6)


def open_stream(path: Path) -> BinaryStream:
    """Open a plain, gzip or xz file by its first bytes, whatever its name."""
    magic = _magic(path)
    if magic.startswith(_XZ_MAGIC):
        return lzma.open(path, "rb")
    if magic.startswith(_GZIP_MAGIC):
        return gzip.open(path, "rb")
    return path.open("rb")


_BLOCK = 1 << 20
#: The most one call into liblzma may give back: bounds the memory a block of a highly compressed file takes.
_MOST = 16 << 20


def _xz_blocks(raw: BinaryIO) -> Iterator[bytes]:
    """An xz file's decompressed bytes (concatenated streams too, trailing junk ignored as lzma.open ignores it), in
    large blocks: each call into liblzma takes a megabyte and lets go of the GIL throughout. (lzma.open's reader
    takes 8 KB a call: 3,500 calls for a 150 MB file, each waiting its turn for the GIL beside the parsing
    thread, which then waited for them.)"""
    with raw:
        decompressor = lzma.LZMADecompressor()
        data, fresh = raw.read(_BLOCK), False
        while True:
            try:
                block = decompressor.decompress(data, _MOST)
            except lzma.LZMAError:
                if fresh:  # what follows the last stream is no stream: ignored, as lzma.open ignores it
                    return
                raise
            fresh = False
            if block:
                yield block
            if decompressor.eof:
                data = decompressor.unused_data or raw.read(_BLOCK)
                if not data:
                    return
                decompressor, fresh = lzma.LZMADecompressor(), True
            elif decompressor.needs_input:
                data = raw.read(_BLOCK)
                if not data:
                    raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            else:
                data = b""  # more output waits for this input


def _read1_blocks(stream: BinaryStream) -> Iterator[bytes]:
    with stream:
        while block := stream.read1(_BLOCK):
            yield block


def _blocks(path: Path) -> Iterator[bytes]:
    """The decompressed bytes of a plain, gzip or xz file, in blocks of about a megabyte or more. The file is
    opened here, at the call, so that a missing one fails at once."""
    if _magic(path).startswith(_XZ_MAGIC):
        return _xz_blocks(path.open("rb"))
    return _read1_blocks(open_stream(path))


def _read_ahead(source: Iterator[bytes], blocks: "queue.Queue[bytes | BaseException | None]") -> None:
    try:
        for block in source:
            blocks.put(block)
        blocks.put(None)
    except BaseException as exc:  # raised again by the reading side, after the lines that came before
        blocks.put(exc)


def _lines(source: Iterator[bytes]) -> Iterator[bytes]:
    """The lines of the blocks, which a second thread decompresses (lzma and zlib let go of the GIL meanwhile)."""
    blocks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=4)
    reader = threading.Thread(target=_read_ahead, args=(source, blocks), daemon=True)
    reader.start()
    rest = b""
    while (block := blocks.get()) is not None:
        if isinstance(block, BaseException):
            raise block
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


#: JSON to Python objects, a third quicker than the standard library's parser (the same objects).
_decode = msgspec.json.Decoder().decode


def _decode_strictly(raw: bytes, line_no: int) -> Any:
    """A line msgspec refused, read by the standard library's parser: the error in its words, or the object
    (it also takes what msgspec does not: NaN, lone surrogates such as "\\ud800", which records strip)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BadRecord(line_no, f"invalid UTF-8 at byte {exc.start}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # the standard library's words, less their dangling "at" ("Unterminated string starting at")
        return BadRecord(line_no, f"malformed JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}")


def _misnamed(path: Path) -> str | None:
    """Why a file named .xz or .gz is not one, if it is not (else its bytes are read as text: malformed JSON)."""
    wanted = {".xz": ("an xz", _XZ_MAGIC), ".gz": ("a gzip", _GZIP_MAGIC)}.get(path.suffix.lower())
    if wanted is None or _magic(path).startswith(wanted[1]) or path.stat().st_size == 0:
        return None
    return f"not {wanted[0]} file, though its name ends {path.suffix}: nothing read"


def read_snapshot(path: Path) -> Iterator[PaperRecord | BadRecord]:
    """Each line of a snapshot file as a PaperRecord, or a BadRecord saying which line failed and why."""
    if (misnamed := _misnamed(path)) is not None:
        yield BadRecord(1, misnamed)
        return
    line_no = 0
    source = _blocks(path)
    try:
        for line_no, raw in enumerate(_lines(source), start=1):  # noqa: B007 (read after the loop)
            if not raw.strip():
                continue
            try:
                obj = _decode(raw)
            except (msgspec.DecodeError, UnicodeDecodeError):
                obj = _decode_strictly(raw, line_no)
                if isinstance(obj, BadRecord):
                    yield obj
                    continue
            try:
                yield parse_record(obj)
            except RecordError as exc:
                yield BadRecord(line_no, str(exc))
    except (EOFError, lzma.LZMAError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        yield BadRecord(line_no + 1, f"file is truncated or corrupt after line {line_no}: {reason}")
