"""Settings are checked as they are read, at start-up: a wrong value stops the hub there, naming the variable."""

import runpy
from pathlib import Path

import pytest

from paperhub.env import SettingError

SETTINGS = Path(__file__).resolve().parents[1] / "paperhub" / "settings.py"


def read_settings(monkeypatch, tmp_path, **env: str) -> dict:
    """The settings module run afresh under `env` (the imported one is left as it is)."""
    monkeypatch.setenv("PAPERHUB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


BAD = [
    ("PAPERHUB_PAGE_RATE", "lots"), ("PAPERHUB_API_RATE_ANON", "5/fortnight"), ("PAPERHUB_FEED_RATE", "10/0s"),
    ("PAPERHUB_SIGNUP_RATE", "many"), ("PAPERHUB_ZOTERO_RATE", "20 an hour"),
    ("PAPERHUB_FEED_ROLLOVER", "25:99"), ("PAPERHUB_FEED_TIME_ZONE", "Mars/Base"), ("PAPERHUB_TIME_ZONE", "Nowhere"),
    ("PAPERHUB_INGEST_BATCH", "0"), ("PAPERHUB_INGEST_BATCH", "-5"), ("PAPERHUB_PROXIES", "-1"),
    ("PAPERHUB_EMBED_TASK_PAPERS", "0"), ("PAPERHUB_HTTP_RETRIES", "-3"), ("PAPERHUB_RANK_BADGES", "-1"),
    ("PAPERHUB_GITHUB_PER_RUN", "-5"), ("PAPERHUB_RECOMMEND_DAYS", "0"), ("PAPERHUB_EMBED_DEVICE", "tpu"),
    ("PAPERHUB_WEB_WORKERS", "abc"), ("PAPERHUB_LOG_LEVEL", "LOUD"), ("PAPERHUB_HTTP_TIMEOUT", "0"),
    ("PAPERHUB_EMAIL_PORT", "70000"), ("DATABASE_URL", "garbage"), ("PAPERHUB_BASE_URL", "papers.example.org"),
    ("PAPERHUB_BASE_URL", "ftp://papers.example.org"), ("PAPERHUB_BASE_URL", "https://papers.example.org:port"),
    ("PAPERHUB_BASE_URL", "https://hub:secret@papers.example.org"),
]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_a_wrong_value_stops_start_up_naming_the_variable_and_the_value(monkeypatch, tmp_path, name, value):
    """A wrong rate, rollover or zone started fine, then every page it covered was a 500."""
    with pytest.raises(SettingError) as caught:
        read_settings(monkeypatch, tmp_path, **{name: value})
    assert name in str(caught.value) and value in str(caught.value)


def test_good_values_pass_as_given(monkeypatch, tmp_path):
    values = read_settings(monkeypatch, tmp_path, PAPERHUB_PAGE_RATE="10/5s", PAPERHUB_FEED_RATE="0",
                           PAPERHUB_FEED_ROLLOVER="14:00", PAPERHUB_FEED_TIME_ZONE="Europe/Paris",
                           PAPERHUB_EMBED_DEVICE="CUDA:1", PAPERHUB_LOG_LEVEL="warning")
    assert values["PAPERHUB_PAGE_RATE"] == "10/5s" and values["PAPERHUB_FEED_RATE"] == "0"
    assert values["PAPERHUB_FEED_ROLLOVER"] == "14:00" and values["PAPERHUB_FEED_TIME_ZONE"] == "Europe/Paris"
    assert values["PAPERHUB_EMBED_DEVICE"] == "cuda:1" and values["LOGGING"]["root"]["level"] == "WARNING"


def test_the_base_url_is_the_hubs_own_host_and_origin(monkeypatch, tmp_path):
    """Behind a proxy, PAPERHUB_BASE_URL alone lets the public host in and a form posted from it through."""
    values = read_settings(monkeypatch, tmp_path, PAPERHUB_BASE_URL="https://papers.example.org:8443/")
    assert values["PAPERHUB_BASE_URL"] == "https://papers.example.org:8443"
    assert values["ALLOWED_HOSTS"][-1] == "papers.example.org"
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://papers.example.org:8443"]
    unset = read_settings(monkeypatch, tmp_path, PAPERHUB_BASE_URL="")
    assert unset["PAPERHUB_BASE_URL"] == "" and unset["CSRF_TRUSTED_ORIGINS"] == []
    assert unset["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    assert read_settings(monkeypatch, tmp_path, PAPERHUB_BASE_URL="http://[::1]:8000")["ALLOWED_HOSTS"][-1] == "[::1]"
    # as a browser writes the origin, or a login's Origin would never match it (403)
    written = read_settings(monkeypatch, tmp_path, PAPERHUB_BASE_URL="HTTPS://Papers.Example.org:443/hub/")
    assert written["PAPERHUB_BASE_URL"] == "https://papers.example.org/hub"
    assert written["CSRF_TRUSTED_ORIGINS"][-1] == "https://papers.example.org"
    # served under its path: Django puts it in front of the paths it makes, and the cookies stay the hub's own
    assert written["FORCE_SCRIPT_NAME"] == written["SESSION_COOKIE_PATH"] == written["CSRF_COOKIE_PATH"] == "/hub"
    assert unset["FORCE_SCRIPT_NAME"] is None and unset["SESSION_COOKIE_PATH"] == unset["CSRF_COOKIE_PATH"] == "/"
    assert values["FORCE_SCRIPT_NAME"] is None
    idn = read_settings(monkeypatch, tmp_path, PAPERHUB_BASE_URL="https://bücher.example")["PAPERHUB_BASE_URL"]
    assert idn == "https://xn--bcher-kva.example"


def test_a_read_only_data_directory_still_gives_the_settings(monkeypatch, tmp_path):
    """`DATA_DIR.chmod` raised "Read-only file system" for every command, `--help` included."""
    import errno

    (tmp_path / "secret_key").write_text("kept")
    (tmp_path / "static").mkdir()

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "chmod", read_only)
    assert read_settings(monkeypatch, tmp_path)["SECRET_KEY"] == "kept"


def test_a_data_directory_that_is_a_file_is_named(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(SettingError, match="PAPERHUB_DATA_DIR must be a directory"):
        read_settings(monkeypatch, tmp_path / "file")


def test_log_lines_say_when_how_bad_and_which_process(monkeypatch):
    """Lines from five processes mixed in one stream with no time, level or process."""
    import io
    import logging
    import os
    import re

    from django.conf import settings

    from paperhub import cli, logs

    monkeypatch.setattr("sys.argv", ["paperhub", "version"])
    monkeypatch.setattr(logs, "ROLE", logs.ROLE)
    cli.main()
    assert logs.ROLE == "version"
    console, line = settings.LOGGING["handlers"]["console"], settings.LOGGING["formatters"]["line"]
    assert console["formatter"] == "line" and "role" in console["filters"]
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter(line["format"], line["datefmt"]))
    handler.addFilter(logs.ProcessRole())
    handler.handle(logging.makeLogRecord({"name": "paperhub.test", "levelname": "WARNING", "msg": "hello there"}))
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d WARNING version\[{os.getpid()}\] paperhub.test: hello there\n",
                        out.getvalue()), out.getvalue()
