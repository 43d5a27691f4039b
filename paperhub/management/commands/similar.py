"""`paperhub similar ARXIV_ID`: the papers nearest to one paper."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperhub import search
from paperhub.management import arguments
from paperhub.papers.models import Paper
from paperhub.papers.records import split_arxiv_id
from paperhub.papers.tex import plain_text


class Command(BaseCommand):
    help = "Papers similar to a paper: key terms, meaning, authors and categories fused, each with its reasons."
    # A query from the shell: the system checks import every view (and the MCP SDK with them), most of the
    # command's time, to check code it never runs (`paperhub check` runs them).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paper", help="arXiv id or URL (or another source's uid)")
        parser.add_argument("--limit", type=arguments.whole_number(1, 100), default=10,
                            help="papers to show, 1-100 (default: %(default)s)")
        parser.add_argument("--json", action="store_true", help="one JSON object, with each paper's reasons")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["paper"]
        try:
            uid = split_arxiv_id(raw)[0]
        except ValueError:
            uid = raw
        paper = Paper.objects.filter(uid=uid).first()
        if paper is None:
            raise CommandError(f"no paper {uid!r} in the hub" if uid.strip() else "name a paper: an arXiv id or URL")
        hits = search.similar(paper.id, options["limit"])
        if options["json"]:
            self.stdout.write(json.dumps({"paper": paper.uid, "similar": [
                {"id": h.uid, "title": h.title, "score": round(h.score, 5), "reasons": [r.as_dict() for r in h.reasons]}
                for h in hits]}, ensure_ascii=False))
            return
        if not hits:
            self.stdout.write("not in the keyword index yet: `paperhub index update` (or `paperhub serve`) adds it")
            return
        self.stdout.write(f"Similar to [{paper.uid}] {plain_text(paper.title)}")
        for n, hit in enumerate(hits, start=1):
            self.stdout.write(f"{n:>3}. [{hit.uid}] {plain_text(hit.title)}  ({hit.score:.2f})")
            self.stdout.write(f"     {search.reasons_text(hit.reasons)}")
