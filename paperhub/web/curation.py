"""A collection's shared curation on its page: the owner's collaborators, and curators' notes and moves (thin views
over paperhub.community.curation, which says who may do what)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from paperhub.community import curation
from paperhub.community import queries as community
from paperhub.community.models import Collection
from paperhub.core.converters import asked_number
from paperhub.core.permissions import NotAllowed
from paperhub.papers import queries


def _curated(request: HttpRequest, username: str, slug: str) -> Collection:
    """The collection at /collections/<username>/<slug> if the user curates it; 404 for anyone else (so a private
    one's existence shows to nobody else)."""
    found = community.curated(request.user, username, slug)
    if found is None:
        raise Http404("no such collection")
    return found


@login_required
@require_POST
def collaborators(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """The owner adds a collaborator by username, or (remove=1) takes one off."""
    found = _curated(request, username, slug)
    name = request.POST.get("username", "")
    try:
        if request.POST.get("remove"):
            shown = curation.typed_name(name)  # quoted back only so: no controls, capped (and escaped on the page)
            if curation.remove_collaborator(request.user, found, name):
                messages.success(request, f"{shown} no longer collaborates on this collection.")
            else:
                messages.error(request, f"“{shown}” does not collaborate on this collection.")
        else:
            added = curation.add_collaborator(request.user, found, name)
            messages.success(request, f"{added.get_username()} can now add, remove, annotate and reorder papers here.")
    except NotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("collection", username=username, slug=slug)


@login_required
@require_POST
def collection_item(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """A curator writes a paper's note (note=...) or moves it (move=up|down|top), then back to the page."""
    found = _curated(request, username, slug)
    paper = queries.paper_by_id(request.POST.get("paper", ""))
    if paper is None:
        raise Http404("no such paper")
    try:
        if "move" in request.POST:
            curation.move_item(request.user, found, paper, request.POST["move"])
        elif curation.set_note(request.user, found, paper, request.POST.get("note", "")):
            messages.success(request, "Note saved.")
        else:
            messages.error(request, "That paper is not in this collection.")
    except NotAllowed as exc:
        messages.error(request, str(exc))
    page = asked_number(request.POST.get("page", ""))
    target = redirect("collection", username=username, slug=slug)
    if page is not None and page > 1:
        target["Location"] += f"?page={page}"
    return target
