"""The hub's pages and routes, filled in with the hostile rows (what the page, form and policy tests walk)."""

from django.urls import URLPattern, URLResolver

from paperhub.community.models import Comment
from paperhub.papers.models import Author
from paperhub.recommend.models import SavedSearch, Seed
from tests.hostile.payloads import DAY, IMG, SCRIPT, SVG


def pages(hostile) -> list[str]:
    paper = hostile["papers"]["2611.00001"]
    author = Author.objects.get(name__startswith="Eve")

    slug = hostile["collection"].slug
    return [
        "/", f"/papers/date/{DAY}", "/papers/week/2026-W48", "/papers/month/2026-11", "/papers/trending",
        "/papers/archive", f"/papers/{paper.uid}", f"/papers/{paper.uid}/collections", "/papers/search?q=attention",
        f"/papers/search?q={SCRIPT}",
        f"/papers/search?q=attention&author={IMG}&cat={SVG}", f"/trends?cat={SCRIPT}", f"/map?q={SCRIPT}", f"/authors/{author.slug}", "/users/eve",
        f"/collections/eve/{slug}", "/for-you", "/collections/", "/accounts/tokens/",
        f"/comments/{Comment.objects.get().pk}/edit", "/accounts/authorship/", "/for-you/zotero",
        "/for-you/zotero/status", f"/collections/eve/{slug}/mailings", "/accounts/digest/",
    ]


def named_patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            if item.namespace in ("admin",) or str(item.pattern).startswith(("api/", "feeds/")):
                continue
            found += named_patterns(item, prefix + str(item.pattern))
        elif isinstance(item, URLPattern) and item.name:
            found.append((item.name, prefix + str(item.pattern)))
    return found


def concrete(name: str, hostile) -> str | None:
    """A URL of the named route with real ids filled in (None: a route the test does not post to)."""
    paper = hostile["papers"]["2611.00002"]
    comment = Comment.objects.get()
    author = Author.objects.get(name__startswith="Eve")
    saved = SavedSearch.objects.get()
    seed = Seed.objects.filter(user=hostile["eve"]).first()
    slug = hostile["collection"].slug
    return {
        "home": "/", "robots": "/robots.txt", "sitemap": "/sitemap.xml", "sitemap_feeds": "/sitemap-feeds.xml",
        "sitemap_papers": "/sitemap-papers-1.xml", "day": f"/papers/date/{DAY}", "week": "/papers/week/2026-W48", "month": "/papers/month/2026-11",
        "trending": "/papers/trending", "archive": "/papers/archive", "trends": "/trends", "map": "/map", "map_points": "/map/points.bin",
        "map_paper": f"/map/papers/{paper.pk}", "search": "/papers/search", "search_bib": "/papers/search.bib",
        "submit": "/papers/submit", "paper_bib": f"/papers/{paper.uid}.bib", "paper": f"/papers/{paper.uid}",
        "paper_markdown": f"/papers/{paper.uid}.md", "arxiv_address": f"/abs/{paper.uid}",
        "paper_collections": f"/papers/{paper.uid}/collections",
        "upvote": f"/upvote/{paper.pk}", "comment": f"/comments/{paper.pk}/new",
        "comment_edit": f"/comments/{comment.pk}/edit", "comment_delete": f"/comments/{comment.pk}/delete",
        "author": "/authors/x-1", "profile": "/users/eve", "collections": "/collections/",
        "collect": "/collections/add", "collection_bib": f"/collections/eve/{slug}.bib",
        "collection": f"/collections/eve/{slug}", "collection_edit": f"/collections/eve/{slug}/edit",
        "collection_delete": f"/collections/eve/{slug}/delete", "for_you": "/for-you",
        "collection_collaborators": f"/collections/eve/{slug}/collaborators",
        "collection_item": f"/collections/eve/{slug}/item",
        "collection_mailings": f"/collections/eve/{slug}/mailings",
        "not_interested": f"/for-you/not-interested/{paper.pk}", "pick": f"/for-you/pick/{paper.pk}",
        "paragraph": "/for-you/paragraph", "import_library": "/for-you/import", "imports": "/for-you/imports",
        "forget_seed": f"/for-you/seeds/{seed.pk}/forget", "exclusions": "/for-you/exclusions",
        "feedback": "/for-you/feedback/not-a-token", "feed_address": "/for-you/feed-address", "follow": f"/authors/follow/{author.pk}",
        "save_search": "/searches/save", "delete_search": f"/searches/{saved.pk}/forget",
        "signup": "/accounts/signup/", "api_tokens": "/accounts/tokens/", "logout": "/accounts/logout/",
        "email_address": "/accounts/email/", "email_change": "/accounts/email/change", "verify_email": "/accounts/verify/not-a-token",
        "login": "/accounts/login/", "password_change": "/accounts/password_change/",
        "password_change_done": "/accounts/password_change/done/", "password_reset": "/accounts/password_reset/",
        "password_reset_done": "/accounts/password_reset/done/",
        "password_reset_confirm": "/accounts/reset/MQ/set-password/", "password_reset_complete": "/accounts/reset/done/",
        "digest_subscribe": "/digests/subscribe", "digest_confirm": "/digests/confirm/not-a-token",
        "digest_unsubscribe": "/digests/unsubscribe/not-a-token", "claim": f"/authors/claim/{paper.pk}",
        "author_settings": "/accounts/authorship/", "digest_settings": "/accounts/digest/",
        "comment_mail_unsubscribe": "/accounts/comment-mail/stop/not-a-token", "mcp": "/mcp",
        "zotero": "/for-you/zotero", "zotero_status": "/for-you/zotero/status", "zotero_sync": "/for-you/zotero/sync",
        "zotero_disconnect": "/for-you/zotero/disconnect", "zotero_push": f"/collections/eve/{slug}/zotero",
    }.get(name)
