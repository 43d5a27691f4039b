"""The Zotero Web API v3 (https://www.zotero.org/support/dev/web_api/v3/start): a library's items, what changed
or was deleted since a library version, writing new items, its collections, and adding items to one. A client
only: what the items mean to the hub is recommend's business.

Over the polite client (a pause between calls shared by every process, 429/503 retried after their Retry-After);
the Backoff header of an answer is honoured before the next call, or, when longer than the client's patience, ends
the run with ZoteroBusy (the next run starts again from the last saved version).
"""

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings

from paperhub.core import process
from paperhub.ingest.http import Answer, PoliteClient, SourceError, SourceUnreachable

PAGE = 100  # the most items Zotero answers per request
WRITE_BATCH = 50  # the most items Zotero takes per write
#: Statuses a call handles itself: unchanged since a version, the key refused, a write token already used.
HANDLED = (304, 403, 412)
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class KeyRefused(SourceError):
    """Zotero answered 403: the key is wrong, revoked, or lacks the access asked for."""


class ZoteroBusy(SourceUnreachable):
    """Zotero asked (Backoff) for a longer pause than this run waits."""


@dataclass(frozen=True)
class ZoteroLibrary:
    """Which library (a user's or a group's, by numeric id) and the key that opens it."""

    kind: Literal["users", "groups"]
    id: str
    key: str


@dataclass(frozen=True)
class WriteResult:
    """A write's outcome: keys of the objects written by the index sent, the failures' messages, which of those
    failed because the object changed in Zotero since the version sent (`conflicts`), or `repeated` (this write
    token was used already: the objects were created by an earlier try)."""

    written: dict[int, str]
    failed: dict[int, str]
    repeated: bool = False
    conflicts: frozenset[int] = frozenset()


def next_page(answer: Answer, start: int) -> int | None:
    """Where the next page starts: the Link header's rel="next", else Total-Results; None on the last page."""
    link = _NEXT.search(answer.headers.get("Link", "") or "")
    if link:
        found = re.search(r"[?&]start=(\d+)", link.group(1))
        return int(found.group(1)) if found else None
    try:
        total = int(answer.headers.get("Total-Results", ""))
    except ValueError:
        return None
    return start + PAGE if start + PAGE < total else None


def library_version(answer: Answer) -> int:
    """The library's version an answer reports (Last-Modified-Version)."""
    try:
        return int(answer.headers.get("Last-Modified-Version", ""))
    except ValueError:
        raise SourceError("Zotero answered without a Last-Modified-Version") from None


def _json(answer: Answer) -> Any:
    try:
        return json.loads(answer.body)
    except ValueError:
        raise SourceError("Zotero answered something that is not JSON") from None


def _objects(answer: Answer) -> list[dict[str, Any]]:
    """The editable `data` of each object a list answer holds, less those in the trash (`deleted`)."""
    found = _json(answer)
    if not isinstance(found, list):
        raise SourceError("Zotero answered objects that are not a list")
    datas = [one.get("data") for one in found if isinstance(one, dict)]
    return [data for data in datas if isinstance(data, dict) and not data.get("deleted")]


class ZoteroClient:
    """Calls to one library, with its key in the Zotero-API-Key header (never in a URL, never logged)."""

    def __init__(
        self,
        library: ZoteroLibrary,
        client: PoliteClient | None = None,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = process.pause,
    ) -> None:
        self.library = library
        self.client = client or PoliteClient(settings.PAPERHUB_ZOTERO_DELAY, shared=True, max_wait=max_wait)
        self.max_wait = max_wait
        self._sleep = sleep
        self._calm_at = 0.0  # monotonic time before which Zotero asked not to be called (Backoff)

    def _url(self, path: str) -> str:
        return f"{settings.PAPERHUB_ZOTERO_API_URL.rstrip('/')}/{self.library.kind}/{self.library.id}{path}"

    def _call(
        self,
        path: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        keep: tuple[int, ...] = (),
    ) -> Answer:
        wait = self._calm_at - time.monotonic()
        if wait > self.max_wait:
            raise ZoteroBusy(f"Zotero asked to pause for {wait:.0f} s; the next sync goes on from here")
        if wait > 0:
            self._sleep(wait)
        sent = {"Zotero-API-Version": "3", "Zotero-API-Key": self.library.key, **(headers or {})}
        answer = self.client.fetch(self._url(path), params, headers=sent, keep=(*HANDLED, *keep), data=data)
        with contextlib.suppress(ValueError):  # a Backoff that is not a number asks for nothing
            self._calm_at = time.monotonic() + float(answer.headers.get("Backoff", "") or 0)
        if answer.status == 403:
            raise KeyRefused("Zotero refused the key (403): it is wrong, was revoked, or lacks this access")
        return answer

    def changed_items(self, since: int = 0) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """(library version, items) page after page of the items changed after version `since` (all of them with
        0); nothing when the library has not changed (304)."""
        start: int | None = 0
        while start is not None:
            params = {"format": "json", "limit": str(PAGE), "start": str(start)}
            headers = {}
            if since:
                params["since"] = str(since)
                headers["If-Modified-Since-Version"] = str(since)
            answer = self._call("/items", params, headers)
            if answer.status == 304:
                return
            items = _json(answer)
            if not isinstance(items, list):
                raise SourceError("Zotero answered items that are not a list")
            yield library_version(answer), [item for item in items if isinstance(item, dict)]
            start = next_page(answer, start)

    def deleted_items(self, since: int) -> list[str]:
        """Keys of the items deleted after version `since`, or moved to the trash since (which /items leaves out
        and /deleted does not list)."""
        answer = self._call("/deleted", {"since": str(since)})
        keys = _json(answer).get("items", []) if answer.status != 304 else []
        trashed = self._call("/items/trash", {"since": str(since), "format": "keys"})
        keys += trashed.body.decode("utf-8", errors="replace").split() if trashed.status != 304 else []
        return [key for key in keys if isinstance(key, str)]

    def create_items(self, items: list[dict[str, Any]], write_token: str) -> WriteResult:
        """Create up to WRITE_BATCH items; the same `write_token` again (a retried run) creates nothing twice."""
        return self._write("/items", items, write_token)

    def update_items(self, items: list[dict[str, Any]]) -> WriteResult:
        """Change up to WRITE_BATCH existing items, each given as its key, the version it was read at and the
        fields to change (Zotero merges them in, as a PATCH would); one changed in Zotero since is a conflict."""
        return self._write("/items", items, None)

    def items_by_key(self, keys: list[str]) -> list[dict[str, Any]]:
        """The current data of up to WRITE_BATCH items by key; an item deleted or in the trash is left out."""
        keys = keys[:WRITE_BATCH]
        return _objects(self._call("/items", {"itemKey": ",".join(keys), "format": "json", "limit": str(len(keys))}))

    def collection(self, key: str) -> dict[str, Any] | None:
        """One collection's data by key; None when it was deleted or is in the trash."""
        answer = self._call(f"/collections/{key}", {"format": "json"}, keep=(404,))
        found = _json(answer) if answer.status != 404 else None
        data = found.get("data") if isinstance(found, dict) else None
        return data if isinstance(data, dict) and not data.get("deleted") else None

    def top_collections(self) -> Iterator[dict[str, Any]]:
        """The data of each top-level collection (not those in the trash), page after page."""
        start: int | None = 0
        while start is not None:
            answer = self._call("/collections/top", {"format": "json", "limit": str(PAGE), "start": str(start)})
            yield from _objects(answer)
            start = next_page(answer, start)

    def create_collection(self, name: str, write_token: str) -> WriteResult:
        """Create a top-level collection; the same `write_token` again creates nothing twice."""
        return self._write("/collections", [{"name": name, "parentCollection": False}], write_token)

    def _write(self, path: str, objects: list[dict[str, Any]], write_token: str | None) -> WriteResult:
        # Updates carry each object's version instead of a write token (Zotero: the token is then redundant).
        headers = {"Content-Type": "application/json"}
        if write_token:
            headers["Zotero-Write-Token"] = write_token
        sent = objects[:WRITE_BATCH]
        answer = self._call(path, headers=headers, data=json.dumps(sent).encode())
        if answer.status == 412 and write_token:
            return WriteResult({}, {}, repeated=True)
        if answer.status == 412:  # a whole versioned write refused: as far as we know every object changed meanwhile
            every = range(len(sent))
            return WriteResult({}, dict.fromkeys(every, "changed in Zotero meanwhile"), conflicts=frozenset(every))
        result = _json(answer)
        if not isinstance(result, dict):
            raise SourceError("Zotero answered a write with something that is not an object")
        sent_indexes = {str(i) for i in range(len(sent))}  # an index we never sent is not ours to trust
        done = {**(result.get("unchanged") or {}), **(result.get("success") or {})}
        refused = {int(i): why or {} for i, why in (result.get("failed") or {}).items() if str(i) in sent_indexes}
        return WriteResult(
            {int(i): str(key) for i, key in done.items() if str(i) in sent_indexes},
            {i: str(why.get("message", "refused")) for i, why in refused.items()},
            conflicts=frozenset(i for i, why in refused.items() if why.get("code") == 412),
        )
