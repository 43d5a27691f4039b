"""Template filters: safe outbound URLs, plain titles, preview text, the canonical address, comment Markdown, star
counts, how long ago, category names, whether the map is drawn, the footer's digest."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from paperhub.community.markdown import render_comment
from paperhub.core.addresses import absolute
from paperhub.digests.models import Subscription
from paperhub.papers import categories, citation
from paperhub.papers.links import web_url
from paperhub.papers.tex import plain_text
from paperhub.web import drawn, verified

register = template.Library()


@register.filter
def safe_url(url: str) -> str:
    """The URL when it is http(s), else nothing (a javascript: code link from a source never reaches a page)."""
    return web_url(url)


@register.filter
def plain(text: str) -> str:
    """A title's LaTeX as Unicode text, for where markup cannot go (a page's <title>); escaped by the template."""
    return plain_text(text or "")


@register.filter
def oneline(text: str) -> str:
    """Stored text for a meta tag or a <title>: one line of plain text, control characters dropped, TeX rendered."""
    return citation.plain_line(text)


@register.simple_tag
def meta_text(text: str, typed: object = None, preview: bool = False) -> str:
    """Stored text for a meta tag: oneline, its TeX left as it is when `typed` (a person's words, as their page
    shows them), and bounded as a link preview's description when `preview` (escaped by the template)."""
    tex = not typed
    return citation.preview_text(text, tex) if preview else citation.plain_line(text, tex)


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    """This page's public address (core.addresses) without its query string, but for the page number of a paged list
    past its first (the page a view renders says it as `page`; escaped by the template)."""
    request, page = context["request"], context.get("page")
    address = absolute(request.path, request)
    return f"{address}?page={page}" if isinstance(page, int) and page > 1 else address


@register.filter
def markdown(body: str, people: frozenset[str] = frozenset()) -> SafeString:
    """Comment Markdown (a collection's description and notes) as safe HTML, @mentions of `people` linked to
    profiles."""
    return render_comment(body, people)


@register.filter
def short_count(count: int) -> str:
    """A count as Hugging Face shows stars: 950, 1.2k, 12.3k, 1.2M (one decimal, none when it is 0)."""
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if count >= size * 0.99995:  # 999,960 is 1M, not 1000.0k
            return f"{count / size:.1f}".removesuffix(".0") + unit
    return str(count)


@register.filter
def ago(moment: datetime | None) -> str:
    """How long ago, in words: "3 hours ago", and "just now" under a minute (timesince alone says "0 minutes")."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def category_name(code: str) -> str:
    """An arXiv category's name (cs.GT: "Computer Science and Game Theory"); an unknown code as it is."""
    return categories.category_name(code)


@register.filter
def category_label(code: str) -> str:
    """An arXiv category's name with its code beside, "Computer Science and Game Theory (cs.GT)", for titles."""
    return categories.category_label(code)


@register.simple_tag(takes_context=True)
def digest_address(context: template.Context) -> str:
    """What the footer's digest form offers: the signed-in user's proved address (one query a request), else ""."""
    request = context.get("request")
    return verified.verified_address(request) if request is not None else ""


@register.simple_tag(takes_context=True)
def own_digest(context: template.Context) -> Subscription | None:
    """The hub's digest of the signed-in user's proved address, for the footer (once a request; none for a visitor)."""
    request = context.get("request")
    return verified.own_digest(request) if request is not None else None


@register.simple_tag(takes_context=True)
def map_drawn(context: template.Context) -> bool:
    """Whether a topic map is drawn, so the header links to it only then (once a request: the page may have asked)."""
    return drawn.map_drawn(context.get("request"))
