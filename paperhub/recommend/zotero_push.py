"""A hub collection pushed into a Zotero collection of the same name, as a reference manager's import would.

The Zotero collection is found once (remembered per library and hub collection: ZoteroCollection) or made; papers
never pushed are created inside it, and papers pushed before (ZoteroPush holds their item keys) are added to it by
a versioned write of their `collections`. Every step is safe to rerun: creations carry write tokens, the keys are
saved as soon as Zotero answers, and an item already in the collection is left alone.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from paperhub.community.models import Collection
from paperhub.community.queries import collection_papers
from paperhub.ingest.http import SourceError
from paperhub.ingest.zotero import WRITE_BATCH, ZoteroClient
from paperhub.papers.models import Paper
from paperhub.papers.queries import author_names_by_paper
from paperhub.papers.tex import plain_text
from paperhub.recommend.models import ZoteroCollection, ZoteroLink, ZoteroPush


@dataclass
class Tally:
    """What a push did, for its message."""

    written: int = 0
    added: int = 0
    refused: list[str] = field(default_factory=list)
    conflicts: int = 0


def zotero_item(paper: Paper, authors: list[str]) -> dict[str, Any]:
    """A paper as a new Zotero item: a preprint for an arXiv paper, else a journal article."""
    item: dict[str, Any] = {
        "itemType": "preprint" if paper.arxiv_id else "journalArticle",
        "title": plain_text(paper.title),
        "creators": [{"creatorType": "author", "name": name} for name in authors],
        "abstractNote": plain_text(paper.abstract),
        "url": paper.abs_url or "",
        "DOI": paper.doi,
        "date": f"{paper.published:%Y-%m-%d}" if paper.published else "",
    }
    if paper.arxiv_id:
        item.update(repository="arXiv", archiveID=f"arXiv:{paper.arxiv_id}")
    return item


def _token(link: ZoteroLink, what: str) -> str:
    return hashlib.sha256(f"{link.pk}:{link.kind}/{link.library_id}:{what}".encode()).hexdigest()[:32]


def write_token(link: ZoteroLink, papers: list[Paper], replacing: str = "") -> str:
    """The same 32 characters for the same batch to the same library: a rerun of a write Zotero already took is
    answered 412 instead of creating the items twice. `replacing` (the keys of items deleted in Zotero) makes
    the token of their re-creation another one than their first creation's."""
    ids = ",".join(str(p.pk) for p in papers)
    return _token(link, f"{ids}:{replacing}" if replacing else ids)


def _by_name(client: ZoteroClient, name: str) -> tuple[str, str] | None:
    """The key and name of the first top-level collection named `name`, whatever the case and spaces around."""
    wanted = name.strip().casefold()
    for found in client.top_collections():
        if found.get("key") and str(found.get("name", "")).strip().casefold() == wanted:
            return str(found["key"]), str(found["name"])
    return None


def zotero_collection(link: ZoteroLink, collection: Collection, client: ZoteroClient) -> tuple[str, str]:
    """The key and name of the Zotero collection the hub collection goes into: the one remembered, even renamed or
    moved since; else a top-level one of the same name; else a new one (also when the remembered one was deleted)."""
    remembered = ZoteroCollection.objects.filter(link=link, collection=collection).first()
    if remembered is not None:
        found = client.collection(remembered.key)
        if found is not None:
            return remembered.key, str(found.get("name") or collection.title)
    name = collection.title.strip()
    chosen = _by_name(client, name)
    if chosen is None:
        # The token names the collection it replaces: one deleted in Zotero is made again, not answered 412.
        replaced = remembered.key if remembered else ""
        result = client.create_collection(name, _token(link, f"collection {collection.pk}:{replaced}"))
        made = result.written.get(0)
        chosen = _by_name(client, name) if result.repeated else (made, name) if made else None
        if chosen is None:
            raise SourceError(f"Zotero did not make the collection “{name}”: {result.failed.get(0, 'no key given')}")
    ZoteroCollection.objects.update_or_create(link=link, collection=collection, defaults={"key": chosen[0]})
    return chosen


def _create(link: ZoteroLink, collection: Collection, client: ZoteroClient, key: str, papers: list[Paper],
            tally: Tally, replacing: dict[int, str] | None = None) -> None:
    names = author_names_by_paper([p.pk for p in papers])
    for start in range(0, len(papers), WRITE_BATCH):
        batch = papers[start : start + WRITE_BATCH]
        items = [{**zotero_item(p, names.get(p.pk, [])), "collections": [key]} for p in batch]
        replaced = ",".join(replacing[p.pk] for p in batch) if replacing else ""
        result = client.create_items(items, write_token(link, batch, replaced))
        keys = dict.fromkeys(range(len(batch)), "") if result.repeated else result.written
        for i, item_key in keys.items():
            ZoteroPush.objects.update_or_create(
                link=link, paper=batch[i], defaults={"key": item_key, "collection": collection}
            )
        tally.written += len(keys)
        tally.refused += [f"{batch[i].uid}: {why}" for i, why in result.failed.items()]


def _add_batch(client: ZoteroClient, key: str, keys: list[str], tally: Tally) -> tuple[list[str], list[str]]:
    """Add the items to the collection; the keys of those missing in Zotero, and of those changed meanwhile."""
    current = {str(data.get("key")): data for data in client.items_by_key(keys)}
    missing = [k for k in keys if k not in current]
    outside = [current[k] for k in keys if k in current and key not in (current[k].get("collections") or [])]
    if not outside:
        return missing, []
    result = client.update_items(
        [{"key": d["key"], "version": d.get("version", 0), "collections": [*(d.get("collections") or []), key]}
         for d in outside]
    )
    tally.added += len(result.written)
    tally.refused += [f"{outside[i]['key']}: {why}" for i, why in result.failed.items() if i not in result.conflicts]
    return missing, [str(outside[i]["key"]) for i in sorted(result.conflicts)]


def _add(client: ZoteroClient, key: str, pushed: list[ZoteroPush], tally: Tally) -> list[ZoteroPush]:
    """Add items pushed before to the collection, a version conflict retried once on a fresh read; returns those
    deleted in Zotero since."""
    gone: list[ZoteroPush] = []
    for start in range(0, len(pushed), WRITE_BATCH):
        batch = {row.key: row for row in pushed[start : start + WRITE_BATCH]}
        missing, changed = _add_batch(client, key, list(batch), tally)
        if changed:
            missed_again, changed = _add_batch(client, key, changed, tally)
            missing += missed_again
        tally.conflicts += len(changed)
        gone += [batch[k] for k in missing]
    return gone


def push(link: ZoteroLink, collection: Collection, client: ZoteroClient) -> str:
    """Write the collection into its Zotero collection: papers never pushed created inside it, those pushed before
    added to it (created again when deleted in Zotero since); returns what it did, in words."""
    key, name = zotero_collection(link, collection, client)
    papers = collection_papers(collection)
    pushed = {row.paper_id: row for row in ZoteroPush.objects.filter(link=link, paper__in=papers)}
    tally = Tally()
    _create(link, collection, client, key, [p for p in papers if p.pk not in pushed], tally)
    # A push an earlier try made without learning the key (a repeated write token) has no item to add.
    gone = _add(client, key, [pushed[p.pk] for p in papers if p.pk in pushed and pushed[p.pk].key], tally)
    by_id = {p.pk: p for p in papers}
    _create(link, collection, client, key, [by_id[row.paper_id] for row in gone], tally,
            replacing={row.paper_id: row.key for row in gone})
    message = f"Pushed “{collection.title}” into the Zotero collection “{name}”: {tally.written} written, " \
              f"{tally.added} added from your library"
    if tally.refused:
        message += f"; Zotero refused {len(tally.refused)}: {'; '.join(tally.refused[:3])}"
    if tally.conflicts:
        message += f"; {tally.conflicts} changed in Zotero while this push ran, not added: push again"
    return message + "."
