"""`paperhub search "query"`: search from the command line."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.html import strip_tags

from paperhub import search
from paperhub.search import Filters


class Command(BaseCommand):
    help = 'Search papers: words, "phrases", author:, cat:, -exclusions.'
    # A query from the shell: the system checks import every view (and the MCP SDK with them), most of the
    # command's time, to check code it never runs (`paperhub check` runs them).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--mode", choices=["hybrid", "keyword", "semantic"], default="hybrid")
        parser.add_argument("--sort", choices=["relevance", "newest", "upvotes"], default="relevance")
        parser.add_argument("--since", type=date.fromisoformat)
        parser.add_argument("--until", type=date.fromisoformat)
        parser.add_argument("--category", action="append", default=[])
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--offset", type=int, default=0)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        filters = Filters(since=options["since"], until=options["until"], categories=tuple(options["category"]))
        results = search.search(options["query"], filters, options["sort"], options["limit"], options["offset"],
                                options["mode"])
        if options["json"]:
            self.stdout.write(json.dumps({
                "total": results.total,
                "semantic": results.semantic_models,
                "results": [{"id": h.uid, "title": h.title, "authors": h.authors, "categories": h.categories,
                             "published": h.published.isoformat() if h.published else None,
                             "score": round(h.score, 5), "ranks": h.ranks,
                             "snippet": strip_tags(h.snippet_html)} for h in results.hits],
            }, ensure_ascii=False))
            return
        models = results.semantic_models
        how = f" (keyword + semantic: {', '.join(models)})" if models else ""
        self.stdout.write(f"{results.total:,} result{'' if results.total == 1 else 's'}{how}")
        for n, hit in enumerate(results.hits, start=1 + options["offset"]):
            authors = ", ".join(hit.authors[:3]) + (" et al." if len(hit.authors) > 3 else "")
            day = hit.published.isoformat() if hit.published else "no date"
            self.stdout.write(f"{n:>3}. [{hit.uid}] {hit.title}\n     {authors} · {day} · "
                              f"{', '.join(hit.categories[:3])}")
