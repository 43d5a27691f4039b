import io
import lzma
import tomllib
from collections import Counter
from datetime import UTC, date, datetime
from fnmatch import fnmatch
from pathlib import Path

import pytest

from paperhub.ingest import bundled
from paperhub.papers.services import upsert_papers
from tests.factories import record, snapshot_object, write_snapshot

ROOT = Path(__file__).resolve().parents[2]


def test_latest_days_keeps_whole_days_newest_first_up_to_the_target():
    per_day = Counter({date(2026, 6, 29): 3, date(2026, 6, 30): 4, date(2026, 7, 1): 2, date(2026, 6, 26): 1})
    assert bundled.latest_days(per_day, 6) == {date(2026, 7, 1), date(2026, 6, 30)}
    assert bundled.latest_days(per_day, 9) == {date(2026, 7, 1), date(2026, 6, 30), date(2026, 6, 29)}
    assert bundled.latest_days(per_day, 1) == {date(2026, 7, 1)}  # the newest day, even past the target
    assert bundled.latest_days(Counter(), 5) == set()


def test_sample_days_keeps_the_categories_newest_announcement_days():
    def on(uid, day, categories=("cs.CL",)):
        return record(uid, categories=categories, published=datetime(2026, 6, day, tzinfo=UTC))

    records = [
        on("2606.00001", 29),
        on("2606.00002", 30),
        on("2606.00003", 30),
        on("2606.00004", 30, ("math.AG",)),
        on("2606.00005", 26, ("cs.LG",)),
    ]
    assert bundled.sample_days(iter(records), ["cs.CL", "cs.LG"], 3) == {
        "2606.00001": date(2026, 6, 29),
        "2606.00002": date(2026, 6, 30),
        "2606.00003": date(2026, 6, 30),
    }


def test_copy_lines_keeps_the_chosen_lines_unchanged_and_in_order(tmp_path):
    objects = [snapshot_object(f"2606.0000{i}", title=f"T\u00e9 {i}") for i in range(1, 5)]
    source = write_snapshot(tmp_path / "s.jsonl.xz", objects)
    out = io.BytesIO()
    assert bundled.copy_lines(source, frozenset({"2606.00003", "2606.00001"}), out) == 2
    lines = lzma.decompress(source.read_bytes()).splitlines(keepends=True)
    assert out.getvalue() == lines[0] + lines[2]


@pytest.mark.django_db
def test_the_sample_goes_only_into_an_empty_hub_or_one_holding_part_of_it():
    uids = frozenset({"2606.00001", "2606.00002"})
    assert bundled.takes_sample(uids)
    upsert_papers([record("2606.00001")])
    assert bundled.takes_sample(uids)  # a load that was killed midway
    upsert_papers([record("2501.00009")])
    assert not bundled.takes_sample(uids)


def test_the_bundled_sample_is_small_recent_whole_days_and_packaged():
    facts = bundled.sample_facts()
    assert 1000 <= len(facts.uids) <= 5000 and bundled.SAMPLE.stat().st_size < 5 * 2**20
    assert (facts.last - facts.first).days >= 7  # a whole week of days for Daily and Weekly
    papers = list(bundled.sample_records())
    assert all(any(c.split(".")[0] == "cs" for c in p.categories) for p in papers)
    assert (bundled.SAMPLE.parent / "README.md").read_text().count("CC0") >= 1
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    packaged = bundled.SAMPLE.relative_to(ROOT / "paperhub").as_posix()
    assert any(fnmatch(packaged, pattern) for pattern in package_data["paperhub"])
