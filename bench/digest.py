"""Digest sending: seconds to build and hand N digests to a local SMTP server, and how many each subscriber got.

    python -m bench.digest --subscribers 10000 --json
    python -m bench.digest --subscribers 10000 --kills 5 --json    # SIGKILL the sender 5 times, then finish

In a scratch hub: 30 papers in yesterday's feed, N confirmed daily subscribers; an SMTP server (aiosmtpd) runs
on loopback in this process and logs every message it accepts. `paperhub digests send` runs as cron would run
it (a subprocess); with --kills it is killed with SIGKILL at random moments and started again until it
finishes. Reported: wall time of the sending runs, messages accepted per subscriber (min/max, must be 1 and 1),
distinct Message-IDs per subscriber, and raw duplicates (the same message accepted twice, which can happen
only for the one message in flight at a kill).
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

from testbed.smtpsink import SmtpSink

SETUP = """
from datetime import datetime, timedelta, UTC
from paperhub.digests.models import Subscription
from paperhub.papers.models import FeedEntry, Paper
from paperhub.papers.records import PaperRecord
from paperhub.papers.services import upsert_papers
day = datetime(2026, 11, 23, 9, tzinfo=UTC)
upsert_papers([PaperRecord(uid=f"2611.{i:05d}", title=f"Paper {i} on sparse attention", source="bench",
               abstract="We study things. " * 20, authors=("Ada Lovelace", "Alan Turing"), categories=("cs.CL",),
               published=day) for i in range(1, 31)])
FeedEntry.objects.bulk_create([FeedEntry(paper=p, day=day.date(), source="rule", external_upvotes=p.pk % 7)
                               for p in Paper.objects.all()])
Subscription.objects.bulk_create([Subscription(email=f"reader{i}@example.org", confirmed_at=day)
                                  for i in range({n})], batch_size=2000)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=0, help="SIGKILL the sender this many times first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sink = SmtpSink()
    with tempfile.TemporaryDirectory(prefix="paperhub-digest-") as work:
        env = {**os.environ, "PAPERHUB_DATA_DIR": work, "DATABASE_URL": f"sqlite:///{work}/hub.sqlite3",
               "PAPERHUB_EMAIL_HOST": "127.0.0.1", "PAPERHUB_EMAIL_PORT": str(sink.port),
               "PAPERHUB_LOG_LEVEL": "WARNING"}
        cli = [sys.executable, "-m", "paperhub.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*cli, "shell", "-c", SETUP.replace("{n}", str(args.subscribers))], env=env, check=True)
        send = [*cli, "digests", "send", "--frequency", "daily", "--date", "2026-11-24"]
        started = time.perf_counter()
        kills = 0
        while kills < args.kills:
            run = subprocess.Popen(send, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.5, 2.0) + 1.0)  # past start-up, into the sending
            if run.poll() is not None:
                break  # it finished before the kill
            run.send_signal(signal.SIGKILL)
            run.wait()
            kills += 1
        final = subprocess.run(send, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        time.sleep(0.5)  # the last acceptances reach the log
    sink.close()
    log = sink.headers("Message-ID")
    per_address: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    for recipient, message_id in log:
        per_address[recipient] = per_address.get(recipient, 0) + 1
        ids.setdefault(recipient, set()).add(message_id)
    counts = [per_address.get(f"reader{i}@example.org", 0) for i in range(args.subscribers)]
    distinct = [len(ids.get(f"reader{i}@example.org", ())) for i in range(args.subscribers)]
    result = {
        "subscribers": args.subscribers, "kills": kills, "seconds": round(seconds, 1),
        "messages_per_s": round(len(log) / seconds, 1), "messages": len(log),
        "received_min": min(counts), "received_max": max(counts),
        "distinct_message_ids_min": min(distinct), "distinct_message_ids_max": max(distinct),
        "raw_duplicates": len(log) - sum(1 for c in counts if c),
        "exactly_once": min(distinct) == max(distinct) == 1,
        "sender_said": final.stdout.strip().splitlines()[-1:] + final.stderr.strip().splitlines()[-1:],
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
