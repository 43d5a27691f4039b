"""A newcomer's first run without network: `make run` from a fresh clone with arXiv unreachable, timed until the hub
shows the bundled sample.

    python -m bench.firstrun --json              # --repo DIR: the checkout to clone (default: this one's HEAD)

Clones the repository's committed HEAD into a scratch directory, runs `make install` there (timed apart: it is
not part of the figure), then starts `make run` with the arXiv API pointed at a closed port (a free port nothing
listens on), no PAPERHUB_BOOTSTRAP and the server on a free port, and polls every second for the moments when
the home page lists papers, the newest sample day's Daily page lists them, a paper page shows similar papers
(any, then "close in meaning" ones, which need the static model) and the topic map is built. Seconds are counted
from the start of `make run`.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode())
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT)
    parser.add_argument("--limit", type=float, default=900, help="give up after this many seconds of `make run`")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
    import django

    django.setup()
    from django.urls import reverse

    from paperhub.ingest import bundled

    facts = bundled.sample_facts()
    from paperhub.papers.feeds import rule_day

    uid = min(r.uid for r in bundled.sample_records() if r.published and rule_day(r.uid, r.published) == facts.last)
    paper = reverse("paper", args=[uid])
    newest = (f'<time datetime="{facts.last.isoformat()}">', 'class="card"')  # a card of the sample's newest day
    with tempfile.TemporaryDirectory(prefix="paperhub-firstrun-") as scratch:
        clone = Path(scratch) / "paperhub"
        subprocess.run(["git", "clone", "-q", str(args.repo), str(clone)], check=True)
        started = time.monotonic()
        subprocess.run(["make", "install"], cwd=clone, check=True, capture_output=True)
        installed = time.monotonic() - started
        port, closed = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERHUB_", "DATABASE_URL", "DJANGO_"))}
        env.update(PAPERHUB_ARXIV_API_URL=f"http://127.0.0.1:{closed}/api/query", PAPERHUB_BIND=f"127.0.0.1:{port}")
        base = f"http://127.0.0.1:{port}"
        checks = {  # (the page, what it shows once ready)
            "home_lists_papers": (reverse("home"), newest),
            "daily_shows_the_newest_day": (reverse("day", args=[facts.last.isoformat()]), newest),
            "similar_papers": (paper, ('class="similar"',)),
            "similar_close_in_meaning": (paper, ("close in meaning",)),
            "map_built": (reverse("map"), ("<canvas",)),
        }
        seen: dict[str, float] = {}
        log = (Path(scratch) / "run.log").open("w")
        started = time.monotonic()
        run = subprocess.Popen(
            ["make", "run"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            while len(seen) < len(checks) and time.monotonic() - started < args.limit and run.poll() is None:
                for name, (path, markers) in checks.items():
                    text = "" if name in seen else page(base + path)
                    if text and all(m in text for m in markers):
                        seen[name] = round(time.monotonic() - started, 1)
                time.sleep(1)
        finally:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait(60)
            log.close()
        said = [line for line in (Path(scratch) / "run.log").read_text().splitlines() if "bundled sample" in line]
    figures = {
        "sample_papers": len(facts.uids),
        "install_s": round(installed, 1),
        "seconds_after_make_run": seen,
        "missing": sorted(set(checks) - set(seen)),
        "message": said[:1],
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(figures, indent=2) if args.json else figures)


if __name__ == "__main__":
    main()
