"""A paper asked for by its arXiv id or address (a search box's paste, arXiv's /abs/ path on this hub): its page,
or the page of a paper this hub has not got (as Hugging Face's "not submitted yet"): its arXiv page, and the way to
submit it."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse

from paperhub import search as search_api
from paperhub.community import queries as community
from paperhub.core.media import PLAIN
from paperhub.papers import queries
from paperhub.papers.records import arxiv_abs_url, possible_arxiv_id, strip_controls
from paperhub.web.twins import json_twin

#: The most of an address's id the page repeats: an id is under 30 characters, an address of one under 60.
SHOWN = 100


def missing_paper(request: HttpRequest, asked: str) -> HttpResponse:
    """The 404 page of /papers/<id> for a paper not on this hub: an id arXiv may have given links to arXiv and
    offers the submit form filled in with it (through the login page, which comes back to it, for someone not
    logged in); anything else is a plain "not found". Nothing is fetched or written."""
    shown = strip_controls(asked)[:SHOWN]
    found = possible_arxiv_id(asked)
    if found is None:
        return render(request, "web/missing_paper.html", {"asked": shown}, status=404)
    uid, version = found
    submit_url = community.submit_path(uid)
    return render(request, "web/missing_paper.html", {
        "asked": shown, "uid": uid, "arxiv_url": arxiv_abs_url(uid, version), "submit_url": submit_url,
        "login_url": _then(reverse("login"), submit_url), "signup_url": _then(reverse("signup"), submit_url),
        "json_url": json_twin("paper_info", uid),
    }, status=404)


def missing_text(asked: str) -> HttpResponse:
    """The 404 of a paper's text forms (.md, .bib, Markdown by Accept) for a paper not here: one line of text, as
    the paper would have been, saying how to submit it."""
    return HttpResponseNotFound(community.not_here(asked[:64]), content_type=PLAIN)


def _then(page: str, next_url: str) -> str:
    return f"{page}?{urlencode({'next': next_url})}"


def named_paper_page(q: str, filters: search_api.Filters) -> str:
    """The page of the one paper a query is (its arXiv id or address, pasted into the box) where it is on this hub,
    else "": ids beside filters, or several, are searched."""
    named = search_api.named_papers(q)
    if len(named) != 1 or filters != search_api.Filters():
        return ""
    paper = queries.paper_by_uid(named[0])
    return reverse("paper", args=[paper.uid]) if paper is not None else ""


def arxiv_address(request: HttpRequest, uid: str) -> HttpResponse:
    """/abs/<id> and /pdf/<id>: an arXiv address with this hub's host put in its place opens the paper's page
    (moved for good), or the page of a paper not on this hub."""
    paper = queries.paper_by_uid(uid)
    return missing_paper(request, uid) if paper is None else redirect("paper", uid=paper.uid, permanent=True)
