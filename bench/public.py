"""What the public-hub defences cost and show (issue 16), in a scratch hub through Django's test client.

    python -m bench.public --json

- `limit_ms`: one counted request (`limits.over_limit`, one upsert in the database), mean of 2,000.
- `page_ms`: the search page, median of 200, without the page rate limit and with it (a rate never reached).
- `reset_ms`: a password reset request for an address a verified account holds and for an unknown one, median
  of 50 each: equal when the answer tells nothing (the mail goes from the queue).
- `logins_until_locked`: wrong passwords from one address before the right one is refused.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path


def _median_ms(call: Callable[[], object], times: int) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return round(statistics.median(spent) * 1000, 3)


def measure() -> dict:
    """Every figure of the module's docstring, from a fresh scratch hub."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client, RequestFactory
    from django.test.utils import setup_test_environment

    from paperhub.accounts.models import VerifiedAddress
    from paperhub.core import limits
    from paperhub.papers.records import PaperRecord

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from paperhub.papers.services import upsert_papers
    from paperhub.search import update

    when = datetime(2025, 1, 6, 18, tzinfo=UTC)
    upsert_papers([PaperRecord(uid=f"2611.{i:05d}", title=f"Attention paper {i}", source="bench",
                               abstract="An abstract.", authors=("Ada Lovelace", "Charles Babbage"),
                               categories=("cs.CL", "cs.LG"), version=1, published=when, updated=when)
                   for i in range(1, 200)])
    update()  # the keyword index, so the search page searches
    settings.PAPERHUB_SIGNUP_RATE = settings.PAPERHUB_RESET_RATE = settings.PAPERHUB_RESET_ADDRESS_RATE = ""
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.1")
    started = time.perf_counter()
    for _ in range(2000):
        limits.over_limit(request, "bench", "1000000/min")
    limit_ms = (time.perf_counter() - started) / 2000 * 1000

    client = Client()
    settings.PAPERHUB_PAGE_RATE = ""
    client.get("/papers/search?q=attention")
    without = _median_ms(lambda: client.get("/papers/search?q=attention"), 200)
    settings.PAPERHUB_PAGE_RATE = "1000000/min"
    with_limit = _median_ms(lambda: client.get("/papers/search?q=attention"), 200)

    known = User.objects.create_user("reader", "reader@example.org", "a-long-password-9")
    VerifiedAddress.objects.create(user=known, email=known.email)
    for name in range(20):  # accounts sharing the address, as the probe made them
        User.objects.create_user(f"other{name}", "reader@example.org", "a-long-password-9")
    reset = {email: _median_ms(lambda email=email: client.post("/accounts/password_reset/", {"email": email}), 50)
             for email in ("reader@example.org", "nobody@example.org")}

    tries = 0
    while tries < 1000:
        tries += 1
        if client.post("/accounts/login/", {"username": "reader", "password": "wrong"}).status_code == 429:
            break
    right = client.post("/accounts/login/", {"username": "reader", "password": "a-long-password-9"}).status_code
    return {"limit_ms": round(limit_ms, 3), "page_ms": {"without_limit": without, "with_limit": with_limit},
            "reset_ms": {"known": reset["reader@example.org"], "unknown": reset["nobody@example.org"]},
            "logins_until_locked": tries, "right_password_after_lockout": right}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        os.environ.update({"PAPERHUB_DATA_DIR": root, "DATABASE_URL": f"sqlite:///{Path(root) / 'hub.sqlite3'}",
                           "PAPERHUB_SEARCH_DIR": str(Path(root) / "search"), "PAPERHUB_ALLOWED_HOSTS": "testserver",
                           "PAPERHUB_LOG_LEVEL": "ERROR"})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        import django

        django.setup()
        print(json.dumps(measure(), indent=2))


if __name__ == "__main__":
    main()
