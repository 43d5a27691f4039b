"""`paperhub index ...`: build, update and inspect the search indexes (all derived from the database)."""

import argparse
import logging
import os
import signal
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import InterfaceError, OperationalError, close_old_connections
from tqdm import tqdm

from paperhub import search
from paperhub.jobs import activity, embedding, node
from paperhub.management import arguments

#: The watcher's lines and a distill's steps (serve starts both): its log's format, time and level on each line.
log = logging.getLogger(__name__)


def _bar(desc: str, total: int | None = None) -> tqdm:
    return tqdm(desc=desc, total=total, unit=" papers", unit_scale=True, disable=not sys.stderr.isatty())


def _transformer() -> search.Embedder:
    try:
        return search.transformer()
    except search.ModelError as exc:
        raise CommandError(str(exc)) from None


def _static() -> search.Embedder:
    try:
        return search.static_model()
    except search.ModelError as exc:
        raise CommandError(str(exc)) from None


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h" if seconds < 172800 else f"{seconds / 86400:.1f} days"


def _embedding_line(done: embedding.Progress, busy: list[activity.Doing]) -> str:
    """The embed queue in a line: batches waiting and running, the recent rate, the time left at that rate."""
    queue = f"{done.queued_batches} batches queued, {done.running_batches} running"
    if done.per_second <= 0:
        if done.embedded >= done.papers:
            idle = ""
        elif busy:  # what the commands in progress do is said above
            idle = f" by embed workers, while {' and '.join(f'`paperhub index {d.name}`' for d in busy)} runs"
        else:
            idle = " (embed workers, `paperhub worker --queues embed`, use only CPU time nothing else wants; " \
                   "is one running?)"
        return f"transformer embedding: {queue}; no vectors made in the last 10 minutes{idle}"
    left = done.seconds_left
    return (f"transformer embedding: {queue}; {done.per_second:,.1f} papers/s over the last 10 minutes, "
            f"{'done' if not left else 'about ' + _duration(left) + ' left'}")


#: How `index distill`'s steps (search/static.py's messages) read in `index status`: its phase, then its progress.
_DISTILL_PHASES = {"teacher vectors": "building the static model: teacher embedding (the transformer's vectors of "
                                      "its sample, stored as they are made): {} papers",
                   "training": "building the static model: training, {}",
                   "saved": "building the static model: storing it as {}"}


def _distill_phase(message: str) -> str:
    """A step of `index distill` as `index status` says it."""
    for step, phase in _DISTILL_PHASES.items():
        if message.startswith(step):
            return phase.format(message[len(step):].lstrip(": "))
    return f"building the static model: {message}"


class Command(BaseCommand):
    help = "Search indexes: rebuild, update, embed, distill, status, watch."
    _steps_shown = False  # a line of `index distill`'s steps is open on the terminal

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=argparse.ArgumentParser)
        sub.add_parser("rebuild", help="recreate every index from the database (no re-embedding)")
        sub.add_parser("update", help="index what changed since the last update; static vectors for new papers")
        emb = sub.add_parser("embed", help="embed papers without vectors, newest first")
        arguments.add_model(emb, "makes")
        emb.add_argument("--limit", type=int, help="at most this many papers")
        emb.add_argument("--enqueue", action="store_true",
                         help="queue every paper without a transformer vector for the embed workers, then return")
        distill = sub.add_parser("distill", help="build the static model from the transformer and this hub's papers")
        distill.add_argument("--papers", type=int,
                             help="teacher sample: papers whose transformer vectors the static model learns from")
        distill.add_argument("--minutes", type=float,
                             help="at most this long embedding the teacher sample's papers that have no vector")
        status = sub.add_parser("status", help="how much of the database each index covers")
        status.add_argument("--follow", action="store_true", help="keep showing coverage while it fills")
        watch = sub.add_parser("watch", help="keep the indexes fresh: update every few seconds, embed meanwhile")
        watch.add_argument("--interval", type=float, default=2.0, help="seconds between looks for changes (2)")
        watch.add_argument("--no-distill", action="store_true", help="do not distil the static model if missing")
        watch.add_argument("--no-map", action="store_true", help="do not rebuild the topic map by itself")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _rebuild(self, options: dict[str, Any]) -> None:
        total = search.coverage().papers
        with _bar("keyword index", total) as bar:
            count = search.rebuild(progress=bar.update)
        self.stdout.write(f"keyword index: {count:,} papers")
        for model, stored in search.coverage().vectors.items():
            with _bar(f"vectors {model}", stored) as bar:
                done = search.rebuild_vectors(model, progress=bar.update)
            self.stdout.write(f"vectors {model}: {done:,} papers")

    def _update(self, options: dict[str, Any]) -> None:
        with _bar("updating") as bar:
            changed = search.update_keyword(progress=bar.update)
        self.stdout.write(f"keyword index: {changed:,} papers added or changed")
        try:
            self._update_static()
        except search.ModelError as exc:
            building = [doing for doing in activity.current() if doing.name == "distill"]
            self.stderr.write("static vectors skipped: " + (
                f"the static model is being built (`paperhub index distill`, {building[0].holder}); they are made "
                "once it is done (`paperhub index update` again, or the watcher)" if building else str(exc)))
        taken = search.follow_vectors(search.transformer_name())
        if taken:
            self.stdout.write(f"{search.transformer_name()}: {taken:,} stored vectors added to this node's index")

    def _update_static(self) -> None:
        static = search.static_model()
        with _bar("static vectors") as bar:
            done = search.embed_missing(static.name, static, batch=4096, progress=bar.update)
        self.stdout.write(f"static vectors: {done:,} papers embedded")
        dropped = 0
        while removed := search.drop_stale_static():
            dropped += removed
        if dropped:
            self.stdout.write(f"deleted {dropped:,} vectors of earlier static models")

    def _embed(self, options: dict[str, Any]) -> None:
        if options["enqueue"]:
            batches = embedding.enqueue_all()
            self.stdout.write(f"{batches:,} batches queued for `paperhub worker --queues embed`")
            return
        model = _transformer() if options["model"] == "transformer" else _static()
        name = model.name
        cover = search.coverage()
        todo = cover.papers - cover.vectors.get(name, 0)
        if options["limit"] is not None:
            todo = min(todo, options["limit"])
        stored = 0

        def progress(count: int) -> None:
            nonlocal stored
            stored += count
            bar.update(count)
            activity.report("embed", f"{name} vectors being stored: {stored:,} of {todo:,} papers")

        activity.report("embed", f"{name} vectors: loading the model")
        try:
            with _bar(f"embedding ({name})", todo) as bar:
                done = search.embed_missing(name, model, limit=options["limit"], progress=progress)
        finally:
            activity.finish("embed")
        self.stdout.write(f"{name}: {done:,} papers embedded")

    def _distill(self, options: dict[str, Any]) -> None:
        started = time.monotonic()
        activity.report("distill", "building the static model: loading the transformer, sampling teacher papers")
        try:
            built = search.build_static_model(options["papers"], options["minutes"], step=self._distill_step)
        except search.ModelError as exc:
            raise CommandError(str(exc)) from None
        finally:
            activity.finish("distill")
            self._end_steps()
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in built.seconds.items())
        self.stdout.write(f"static model {built.name}: learnt from {built.teacher_papers:,} papers' transformer "
                          f"vectors ({built.embedded_now:,} embedded now) in {time.monotonic() - started:.0f} s "
                          f"({steps}); every paper gets a new static vector from it (`paperhub index update`)")

    def _distill_step(self, message: str) -> None:
        self._say(message)
        activity.report("distill", _distill_phase(message))

    def _say(self, message: str) -> None:
        if self.stderr.isatty():
            self.stderr.write(f"\r{message[:100]:<100}", ending="")
            self._steps_shown = True
        elif not message.startswith(("teacher vectors", "training")):
            log.info("%s", message)  # into serve's log (the watcher starts it) or a file: with its time, level

    def _end_steps(self) -> None:
        """Ends the terminal's line of steps, as a finished bar ends its line: the summary (stdout) or the error
        that follows was written onto it, after the last step."""
        if self._steps_shown:
            self.stderr.write("")
            self._steps_shown = False

    def _status(self, options: dict[str, Any]) -> None:
        while True:
            cover = search.coverage()
            self.stdout.write(f"papers in the database: {cover.papers:,}")
            current = search.static_name()
            # The current static model from its first vector on (none yet, just after a distill).
            vectors = {**({current: 0} if current else {}), **cover.vectors}
            rows = [("keyword", cover.keyword)] + sorted(vectors.items())
            for name, count in rows:
                share = count / cover.papers if cover.papers else 1.0
                filled = int(share * 30)
                note = {current: "  (the static model)", search.transformer_name(): "  (the transformer)"}.get(name) \
                    or ("  (an earlier static model: deleted as the current one fills in)"
                        if name.startswith(search.LEGACY_STATIC) else "")
                self.stdout.write(f"  {name:<16} [{'#' * filled}{'.' * (30 - filled)}] {share:6.1%}  {count:,}{note}")
            busy = activity.current()
            for doing in busy:
                self.stdout.write(f"in progress: `paperhub index {doing.name}` ({doing.holder}): {doing.doing}")
            self.stdout.write(_embedding_line(embedding.progress(), busy))
            if not options["follow"] or not busy and all(count >= cover.papers for name, count in rows
                                            if name in ("keyword", current, search.transformer_name())):
                return
            time.sleep(2)
            self.stdout.write("")

    def _watch(self, options: dict[str, Any]) -> None:
        stop = False

        def finish(*_: Any) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        os.nice(10)  # (and the map and distill processes it starts): requests first
        here = node.Node(distill=not options["no_distill"], map=not options["no_map"])
        log.info("watching for changes every %s s", options["interval"])
        while not stop:
            started = time.monotonic()
            try:
                self._report(here.tick())
            except (OperationalError, InterfaceError) as exc:  # locked past its busy timeout, or out of reach
                log.warning("the database is busy or out of reach (%s); trying again in %s s", exc,
                            options["interval"])
                close_old_connections()  # a broken one, so the next round opens a new one
            time.sleep(max(0.0, options["interval"] - (time.monotonic() - started)))
        here.stop()

    def _report(self, done: node.Round) -> None:
        if done.distill_failed:
            log.error("building the static model failed: `paperhub index distill` says why")
        if done.distill_started:
            log.info("building the static model from this hub's papers (a few minutes)")
        if done.indexed:
            log.info("indexed %s changed papers", f"{done.indexed:,}")
        if done.map_started:
            log.info("building the topic map")
        if done.space_started:
            log.info("rebuilding the recommendation space")
