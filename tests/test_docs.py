"""Docs and schema kept honest: settings documented, README opens with the two commands, migrations complete."""

import re
from pathlib import Path

import pytest

from paperhub.env import READ

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented():
    import paperhub.settings  # noqa: F401 (reading the settings fills READ)

    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text()))
    missing = sorted(set(READ) - documented)
    assert READ and not missing, f"settings missing from docs/configuration.md: {missing}"


def test_documented_settings_exist():
    import paperhub.settings  # noqa: F401

    text = (ROOT / "docs" / "configuration.md").read_text().split("Used only by the test suite")[0]
    table_names = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", text, flags=re.M))
    assert table_names and not table_names - set(READ), f"documented but never read: {table_names - set(READ)}"


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, flags=re.S)
    assert blocks and blocks[0].strip().splitlines()[:2] == ["make run", "make test"]


def test_every_command_in_the_docs_exists():
    from django.core.management import get_commands

    commands = set(get_commands())
    text = "\n".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    used = set(re.findall(r"(?:`|bin/)paperhub ([a-z][a-z_-]+)", text))
    assert used and not used - commands, f"docs mention unknown commands: {used - commands}"


@pytest.mark.django_db
def test_no_missing_migrations():
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())
