"""A node's derived state: written beside and renamed over, generations switched when complete, reloaded by every
process when changed, one writer at a time."""

import fcntl
import subprocess
import sys

import pytest

from paperhub.core import derived


class Killed(Exception):
    pass


def test_a_writer_killed_before_the_rename_leaves_the_old_file_served(tmp_path):
    path = tmp_path / "space.pickle"
    derived.replace_text(path, "old")

    def die_midway(partial):
        partial.write_text("half of the ne")
        raise Killed

    with pytest.raises(Killed):
        derived.replace(path, die_midway)
    assert path.read_text() == "old"
    derived.replace_text(path, "new")  # the next writer overwrites the side file the killed one left
    assert path.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["space.pickle"]


def test_writers_without_a_lock_each_write_a_side_file_of_their_own(tmp_path):
    seen = []

    def write(partial):
        seen.append(partial.name)
        partial.write_text("x")

    derived.replace(tmp_path / "space.pickle", write, own=True)
    assert seen[0].startswith("space.pickle.") and seen[0] != "space.pickle.partial"


def test_a_process_loads_again_only_when_another_process_replaced_the_file(tmp_path):
    path = tmp_path / "map.json"
    loads = []

    def load():
        loads.append(path.read_text())
        return loads[-1]

    served = derived.Loaded(lambda: derived.stamp(path), load)
    assert served.get() is None  # nothing built yet
    derived.replace_text(path, "first")
    assert served.get() == served.get() == "first" and loads == ["first"]
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from paperhub.core import derived; "
                    "derived.replace_text(Path(sys.argv[1]), 'second')", str(path)], check=True)
    assert served.get() == "second" and loads == ["first", "second"]
    path.unlink()
    assert served.get() is None


def test_a_stamp_changes_with_any_of_its_files(tmp_path):
    points, meta = tmp_path / "points.npz", tmp_path / "meta.json"
    derived.replace_text(points, "p")
    assert derived.stamp(points, meta) is None
    derived.replace_text(meta, "m")
    before = derived.stamp(points, meta)
    derived.replace_text(meta, "m")
    assert before is not None and derived.stamp(points, meta) != before


def test_a_build_killed_before_the_switch_leaves_the_old_generation_served_and_resumes(tmp_path):
    generations = derived.Generations(tmp_path / "keyword")
    assert generations.current() is None
    first = generations.building()
    generations.path(first).mkdir()
    generations.switch(first)
    second = generations.building()
    generations.path(second).mkdir()
    (generations.path(second) / "segment").write_text("half built")
    # killed here: the served generation is untouched, and the next build resumes the unfinished one
    assert generations.current() == first and generations.path(first).is_dir()
    assert generations.building() == second
    generations.switch(second)
    assert generations.current() == second
    assert sorted(p.name for p in generations.root.iterdir()) == ["CURRENT", second]  # old one and BUILDING gone


def test_a_build_whose_directory_was_never_made_starts_a_new_generation(tmp_path):
    generations = derived.Generations(tmp_path / "keyword")
    abandoned = generations.building()  # killed before its directory was made
    assert generations.building() != abandoned


def test_one_writer_at_a_time(settings, tmp_path):
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    with derived.lock("keyword"), open(tmp_path / "search" / "keyword.lock") as other, \
            pytest.raises(BlockingIOError):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(tmp_path / "search" / "keyword.lock") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released
