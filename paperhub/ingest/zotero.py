"""The Zotero Web API v3 (https://www.zotero.org/support/dev/web_api/v3/start): a library's items, what changed
or was deleted since a library version, and writing new items. A client only: what the items mean to the hub is
recommend's business.

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
    """A write's outcome: keys of created items by the index sent, the failures' messages, or `repeated` (this
    write token was used already: the items were created by an earlier try)."""

    created: dict[int, str]
    failed: dict[int, str]
    repeated: bool = False


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


class ZoteroClient:
    """Calls to one library, with its key in the Zotero-API-Key header (never in a URL, never logged)."""

    def __init__(
        self,
        library: ZoteroLibrary,
        client: PoliteClient | None = None,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
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
    ) -> Answer:
        wait = self._calm_at - time.monotonic()
        if wait > self.max_wait:
            raise ZoteroBusy(f"Zotero asked to pause for {wait:.0f} s; the next sync goes on from here")
        if wait > 0:
            self._sleep(wait)
        sent = {"Zotero-API-Version": "3", "Zotero-API-Key": self.library.key, **(headers or {})}
        answer = self.client.fetch(self._url(path), params, headers=sent, keep=HANDLED, data=data)
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
        answer = self._call(
            "/items",
            headers={"Content-Type": "application/json", "Zotero-Write-Token": write_token},
            data=json.dumps(items[:WRITE_BATCH]).encode(),
        )
        if answer.status == 412:
            return WriteResult({}, {}, repeated=True)
        result = _json(answer)
        created = {int(i): str(key) for i, key in (result.get("success") or {}).items()}
        failed = {int(i): str((why or {}).get("message", "refused")) for i, why in (result.get("failed") or {}).items()}
        return WriteResult(created, failed)
