"""A user's Zotero library as interest seeds, kept in sync by version, and collections pushed into it.

Connecting stores the key sealed (core/sealing.py). A sync asks only for what changed since the library version
the last finished sync saw (304: nothing), makes seeds of the items the way a file import does
(services.seed_reference), removes the seeds of deleted items, and saves the new version last: a killed sync
reruns from the version saved before it, and seeds are made once whatever runs twice. Network work runs on the
queue (sync_library, push_collection), never in a request.
"""

import re
from typing import Any, Literal, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from paperhub.community.curation import may_curate
from paperhub.community.models import Collection
from paperhub.core import limits
from paperhub.core.permissions import NotAllowed, require_user
from paperhub.core.sealing import Unreadable, reseal, seal, unseal
from paperhub.ingest.http import SourceError
from paperhub.ingest.zotero import KeyRefused, ZoteroClient, ZoteroLibrary
from paperhub.recommend.library import zotero_reference
from paperhub.recommend.models import ZOTERO_STALE, Seed, ZoteroItem, ZoteroLink
from paperhub.recommend.services import seed_reference
from paperhub.recommend.zotero_push import push

LIBRARY_ID = re.compile(r"\d{1,20}")
API_KEY = re.compile(r"[A-Za-z0-9]{16,64}")  # Zotero's keys are 24 letters and digits


def rate_wait(request: HttpRequest, user: User) -> int:
    """Count a Zotero write (connect, sync, push: each may queue calls to Zotero) against the user's
    PAPERHUB_ZOTERO_RATE, whichever door it came through; 0 when allowed, else the seconds to wait."""
    return limits.over_limit(request, "zotero", settings.PAPERHUB_ZOTERO_RATE, who=str(user.pk))


def connect(user: User, kind: str, library_id: str, key: str) -> ZoteroLink:
    """Connect (or re-key) the user's Zotero library and queue its first sync. The same library keeps its sync
    state and pushes; another one starts afresh."""
    user_id = require_user(user)
    library_id, key = (library_id or "").strip(), (key or "").strip()
    if kind not in (ZoteroLink.USERS, ZoteroLink.GROUPS):
        raise NotAllowed("Choose your own library or a group library.")
    if not LIBRARY_ID.fullmatch(library_id):
        raise NotAllowed(
            "The library id is the number zotero.org/settings/keys shows (“Your user ID”) or the "
            "number in a group's address."
        )
    if not API_KEY.fullmatch(key):
        raise NotAllowed(
            "That does not look like a Zotero API key (24 letters and digits, from zotero.org/settings/keys)."
        )
    with transaction.atomic():
        ZoteroLink.objects.filter(user_id=user_id).exclude(kind=kind, library_id=library_id).delete()
        link, _ = ZoteroLink.objects.update_or_create(
            user_id=user_id,
            defaults={
                "kind": kind,
                "library_id": library_id,
                "sealed_key": seal(key),
                "key_end": key[-4:],
                "message": "",
                "busy_since": timezone.now(),
            },
        )
        sync_library.enqueue(link.pk)  # the queue is a table: the task and the link commit together
    return link


def disconnect(user: User) -> None:
    """Forget the user's Zotero library, its key and what was synced or pushed (the seeds it gave stay)."""
    ZoteroLink.objects.filter(user_id=require_user(user)).delete()


def _claim(link: ZoteroLink) -> bool:
    """Mark the link busy unless a sync or push is already on its way (a stale mark does not count)."""
    free = ZoteroLink.objects.filter(pk=link.pk).exclude(busy_since__gt=timezone.now() - ZOTERO_STALE)
    return bool(free.exclude(sealed_key="").update(busy_since=timezone.now()))


def has_library(user: User | AnonymousUser) -> bool:
    """Whether the user has a Zotero library connected (with a key to reach it)."""
    return user.pk is not None and ZoteroLink.objects.filter(user_id=user.pk).exclude(sealed_key="").exists()


def _connected(user: User) -> ZoteroLink:
    link = ZoteroLink.objects.filter(user_id=require_user(user)).exclude(sealed_key="").first()
    if link is None:
        raise NotAllowed("Connect a Zotero library first.")
    return link


def request_sync(user: User) -> None:
    """Queue a sync of the user's library now."""
    link = _connected(user)
    with transaction.atomic():
        if not _claim(link):
            raise NotAllowed("A sync or push is already on its way: wait for it to finish.")
        sync_library.enqueue(link.pk)


def request_push(user: User, collection: Collection) -> None:
    """Queue writing a collection the user curates (their own or one shared with them) into a Zotero collection of
    its name in their own library (zotero_push.push)."""
    link = _connected(user)
    if not may_curate(user, collection):
        raise NotAllowed("You can push only collections you own or collaborate on.")
    with transaction.atomic():
        if not _claim(link):
            raise NotAllowed("A sync or push is already on its way: wait for it to finish.")
        push_collection.enqueue(link.pk, collection.pk)


def queue_syncs() -> int:
    """Queue a sync of every connected library not already syncing (the periodic `zotero` job)."""
    queued = 0
    for link in ZoteroLink.objects.exclude(sealed_key=""):
        with transaction.atomic():
            if _claim(link):
                sync_library.enqueue(link.pk)
                queued += 1
    return queued


def _library(link: ZoteroLink) -> ZoteroLibrary:
    return ZoteroLibrary(cast(Literal["users", "groups"], link.kind), link.library_id, unseal(link.sealed_key))


def _drop_seed(link: ZoteroLink, seed_id: int | None) -> bool:
    """Remove a seed a sync made, unless something else holds it (a pick, an import, another item)."""
    if seed_id is None or ZoteroItem.objects.filter(link=link, seed_id=seed_id).exists():
        return False
    return bool(Seed.objects.filter(pk=seed_id, user_id=link.user_id, source=Seed.ZOTERO).delete()[0])


def _take(link: ZoteroLink, item: dict[str, Any], counts: dict[str, int]) -> None:
    key = str(item.get("key") or "")[:16]
    reference = zotero_reference(item)
    if not key or reference is None:
        return
    seed, found, created = seed_reference(link.user_id, reference, Seed.ZOTERO)
    before = ZoteroItem.objects.filter(link=link, key=key).values_list("seed_id", flat=True).first()
    ZoteroItem.objects.update_or_create(link=link, key=key, defaults={"seed": seed})
    if before != seed.pk:
        _drop_seed(link, before)  # the item changed into another paper or title
    counts["found" if found else "as text"] += created


def _forget(link: ZoteroLink, keys: list[str], counts: dict[str, int]) -> None:
    for item in ZoteroItem.objects.filter(link=link, key__in=keys):
        item.delete()
        counts["removed"] += _drop_seed(link, item.seed_id)


def sync(link: ZoteroLink, client: ZoteroClient | None = None) -> str:
    """Bring the user's seeds up to the library's current version; returns what it did, in words."""
    client = client or ZoteroClient(_library(link))
    since, newest = link.version, None
    counts = {"items": 0, "found": 0, "as text": 0, "removed": 0}
    for version, items in client.changed_items(since):
        newest = version if newest is None else newest  # the first page's: later changes wait for the next sync
        for item in items:
            _take(link, item, counts)
        counts["items"] += len(items)
    if newest is None:
        return f"Up to date at version {since}."
    if since:
        _forget(link, client.deleted_items(since), counts)
    link.version, link.items = newest, ZoteroItem.objects.filter(link=link).count()
    link.save(update_fields=["version", "items"])
    return (
        f"{counts['items']} items changed: {counts['found']} new seeds among the hub's papers, "
        f"{counts['as text']} as text; {counts['removed']} seeds of deleted items removed."
    )


def _finish(link_id: int, message: str, disconnect: bool = False) -> None:
    fields: dict[str, Any] = {"busy_since": None, "message": message, "synced_at": timezone.now()}
    if disconnect:
        fields.update(sealed_key="", key_end="")
    ZoteroLink.objects.filter(pk=link_id).update(**fields)


@task()
def sync_library(link_id: int) -> dict[str, Any]:
    """Sync one connected library (queued by connect, "Sync now" and the periodic job); safe to run again."""
    link = ZoteroLink.objects.filter(pk=link_id).exclude(sealed_key="").first()
    if link is None:
        return {"zotero": link_id, "status": "not connected"}
    try:
        message = sync(link)
        # Onto the current secret key (a rotation), unless the user gave a new key meanwhile.
        unchanged = ZoteroLink.objects.filter(pk=link_id, sealed_key=link.sealed_key)
        unchanged.update(sealed_key=reseal(link.sealed_key))
    except (KeyRefused, Unreadable) as exc:
        _finish(link_id, f"Disconnected: {exc}. Connect again with a key that can read the library.", True)
        return {"zotero": link_id, "status": "disconnected"}
    except SourceError as exc:
        _finish(link_id, f"The last sync stopped: {exc}. The next one starts again from version {link.version}.")
        return {"zotero": link_id, "status": "failed", "error": str(exc)}
    except BaseException:
        _finish(link_id, "The last sync failed; the next one starts again from where it stood.")
        raise
    _finish(link_id, message)
    return {"zotero": link_id, "status": "done", "version": link.version, "summary": message}


@task()
def push_collection(link_id: int, collection_id: int) -> dict[str, Any]:
    """Write a collection into a Zotero collection of its name in the library of the curator who asked; a rerun
    writes nothing twice."""
    link = ZoteroLink.objects.filter(pk=link_id).exclude(sealed_key="").select_related("user").first()
    collection = Collection.objects.filter(pk=collection_id).first()
    # asked again here: a collaborator taken off (or banned) since the push was queued pushes nothing
    if link is None or collection is None or not may_curate(link.user, collection):
        if link is not None:  # so the page does not wait on a push that will never come
            _finish(link_id, "The push was not made: that collection is gone, or no longer yours to push.")
        return {"zotero": link_id, "status": "gone"}
    try:
        message = push(link, collection, ZoteroClient(_library(link)))
    except KeyRefused:
        message = (
            "Zotero refused to write: give the key write access (zotero.org/settings/keys, “Allow write "
            "access”) and connect again."
        )
    except (SourceError, Unreadable) as exc:
        message = f"The push stopped: {exc}. Push again to go on (nothing is written twice)."
    except BaseException:
        _finish(link_id, "The push failed; push again to go on.")
        raise
    _finish(link_id, message)
    return {"zotero": link_id, "status": "done", "summary": message}
