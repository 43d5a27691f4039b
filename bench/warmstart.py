"""How soon a started `paperhub serve` answers: /api/health, / and a hybrid search sent 1 s after the start.

    python -m bench.warmstart --hub /work/webhub --runs 3

Serves an existing hub (its data directory, SQLite database inside; read, never changed: no watcher, no workers, no
schedule) on --port, once per run, and prints per run each request's time to its first byte, counted from when it
was sent (a connection refused before the server binds is tried again), and when each web worker said that search
is warm.
"""

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time

PATHS = ("/api/health", "/", "/api/search?q=protein+folding+with+diffusion")


def _first_byte(port: int, path: str, answers: dict[str, tuple[int, float]]) -> None:
    sent = time.monotonic()
    while time.monotonic() - sent < 300:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            connection.request("GET", path)
            response = connection.getresponse()
            answers[path] = (response.status, time.monotonic() - sent)
            response.read()
            return
        except ConnectionRefusedError:
            time.sleep(0.05)


def one_start(hub: str, port: int) -> dict[str, object]:
    """One start of the server: each request's (status, seconds to first byte), and the workers' warm-up lines."""
    env = {**os.environ, "PAPERHUB_DATA_DIR": hub, "DATABASE_URL": f"sqlite:///{hub}/paperhub.sqlite3",
           "PAPERHUB_SCHEDULE": ""}
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "paperhub.cli", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--task-workers", "0", "--embed-workers", "0", "--no-index-watch"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    warm: list[str] = []

    def read() -> None:
        for line in server.stdout or ():
            if b"search ready in" in line:
                warm.append(f"{time.monotonic() - started:.1f} s ({line.decode().split(': ', 1)[-1].strip()})")

    threading.Thread(target=read, daemon=True).start()
    time.sleep(1)
    answers: dict[str, tuple[int, float]] = {}
    senders = [threading.Thread(target=_first_byte, args=(port, path, answers)) for path in PATHS]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    deadline = time.monotonic() + 300
    while len(warm) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(60)
    return {"first_byte_s": {path: (status, round(seconds, 2)) for path, (status, seconds) in answers.items()},
            "warm_after_start": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", required=True, help="the hub's data directory (paperhub.sqlite3 inside)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8055)
    args = parser.parse_args()
    for run in range(args.runs):
        result = one_start(args.hub.rstrip("/"), args.port)
        print(f"run {run + 1}: {re.sub(r'[{}]', '', str(result))}", flush=True)


if __name__ == "__main__":
    main()
