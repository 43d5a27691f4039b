"""What the API's routes answer with: papers (in hf.py's shape, with their counts, keywords and newest feed entries
read in one query each), comments, collections and submissions."""

from typing import Any

from django.urls import reverse
from ninja.errors import HttpError

from paperhub import search as search_api
from paperhub.api import hf
from paperhub.community import queries as community
from paperhub.community import ranks
from paperhub.community.models import Collection, Comment, Submission
from paperhub.papers import feeds, queries
from paperhub.papers.models import FeedEntry, Paper


def paper_or_404(paper_id: str) -> Paper:
    """The paper a route's path names; a 404 answer without one, saying how to submit an arXiv paper not here."""
    found = queries.paper_by_uid(paper_id[:64])
    if found is None:
        raise HttpError(404, community.not_here(paper_id[:64]))
    return found


def counts(papers: list[Paper]) -> tuple[dict[int, list[str]], dict[int, int], dict[int, int], dict[int, list[str]]]:
    """Author names, comment counts, code stars and keywords of papers, by paper id; attaches each one's verified
    authors and rank badge for hf."""
    ids = [p.pk for p in papers]
    verified, badges = community.verified_authors(ids), ranks.ranks_for(ids)
    for p in papers:
        p.verified_authors = verified.get(p.pk, [])  # type: ignore[attr-defined]
        p.rank = badges.get(p.pk)  # type: ignore[attr-defined]
    return (queries.author_names_by_paper(ids), community.comment_counts(ids), queries.repository_stars(papers),
            search_api.keywords_of(ids))


def entry(paper: Paper) -> FeedEntry:
    """The feed entry feeds.with_votes attached to a paper."""
    found: FeedEntry = paper.feed_entry  # type: ignore[attr-defined]
    return found


def _info_votes(paper: Paper, entry: FeedEntry | None) -> int:
    """A paper's upvotes as /api/papers/{id} counts them: ours plus those its newest feed entry counted at source."""
    return paper.upvotes + (entry.external_upvotes if entry else 0)


def papers(found: list[Paper]) -> list[dict[str, Any]]:
    """Papers as GET /api/papers/{id} answers them (wherever a paper object is: search, similar, recommendations,
    authors, collections, profiles), their counts, keywords and newest feed entries read in one query each."""
    names, comments, stars, keywords = counts(found)
    entries = feeds.latest_entries([p.pk for p in found])
    return [hf.paper(p, names.get(p.pk, []), _info_votes(p, entries.get(p.pk)), comments.get(p.pk, 0),
                     keywords.get(p.pk, []), entries.get(p.pk), stars.get(p.pk)) for p in found]


def submission(found: Submission) -> dict[str, Any]:
    """A submission as the API shows it, with the address to read it again at."""
    return {"id": found.pk, "paper": found.arxiv_id, "status": found.status,
            "message": found.message, "url": reverse("api:submission", args=[found.pk]),
            "createdAt": hf.iso(found.created_at), "finishedAt": hf.iso(found.finished_at)}


def comment(found: Comment) -> dict[str, Any]:
    """A comment as the API shows it; a deleted one, or a banned user's (kept while replies hang from it), says no
    more than the page's "[deleted]" or "[hidden]": neither its text nor who wrote it."""
    if found.deleted or found.withheld:
        author, content, html = None, "", ""
    else:
        author, content = hf.user(found.user.get_username()), found.body
        html = str(found.html)  # rendered by community.with_people
    return {"id": found.pk, "parentId": found.parent_id, "author": author, "content": content, "html": html,
            "createdAt": hf.iso(found.created_at), "editedAt": hf.iso(found.edited_at),
            "deleted": found.deleted, "hidden": found.withheld}


def collection(found: Collection) -> dict[str, Any]:
    """A collection as the API shows it, without its papers."""
    return {"owner": found.owner.get_username(), "slug": found.slug, "title": found.title,
            "description": found.description, "public": found.public,
            "createdAt": hf.iso(found.created_at), "updatedAt": hf.iso(found.updated_at)}
