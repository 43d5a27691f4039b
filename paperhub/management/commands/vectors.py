"""`paperhub vectors export|import FILE`: vector packs, to embed once and import anywhere (search/packs.py)."""

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from paperhub import search
from paperhub.management import arguments


class Command(BaseCommand):
    help = "Export the stored vectors of a model to a vector pack, or import a pack made by the same model."
    # (as `similar`: the system checks import every view, a second of start-up for code this never runs)
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        export = sub.add_parser("export", help="write this hub's stored vectors of a model to FILE")
        export.add_argument("file", type=Path)
        arguments.add_model(export, "writes")
        load = sub.add_parser("import", help="store FILE's vectors for the papers this hub holds")
        load.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(unit=" vectors", unit_scale=True, disable=not sys.stderr.isatty(), leave=False)
        try:
            if options["action"] == "export":
                if not options["file"].parent.is_dir():
                    raise CommandError(f"no such folder for the pack: {options['file'].parent}")
                done = search.export_vectors(options["file"], options["model"], progress=bar.update)
                self.stdout.write(f"{done.vectors:,} vectors of the {done.model.describe()} written to "
                                  f"{options['file']} in {done.seconds:.2f} s")
                return
            if not options["file"].is_file():
                raise CommandError(f"no such file: {options['file']}")
            got = search.import_vectors(options["file"], progress=bar.update)
        except search.PackError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        rate = got.vectors / got.seconds if got.seconds else 0.0
        self.stdout.write(f"{got.vectors:,} vectors of the {got.model.describe()} read in {got.seconds:.2f} s "
                          f"({rate:,.0f}/s): {got.added:,} added, {got.already_there:,} already there, "
                          f"{got.not_in_hub:,} of papers this hub does not hold. Every node's index takes them in "
                          f"by itself (`paperhub index watch`, or `paperhub index update` now)")
