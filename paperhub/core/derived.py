"""A node's derived state: files built from the database under PAPERHUB_SEARCH_DIR (the keyword index, the vector
files, the recommendation space, the topic map), read by every process of the node, and rebuilt when lost.

One idea keeps them safe when a process is killed at any moment:

- a file is written beside its place and renamed over it (os.replace is atomic), so readers see the old file or
  the new one, never half of one, and a writer killed before the rename leaves the old one served;
- what is too big to write at once (a tantivy index) is built as a new generation beside the served one, and
  CURRENT, itself replaced atomically, switches to it only when it is complete; killed midway, a build leaves
  the served generation alone, and the next build resumes the unfinished one (BUILDING names it);
- each process keeps what it loaded with the files' stamp and loads again only when the stamp changes (a stat
  per call), so a rebuild by any process reaches every process;
- one writer at a time of a kind of state holds a lock file of the node (other writers wait; readers need none).
"""

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

from django.conf import settings

T = TypeVar("T")
Stamp = tuple[int, ...]


def directory(*parts: str) -> Path:
    """Where this node keeps its derived state (PAPERHUB_SEARCH_DIR), or a place under it."""
    return Path(settings.PAPERHUB_SEARCH_DIR).joinpath(*parts)


def replace(path: Path, write: Callable[[Path], object], own: bool = False) -> None:
    """Write a file beside `path` by `write(side_file)`, then rename it over `path`.

    With `own`, each process writes a side file of its own: for a file that several processes may write at once
    without a lock. Otherwise there is one side file, which a writer killed midway leaves for the next to overwrite.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial" if own else f"{path.name}.partial")
    write(partial)
    os.replace(partial, path)


def replace_text(path: Path, text: str) -> None:
    """Write a small text file beside `path`, then rename it over `path`."""
    replace(path, lambda partial: partial.write_text(text))


def stamp(*paths: Path) -> Stamp | None:
    """What changes when any of the files is replaced (its inode and modification time); None if one is missing."""
    try:
        found = [path.stat() for path in paths]
    except FileNotFoundError:
        return None
    return tuple(number for stat in found for number in (stat.st_ino, stat.st_mtime_ns))


class Loaded(Generic[T]):
    """What this process loaded from derived files, loaded again when their stamp changes."""

    def __init__(self, stamp: Callable[[], Hashable | None], load: Callable[[], T | None]) -> None:
        self._stamp_now = stamp
        self._load = load
        self._lock = threading.Lock()
        self.stamp: Hashable | None = None
        self.value: T | None = None

    def get(self) -> T | None:
        """The value, loaded again if the files changed since; None while there are none (or `load` gives none)."""
        now = self._stamp_now()
        if now is None:
            return None
        if now != self.stamp or self.value is None:
            with self._lock:
                if now != self.stamp or self.value is None:
                    value = self._load()  # (files replaced meanwhile have a newer stamp: loaded again next call)
                    if value is None:
                        return None
                    self.value, self.stamp = value, now
        return self.value

    def forget(self) -> None:
        """Drop what was loaded (the next get() loads again)."""
        with self._lock:
            self.value, self.stamp = None, None


class Generations:
    """A directory of generations: CURRENT names the one served, BUILDING the one a build is filling."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> str | None:
        """The name of the generation served, or None before the first build."""
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def path(self, generation: str) -> Path:
        return self.root / generation

    def building(self) -> str:
        """The generation a build goes into: the unfinished one a killed build left, or a new one."""
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.root / "BUILDING"
        generation = marker.read_text().strip() if marker.exists() else ""
        if not generation or not self.path(generation).is_dir():
            generation = f"g{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
            replace_text(marker, generation)
        return generation

    def serve(self, generation: str) -> None:
        """Make `generation` the one served (readers switch on their next call)."""
        replace_text(self.root / "CURRENT", generation)

    def switch(self, generation: str) -> None:
        """Serve a complete build, then remove every other generation (under the writers' lock, so none is being
        built; a process still reading an old one keeps its open files until it switches on its next call)."""
        self.serve(generation)
        (self.root / "BUILDING").unlink(missing_ok=True)
        for old in self.root.iterdir():
            if old.is_dir() and old.name != generation:
                shutil.rmtree(old, ignore_errors=True)


@contextmanager
def lock(name: str) -> Iterator[None]:
    """One writer at a time of a kind of this node's derived state, across its processes (others wait)."""
    root = directory()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
