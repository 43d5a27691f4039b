"""The page of a paper this hub has not got (as Hugging Face's "not submitted yet"): its arXiv page, and the way
to submit it."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.urls import reverse

from paperhub.community import queries as community
from paperhub.core.media import PLAIN
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
