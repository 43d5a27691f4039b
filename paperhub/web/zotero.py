"""Zotero on the For-you pages: connect a library, sync it now, disconnect; push a collection into it; the
connection's state alone, which the page polls while a sync or push is on its way."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from paperhub.community.queries import curated
from paperhub.core.permissions import NotAllowed
from paperhub.recommend import queries, zotero
from paperhub.web.foryou import _user
from paperhub.web.limits import too_many


def _too_many(request: HttpRequest) -> HttpResponse | None:
    """The per-user limit on Zotero's forms (each may queue calls to Zotero)."""
    wait = zotero.rate_wait(request, _user(request))
    return too_many(request, "Too many Zotero requests.", wait) if wait else None


@login_required
def zotero_page(request: HttpRequest) -> HttpResponse:
    """The user's Zotero connection (never the key: its last characters), or the form to make one (POST)."""
    if request.method == "POST":
        refused = _too_many(request)
        if refused:
            return refused
        try:
            zotero.connect(
                _user(request),
                request.POST.get("kind", ""),
                request.POST.get("library", ""),
                request.POST.get("key", ""),
            )
        except NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Connected: a worker is reading your library; this page shows how it went.")
        return redirect("zotero")
    return render(request, "web/zotero.html", {"link": queries.zotero_link(_user(request))})


@login_required
def zotero_status(request: HttpRequest) -> HttpResponse:
    """The user's own connection and its forms, without the page around them (the page polls it while busy)."""
    return render(request, "web/_zotero.html", {"link": queries.zotero_link(_user(request))})


@login_required
@require_POST
def zotero_sync(request: HttpRequest) -> HttpResponse:
    """Queue a sync now (a worker asks Zotero; this request never does)."""
    refused = _too_many(request)
    if refused:
        return refused
    try:
        zotero.request_sync(_user(request))
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "A sync is on its way.")
    return redirect("zotero")


@login_required
@require_POST
def zotero_disconnect(request: HttpRequest) -> HttpResponse:
    """Forget the library and its key."""
    zotero.disconnect(_user(request))
    messages.success(request, "Disconnected: the key is deleted. Seeds from your library stay until you forget them.")
    return redirect("zotero")


@login_required
@require_POST
def zotero_push(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """Queue writing a collection the user owns or collaborates on into their own Zotero library."""
    collection = curated(request.user, username, slug)
    if collection is None:
        raise Http404("no such collection")
    refused = _too_many(request)
    if refused:
        return refused
    try:
        zotero.request_push(_user(request), collection)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{collection.title}” is being written into your Zotero library.")
    return redirect("zotero")
