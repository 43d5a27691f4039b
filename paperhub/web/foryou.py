"""For you: personal picks with reasons, cold start, feedback, imports, exclusions, follows, saved searches."""

import logging
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from paperhub.community.services import upvote
from paperhub.core.addresses import absolute
from paperhub.core.navigation import asked_here, back
from paperhub.core.permissions import NotAllowed
from paperhub.papers.models import Author, Paper
from paperhub.papers.records import strip_controls
from paperhub.recommend import personal, services, space
from paperhub.recommend import queries as recommend
from paperhub.web.cards import cards, page_number

PAGE = 20

log = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the views below are all behind login_required


@login_required
def for_you(request: HttpRequest) -> HttpResponse:
    """The user's picks, explained; a cold-start page until they have told us something."""
    user = _user(request)
    page = page_number(request)
    today = timezone.localdate()
    preparing = ""
    try:
        picks = recommend.for_you(user, limit=PAGE + 1, offset=(page - 1) * PAGE, today=today)
    except space.NotReady as exc:  # its build is queued: the page answers now, with what works meanwhile
        preparing = str(exc)
        picks = []
    has_next = len(picks) > PAGE
    picks = picks[:PAGE]
    # what the first page shows comes after the unseen picks tomorrow, when the person asked for it here (a prefetch
    # or another site's link may never be read, and would push the picks down)
    if page == 1 and asked_here(request):
        try:
            services.remember_shown(user, picks, today)
        except DatabaseError as exc:  # (a database busy past its timeout, two tabs' deadlock: the page still shows)
            log.warning("For you: what page 1 showed was not remembered (%s)", exc)
    found = cards(request, [p.paper for p in picks])
    for card, chosen in zip(found, picks, strict=True):
        card.reasons = chosen.reasons  # type: ignore[attr-defined]
        card.shown_on = chosen.shown_on if chosen.shown_before else None  # type: ignore[attr-defined]
    starters = []
    if not picks and page == 1:
        offered = recommend.starters(limit=12)
        starters = cards(request, [s.paper for s in offered])
        for card, starter in zip(starters, offered, strict=True):
            card.reasons = [starter.reason]  # type: ignore[attr-defined]
    exclusions = recommend.exclusions_of(user)
    return render(request, "web/for_you.html", {
        "cards": found, "starters": starters, "page": page, "has_next": has_next, "preparing": preparing,
        "seeds": recommend.seeds_of(user),
        "interests": recommend.interests(user) if picks else [],  # picks: the space exists
        "follows": recommend.followed_authors(user), "searches": recommend.saved_searches(user),
        "exclusions": exclusions, "feed_made": personal.feed_token_made(user), "imports": recommend.imports_of(user),
        "import_max_mb": f"{settings.PAPERHUB_IMPORT_MAX_BYTES / 1024 / 1024:g}",
    })


@never_cache  # the page holds the feed's secret address: not for a shared cache, the browser's or its back button
@login_required
@require_POST
def feed_address(request: HttpRequest) -> HttpResponse:
    """Make a new private feed address (shown once; the old one stops working), or turn the feed off (revoke)."""
    user = _user(request)
    if request.POST.get("revoke"):
        personal.revoke_feed_token(user)
        messages.success(request, "Your private feed is off; its address no longer works.")
        return redirect(reverse("for_you") + "#private-feed")
    address = absolute(reverse("feed_for_you_atom", args=[personal.new_feed_token(user)]), request)
    return render(request, "web/feed_address.html", {"address": address})


def _done(request: HttpRequest, fallback: str, note: str = "") -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        # The note takes the place of the button that was pressed, and its focus (htmx focuses autofocus), so that
        # the keyboard does not fall back to the top of the page and a screen reader reads the note.
        return HttpResponse(format_html('<span class="meta" role="status" tabindex="-1" autofocus>{}</span>', note))
    return back(request, fallback)


@login_required
@require_POST
def not_interested(request: HttpRequest, paper_id: int) -> HttpResponse:
    """Mark a paper "not interested": it leaves the feed and teaches the model (htmx removes the card)."""
    paper = get_object_or_404(Paper, pk=paper_id)
    on = {"1": True, "0": False}.get(request.POST.get("on", ""), True)
    services.not_interested(request.user, paper, on=on)  # type: ignore[arg-type]
    if not request.htmx:  # type: ignore[attr-defined]
        messages.info(request, "Noted: fewer papers like that one." if on else "Undone.")
        return back(request, reverse("for_you"))
    # htmx swaps the card for a note with an Undo button, and Undo brings the card back
    next_page = request.POST.get("next", "") or reverse("for_you")  # (the fragment's own path is this POST route)
    why = strip_controls(request.POST.get("why", ""))[:500]  # the card's "Why:" line, carried to Undo and back
    if on:
        return render(request, "web/_not_interested.html", {"paper": paper, "next": next_page, "why": why})
    card = cards(request, [paper])[0]
    card.reasons = [why] if why else []  # type: ignore[attr-defined]
    return render(request, "web/_pick.html", {"card": card, "next": next_page, "undone": True})


@login_required
@require_POST
def pick(request: HttpRequest, paper_id: int) -> HttpResponse:
    """Cold start: "more like this" on a paper."""
    paper = get_object_or_404(Paper, pk=paper_id)
    state = services.pick(request.user, paper, on={"1": True, "0": False}.get(request.POST.get("on", ""), True))  # type: ignore[arg-type]
    label = "Picked ✓" if state else "More like this"
    return _done(request, reverse("for_you"), label)


@login_required
@require_POST
def paragraph(request: HttpRequest) -> HttpResponse:
    """Cold start: a paragraph about what the user works on."""
    try:
        services.add_paragraph(request.user, request.POST.get("text", ""))  # type: ignore[arg-type]
        messages.success(request, "Thanks: your feed now follows that description.")
    except NotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("for_you")


@login_required
@require_POST
def import_library(request: HttpRequest) -> HttpResponse:
    """Cold start: a BibTeX or CSL JSON (Zotero) export, imported by a worker; the page shows how it goes."""
    upload = request.FILES.get("library") or ContentFile(request.POST.get("text", "").encode(), name="pasted text")
    try:
        services.import_library(_user(request), upload)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your library is being imported; its progress shows below.")
    return redirect(reverse("for_you") + "#imports")


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """The user's latest imports and how far they got (the For-you page polls it while one runs)."""
    return render(request, "web/_imports.html", {"imports": recommend.imports_of(_user(request))})


@login_required
@require_POST
def forget_seed(request: HttpRequest, seed_id: int) -> HttpResponse:
    services.remove_seed(request.user, seed_id)  # type: ignore[arg-type]
    return redirect("for_you")


@login_required
@require_POST
def exclusions(request: HttpRequest) -> HttpResponse:
    """Words and categories never to recommend."""
    services.set_exclusions(request.user, request.POST.get("words", ""), request.POST.get("categories", ""))  # type: ignore[arg-type]
    messages.success(request, "Exclusions saved.")
    return redirect("for_you")


@login_required
@require_POST
def follow(request: HttpRequest, author_id: int) -> HttpResponse:
    """Follow or unfollow an author."""
    author = get_object_or_404(Author, pk=author_id)
    on = {"1": True, "0": False}.get(request.POST.get("on", ""))
    state = services.follow(request.user, author, on=on)  # type: ignore[arg-type]
    if request.htmx:  # type: ignore[attr-defined]
        # The same form the page draws, in its new state, so that Unfollow is there without a reload; its button
        # keeps the focus (htmx focuses autofocus) and the status line says what changed.
        return render(request, "web/_follow.html", {"author": author, "following": state, "swapped": True})
    messages.success(request, f"You follow {author.name}." if state else f"You no longer follow {author.name}.")
    return back(request, reverse("author", args=[author.slug]))


@login_required
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    """Keep the search in ?q= for digests and the personal feed."""
    query = request.POST.get("q", "")
    try:
        services.save_search(request.user, query)  # type: ignore[arg-type]
        messages.success(request, f"Saved “{query}”: new papers for it reach your digests and feed.")
    except NotAllowed as exc:
        messages.error(request, str(exc))
    return back(request, reverse("for_you"))


@login_required
@require_POST
def delete_search(request: HttpRequest, saved_id: int) -> HttpResponse:
    services.delete_saved_search(request.user, saved_id)  # type: ignore[arg-type]
    return back(request, reverse("for_you"))  # (the search page's "Forget this search": back to that search)


def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """A digest's feedback link: GET asks to confirm (mail scanners follow links), POST records it."""
    found = personal.read_feedback_token(token)
    if found is None:
        return render(request, "web/feedback.html", {"invalid": True}, status=400)
    user, paper, kind = found
    if request.method == "POST":
        if kind == "up":
            upvote(user, paper, on=True)
        else:
            services.not_interested(user, paper, on=True)
        return render(request, "web/feedback.html", {"paper": paper, "kind": kind, "done": True})
    return render(request, "web/feedback.html", {"paper": paper, "kind": kind, "token": token})
