"""Claiming authorship, and one's comment mail settings: thin views over community.authorship and notices."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperhub.community import authorship, notices
from paperhub.community import queries as community
from paperhub.community.models import AuthorClaim
from paperhub.core import limits
from paperhub.core.converters import asked_number
from paperhub.core.permissions import NotAllowed, require_user
from paperhub.papers.models import Paper, PaperAuthor
from paperhub.web.limits import too_many


@dataclass(frozen=True)
class Byline:
    """An entry of a paper's author list, and the user who is verified as it (if any)."""

    authorship: PaperAuthor
    verified: str | None


def paper_authors(request: HttpRequest, paper: Paper, authorships: list[PaperAuthor]) -> dict[str, Any]:
    """What a paper page shows about its authors: the list with verified marks, the entries one may still claim,
    the viewer's own claims, and who gets the author mark on comments."""
    verified = {v.author_id: v.username for v in community.verified_authors([paper.pk]).get(paper.pk, [])}
    mine = community.claims_on(request.user, paper)
    return {
        "byline": [Byline(a, verified.get(a.author_id)) for a in authorships],
        "claimable": [] if any(c.status != AuthorClaim.REJECTED for c in mine) else
                     [a for a in authorships if a.author_id not in verified],
        "my_claims": mine,
        "author_ids": community.author_user_ids(paper),
    }


@login_required
@require_POST
def claim(request: HttpRequest, paper_id: int) -> HttpResponse:
    """Claim one author entry of a paper (author=<author id>); a moderator decides in the admin."""
    paper = get_object_or_404(Paper, pk=paper_id)
    wait = limits.over_limit(request, "claim", settings.PAPERHUB_CLAIM_RATE, who=str(request.user.pk))
    if wait:
        return too_many(request, "Too many authorship claims.", wait)
    author = request.POST.get("author", "")
    try:
        made = authorship.claim(request.user, paper, asked_number(author) or 0)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Your claim as {made.author.name}: {made.get_status_display()}.")
    return redirect(reverse("paper", args=[paper.uid]) + "#authors")


@login_required
def author_settings(request: HttpRequest) -> HttpResponse:
    """The user's claims and the comment mail they want (POST comment_mail=on, reply_mail=on; unticked: off)."""
    if request.method == "POST":
        notices.set_mail(request.user, **{kind: request.POST.get(kind) == "on" for kind in notices.KINDS})
        messages.success(request, "Saved.")
        return redirect("author_settings")
    context = {"mail": notices.mail_wanted(require_user(request.user)), "claims": community.claims_of(request.user)}
    return render(request, "web/author_settings.html", context)


def comment_mail_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a comment mail: GET asks with a button (mail scanners follow links), POST turns off the kinds of
    mail it names."""
    try:
        stops = [notices.KINDS[kind] for kind in notices.stopped_by(token)[1]]
    except NotAllowed:
        stops = [notices.KINDS["comment_mail"]]  # the POST says the link is not valid
    what = " and ".join(stops)
    if request.method != "POST":
        return render(request, "web/comment_mail_stop.html", {"asking": True, "what": what})
    try:
        notices.unsubscribe(token)
    except NotAllowed as exc:
        return render(request, "web/comment_mail_stop.html", {"error": str(exc)}, status=400)
    return render(request, "web/comment_mail_stop.html", {"what": what})
