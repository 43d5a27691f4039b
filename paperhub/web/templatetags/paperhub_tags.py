"""Template filters: safe outbound URLs, comment Markdown."""

from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString

from paperhub.community.markdown import render_comment

register = template.Library()


@register.filter
def safe_url(url: str) -> str:
    """The URL when it is http(s), else nothing (a javascript: code link from a source never reaches a page)."""
    return url if url and urlsplit(url.strip()).scheme in ("http", "https") else ""


@register.filter
def markdown(body: str) -> SafeString:
    return render_comment(body)
