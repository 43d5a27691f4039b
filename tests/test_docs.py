"""Docs and schema kept honest: settings documented, README opens with the two commands, migrations complete."""

import argparse
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


def _options(parser: argparse.ArgumentParser, name: str) -> list[tuple[str, str]]:
    """(command, --option) of a command's parser and its subcommands', Django's common options left out."""
    common = {"--version", "--verbosity", "--settings", "--pythonpath", "--traceback", "--no-color", "--force-color",
              "--skip-checks", "--help"}
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, subparser in action.choices.items():
                found += _options(subparser, f"{name} {sub}")
        found += [(name, o) for o in action.option_strings if o.startswith("--") and o not in common]
    return found


def test_every_option_of_the_hubs_commands_is_documented():
    """serve's --bind, --workers, --threads, worker's --max-tasks and a dozen more were in --help only; and an option
    counts where its own command is named beside it (a paragraph, a code block), not wherever another command's
    option of the same name is (bootstrap's --file passed on ingest's)."""
    from django.core.management import get_commands, load_command_class

    text = "\n".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    blocks = re.split(r"\n\s*\n", text)
    options = [option for name, app in sorted(get_commands().items()) if app.startswith("paperhub")
               for option in _options(load_command_class(app, name).create_parser("paperhub", name), name)]

    def documented(command: str, option: str) -> bool:
        named = re.compile(r"\b" + re.escape(command.split()[-1]) + r"\b")  # `index distill`: "distill"
        return any(re.search(re.escape(option) + r"\b", block) and named.search(block) for block in blocks)

    missing = [f"{name} {option}" for name, option in options if not documented(name, option)]
    assert len(options) > 50 and not missing, f"options documented beside no mention of their command: {missing}"


def test_paperhub_help_lists_the_hubs_commands_a_line_each(capsys, monkeypatch):
    """`paperhub --help` was Django's list (startproject, flush, makemessages...) without a word on any of them."""
    from django.core.management import get_commands

    from paperhub import cli

    monkeypatch.setattr("sys.argv", ["paperhub", "--help"])
    cli.main()
    text = capsys.readouterr().out
    own = {name for name, app in get_commands().items() if app.startswith("paperhub")}
    listed = set(re.findall(r"^  ([a-z]+) +\S", text, re.M))
    assert listed == own and "startproject" not in text and "paperhub help --commands" in text


@pytest.mark.django_db
def test_no_missing_migrations():
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


# Links: every relative link in README.md and docs/ reaches a file, and every #anchor a heading there (anchors
# made as GitHub makes them); a docs file (and #anchor) named in code, comments and docs is held to the same.
MARKDOWN = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NAMED_DOC = re.compile(r"\bdocs/[\w.-]+\.md(?:#[\w-]+)?")


def _parse(path: Path) -> list:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").parse(path.read_text())


def anchors(path: Path) -> set[str]:
    """The #anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens,
    -1, -2... after repeats."""
    tokens = _parse(path)
    made: set[str] = set()
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type != "heading_open":
            continue
        text = "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in made:
            n += 1
            anchor = f"{slug}-{n}"
        made.add(anchor)
    return made


def links(path: Path) -> list[str]:
    """The link targets in a Markdown file (in text and tables)."""
    found = []
    for token in _parse(path):
        for child in token.children or []:
            if child.type == "link_open":
                found.append(str(child.attrs["href"]))
    return found


def broken(source: Path, target: str) -> str | None:
    """Why a link from a file does not lead anywhere, or None when it does (other sites are not checked)."""
    if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
        return None
    file_part, _, anchor = target.partition("#")
    file = (source.parent / file_part).resolve() if file_part else source
    if not file.exists():
        return f"{file_part}: no such file"
    if anchor and file.suffix == ".md" and anchor not in anchors(file):
        return f"#{anchor}: no such heading in {file.name}"
    return None


def test_links_in_the_docs_lead_somewhere():
    checked = [(path, target) for path in MARKDOWN for target in links(path)]
    problems = [f"{path.relative_to(ROOT)} -> {target}: {why}" for path, target in checked
                if (why := broken(path, target))]
    assert checked and not problems, problems


def test_docs_named_in_the_code_exist():
    files = [*MARKDOWN, ROOT / "Makefile", ROOT / "pyproject.toml",
             *(p for folder in ("paperhub", "tests", "bench") for p in (ROOT / folder).rglob("*")
               if p.suffix in (".py", ".html", ".txt") and "migrations" not in p.parts)]
    named = {(path, mention) for path in files for mention in NAMED_DOC.findall(path.read_text())}
    problems = [f"{path.relative_to(ROOT)}: {mention}: {why}" for path, mention in sorted(named)
                if (why := broken(ROOT / "README.md", mention))]
    assert named
    assert not problems, problems


def test_the_link_check_finds_what_is_broken(tmp_path):
    (tmp_path / "a.md").write_text("# Feeds and more: `RSS`\n\n## Feeds and more: RSS\n\n[x](b.md) [y](#nowhere)\n"
                                   "| t |\n|---|\n| [z](#feeds-and-more-rss-1) |\n[w](https://example.org/#q)\n")
    assert anchors(tmp_path / "a.md") == {"feeds-and-more-rss", "feeds-and-more-rss-1"}
    assert [broken(tmp_path / "a.md", t) for t in links(tmp_path / "a.md")] == [
        "b.md: no such file", "#nowhere: no such heading in a.md", None, None]
