"""`make run` on a fresh machine delivers account mail somewhere a person can read it: into files under the data
directory, unless the operator configured mail (then the Makefile leaves it alone)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from paperhub.accounts import services as accounts
from tests.factories import user

ROOT = Path(__file__).resolve().parents[2]


def _make_run(tmp_path: Path, **env: str) -> tuple[str, str]:
    """`make run` with `paperhub` replaced by a script that prints the mail settings it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "paperhub"
    fake.write_text('#!/bin/sh\necho "backend=$PAPERHUB_EMAIL_BACKEND host=$PAPERHUB_EMAIL_HOST"\n')
    fake.chmod(0o755)
    stamp = tmp_path / "stamp"
    stamp.touch()  # newer than pyproject.toml: nothing is installed
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERHUB_EMAIL", "MAKE"))}
    done = subprocess.run(["make", "-s", "run", f"BIN={bin_dir}", f"STAMP={stamp}"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    return lines[0], lines[-1]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_run_writes_mail_to_files_unless_mail_is_configured(tmp_path):
    note, given = _make_run(tmp_path)
    assert given == "backend=django.core.mail.backends.filebased.EmailBackend host="
    assert "written to files in var/mail/" in note and "PAPERHUB_EMAIL_HOST" in note
    (tmp_path / "bin").rename(tmp_path / "old")
    note, given = _make_run(tmp_path, PAPERHUB_EMAIL_HOST="smtp.example.org")
    assert given == "backend= host=smtp.example.org" and note == given  # the operator's choice, and no note


@pytest.mark.django_db(transaction=True)
def test_the_file_backend_leaves_the_verification_link_in_the_data_directory(settings, tmp_path, run_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    accounts.queue_verification(user("ann"), "http://127.0.0.1:8000")
    run_tasks()
    [written] = list((tmp_path / "mail").iterdir())
    text = written.read_text()
    assert "To: ann@example.org" in text and re.search(r"http://127\.0\.0\.1:8000/accounts/verify/\S+", text)
