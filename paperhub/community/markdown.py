"""Comments in a safe Markdown subset: CommonMark without raw HTML, then an allowlist sanitiser."""

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote"}
ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html off: "<script>" in a comment is shown as text; images and headings are not in the subset.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}) \
        .disable(["image", "heading", "lheading", "hr", "table"], ignoreInvalid=True)


def render_comment(body: str) -> SafeString:
    """A comment's Markdown as HTML that cannot run script or load anything."""
    html = _parser().render(body or "")
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener noreferrer ugc")
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)
