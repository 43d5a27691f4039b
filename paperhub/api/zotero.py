"""The JSON twin of /for-you/zotero: your Zotero connection, connect, sync, disconnect, push a collection.

Mounted at /api/zotero with a token (api.py). The same services as the web pages: they queue the work, no
request calls Zotero; every write counts against PAPERHUB_ZOTERO_RATE per user (over it, 429 with Retry-After).
"""

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError, Throttled
from ninja.responses import Status

from paperhub.api import hf
from paperhub.api.schemas import Detail, ZoteroIn, ZoteroOut
from paperhub.community.models import Collection
from paperhub.community.queries import curated, curated_collection
from paperhub.recommend import queries, zotero
from paperhub.recommend.models import ZoteroLink

router = Router(tags=["Zotero"])

#: A write's refusals (422: openapi.py); a push's collection can also be not found (404: PUSH_REFUSALS).
REFUSALS: dict[int, type] = {400: Detail, 401: Detail, 429: Detail}
PUSH_REFUSALS: dict[int, type] = {**REFUSALS, 404: Detail}


def _owner(request: HttpRequest) -> User:
    """The token's user (TokenAuth on the router), after counting the write against the Zotero rate."""
    user: User = request.auth  # type: ignore[attr-defined]
    wait = zotero.rate_wait(request, user)
    if wait:
        raise Throttled(wait)
    return user


def _state(link: ZoteroLink) -> dict[str, Any]:
    return {
        "connected": bool(link.sealed_key),
        "kind": link.kind,
        "library": link.library_id,
        "keyEnd": link.key_end,
        "version": link.version,
        "items": link.items,
        "busy": link.on_its_way,
        "busySince": hf.iso(link.busy_since),
        "message": link.message,
        "syncedAt": hf.iso(link.synced_at),
    }


def _current(user: User) -> dict[str, Any]:
    link = queries.zotero_link(user)
    if link is None:
        raise HttpError(404, "no Zotero library connected")
    return _state(link)


@router.get("", response={200: ZoteroOut, 401: Detail, 404: Detail})
def connection(request: HttpRequest) -> dict[str, Any]:
    """Your Zotero connection and how its last sync or push went (never the key: its last four characters)."""
    return _current(request.auth)  # type: ignore[attr-defined]


@router.api_operation(["PUT", "POST"], "", response={200: ZoteroOut, **REFUSALS})
def connect(request: HttpRequest, body: ZoteroIn) -> dict[str, Any]:
    """Connect (or re-key) your Zotero library; a worker reads it, read the state again to see how it went."""
    return _state(zotero.connect(_owner(request), body.kind, body.library, body.key))


@router.post("/sync", response={202: ZoteroOut, **REFUSALS})
def sync(request: HttpRequest) -> Status[dict[str, Any]]:
    """Queue a sync of your library now (400 while one is on its way, or with none connected)."""
    user = _owner(request)
    zotero.request_sync(user)
    return Status(202, _current(user))


@router.delete("", response={204: None, 401: Detail})
def disconnect(request: HttpRequest) -> Status[None]:
    """Forget your library and its key (the seeds it gave stay); nothing to forget is no error."""
    zotero.disconnect(request.auth)  # type: ignore[attr-defined]
    return Status(204, None)


@router.post("/push/{owner}/{slug}", response={202: ZoteroOut, **PUSH_REFUSALS})
def push(request: HttpRequest, owner: str, slug: str) -> Status[dict[str, Any]]:
    """Queue writing a collection you own or collaborate on (by its owner and slug, as /api/collections names it)
    into a Zotero collection of its name in your library (none of its papers twice)."""
    return _push(request, curated(request.auth, owner, slug), f"{owner}/{slug}")  # type: ignore[attr-defined]


@router.post("/push/{int:collection_id}", response={202: ZoteroOut, **PUSH_REFUSALS})
def push_by_id(request: HttpRequest, collection_id: int) -> Status[dict[str, Any]]:
    """The same push, the collection by its number (as the web form sends it)."""
    return _push(request, curated_collection(request.auth, str(collection_id)),  # type: ignore[attr-defined]
                 str(collection_id))


def _push(request: HttpRequest, collection: Collection | None, named: str) -> Status[dict[str, Any]]:
    """Queue the push of a collection the caller curates (None: 404, the same for one that is not theirs)."""
    if collection is None:
        raise HttpError(404, f"you curate no collection {named}")
    user = _owner(request)
    zotero.request_push(user, collection)
    return Status(202, _current(user))
