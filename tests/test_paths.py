"""Paths are named, never spelled: Python builds them with reverse(), templates with {% url %}, so a route can move
in urls.py alone (mails put PAPERHUB_BASE_URL or the request's root before the reversed path)."""

import ast
import re
from pathlib import Path

import paperhub

ROOT = Path(paperhub.__file__).parent
#: A link attribute or a mail's address whose value starts with a spelled path.
SPELLED_IN_TEMPLATE = re.compile(r'(?:href|action|src|hx-[a-z]+)="/|\{\{ *base_url *\}\}/')
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "add_router"}  # add_router: a routes' prefix
#: Spelled paths known and left to another change (file: path); none may be added.
KNOWN: set[str] = set()


def _string_starts(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of each string literal or f-string that starts with "/<letter>", leaving out docstrings,
    the inner pieces of f-strings and the paths that declare django-ninja routes (@api.get("/papers/..."),
    @api.api_operation(["GET", "HEAD"], "/health"), api.add_router("/zotero", ...))."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body \
                and isinstance(node.body[0], ast.Expr):
            skip.add(id(node.body[0].value))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ROUTE_DECORATORS and node.args:
            skip.add(id(node.args[0]))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "api_operation" and len(node.args) > 1:  # (["GET", "HEAD"], "/health")
            skip.add(id(node.args[1]))
    found = []
    for node in ast.walk(tree):
        first = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else node
        if id(node) not in skip and isinstance(first, ast.Constant) and isinstance(first.value, str) \
                and re.match(r"/[a-z]", first.value):
            found.append((node.lineno, first.value))
    return found


def test_python_builds_paths_with_reverse():
    spelled = {f"{path.relative_to(ROOT)}: {text}"
               for path in ROOT.rglob("*.py") if not {"migrations", "ingest"} & set(path.parts)  # ingest: others' sites
               for _, text in _string_starts(ast.parse(path.read_text()))}
    assert spelled - KNOWN == set()


def test_templates_link_with_the_url_tag():
    spelled = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
               for path in ROOT.glob("*/templates/**/*") if path.is_file()
               for number, line in enumerate(path.read_text().splitlines(), 1) if SPELLED_IN_TEMPLATE.search(line)]
    assert spelled == []


def test_the_checks_catch_spelled_paths():
    code = 'def view():\n    """/papers/<id>: fine in a docstring."""\n    return redirect(f"/papers/{uid}#c")\n'
    assert _string_starts(ast.parse(code)) == [(3, "/papers/")]
    assert not _string_starts(ast.parse('@api.get("/papers/search")\ndef f(): pass\nurl = base + f"{x}/feeds"'))
    assert not _string_starts(ast.parse('@api.api_operation(["GET", "HEAD"], "/health")\ndef f(): pass'))
    assert SPELLED_IN_TEMPLATE.search('<a href="/feeds/daily.rss">') and SPELLED_IN_TEMPLATE.search("{{ base_url }}/x")
    assert not SPELLED_IN_TEMPLATE.search("<a href=\"{% url 'home' %}\">{{ base_url }}{% url 'paper' p.uid %}")
