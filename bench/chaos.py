"""Crash safety: SIGKILL ingest, index building and digest sending at random moments, run them again, and check
that nothing was lost, duplicated or sent twice.

    python -m bench.chaos --trials 50 --json
    python -m bench.chaos --trials 50 --database-url postgres://paperhub:paperhub@127.0.0.1/paperhub --json

Input: the first --papers records of the shared recent arXiv file, with --repeats of them appearing a second
time (a snapshot that lists a paper twice). Each trial starts from a copy of a migrated hub holding
--subscribers confirmed daily subscribers, and runs, as cron would (`paperhub ...` subprocesses):

1. `ingest snapshot FILE` (a feed rule puts cs.CL papers in their day's feed), SIGKILLed at a random moment;
2. `index update` (keyword index + static vectors), or in odd trials a finished update then `index rebuild`,
   SIGKILLed at a random moment;
3. `digests send` for the busiest day, SIGKILLed at a random moment;

each followed by plain reruns until one exits 0. The kill takes the whole process group (ingest's parser
child with it). Kill moments are uniform over 25-95% of the job's unkilled run time, measured first.
Then it checks: papers == the input's distinct ids (none lost, no duplicate rows), the keyword index holds
exactly the database's papers once each with their current titles, the static vector index holds exactly
the stored vectors, and the SMTP server (aiosmtpd on loopback, in this process) received each subscriber's
digest exactly once: `double_sent` counts subscribers who got it more than once, `held_twice` those who got
two different Message-IDs (a mailbox keeps one copy of one Message-ID).
"""

import argparse
import json
import lzma
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from testbed.scratch import copy_database, drop_database, new_database
from testbed.smtpsink import SmtpSink

SHARED = Path(os.environ.get("PAPERHUB_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
CLI = [sys.executable, "-m", "paperhub.cli"]

SUBSCRIBE = """
from datetime import datetime, UTC
from paperhub.digests.models import Subscription
Subscription.objects.bulk_create([Subscription(email=f"reader{i}@example.org", confirmed_at=datetime(2025, 1, 1,
                                  tzinfo=UTC)) for i in range({n})])
"""

VERIFY = """
import json, os, random
import tantivy
from django.db.models import Count
from paperhub.digests.models import Delivery
from paperhub.papers.models import Paper, PaperAuthor
from paperhub.search.keyword_files import keyword_index
from paperhub.search.vector_files import vector_index
from paperhub.search.models import PaperVector
expected = set(open(os.environ["CHAOS_IDS"]).read().split())
uids = list(Paper.objects.values_list("uid", flat=True))
db_ids = set(Paper.objects.values_list("id", flat=True))
index = keyword_index()
indexed = [i for i, _ in index.ids(tantivy.Query.all_query(), max(1, index.num_docs))] if index else []
titles = dict(Paper.objects.values_list("id", "title"))
sample = random.Random(0).sample(sorted(db_ids), min(200, len(db_ids)))
from paperhub.search import keyword_queries
found = index.search(keyword_queries.with_ids(sample), len(sample))[1] if index else []
stored = {int(d["id"][0]): d["title"][0] for _, d in found}
vec = vector_index("static")._current()
vec_keys = set(int(k) for k in vec.keys) if vec is not None else set()
print(json.dumps({
    "papers": len(uids), "distinct_uids": len(set(uids)),
    "lost": len(expected - set(uids)), "unexpected": len(set(uids) - expected),
    "authorship_dups": PaperAuthor.objects.values("paper_id", "position").annotate(n=Count("id"))
                       .filter(n__gt=1).count(),
    "index_docs": index.num_docs if index else 0, "index_distinct": len(set(indexed)),
    "index_missing": len(db_ids - set(indexed)), "index_extra": len(set(indexed) - db_ids),
    "index_stale_titles": sum(1 for i in sample if stored.get(i) != titles[i]),
    "vectors_stored": PaperVector.objects.filter(model="static").count(), "vector_keys": len(vec_keys),
    "vector_mismatch": len(vec_keys ^ set(PaperVector.objects.filter(model="static")
                                         .values_list("paper_id", flat=True))),
    "deliveries": dict(Delivery.objects.values_list("status").annotate(n=Count("id"))),
}))
"""


def _prepare_input(work: Path, papers: int, repeats: int, rng: random.Random) -> tuple[Path, Path, int, str]:
    """A snapshot file of the first `papers` records plus `repeats` of them again; the ids file; the busiest day."""
    source = SHARED / "arxiv" / "recent-2025-2026.jsonl.xz"
    if not source.exists():
        sys.exit(f"the shared data is not at {SHARED} (set PAPERHUB_SHARED_DATA)")
    lines: list[bytes] = []
    with lzma.open(source) as stream:
        for line in stream:
            lines.append(line)
            if len(lines) >= papers:
                break
    lines += rng.sample(lines, min(repeats, len(lines)))
    rng.shuffle(lines)
    path = work / "input.jsonl"
    path.write_bytes(b"".join(lines))
    ids = sorted({json.loads(line)["id"] for line in lines})
    ids_path = work / "ids.txt"
    ids_path.write_text("\n".join(ids))
    from collections import Counter
    from email.utils import parsedate_to_datetime

    days = Counter(parsedate_to_datetime(json.loads(line)["versions"][0]["created"]).date() for line in lines
                   if "cs.CL" in json.loads(line)["categories"].split())
    busiest = max(days, key=lambda d: days[d])
    from datetime import timedelta

    return path, ids_path, len(ids), (busiest + timedelta(days=1)).isoformat()


def _run(argv: list[str], env: dict[str, str], kill_after: float | None) -> tuple[float, bool, int]:
    """Run a command; SIGKILL its process group after `kill_after` seconds. (seconds, killed, exit status)."""
    started = time.perf_counter()
    process = subprocess.Popen([*CLI, *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    if kill_after is not None:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return time.perf_counter() - started, True, -9
    _, err = process.communicate()
    if process.returncode:
        sys.stderr.write(f"paperhub {' '.join(argv)} exited {process.returncode}: {err.decode()[-800:]}\n")
    return time.perf_counter() - started, False, process.returncode


def _until_done(argv: list[str], env: dict[str, str], attempts: int = 5) -> int:
    for attempt in range(1, attempts + 1):
        if _run(argv, env, None)[2] == 0:
            return attempt
    raise RuntimeError(f"paperhub {' '.join(argv)} failed {attempts} times in a row")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=500, help="records listed a second time in the input")
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to make scratch databases on")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, help="keep the scratch files here (default: a temporary directory)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = args.work or Path(tempfile.mkdtemp(prefix="paperhub-chaos-"))
    work.mkdir(parents=True, exist_ok=True)
    sink = SmtpSink()
    snapshot, ids_path, distinct, send_day = _prepare_input(work, args.papers, args.repeats, rng)
    base_env = {**os.environ, "PAPERHUB_SCHEDULE": "", "PAPERHUB_FEED_CATEGORIES": "cs.CL",
                "PAPERHUB_EMAIL_HOST": "127.0.0.1", "PAPERHUB_EMAIL_PORT": str(sink.port),
                "PAPERHUB_LOG_LEVEL": "WARNING", "CHAOS_IDS": str(ids_path)}
    # The template: migrated, subscribers in, and a distilled static model every trial shares.
    template_dir = work / "template"
    template_dir.mkdir(exist_ok=True)
    template = new_database(template_dir, args.database_url)
    template_env = {**base_env, "PAPERHUB_DATA_DIR": str(template_dir), "DATABASE_URL": template}
    subprocess.run([*CLI, "migrate", "-v0"], env=template_env, check=True)
    subprocess.run([*CLI, "shell", "-v0", "-c", SUBSCRIBE.replace("{n}", str(args.subscribers))],
                   env=template_env, check=True)
    models = work / "models"
    if not (models / "static" / "model.safetensors").exists():
        subprocess.run([*CLI, "index", "distill"], env={**template_env, "PAPERHUB_DATA_DIR": str(work)},
                       check=True, stdout=subprocess.DEVNULL)
    ingest = ["ingest", "snapshot", str(snapshot)]
    send = ["digests", "send", "--frequency", "daily", "--date", send_day]
    trials: list[dict[str, Any]] = []
    durations: dict[str, float] = {}
    started = time.perf_counter()
    for trial in range(args.trials + 1):  # trial 0 measures the unkilled durations
        trial_dir = work / f"trial{trial}"
        shutil.rmtree(trial_dir, ignore_errors=True)
        trial_dir.mkdir()
        (trial_dir / "models").symlink_to(models)
        database = copy_database(template, trial_dir)
        env = {**base_env, "PAPERHUB_DATA_DIR": str(trial_dir), "DATABASE_URL": database}
        sink.accepted.clear()
        index_job = ["index", "update"] if trial % 2 == 0 else ["index", "rebuild"]
        record: dict[str, Any] = {"trial": trial, "index_job": " ".join(index_job), "kills": {}, "reruns": {}}
        try:
            for name, argv in (("ingest", ingest), ("index", index_job), ("digests", send)):
                if name == "index" and index_job[1] == "rebuild":
                    _until_done(["index", "update"], env)  # a rebuild replaces an index already served
                if trial == 0:
                    durations[name], _, status = _run(argv, env, None)
                    assert status == 0, f"{name} failed without any kill"
                    if name == "index":  # a rebuild over a built index takes its own time
                        durations["index rebuild"], _, status = _run(["index", "rebuild"], env, None)
                        assert status == 0, "index rebuild failed without any kill"
                    continue
                timing = "index rebuild" if argv == ["index", "rebuild"] else name
                kill_at = rng.uniform(0.25, 0.95) * durations[timing]
                _, killed, _ = _run(argv, env, kill_at)
                record["kills"][name] = round(kill_at, 2) if killed else None
                record["reruns"][name] = _until_done(argv, env)
            time.sleep(0.3)  # the last acceptances reach the sink's log
            verify = subprocess.run([*CLI, "shell", "-v0", "-c", VERIFY], env=env, capture_output=True, text=True,
                                    check=True)
            facts = json.loads(verify.stdout)
            received: dict[str, list[str]] = {}
            for recipient, message_id in sink.headers("Message-ID"):
                received.setdefault(recipient, []).append(message_id)
            wanted = [f"reader{i}@example.org" for i in range(args.subscribers)]
            facts.update(
                digests_missing=sum(1 for a in wanted if not received.get(a)),
                double_sent=sum(1 for a in wanted if len(received.get(a, [])) > 1),
                held_twice=sum(1 for a in wanted if len(set(received.get(a, []))) > 1),
            )
            record["facts"] = facts
        finally:
            drop_database(database)
            shutil.rmtree(trial_dir, ignore_errors=True)
        if trial:
            trials.append(record)
        if not args.json:
            print(json.dumps(record), file=sys.stderr)
    sink.close()
    drop_database(template)

    def total(key: str) -> int:
        return sum(t["facts"][key] for t in trials)

    lost = total("lost")
    duplicated = sum(t["facts"]["papers"] - t["facts"]["distinct_uids"] + t["facts"]["authorship_dups"]
                     + t["facts"]["index_docs"] - t["facts"]["index_distinct"] for t in trials)
    index_disagrees = sum(1 for t in trials if t["facts"]["index_missing"] or t["facts"]["index_extra"]
                          or t["facts"]["index_stale_titles"] or t["facts"]["vector_mismatch"]
                          or t["facts"]["index_docs"] != t["facts"]["papers"])
    result = {
        "database": "postgresql" if template.startswith("postgres") else "sqlite",
        "trials": len(trials), "papers_in_input": distinct, "input_records": args.papers + args.repeats,
        "subscribers": args.subscribers, "unkilled_seconds": {k: round(v, 2) for k, v in durations.items()},
        "kills_landed": {job: sum(1 for t in trials if t["kills"].get(job) is not None)
                         for job in ("ingest", "index", "digests")},
        "reruns_max": {job: max(t["reruns"][job] for t in trials) for job in ("ingest", "index", "digests")},
        "lost": lost, "unexpected": total("unexpected"), "duplicated": duplicated,
        "index_disagrees_trials": index_disagrees,
        "digests_missing": total("digests_missing"), "double_sent": total("double_sent"),
        "held_twice": total("held_twice"),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "seconds_per_trial": round((time.perf_counter() - started) / (len(trials) + 1), 1),
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
