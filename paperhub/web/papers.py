"""Paper pages, authors, and the writes people make on papers: thin views over services and queries."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from paperhub.community import holding, services
from paperhub.community import queries as community
from paperhub.community.models import Comment
from paperhub.core.addresses import hub_root
from paperhub.core.converters import asked_number
from paperhub.core.navigation import back
from paperhub.core.permissions import NotAllowed
from paperhub.papers import citation, markdown, queries
from paperhub.papers.bibtex import bibtex
from paperhub.papers.models import Paper
from paperhub.papers.records import strip_controls
from paperhub.papers.tex import render_abstract, render_tex
from paperhub.recommend import queries as recommend
from paperhub.web import authorship, charts
from paperhub.web.cards import cards, page_number, pager
from paperhub.web.drawn import map_drawn
from paperhub.web.limits import too_many
from paperhub.web.missing import missing_paper, missing_text
from paperhub.web.twins import json_twin

#: Comments a paper page shows at once (a discussion thousands long would be megabytes): the rest on further pages.
COMMENTS_PAGE = 100
#: Collections a paper page's "Save to" offers, the latest changed first: a reader may also curate any number of
#: others' collections, and a longer list is past scanning (and read on every view); the rest on /collections/.
SAVE_TO_CHOICES = 50
#: Collections holding the paper its page lists, the latest changed first: a popular paper may be in thousands,
#: each read and drawn on every view; the rest on /papers/<id>/collections, a page at a time.
HOLDING_SHOWN = 10
#: Collections a page of /papers/<id>/collections lists.
HOLDING_PAGE = 50
#: A card title's id prefix an upvote form sends back ("authored-title"), so its button names the same title.
_ID_PREFIX = re.compile(r"[a-z][a-z-]{0,30}")


def _markdown(request: HttpRequest, paper: Paper) -> HttpResponse:
    sheet = community.paper_sheet(paper, hub_root(request))
    return HttpResponse(markdown.render(sheet), content_type="text/markdown; charset=utf-8")


def paper_markdown(request: HttpRequest, uid: str) -> HttpResponse:
    """/papers/<id>.md: the paper as Markdown (what huggingface_hub's read_paper asks for), any version's id."""
    paper = queries.paper_by_uid(uid)
    if paper is None:  # a line of text, as the Markdown would have been (the client reads text, not a page)
        return missing_text(uid)
    return _markdown(request, paper)


def elsewhere(request: HttpRequest, uid: str, paper: Paper | None, view: str) -> HttpResponse:
    """A paper's page asked by an id that is not the paper's own (with its version, or of the old form in another
    case): a redirect to the same page at its own id, or missing_paper for a paper not here."""
    return missing_paper(request, uid) if paper is None else redirect(view, uid=paper.uid)


@vary_on_headers("Accept")
def paper_page(request: HttpRequest, uid: str) -> HttpResponse:
    """A paper: abstract, authors, links, BibTeX, upvote, comments, similar papers, collections holding it; as
    Markdown to a client that prefers text/markdown to text/html (browsers get HTML); one not here: missing_paper."""
    paper = queries.paper_by_uid(uid)
    if request.get_preferred_type(["text/html", "text/markdown"]) == "text/markdown":
        return missing_text(uid) if paper is None else _markdown(request, paper)
    if paper is None or paper.uid != uid:
        return elsewhere(request, uid, paper, "paper")
    authors = queries.author_names(paper)
    own, more_own = holding.collections_lacking(request.user, paper, SAVE_TO_CHOICES)
    held, held_total = holding.latest_holding(paper, request.user, HOLDING_SHOWN)
    authorships = list(paper.authorships.all())
    categories = [pc.category.code for pc in paper.paper_categories.all()]
    return render(request, "web/paper.html", {
        "json_url": json_twin("paper_info", paper.uid), "upvote_chart": upvote_chart(paper),
        "upvote_asked": request.GET.get("upvote") == "1",  # landed here from logging in to upvote
        "paper": paper, "title_html": render_tex(paper.title), "abstract_html": render_abstract(paper.abstract),
        **authorship.paper_authors(request, paper, authorships), "bibtex": bibtex(paper, authors),
        "card": cards(request, [paper], names={paper.pk: authors}, excerpts=False)[0],
        **discussion_page(paper, page_number(request, "comments"), _comment_asked(request)),
        "similar": similar_items(paper),
        "collections": held, "collections_total": held_total, "collections_more": held_total - len(held),
        "own_collections": own,
        "more_own_collections": more_own,
        "categories": categories, "citation": citation.highwire_tags(paper, authors, categories),
        "map_built": map_drawn(request),  # no link to a map still being drawn
    })


def paper_collections(request: HttpRequest, uid: str) -> HttpResponse:
    """/papers/<id>/collections: every collection holding the paper that the viewer may see, the latest changed first,
    a page at a time; a paper not here as its page answers it."""
    paper = queries.paper_by_uid(uid)
    if paper is None or paper.uid != uid:
        return elsewhere(request, uid, paper, "paper_collections")
    page = page_number(request)
    total = holding.holding_count(paper, request.user)
    shown = holding.collections_holding(paper, request.user, HOLDING_PAGE, offset=(page - 1) * HOLDING_PAGE)
    return render(request, "web/paper_collections.html", {
        "paper": paper, "title_html": render_tex(paper.title), "collections": shown, "total": total,
        **pager(page, total, HOLDING_PAGE),
        "json_url": json_twin("collections", item=f"papers/{paper.uid}", limit=HOLDING_PAGE, p=page - 1),
    })


def _comment_asked(request: HttpRequest) -> int | None:
    """The comment a link asks the paper page to show (?comment=ID, Comment.place), if any."""
    asked = request.GET.get("comment", "")
    return asked_number(asked)


def discussion_page(paper: Paper, page: int, shown: int | None = None) -> dict[str, Any]:
    """One page of a paper's discussion in reading order (COMMENTS_PAGE entries; the page holding comment `shown`
    when given, so a new comment or one a link names is seen where it is), and where the others are."""
    entries = community.discussion(paper)
    if shown is not None:
        page = next((i // COMMENTS_PAGE + 1 for i, e in enumerate(entries) if e.comment.pk == shown), page)
    pages = max(1, -(-len(entries) // COMMENTS_PAGE))
    page = min(page, pages)
    return {"discussion": entries[(page - 1) * COMMENTS_PAGE:page * COMMENTS_PAGE], "comment_page": page,
            "comment_pages": pages, "comment_total": len(entries)}


@dataclass
class SimilarItem:
    """A paper on a page's similar list: where it links, its title, date and why it is there."""

    uid: str
    title_html: str
    day: date | None
    reasons: list[Any]


def similar_items(paper: Paper, limit: int = 8) -> list[SimilarItem]:
    """The similar list of a paper page, straight from the search index (no database query)."""
    return [SimilarItem(h.uid, render_tex(h.title), h.published, h.reasons)
            for h in community.similar_hits(paper, limit)]


def upvote_chart(paper: Paper) -> str | None:
    """The paper's upvotes over time, a running total per day (None before its first upvote)."""
    days, totals = community.upvote_history(paper)
    if not days:
        return None
    labels = [d.strftime("%-d %b %Y") for d in days]
    return charts.line_chart("Upvotes over time", labels, [charts.Series("Upvotes", tuple(totals))], unit="upvotes",
                             height=200)


def author_page(request: HttpRequest, slug: str) -> HttpResponse:
    """/authors/<name>-<id>: an author's papers, newest first."""
    author = queries.author_by_slug(slug)
    if author is None:
        raise Http404("no such author")
    if slug != author.slug:
        return redirect("author", slug=author.slug)
    page = page_number(request)
    papers, total = queries.author_papers(author.pk, offset=(page - 1) * 30, limit=30)
    following = recommend.follows(request.user, author)
    return render(request, "web/author.html", {"json_url": json_twin("author", author.slug, p=page - 1),
                                               "author": author, "total": total,
                                               "author_summary": f"{total} paper{pluralize(total)} by {author.name} "
                                                                 f"on paperhub.",
                                               "cards": cards(request, papers, named=lambda names: [author.name]),
                                               **pager(page, total, 30), "following": following})


@require_POST
def upvote(request: HttpRequest, paper_id: int) -> HttpResponse:
    """Toggle (or set, with on=1/0) the user's upvote; htmx gets the button back, others a redirect."""
    paper = get_object_or_404(Paper, pk=paper_id)
    if not request.user.is_authenticated:
        # (a session that ended on an open page: to the paper after logging in, asked to press Upvote again; a
        # redirect cannot POST, and a vote cast by the GET it makes would be one a link could cast)
        login = redirect_to_login(reverse("paper", args=[paper.uid]) + "?upvote=1")
        if request.htmx:  # type: ignore[attr-defined]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login.url
            return response
        return login
    wanted = {"1": True, "0": False}.get(request.POST.get("on", ""))
    state, count = services.upvote(request.user, paper, on=wanted)
    if request.htmx:  # type: ignore[attr-defined]
        # the title it names is its card's (a profile's "authored" cards have ids of their own)
        title_id, chart = request.POST.get("title_id", ""), request.POST.get("chart") == "1"
        response = render(request, "web/_upvote.html", {"paper_id": paper.pk, "votes": count, "upvoted": state,
                                                        "next": request.POST.get("next", ""), "voted": True,
                                                        "title_id": title_id if _ID_PREFIX.fullmatch(title_id) else "",
                                                        "chart": chart})
        if chart:  # the paper page's button: its "Upvotes over time" changed too
            paper.upvotes = count  # (the row's count as the vote left it; upvote_chart reads it)
            response.write(render_to_string("web/_upvote_chart.html",
                                            {"upvote_chart": upvote_chart(paper), "oob": True}, request))
        return response
    return back(request, reverse("paper", args=[paper.uid]))


@login_required
@require_POST
def comment(request: HttpRequest, paper_id: int) -> HttpResponse:
    """A new comment or reply (parent=<id>). From htmx: the discussion again, a refusal shown by the form that was
    sent, its text kept; without JavaScript: back to the paper, a refusal among the page's messages."""
    paper = get_object_or_404(Paper, pk=paper_id)
    parent = None
    if request.POST.get("parent"):
        parent = community.comment_by_id(request.POST["parent"])
        if parent is None:
            return HttpResponseBadRequest("no such comment")
    body = request.POST.get("body", "")
    error, posted = "", None
    try:
        posted = services.add_comment(request.user, paper, body, parent, request=request)
    except NotAllowed as exc:
        # (htmx swaps no 429 in: the form that was sent says it, its text kept)
        if isinstance(exc, services.TooManyComments) and not request.htmx:  # type: ignore[attr-defined]
            return too_many(request, "Too many comments.", exc.wait)
        error = str(exc)
    if request.htmx:  # type: ignore[attr-defined]
        # Not through messages: the partial would not show them, and the next page opened would. The new comment
        # takes the focus (htmx focuses autofocus), so that the keyboard does not fall back to the top of the page.
        posted_id = posted.pk if posted else None
        return render(request, "web/_comments.html", {"paper": paper, **discussion_page(paper, 1, posted_id),
                                                      "author_ids": community.author_user_ids(paper),
                                                      "posted_id": posted_id,
                                                      **_comment_error(error, parent, body)})
    if error:
        messages.error(request, error)
    return redirect(reverse("paper", args=[paper.uid]) + (posted.place if posted else "#comments"))


def _comment_error(error: str, parent: Comment | None, body: str) -> dict[str, Any]:
    """Where the discussion partial shows a refusal: by the reply form it came from (while that comment still
    shows one), else by the form for a new comment; the text sent is kept in the form it came from."""
    if not error:
        return {}
    body = strip_controls(body)  # what was sent goes back into the page: no bytes a page cannot hold
    if parent is None:
        return {"comment_error": error, "draft": body}
    # its reply form shows (not in a hidden thread)
    if Comment.objects.visible(parent.paper_id).filter(pk=parent.pk).exists():
        return {"reply_error": error, "error_parent": parent.pk, "draft": body}
    return {"comment_error": error}


@login_required
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Edit one's own comment (GET shows the form)."""
    # visible(): one's own comment, unless deleted (nothing to edit) or in a hidden thread
    item = get_object_or_404(Comment.objects.filter(pk=comment_id).visible_chosen())
    if item.user_id != request.user.pk:
        raise Http404("not your comment")
    if request.method == "POST":
        try:
            services.edit_comment(request.user, item, request.POST.get("body", ""), request=request)
            return redirect(reverse("paper", args=[item.paper.uid]) + item.place)
        except NotAllowed as exc:
            messages.error(request, str(exc))
    return render(request, "web/comment_edit.html", {"comment": item})


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Delete one's own comment, once the form's confirm box is ticked; then back to the paper."""
    item = get_object_or_404(Comment, pk=comment_id)
    uid = item.paper.uid
    if not request.POST.get("confirm"):
        messages.error(request, "Tick the box to confirm that the comment should be deleted.")
        return redirect(reverse("paper", args=[uid]) + item.place)
    try:
        services.delete_comment(request.user, item)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your comment is deleted.")
    return redirect(reverse("paper", args=[uid]) + "#comments")


@login_required
def submit(request: HttpRequest) -> HttpResponse:
    """Submit a paper by arXiv id or address onto the hub (and, when recent, today's feed); a worker fetches it and
    this page shows how it went."""
    already = None  # a paper already in a feed: the page links it and that day
    if request.method == "POST":
        try:
            done = services.submit(request.user, request.POST.get("paper", ""))
        except services.AlreadyInFeed as exc:
            already = exc
        except NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Submitted {done.arxiv_id}: it is being fetched from arXiv; see below.")
            return redirect("submit")
    return render(request, "web/submit.html", {"value": request.POST.get("paper", request.GET.get("paper", ""))[:200],
                                               "already": already,
                                               "submissions": community.submissions_of(request.user),
                                               "max_age": settings.PAPERHUB_SUBMIT_MAX_AGE_DAYS})
