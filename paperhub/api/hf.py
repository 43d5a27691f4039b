"""Papers in Hugging Face's JSON shapes (field names as huggingface.co's /api/daily_papers and /api/papers use).

Pure functions over model objects and plain values, so the shapes are tested without HTTP.
"""

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from paperhub.community.markdown import render_comment
from paperhub.community.models import Collection, CollectionItem
from paperhub.community.queries import Verified
from paperhub.community.ranks import Rank
from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.summary import one_line


def iso(moment: datetime | None) -> str | None:
    """A moment as Hugging Face writes it: UTC, milliseconds, Z."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo("UTC")).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo("UTC"))


def user(username: str) -> dict[str, Any]:
    """A hub user where HF puts one of its users."""
    return {"_id": username, "user": username, "name": username, "fullname": username, "avatarUrl": "",
            "isPro": False, "type": "user"}


def author(uid: str, position: int, name: str, verified: Verified | None) -> dict[str, Any]:
    """An author entry; one a user claimed and a moderator approved carries them, as HF's claimed authors do."""
    shaped: dict[str, Any] = {"_id": f"{uid}#{position}", "name": name, "hidden": False}
    if verified is not None:
        shaped.update(user=user(verified.username), status="claimed_verified",
                      statusLastChangedAt=iso(verified.since))
    return shaped


def rank(badge: Rank) -> dict[str, Any]:
    """A rank badge in our JSON (Hugging Face's API has none): "#N Paper of the day / week / month"."""
    return {"position": badge.position, "period": badge.period.kind, "key": badge.period.key, "label": badge.label}


def paper(item: Paper, authors: list[str], votes: int, comments: int, keywords: list[str],
          entry: FeedEntry | None = None, stars: int | None = None) -> dict[str, Any]:
    """A paper as GET /api/papers/{id} answers (and as the "paper" inside a daily papers item); ai_keywords and
    ai_summary are ours (search/keyphrases.py, papers/summary.py: extracted, not generated); `stars` are its code
    repository's GitHub stars, where known."""
    claimed = {v.position: v for v in getattr(item, "verified_authors", ())}  # attached by the API's _counts
    shaped: dict[str, Any] = {
        "id": item.uid,
        "authors": [author(item.uid, i, name, claimed.get(i)) for i, name in enumerate(authors)],
        "publishedAt": iso(item.published),
        "title": item.title,
        "summary": item.abstract,
        "upvotes": votes,
        "discussionId": str(item.pk),
        "numComments": comments,
        "githubRepo": item.code_url or None,
        "projectPage": item.project_url or None,
        "ai_keywords": keywords,
        "ai_summary": one_line(item.abstract),
    }
    if stars is not None:
        shaped["githubStars"] = stars
    if item.organization:
        shaped["organization"] = {"_id": item.organization, "name": item.organization,
                                  "fullname": item.organization, "avatar": ""}
    if getattr(item, "rank", None) is not None:
        shaped["rank"] = rank(item.rank)  # type: ignore[attr-defined]
    if entry is not None:
        shaped["submittedOnDailyAt"] = iso(entry.submitted_at or _day_start(entry.day))
        if entry.submitted_by:
            shaped["submittedOnDailyBy"] = user(entry.submitted_by)
    return shaped


def daily_item(item: Paper, authors: list[str], votes: int, comments: int, keywords: list[str],
               entry: FeedEntry, stars: int | None = None, participating: bool = False) -> dict[str, Any]:
    """One element of GET /api/daily_papers: the paper, and its place in the feed."""
    shaped: dict[str, Any] = {
        "paper": paper(item, authors, votes, comments, keywords, entry, stars),
        "publishedAt": iso(entry.submitted_at or _day_start(entry.day)),
        "title": item.title,
        "summary": item.abstract,
        "thumbnail": "",
        "numComments": comments,
        "isAuthorParticipating": participating,
    }
    if entry.submitted_by:
        shaped["submittedBy"] = user(entry.submitted_by)
    return shaped


def search_item(item: Paper, shaped: dict[str, Any]) -> dict[str, Any]:
    """One element of GET /api/papers/search: the paper as GET /api/papers/{id} shows it (`shaped`, paper()'s)."""
    return {"paper": shaped, "publishedAt": iso(item.published), "title": item.title, "summary": item.abstract,
            "numComments": shaped["numComments"]}


#: Hugging Face gives each collection a colour theme; the hub has none to choose, so every one is this.
THEME = "blue"


def collection_slug(found: Collection) -> str:
    """A collection's slug as Hugging Face names one, owner/slug: a username holds no slash, so it maps back to
    one collection, and /collections/<it> is its page, as on huggingface.co."""
    return f"{found.owner.get_username()}/{found.slug}"


def note(text: str, people: frozenset[str] = frozenset()) -> dict[str, str] | None:
    """A note on a paper in a collection, the Markdown and it rendered (the comments' safe subset, @mentions of
    `people` linked: community.people_named); None for none."""
    return {"text": text, "html": str(render_comment(text, people))} if text else None


def collection_item(item: CollectionItem, position: int, curator: bool) -> dict[str, Any]:
    """A paper in a collection, as an item of Hugging Face's collections (huggingface_hub's CollectionItem); its
    note as Markdown only (all huggingface_hub reads): rendering every item's would cost seconds a request. Who
    added it only for a `curator`, as the page shows it."""
    note = {"text": item.note} if item.note else None
    return {"_id": str(item.pk), "id": item.paper.uid, "type": "paper", "position": position,
            "title": item.paper.title, "publishedAt": iso(item.paper.published), "upvotes": item.paper.upvotes,
            "addedAt": iso(item.added_at),
            "addedBy": item.added_by.get_username() if curator and item.added_by else None, "note": note}


def collection(found: Collection, items: list[CollectionItem], total: int, curator: bool) -> dict[str, Any]:
    """A collection as GET /api/collections lists it (huggingface_hub's Collection, but for its position), with
    these of its items (who added each only for a `curator`); `total`, its papers, and `createdAt` are ours."""
    return {"slug": collection_slug(found), "title": found.title, "description": found.description,
            "owner": found.owner.get_username(), "private": not found.public, "theme": THEME, "upvotes": 0,
            "lastUpdated": iso(found.updated_at), "createdAt": iso(found.created_at), "total": total,
            "items": [collection_item(item, i, curator) for i, item in enumerate(items)]}
