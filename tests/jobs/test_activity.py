"""`index status` while a hub first fills: it says what a distill or a foreground embed is doing, not that no
embed worker seems to run."""

import io
import subprocess

from django.core.management import call_command

from paperhub.core import process
from paperhub.jobs import activity
from paperhub.jobs.models import Activity
from paperhub.management.commands import index
from paperhub.papers.services import upsert_papers
from tests.factories import record

NO_WORKER = "is one running?"


def _status() -> str:
    out = io.StringIO()
    call_command("index", "status", stdout=out)
    return out.getvalue()


def test_index_status_says_what_a_distill_is_doing(db, search_dir):
    upsert_papers([record(f"2501.{i:05d}", title=f"Paper {i} on graphs") for i in range(3)])
    assert NO_WORKER in _status()

    distill = index.Command()
    distill._distill_step("teacher vectors: 1,200 of 5,000")  # as `index distill` reports each step
    said = _status()
    assert (f"in progress: `paperhub index distill` ({process.identity()}): building the static model: teacher "
            "embedding (the transformer's vectors of its sample, stored as they are made): 1,200 of 5,000 papers"
            ) in said
    assert "no vectors made in the last 10 minutes by embed workers, while `paperhub index distill` runs" in said
    assert NO_WORKER not in said

    distill._distill_step("training: epoch 2, held-out loss 0.1234")
    assert "building the static model: training, epoch 2, held-out loss 0.1234" in _status()
    activity.finish("distill")
    assert NO_WORKER in _status() and "in progress" not in _status()


def test_index_update_during_a_distill_says_it_is_being_built(db, search_dir):
    """It said "no static model yet: run `paperhub index distill`" while that very command ran."""
    upsert_papers([record("2501.00001", title="Paper on graphs")])
    err = io.StringIO()
    call_command("index", "update", stdout=io.StringIO(), stderr=err)
    assert "no static model yet: run `paperhub index distill`" in err.getvalue()
    index.Command()._distill_step("teacher vectors: 1,200 of 5,000")
    err = io.StringIO()
    call_command("index", "update", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == (f"static vectors skipped: the static model is being built (`paperhub index distill`, "
                              f"{process.identity()}); they are made once it is done (`paperhub index update` again, "
                              "or the watcher)\n")


def test_a_killed_commands_report_is_ignored(db):
    ended = subprocess.Popen(["true"])
    ended.wait()
    activity.report("embed", "minilm vectors being stored: 128 of 1,000 papers")
    Activity.objects.filter(name="embed").update(holder=f"{process.HOST}:{ended.pid}")
    assert activity.current() == []
    Activity.objects.filter(name="embed").update(holder="another-machine:1")  # cannot be seen to be gone
    assert [d.doing for d in activity.current()] == ["minilm vectors being stored: 128 of 1,000 papers"]
