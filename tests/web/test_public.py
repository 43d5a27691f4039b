"""Running in public (issue 16, item 6): TLS settings, Server-Timing, rate limits, the body cap, file modes and
logs without tokens."""

import contextlib
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from paperhub.community import curation
from paperhub.logs import redact
from tests.factories import fresh_window, user


def _paperhub(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment.update(PAPERHUB_DATA_DIR=str(data_dir), **env)
    return subprocess.run([sys.executable, "-m", "paperhub.cli", *args], env=environment, capture_output=True,
                          text=True)


def test_check_deploy_is_clean_behind_tls(tmp_path):
    done = _paperhub(tmp_path / "data", "check", "--deploy", "--fail-level", "WARNING",
                     PAPERHUB_HTTPS="true", PAPERHUB_DEBUG="false", PAPERHUB_PROXIES="1")
    assert done.returncode == 0 and "no issues" in done.stdout, done.stdout + done.stderr


def test_tls_settings_make_cookies_secure_and_trust_the_proxys_scheme(tmp_path):
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)")
    behind = _paperhub(tmp_path / "a", "shell", "-v0", "-c", code, PAPERHUB_HTTPS="true", PAPERHUB_PROXIES="1")
    assert behind.stdout.split() == ["True", "True", "True", "31536000", "('HTTP_X_FORWARDED_PROTO',", "'https')"]
    plain = _paperhub(tmp_path / "b", "shell", "-v0", "-c", code)  # no proxy: a client's X-Forwarded-Proto is not believed
    assert plain.stdout.split() == ["False", "False", "False", "0", "None"], plain.stderr


def test_a_fresh_data_directory_and_its_database_are_private(tmp_path):
    data = tmp_path / "new"
    done = _paperhub(data, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [data / "paperhub.sqlite3", data / "secret_key",
             *(data / f"paperhub.sqlite3{end}" for end in ("-wal", "-shm") if (data / f"paperhub.sqlite3{end}").exists())]
    assert {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {f.name: "0o600" for f in files}
    old = tmp_path / "old"  # made before the hub closed it: closed at the next start
    old.mkdir(mode=0o755)
    _paperhub(old, "check")
    assert stat.S_IMODE(old.stat().st_mode) == 0o700


@pytest.mark.django_db
def test_server_timing_only_when_enabled(settings):
    assert "Server-Timing" not in Client().get("/accounts/login/")
    settings.PAPERHUB_SERVER_TIMING = True
    assert Client().get("/accounts/login/")["Server-Timing"].startswith("app;dur=")


@pytest.mark.django_db
def test_expensive_pages_and_feeds_are_rate_limited_per_address(settings, search_dir):
    settings.PAPERHUB_PAGE_RATE, settings.PAPERHUB_FEED_RATE = "3/min", "2/min"
    fresh_window()  # (the requests below within one minute's window)
    client = Client(REMOTE_ADDR="203.0.113.7")
    pages = ["/papers/search?q=attention", "/trends", "/papers/date/2026-11-23", "/authors/x-1"]
    assert [client.get(url).status_code != 429 for url in pages] == [True, True, True, False]
    refused = client.get("/papers/search?q=attention")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.content.decode() and len(refused.content) < 1000
    assert client.get("/").status_code == 200  # the cheap pages are not counted
    assert Client(REMOTE_ADDR="203.0.113.8").get("/papers/search?q=attention").status_code == 200
    assert [client.get("/feeds/daily.rss").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.django_db
def test_search_bibtex_profiles_and_collections_count_as_expensive_pages(settings, search_dir):
    settings.PAPERHUB_PAGE_RATE = "4/min"
    fresh_window()
    eve = user("eve")
    listed = curation.create_collection(eve, "Reading group")
    client = Client(REMOTE_ADDR="203.0.113.9")
    pages = [reverse("search_bib") + "?q=attention", reverse("profile", args=["eve"]),
             reverse("collection", args=["eve", listed.slug]), reverse("collection_bib", args=["eve", listed.slug])]
    assert [client.get(url).status_code for url in pages] == [200, 200, 200, 200]
    assert [client.get(url).status_code for url in pages] == [429] * 4


@pytest.mark.django_db
def test_the_map_counts_as_an_expensive_page(settings, search_dir):
    """/map runs a search (q=) and a similar-papers lookup (paper=) on each request, as the search page does."""
    settings.PAPERHUB_PAGE_RATE = "2/min"
    fresh_window()
    client = Client(REMOTE_ADDR="203.0.113.10")
    assert [client.get("/map", {"q": "attention"}).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.django_db
def test_bodies_over_the_cap_are_refused_with_413(settings):
    settings.PAPERHUB_MAX_BODY, settings.PAPERHUB_IMPORT_MAX_BYTES = 1000, 100_000
    client = Client()
    assert client.post("/digests/subscribe", {"email": "x" * 2000}).status_code == 413
    assert client.post("/for-you/import", {"text": "x" * 100_000}).status_code != 413  # the import takes files
    assert client.post("/for-you/import", {"text": "x" * 200_000}).status_code == 413
    api = client.post(reverse("api:add_comment", args=["1"]), "x" * 2000, content_type="application/json")
    # each front door refuses in its own form: the API as its errors are (JSON, and the header huggingface_hub
    # reads), a feed in a line of text, a page as a page
    assert api.status_code == 413 and api.json() == {"detail": "This address takes at most 1000 bytes."}
    assert api["X-Error-Message"] == "This address takes at most 1000 bytes."
    feed = client.post(reverse("feed_daily_rss"), "x" * 2000, content_type="text/plain")
    assert feed.status_code == 413 and feed["Content-Type"].startswith("text/plain")
    mcp = client.post(reverse("mcp"), "x" * 2000, content_type="application/json")  # a JSON-RPC error, as MCP's own
    assert mcp.status_code == 413 and mcp.json() == {
        "jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "This address takes at most 1000 bytes."}}
    assert "<html" in client.post(reverse("home"), "x" * 2000, content_type="text/plain").content.decode().lower()


def _raw_request(port: int, head: str, body: bytes = b"") -> tuple[str, float]:
    """Send a request by hand (headers that promise more than is sent); the answer's status line and how long
    it took to come."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = connection.recv(4096).decode(errors="replace")
    return answer.splitlines()[0], time.perf_counter() - started


def test_the_served_hub_refuses_huge_bodies_unread_and_logs_no_tokens(hub):
    secrets = ["feedtoken-sEcReT1", "Mq-sEcReT2", "resettoken-sEcReT3", "confirm-sEcReT4", "unsub-sEcReT5",
               "feedback-sEcReT6"]
    with hub.serving(1, "--task-workers", "0") as served:
        url, port = served.url, served.port
        for path in (f"/feeds/for-you/{secrets[0]}.rss", f"/accounts/reset/{secrets[1]}/{secrets[2]}/",
                     f"/digests/confirm/{secrets[3]}", f"/digests/unsubscribe/{secrets[4]}",
                     f"/for-you/feedback/{secrets[5]}?next=/"):
            with contextlib.suppress(OSError):  # a 404, or off to log in: what matters is the log line
                urllib.request.urlopen(url + path, timeout=10).close()
        # An anonymous 150 MB POST: answered at once from its Content-Length, the body never read or spooled.
        status, seconds = _raw_request(port, f"POST /digests/subscribe HTTP/1.1\nHost: 127.0.0.1\n"
                                             f"Content-Length: {150 * 1024 * 1024}\n"
                                             "Content-Type: application/x-www-form-urlencoded\n", b"email=x")
        assert " 413 " in status and seconds < 5
        chunked, _ = _raw_request(port, "POST /digests/subscribe HTTP/1.1\nHost: 127.0.0.1\n"
                                        "Transfer-Encoding: chunked\n", b"5\r\nemail\r\n")
        assert " 411 " in chunked
    log = served.log
    assert "GET /feeds/for-you/[redacted]" in log and "Not Found: /feeds/for-you/[redacted]" in log
    # gunicorn's own lines in the hub's one format (docs/configuration.md, PAPERHUB_LOG_LEVEL)
    day = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert re.search(rf"^{day} INFO serve\[\d+\] gunicorn\.access: 127\.0\.0\.1 \"GET /feeds/for-you/\[redacted\] "
                     r'HTTP/1\.1" 404 ', log, re.M), log
    assert re.search(rf"^{day} INFO serve\[\d+\] gunicorn\.error: Booting worker with pid: \d+$", log, re.M), log
    assert not [secret for secret in secrets if secret in log], log


def test_tokens_and_credentials_are_cut_from_log_lines():
    line = ('127.0.0.1 "GET /feeds/for-you/abc.def.rss HTTP/1.1" 200 "https://hub/accounts/reset/MQ/a1b-c2d/" '
            '"/digests/confirm/xyz?next=/" "/for-you/feedback/tok123" "Authorization: Bearer ph_secret" '
            '/api/x?token=t0k&page=2')
    cleaned = redact(line)
    for secret in ("abc.def", "a1b-c2d", "xyz", "tok123", "ph_secret", "t0k"):
        assert secret not in cleaned, secret
    assert "/feeds/for-you/[redacted]" in cleaned and "page=2" in cleaned and "?next=/" in cleaned


def test_behind_a_tls_proxy_the_base_url_alone_lets_a_login_form_post_through(monkeypatch, tmp_path, settings, db):
    """nginx passes `Host: 127.0.0.1:8794` on by default, so Django's same-origin check compared the browser's
    https://papers.example.org with the inner address and refused the login (403) unless the operator also listed
    the origin in PAPERHUB_CSRF_TRUSTED_ORIGINS and the host in PAPERHUB_ALLOWED_HOSTS."""
    from tests.factories import user
    from tests.test_settings import read_settings

    values = read_settings(monkeypatch, tmp_path, PAPERHUB_BASE_URL="https://papers.example.org",
                           PAPERHUB_PROXIES="1", PAPERHUB_HTTPS="true")
    for name in ("PAPERHUB_BASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER",
                 "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        setattr(settings, name, values[name])
    user("ann", password="a long enough password")
    browser = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for host in ("127.0.0.1:8794", "papers.example.org"):  # the proxy passing the inner host on, or the public one
        browser.logout()
        page = browser.get("/accounts/login/", HTTP_HOST=host)
        assert page.status_code == 200
        posted = browser.post("/accounts/login/", {"username": "ann", "password": "a long enough password",
                                                   "csrfmiddlewaretoken": page.context["csrf_token"]},
                              HTTP_HOST=host, HTTP_ORIGIN="https://papers.example.org")
        assert posted.status_code == 302 and browser.session.get("_auth_user_id"), host
