"""/robots.txt (crawlers kept off searches, sorted and paged variants, JSON, BibTeX, feeds and account pages) and
the sitemap it points to: an index of files of paper pages and one of the feed pages (papers.sitemaps reads them).
Django's sitemaps framework pages its items with a Paginator, which counts every row and reads a file by OFFSET
(a 3M-paper hub's last file scanned past 2.95M rows), so these are written here over id ranges instead."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import RFC3986_SUBDELIMS
from django.views.decorators.gzip import gzip_page

from paperhub.core.addresses import root_for_paths
from paperhub.core.media import PLAIN
from paperhub.papers import sitemaps

XML = "application/xml; charset=utf-8"
SCHEMA = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: How long a client or proxy may keep robots.txt, and a sitemap file (seconds).
ROBOTS_AGE, SITEMAP_AGE = 86_400, 3_600


def urlset(entries: Iterable[tuple[str, datetime | None]]) -> str:
    """A sitemap file of absolute addresses, each with its last change (the day) where known."""
    lines = [f"<url><loc>{escape(loc)}</loc>{f'<lastmod>{lastmod.date().isoformat()}</lastmod>' if lastmod else ''}"
             "</url>" for loc, lastmod in entries]
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SCHEMA}">\n' + "\n".join(lines) + "\n</urlset>\n"


def sitemap_index_text(locations: Iterable[str]) -> str:
    """A sitemap index of absolute addresses of sitemap files."""
    lines = [f"<sitemap><loc>{escape(loc)}</loc></sitemap>" for loc in locations]
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SCHEMA}">\n' + "\n".join(lines) + \
        "\n</sitemapindex>\n"


def paper_paths(uids: Iterable[str]) -> Iterator[str]:
    """Papers' page paths as reverse("paper") gives them (its quoting: path characters and sub-delimiters kept),
    without its cost per call: 50,000 reverse()s took 1.5-7 s a file."""
    stem = reverse("paper", args=["-"])[:-1]
    return (stem + quote(uid, safe=f"{RFC3986_SUBDELIMS}/~:@") for uid in uids)


def robots_text(disallowed: Iterable[str], sitemap: str) -> str:
    """robots.txt: every crawler kept off these path prefixes (and patterns, * and $ as RFC 9309 reads them), pointed
    at the sitemap."""
    return "User-agent: *\n" + "".join(f"Disallow: {path}\n" for path in disallowed) + f"\nSitemap: {sitemap}\n"


def _top(path: str) -> str:
    """A reversed path's first folder under the hub's own prefix: /api/search gives /api/."""
    prefix = get_script_prefix()
    return f"{prefix}{path[len(prefix):].split('/', 1)[0]}/"


def crawled_off() -> list[str]:
    """What crawlers are kept off: searches (their BibTeX too), the API, feeds, account and For you pages, saved
    searches, digests, the map, MCP and the admin; every address with a query (sorted, paged and filtered variants
    of a page); a paper's BibTeX and Markdown."""
    prefix = get_script_prefix()
    return [reverse("search"), _top(reverse("api:search")), _top(reverse("feed_search_atom")), _top(reverse("login")),
            reverse("for_you"), _top(reverse("save_search")), _top(reverse("digest_subscribe")), reverse("map"),
            reverse("mcp"), reverse("admin:index"), f"{prefix}*?", f"{prefix}*.bib$", f"{prefix}*.md$"]


def _cached(response: HttpResponse, seconds: int) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=seconds)
    return response


def robots(request: HttpRequest) -> HttpResponse:
    """/robots.txt."""
    sitemap = f"{root_for_paths(request)}{reverse('sitemap')}"
    return _cached(HttpResponse(robots_text(crawled_off(), sitemap), content_type=PLAIN), ROBOTS_AGE)


def sitemap_index(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: the feed pages' file and every file of paper pages."""
    root = root_for_paths(request)
    files = [reverse("sitemap_feeds"), *(reverse("sitemap_papers", args=[n])
                                         for n in range(1, sitemaps.paper_files() + 1))]
    return _cached(HttpResponse(sitemap_index_text(root + path for path in files), content_type=XML), SITEMAP_AGE)


@gzip_page  # (4.3 MB of 50,000 addresses, about a tenth compressed; nothing secret in it to leak)
def sitemap_papers(request: HttpRequest, number: int) -> HttpResponse:
    """/sitemap-papers-N.xml: the pages of the papers of the Nth range of ids, with their last update; 404 past the
    last file (a number too large for the database is never asked of it)."""
    if not 1 <= number <= sitemaps.paper_files():
        raise Http404("No such sitemap file")
    root = root_for_paths(request)
    papers = sitemaps.papers_in_file(number)
    entries = ((root + path, lastmod) for path, (_, lastmod) in zip(paper_paths(uid for uid, _ in papers), papers,
                                                                     strict=True))
    return _cached(HttpResponse(urlset(entries), content_type=XML), SITEMAP_AGE)


def sitemap_feeds(request: HttpRequest) -> HttpResponse:
    """/sitemap-feeds.xml: the home page, trending, and the day, week and month feeds that have papers."""
    root = root_for_paths(request)
    paths = [reverse("home"), reverse("trending"),
             *(reverse(period.kind, args=[period.key]) for period in sitemaps.feed_periods())]
    return _cached(HttpResponse(urlset((root + path, None) for path in paths), content_type=XML), SITEMAP_AGE)
