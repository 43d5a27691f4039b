"""`paperhub map build|status`: the topic map of the corpus (derived from the stored vectors)."""

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from paperhub.management import database
from paperhub.topicmap import build, store

STEPS = ["read vectors", "reduce", "lay out landmarks", "place papers", "cluster", "label", "save"]


class Command(BaseCommand):
    help = "The topic map: build it from the papers' static vectors (minutes for 350K papers), or show its state."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        make = sub.add_parser("build", help="lay every paper out in 2D, cluster and label; switch when done")
        make.add_argument("--landmarks", type=int, default=30000, help="papers laid out by UMAP (the rest placed)")
        make.add_argument("--clusters", type=int, default=24, help="labelled clusters (and 10x as many small ones)")
        sub.add_parser("status", help="when the map was built and what it holds")

    def handle(self, *args: Any, **options: Any) -> None:
        database.require_tables()
        if options["action"] == "status":
            built = store.current()
            if built is None:
                self.stdout.write("no map yet: `paperhub map build`")
                return
            meta = built.meta
            self.stdout.write(f"built {meta['built_at']}: {meta['papers']:,} papers, "
                              f"{sum(1 for c in meta['clusters'] if c['level'] == 'top')} labelled clusters, "
                              f"{meta.get('total_seconds', sum(meta['seconds'].values())):.1f} s")
            return
        with tqdm(total=len(STEPS), desc="topic map", unit=" steps", disable=not sys.stderr.isatty()) as bar:
            def step(name: str) -> None:
                bar.set_postfix_str(name)
                bar.update(1)

            try:
                meta = build.build(landmarks=options["landmarks"], top_clusters=options["clusters"],
                                   fine_clusters=options["clusters"] * 10, step=step)
            except build.NoVectors as exc:
                raise CommandError(str(exc)) from None
        times = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in meta["seconds"].items())
        self.stdout.write(f"map of {meta['papers']:,} papers built in {meta['total_seconds']:.1f} s ({times})")
