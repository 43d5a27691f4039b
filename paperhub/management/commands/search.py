"""`paperhub search "query"`: search from the command line."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.html import strip_tags

from paperhub import search
from paperhub.management import arguments, database
from paperhub.papers.tex import plain_text
from paperhub.search import Filters, named_authors, signal_name


class Command(BaseCommand):
    help = 'Search papers: words, "phrases", author:, cat:, has:code, since:, until:, -exclusions.'
    # A query from the shell: the system checks import every view (and the MCP SDK with them), most of the
    # command's time, to check code it never runs (`paperhub check` runs them).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help='words, "phrases", author:NAME, cat:CODE, since:YYYY-MM-DD, -exclusions '
                                                  '(README, Searching)')
        parser.add_argument("--mode", choices=["hybrid", "keyword", "semantic"], default="hybrid",
                            help="hybrid fuses keyword and semantic results (default: %(default)s)")
        parser.add_argument("--sort", choices=["relevance", "newest", "upvotes"], default="relevance",
                            help="newest and upvotes list papers holding every word (default: %(default)s)")
        parser.add_argument("--since", type=arguments.day, help="published on or after (YYYY-MM-DD)")
        parser.add_argument("--until", type=arguments.day, help="published on or before (YYYY-MM-DD)")
        parser.add_argument("--category", action="append", default=[], metavar="CODE",
                            help="an arXiv category such as cs.LG (repeat for any of several)")
        parser.add_argument("--limit", type=arguments.whole_number(1, 100), default=10,
                            help="results to show, 1-100 (default: %(default)s)")
        parser.add_argument("--offset", type=arguments.whole_number(0, search.MAX_OFFSET), default=0,
                            help="results to skip, for later pages (default: %(default)s)")
        parser.add_argument("--exact", action="store_true",
                            help="search the query as typed, never its spelling's correction")
        parser.add_argument("--json", action="store_true", help="one JSON object instead of text")

    def handle(self, *args: Any, **options: Any) -> None:
        database.require_tables()
        filters = Filters(since=options["since"], until=options["until"], categories=tuple(options["category"]))
        results = search.search(options["query"], filters, options["sort"], options["limit"], options["offset"],
                                options["mode"], correct=not options["exact"], explain=True)
        if results.query.problem:  # a since:/until: that is no date
            raise CommandError(results.query.problem)
        if options["json"]:
            self.stdout.write(json.dumps({
                "total": results.total,
                "suggestion": results.suggestion.query if results.suggestion else None,
                "corrected": results.corrected,
                "found_as_typed": results.found_as_typed,
                "emptied_by": [{"reason": part.reason, "without": part.without, "query": part.q}
                               for part in results.why],
                "semantic": [signal_name(kind) for kind in results.semantic_models],
                "semantic_pending": results.semantic_pending,
                "results": [{"id": h.uid, "title": h.title, "authors": h.authors, "categories": h.categories,
                             "published": h.published.isoformat() if h.published else None,
                             "score": round(h.score, 5),
                             "ranks": {signal_name(kind): rank for kind, rank in h.ranks.items()},
                             "snippet": strip_tags(h.snippet_html)} for h in results.hits],
            }, ensure_ascii=False))
            return
        models = [signal_name(kind) for kind in results.semantic_models]
        kinds = "semantic" if options["mode"] == "semantic" else "keyword + semantic"
        how = f" ({kinds}: {', '.join(models)})" if models else ""
        if results.semantic_pending:
            how = " (by words alone until the papers' vectors are built)"
        self.stdout.write(f"{results.total:,} result{'' if results.total == 1 else 's'}{how}")
        if results.suggestion and results.corrected:
            head = "" if results.found_as_typed else f"No papers match {options['query']!r}; "
            instead = f" (search instead for {options['query']!r} with --exact)" if results.found_as_typed else ""
            self.stdout.write(f"{head}{'s' if head else 'S'}howing results for: {results.suggestion.query}{instead}")
        elif results.suggestion:
            self.stdout.write(f"Did you mean: {results.suggestion.query}")
        for part in results.why:  # a search that found nothing: what emptied it
            query = f": {part.q!r}" if part.q != options["query"] else ""
            without = f"; {part.without:,} without it{query}" if part.without else ""
            self.stdout.write(f"{part.reason}{without}")
        for n, hit in enumerate(results.hits, start=1 + options["offset"]):
            shown = list(dict.fromkeys([*hit.authors[:3], *named_authors(hit.authors, results.query, filters)[:3]]))
            authors = ", ".join(hit.authors) if len(hit.authors) <= len(shown) + 1 else ", ".join(shown) + " et al."
            day = hit.published.isoformat() if hit.published else "no date"
            self.stdout.write(f"{n:>3}. [{hit.uid}] {plain_text(hit.title)}\n     {authors} · {day} · "
                              f"{', '.join(hit.categories[:3])}")
