"""Test data: snapshot lines, PaperRecords, papers, users and feed entries with sensible defaults."""

import gzip
import json
import lzma
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models.signals import pre_save
from django.utils import timezone

from paperhub.accounts.models import VerifiedAddress
from paperhub.community.models import AuthorClaim
from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.records import PaperRecord
from paperhub.papers.services import upsert_papers

FIXTURES = Path(__file__).parent / "fixtures"


def snapshot_object(arxiv_id: str = "2501.00001", **overrides: Any) -> dict[str, Any]:
    """One arXiv snapshot object, as found in the bulk metadata file."""
    obj: dict[str, Any] = {
        "id": arxiv_id,
        "submitter": "Ada Lovelace",
        "authors": "Ada Lovelace, Charles Babbage",
        "title": f"Paper {arxiv_id}",
        "comments": "10 pages",
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "cs.CL cs.LG",
        "license": "http://creativecommons.org/licenses/by/4.0/",
        "abstract": f"  Abstract of {arxiv_id} with $x^2$ math.\n",
        "versions": [{"version": "v1", "created": "Mon, 6 Jan 2025 18:00:00 GMT"}],
        "update_date": "2025-01-06",
        "authors_parsed": [["Lovelace", "Ada", ""], ["Babbage", "Charles", ""]],
    }
    obj.update(overrides)
    return obj


def write_snapshot(path: Path, lines: list[Any]) -> Path:
    """Write objects (dicts) or raw lines (bytes/str) as a snapshot file, compressed by the file's suffix."""
    data = b"".join(
        (line if isinstance(line, bytes) else (line if isinstance(line, str) else json.dumps(line)).encode())
        + b"\n"
        for line in lines
    )
    if path.suffix == ".xz":
        data = lzma.compress(data)
    elif path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def record(uid: str = "2501.00001", **overrides: Any) -> PaperRecord:
    """A PaperRecord as a parser would make it."""
    fields: dict[str, Any] = {
        "uid": uid,
        "title": f"Paper {uid}",
        "source": "test",
        "abstract": "An abstract.",
        "authors": ("Ada Lovelace", "Charles Babbage"),
        "categories": ("cs.CL", "cs.LG"),
        "version": 1,
        "published": datetime(2025, 1, 6, 18, tzinfo=UTC),
        "updated": datetime(2025, 1, 6, 18, tzinfo=UTC),
    }
    fields.update(overrides)
    return PaperRecord(**fields)


#: The password of users made here, unless a test gives its own.
PASSWORD = "a-long-password-1"


def user(name: str = "ann", email: str | None = None, password: str = PASSWORD, **fields: Any) -> User:
    """A user who can log in, at name@example.org unless told otherwise."""
    return User.objects.create_user(name, f"{name}@example.org" if email is None else email, password, **fields)


def feed_entry(paper: Paper, day: date, source: str = "rule", **fields: Any) -> FeedEntry:
    """The paper in the feed of `day`, picked by the rule unless told otherwise."""
    return FeedEntry.objects.create(paper=paper, day=day, source=source, **fields)


def verified(person: User) -> User:
    """The user, with their address proved (as following the verification link does)."""
    VerifiedAddress.objects.create(user=person, email=person.email.lower())
    return person


def approved_claim(person: User, paper: Paper, position: int = 0) -> AuthorClaim:
    """The user as a verified author of the paper: their claim of its author at `position`, approved."""
    author_id = paper.authorships.get(position=position).author_id
    return AuthorClaim.objects.create(user=person, paper=paper, author_id=author_id, status=AuthorClaim.APPROVED,
                                      decided_at=timezone.now())


def add_paper(uid: str = "2501.00001", **overrides: Any) -> Paper:
    """A paper in the database, stored from a record as ingest stores it."""
    upsert_papers([record(uid, **overrides)])
    return Paper.objects.get(uid=uid)


def fresh_window(seconds: int = 60, room: float = 15.0) -> None:
    """Wait, if need be, until the current rate-limit window (core.limits: fixed, aligned to `seconds`) has `room`
    seconds left: a test counting requests against a limit fails when its requests straddle two windows."""
    left = seconds - time.time() % seconds
    if left < room:
        time.sleep(left + 0.05)


def _json_column(value: Any) -> Any:
    """A JSON column's value: text from SQLite, already decoded by psycopg."""
    return json.loads(value) if isinstance(value, str) else value


def queued_tasks(hub: Any, queue: str = "") -> list[dict[str, Any]]:
    """A hub's tasks in their queue's order, read straight from its database: a `paperhub shell` per poll would
    take a second of the CPU that the workers a test waits for need."""
    from testbed.scratch import query_rows

    where = f" WHERE queue_name = '{queue}'" if queue else ""
    rows = query_rows(hub.database_url, "SELECT status, worker_ids, args_kwargs, return_value, traceback FROM "
                                        f"django_tasks_database_dbtaskresult{where} ORDER BY priority DESC, run_after, "
                                        "enqueued_at")
    return [{"status": status, "workers": _json_column(workers), "args": _json_column(args)["args"],
             "result": _json_column(result), "error": (error or "")[-300:]}
            for status, workers, args, result, error in rows]


def hub_count(hub: Any, sql: str) -> int:
    """A count read straight from a hub's database (as queued_tasks)."""
    from testbed.scratch import query_one

    return int(query_one(hub.database_url, sql)[0])


def at_once(act: Callable[[Any], Any], args: Sequence[Any],
            refused: type[Exception] | tuple[type[Exception], ...] = ()) -> list[Any]:
    """act(arg) for each of `args`, all in threads released at the same instant, each on a database connection of its
    own (a test with transaction=True): what each returned, or the `refused` exception it raised, in the order they
    ended."""
    start, outcomes = threading.Barrier(len(args)), []

    def run(arg: Any) -> None:
        try:
            start.wait(10)
            outcomes.append(act(arg))
        except refused as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def at_once_before_saving(model: type[Any], act: Callable[[Any], Any], args: Sequence[Any],
                          refused: type[Exception] | tuple[type[Exception], ...] = ()) -> list[Any]:
    """at_once(act, args, refused), each thread held before it saves a `model` row until the others reach that
    point too (or a second has passed: one waits on a lock the others hold), so that all of them have counted
    what is held before any adds to it: a cap counted without a lock lets each of them in."""
    met = threading.Barrier(len(args))

    def meet(**_: Any) -> None:
        with suppress(threading.BrokenBarrierError):
            met.wait(1)

    pre_save.connect(meet, sender=model, weak=False)
    try:
        return at_once(act, args, refused)
    finally:
        pre_save.disconnect(meet, sender=model)


def wait_until(condition: Callable[[], object], seconds: float, what: str, every: float = 0.2) -> None:
    """Poll `condition` until it holds; fail the test naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def small_keyword_index(path: Path, papers: dict[int, tuple[str, str, tuple[str, ...]]]) -> Any:
    """A keyword index of a few papers (id: title, abstract, authors), no database: for ranking and analysis."""
    from paperhub.search import keyword, keyword_schema

    index = keyword.KeywordIndex(path)
    writer = index.writer(heap_mb=15)
    for pid, (title, abstract, authors) in papers.items():
        writer.add_document(keyword_schema.document(keyword_schema.IndexedPaper(
            id=pid, uid=f"2501.{pid:05d}", title=title, abstract=abstract, authors=authors, categories=("cs.LG",),
            day=20250101)))
    writer.commit()
    del writer
    index.refresh()
    return index
