"""A sign-up's mail under load: seconds from queueing a verification mail to its arrival at an SMTP server.

    python -m bench.maildelay --json

In a scratch hub, `paperhub serve --task-workers 1 --embed-workers 1` runs with an SMTP server (aiosmtpd) on
loopback in this process; its task worker is held by an offline arXiv harvest (`jobs enqueue ingest arxiv`: no
network, so it retries its sources), and once the web worker and the embed worker are ready, one normal-priority
CPU burner per core stands in for a new hub's first static model build (`index distill`). Then a verification mail
is queued. Reported: its delay, and each of serve's helper processes with its resident memory (VmRSS) and
scheduling class (TS: normal, IDL: idle).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.firstrun import free_port
from testbed.smtpsink import SmtpSink

QUEUE_MAIL = """
import time
from django.contrib.auth.models import User
from paperhub.accounts import services
services.queue_verification(User.objects.create_user("ann", "ann@example.org", "pw-1234-abcd"), "http://hub.example")
print(time.time())
"""


def _helpers(serve: int) -> list[dict[str, object]]:
    """serve's child processes other than its web workers: command line, VmRSS (MB), scheduling class."""
    found = []
    for line in subprocess.run(["ps", "-o", "pid=,cls=,args=", "--ppid", str(serve)], capture_output=True,
                               text=True).stdout.splitlines():
        pid, cls, args = line.split(None, 2)
        if " worker" in args:
            rss = next(int(f.split()[1]) for f in Path(f"/proc/{pid}/status").read_text().splitlines()
                       if f.startswith("VmRSS:"))
            found.append({"command": args.partition("paperhub.cli ")[2], "rss_mb": round(rss / 1024), "class": cls})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sink = SmtpSink()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="paperhub-maildelay-") as work:
        env = {**os.environ, "PAPERHUB_DATA_DIR": work, "DATABASE_URL": f"sqlite:///{work}/hub.sqlite3",
               "PAPERHUB_SCHEDULE": "", "PAPERHUB_EMAIL_HOST": "127.0.0.1", "PAPERHUB_EMAIL_PORT": str(sink.port)}
        cli = [sys.executable, "-m", "paperhub.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*cli, "jobs", "enqueue", "ingest", "arxiv", "--categories", "cs.CL", "--since",
                        "2026-11-20"], env=env, check=True, capture_output=True)
        with open(Path(work) / "serve.log", "w") as log:
            serve = subprocess.Popen([*cli, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                      "--no-index-watch", "--task-workers", "1", "--embed-workers", "1"],
                                     env=env, stdout=log, stderr=subprocess.STDOUT)
        burners: list[subprocess.Popen[bytes]] = []
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            time.sleep(8)  # the task worker holds the harvest; the embed worker has loaded its model
            burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
            time.sleep(2)
            queued = float(subprocess.run([*cli, "shell", "-c", QUEUE_MAIL], env=env, check=True,
                                          capture_output=True, text=True).stdout.split()[-1])
            while not sink.accepted and time.time() < queued + 180:
                time.sleep(0.05)
            result = {"mail_delay_s": round(time.time() - queued, 2) if sink.accepted else None,
                      "helpers": _helpers(serve.pid)}
        finally:
            for burner in burners:
                burner.kill()
            serve.terminate()
            serve.wait(90)
            sink.close()
    print(json.dumps(result) if args.json else result)


if __name__ == "__main__":
    main()
