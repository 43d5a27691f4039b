"""Vector packs: a model's stored vectors in one file, to embed once (on a GPU machine, or a colleague's hub)
and import anywhere in seconds.

A pack is a ZIP file (DEFLATE) holding three members, readable with nothing but Python and numpy:
    pack.json     {"format": "paperhub-vectors", "version": 1, "count": n, "model": {name, kind, sha256,
                   max_tokens, dim}, "created_at": ...}: the model's identity, checked on import
    uids.txt      n lines: the papers' uids (arXiv ids), in the order of the rows below
    vectors.npy   an (n, dim) float16 array in numpy's .npy format, unit-length rows
Papers are matched by uid, so a pack moves between hubs whatever their row ids; papers the importing hub does
not hold are counted and skipped, papers that already have a vector keep it.
"""

import io
import json
import os
import queue
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from paperhub.papers.bulk import load_rows, select_ids, select_rows
from paperhub.papers.changes import VECTOR_WRITES, serialize
from paperhub.papers.loading import keys_checked_in_bulk, no_check
from paperhub.papers.models import Paper
from paperhub.search import PackError, embed
from paperhub.search.models import PaperVector
from paperhub.search.stored import stored_width

FORMAT = "paperhub-vectors"
VERSION = 1
BATCH = 50_000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ModelIdentity:
    """What makes vectors comparable: the model's name and weights, how much text it reads, its dimension."""

    name: str
    kind: str  # "transformer" or "static"
    sha256: str
    max_tokens: int | None
    dim: int | None = None

    def describe(self) -> str:
        tokens = f", {self.max_tokens} tokens" if self.max_tokens else ""
        dim = f", {self.dim} dimensions" if self.dim else ""
        return f"{self.kind} model {self.name} (weights sha256 {self.sha256[:12]}…{tokens}{dim})"


@cache
def _sha256(path: Path, stamp: float) -> str:
    return embed.sha256_of(path)


def _weights_sha256(path: Path) -> str:
    return _sha256(path, path.stat().st_mtime)


def hub_identity(kind: str) -> ModelIdentity:
    """The identity of this hub's transformer ("transformer") or current static model ("static")."""
    if kind == "transformer":
        name, weights, tokens = embed.transformer_name(), embed.transformer_weights(), \
            settings.PAPERHUB_EMBED_MAX_TOKENS
    elif kind == "static":
        current = embed.static_name()
        if current is None:
            raise PackError("this hub has no static model yet (`paperhub index distill`)")
        name, weights, tokens = current, embed.models_dir() / current / "model.safetensors", None
    else:
        raise PackError(f"unknown kind of model {kind!r}: transformer or static")
    return ModelIdentity(name=name, kind=kind, sha256=_weights_sha256(weights), max_tokens=tokens,
                         dim=stored_width(name))


@dataclass
class Exported:
    """What an export wrote."""

    model: ModelIdentity
    vectors: int
    seconds: float


def export_vectors(path: Path, kind: str = "transformer", progress: Progress | None = None) -> Exported:
    """Write every stored vector of this hub's transformer (or static model) to a pack at `path`."""
    started = time.monotonic()
    identity = hub_identity(kind)
    if identity.dim is None:
        raise PackError(f"no vectors of {identity.name} are stored: nothing to export")
    rows = PaperVector.objects.filter(model=identity.name)
    last = rows.aggregate(last=Max("id"))["last"]
    count = rows.filter(id__lte=last).count()  # rows are only added after `last`, never in between
    partial = path.with_name(path.name + ".partial")
    written = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as uids, \
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True) as pack:
        with pack.open("vectors.npy", "w", force_zip64=True) as out:
            np.lib.format.write_array_header_1_0(out, {"descr": "<f2", "fortran_order": False,
                                                       "shape": (count, identity.dim)})
            cursor = 0
            while batch := list(rows.filter(id__gt=cursor, id__lte=last).order_by("id")
                                .values_list("id", "paper__uid", "vector")[:BATCH]):
                out.write(b"".join(bytes(vector) for _, _, vector in batch))
                uids.write("".join(f"{uid}\n" for _, uid, _ in batch))
                cursor, written = batch[-1][0], written + len(batch)
                if progress:
                    progress(len(batch))
        if written != count:
            raise PackError(f"{count - written} vectors were deleted during the export: run it again")
        uids.seek(0)
        with pack.open("uids.txt", "w", force_zip64=True) as out:
            while chunk := uids.read(1 << 20):
                out.write(chunk.encode())
        pack.writestr("pack.json", json.dumps({
            "format": FORMAT, "version": VERSION, "count": count, "model": asdict(identity),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds")}, indent=1))
    os.replace(partial, path)
    return Exported(identity, count, time.monotonic() - started)


@dataclass
class Imported:
    """What an import did."""

    model: ModelIdentity
    vectors: int  # in the pack
    added: int
    already_there: int
    not_in_hub: int  # papers this hub does not hold
    seconds: float


def _pack_meta(pack: zipfile.ZipFile) -> dict[str, Any]:
    try:
        meta: dict[str, Any] = json.loads(pack.read("pack.json"))  # checked below, as far as it is read
    except (KeyError, ValueError):
        raise PackError("not a vector pack: no readable pack.json in it") from None
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise PackError(f"not a vector pack this hub reads (format {meta.get('format')!r}, "
                        f"version {meta.get('version')!r}; expected {FORMAT!r} version {VERSION})")
    return meta


def check_identity(theirs: ModelIdentity, ours: ModelIdentity) -> None:
    """PackError unless the pack's vectors were made by this hub's model, the same way."""
    same = (theirs.name, theirs.kind, theirs.sha256, theirs.max_tokens) == \
        (ours.name, ours.kind, ours.sha256, ours.max_tokens) and (ours.dim is None or ours.dim == theirs.dim)
    if not same:
        raise PackError(f"this pack holds vectors of the {theirs.describe()}, but this hub's is the "
                        f"{ours.describe()}: vectors of another model cannot be mixed in, so nothing was imported")


def _land(model: str, uids: list[str], block: bytes, width: int) -> tuple[int, int]:
    """Store one batch of a pack's rows; (added, matched) where matched counts the uids this hub holds.

    Every writer of vectors holds the VECTOR_WRITES lock (SQLite's writers take turns anyway), so the vectors
    found missing here are still missing when they are written: one bulk append, no conflict handling.
    """
    with transaction.atomic():
        serialize(VECTOR_WRITES)  # vector ids in commit order: every node's cursor sees these rows
        if connection.vendor == "postgresql":  # an import can be run again: its commit need not wait for the
            with connection.cursor() as cursor:  # disk (a crash loses the last batches, nothing else)
                cursor.execute("SET LOCAL synchronous_commit = off")
        ids = select_ids(Paper._meta.db_table, "uid", uids)
        have = {paper_id for (paper_id,) in select_rows(
            PaperVector._meta.db_table, ["paper_id"], "paper_id", list(ids.values()), where=("model", model))}
        rows = [(paper_id, model, block[i * width:(i + 1) * width]) for i, uid in enumerate(uids)
                if (paper_id := ids.get(uid)) is not None and paper_id not in have]
        load_rows(PaperVector._meta.db_table, ["paper_id", "model", "vector"], rows, types=["int8", "varchar", "bytea"])
    return len(rows), len(ids)


def _batches(pack: zipfile.ZipFile, count: int, dim: int) -> Iterator[tuple[list[str], bytes]]:
    """The pack's rows, BATCH at a time, read and decompressed by a thread of their own (zlib lets go of the
    GIL) while the database stores the previous batch."""
    ahead: queue.Queue[tuple[list[str], bytes] | BaseException | None] = queue.Queue(maxsize=2)

    def read() -> None:
        try:
            with pack.open("vectors.npy") as stream, \
                    io.TextIOWrapper(pack.open("uids.txt"), encoding="utf-8") as names:
                np.lib.format.read_magic(stream)
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
                if shape != (count, dim) or fortran or dtype != np.dtype("<f2"):
                    raise PackError(f"the pack's vectors.npy is {shape} {dtype}; pack.json says ({count}, {dim}) "
                                    f"float16")
                seen = 0
                while seen < count:
                    uids = [line.rstrip("\n") for _, line in zip(range(min(BATCH, count - seen)), names,
                                                                 strict=False)]
                    block = stream.read(len(uids) * dim * 2)
                    if not uids or len(block) != len(uids) * dim * 2:
                        raise PackError(f"the pack ends early: {seen:,} of {count:,} rows")
                    ahead.put((uids, block))
                    seen += len(uids)
            ahead.put(None)
        except BaseException as exc:  # raised again on the storing side
            ahead.put(exc)

    reader = threading.Thread(target=read, name="pack-reader", daemon=True)
    reader.start()
    while (item := ahead.get()) is not None:
        if isinstance(item, BaseException):
            if isinstance(item, (zipfile.BadZipFile, zlib.error, EOFError)):
                raise PackError(f"the pack is damaged: {item}") from None
            raise item
        yield item
    reader.join()


def import_vectors(path: Path, progress: Progress | None = None) -> Imported:
    """Store a pack's vectors for the papers this hub holds, if they were made by this hub's model."""
    started = time.monotonic()
    try:
        pack = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackError(f"cannot read {path} as a vector pack: {exc}") from None
    with pack:
        meta = _pack_meta(pack)
        theirs = ModelIdentity(**meta["model"])
        check_identity(theirs, hub_identity(theirs.kind))
        count, dim = int(meta["count"]), int(theirs.dim or 0)
        added = matched = 0
        # The vectors' key to their papers checked once at the end, as a snapshot ingest's links are: row by row,
        # PostgreSQL's trigger took a third of its time here (346K vectors: 7-9 s of its CPU -> 4.6-5.1 s). Not for a
        # pack of one batch: checking the whole table once would cost more than checking its rows.
        bulk = keys_checked_in_bulk([PaperVector._meta.db_table]) if count > BATCH else nullcontext(no_check)
        with bulk as check_keys:
            for uids, block in _batches(pack, count, dim):
                done, found = _land(theirs.name, uids, block, dim * 2)
                added, matched = added + done, matched + found
                check_keys()
                if progress:
                    progress(len(uids))
    return Imported(replace(theirs), count, added, matched - added, count - matched, time.monotonic() - started)
