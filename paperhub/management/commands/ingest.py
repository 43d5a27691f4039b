"""`paperhub ingest SOURCE ...`: land papers from a snapshot file, the arXiv API, OAI-PMH or HF daily papers."""

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperhub.ingest import runs
from paperhub.ingest.http import SourceError
from paperhub.ingest.pipeline import IngestSummary, progress_bar
from paperhub.ingest.report import ErrorLog
from paperhub.management import arguments
from paperhub.papers.records import split_arxiv_id


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _check_file(path: Path) -> None:
    """A CommandError unless `path` is a file to read, saying what it is instead."""
    if path.is_dir():
        raise CommandError(f"{path} is a directory: give the file in it to ingest")
    if not path.is_file():
        raise CommandError(f"no such file: {path}")


class Command(BaseCommand):
    help = "Ingest papers. Bad records are reported with their line and skipped; the good ones land."
    # The system checks import every view and URL pattern to check them: about a second, a sixth of a whole
    # snapshot ingest, to check code this command never runs (`paperhub check` still runs them).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="source", required=True, parser_class=argparse.ArgumentParser)

        def common(p: argparse.ArgumentParser) -> None:
            p.add_argument("--errors", type=Path, help="write every bad record (JSON lines) to this file")
            p.add_argument("--limit", type=arguments.whole_number(0), help="stop after this many papers")

        snap = sub.add_parser("snapshot", help="arXiv metadata snapshot file (JSON lines; plain, .gz or .xz)")
        snap.add_argument("path", type=Path)
        snap.add_argument("--since", type=arguments.day, help="only papers updated on or after this day")
        snap.add_argument("--categories", type=_codes, default=[], help="e.g. cs.CL,cs.LG (or cs for all cs.*)")
        common(snap)

        api = sub.add_parser("arxiv", help="the arXiv API, by categories and date or by ids")
        api.add_argument("--categories", type=_codes, default=None, help="default: PAPERHUB_CATEGORIES")
        api.add_argument("--since", type=arguments.day, help="first submission day (default: 3 days ago)")
        api.add_argument("--until", type=arguments.day, help="last submission day (default: today)")
        api.add_argument("--ids", type=_codes, default=[], help="arXiv ids or URLs, comma-separated")
        api.add_argument("--page-size", type=arguments.whole_number(1, 2000), default=200,
                         help="papers per call to the arXiv API (at most 2000, as it allows)")
        api.add_argument("--retries", type=arguments.whole_number(0), default=None,
                         help="tries again after a failed call (default: PAPERHUB_HTTP_RETRIES)")
        common(api)

        oai = sub.add_parser("oai", help="OAI-PMH harvest in arXiv's metadata format (resumable)")
        oai.add_argument("--set", dest="set_spec", default="cs", help="OAI set, e.g. cs or physics:hep-th")
        oai.add_argument("--from", dest="since", type=arguments.day, help="records changed on or after this day")
        oai.add_argument("--until", type=arguments.day)
        common(oai)

        hf = sub.add_parser("hf-daily", help="Hugging Face daily papers JSON, from a file or by --date")
        hf.add_argument("path", type=Path, nargs="?")
        hf.add_argument("--date", dest="days", type=arguments.day, action="append", default=[],
                        help="fetch this day's list (repeatable)")
        common(hf)

    def handle(self, *args: Any, **options: Any) -> None:
        errors = ErrorLog(options.get("errors"))
        summary = IngestSummary()
        bar = progress_bar(f"ingest {options['source']}")
        problem = ""
        try:
            getattr(self, "_" + options["source"].replace("-", "_"))(options, errors, summary, bar)
        except SourceError as exc:
            problem = str(exc)
        finally:
            bar.close()
            errors.close()
        self.stdout.write(summary.line(errors))
        for bad in errors.first[:10]:
            self.stderr.write(f"  {bad}")
        if errors.count > 10:
            where = f" (all of them in {options['errors']})" if options.get("errors") else " (--errors FILE lists all)"
            self.stderr.write(f"  ... and {errors.count - 10:,} more{where}")
        if problem:
            resume = " Run the same command again to resume." if summary.read else ""
            raise CommandError(f"{problem}.{resume}")
        if summary.read == 0 and errors.count:
            raise CommandError("no record could be read")
        if summary.read == 0 and options["source"] == "snapshot":  # a network source may have nothing new; a file
            raise CommandError(f"{options['path']} holds no record (an empty or cut-short download?)")

    def _snapshot(self, options: dict[str, Any], errors: ErrorLog, summary: IngestSummary, bar: Any) -> None:
        _check_file(options["path"])
        runs.from_snapshot(options["path"], errors, summary, since=options["since"],
                           categories=options["categories"], limit=options["limit"], bar=bar)

    def _arxiv(self, options: dict[str, Any], errors: ErrorLog, summary: IngestSummary, bar: Any) -> None:
        try:
            ids = [split_arxiv_id(i)[0] for i in options["ids"]]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        runs.from_arxiv(errors, summary, ids=ids, categories=options["categories"] or (), since=options["since"],
                        until=options["until"], page_size=options["page_size"], retries=options["retries"],
                        limit=options["limit"], bar=bar)

    def _oai(self, options: dict[str, Any], errors: ErrorLog, summary: IngestSummary, bar: Any) -> None:
        runs.from_oai(errors, summary, set_spec=options["set_spec"], since=options["since"], until=options["until"],
                      limit=options["limit"], bar=bar)

    def _hf_daily(self, options: dict[str, Any], errors: ErrorLog, summary: IngestSummary, bar: Any) -> None:
        if options["path"]:
            _check_file(options["path"])
        if not options["path"] and not options["days"]:
            raise CommandError("give a PATH to a daily_papers JSON file, or --date YYYY-MM-DD")
        bodies = [options["path"].read_bytes()] if options["path"] else []
        landed, placed = runs.from_hf_daily(errors, summary, bodies=bodies, days=options["days"],
                                            limit=options["limit"], bar=bar)
        self.stdout.write(f"{landed:,} new daily-feed entr{'y' if landed == 1 else 'ies'} ({placed:,} of the input's "
                          f"papers placed in a day's feed)")
