"""The house rules of the package (issue 12): no import cycles, deferred or not; imports deferred
only for start-up time, each saying why; small modules.

The import graph is read with `ast` from the source, every ``import`` counted wherever it stands
(module level, inside functions, under ``if``), plus the plugin listings the registries import by
name (`warning.sources.registry.OFFICES`, `warning.delivery.channels.MODULES`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "warning"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(node: ast.AST) -> list[str]:
    """The modules of the service one import statement brings in (a submodule where it names one)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "warning"]
    if (
        isinstance(node, ast.ImportFrom)
        and node.level == 0
        and (node.module or "").split(".")[0] == "warning"
    ):
        found = []
        for alias in node.names:
            sub = f"{node.module}.{alias.name}"
            found.append(sub if sub in MODULES else node.module)
        return found
    return []


def listed_plugins(name: str) -> list[str]:
    """What a registry imports by name: its office folders' ``source`` modules, its channel modules."""
    from warning.delivery import channels
    from warning.sources import registry

    if name == "warning.sources.registry":
        return [f"warning.sources.{office}.source" for office in registry.OFFICES]
    if name == "warning.delivery.channels":
        return [f"warning.delivery.channels.{module}" for module in channels.MODULES]
    return []


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges = {m for node in ast.walk(tree) for m in imported(node)} | set(listed_plugins(name))
        graph[name] = {m for m in edges if m in MODULES and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_cycle_deferred_or_not():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def deferred_imports(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every import inside a function or method."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for func in ast.walk(ast.parse(source)):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found.append((node.lineno, lines[node.lineno - 1].strip()))
    return sorted(set(found))


def says_why(path: Path, line: int) -> bool:
    """A comment on the import's line, or on the comment lines right above it (one block of
    imports shares the comment above its first line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if "#" in lines[line - 1]:
        return True
    above = line - 2
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def test_every_deferred_import_says_why():
    unexplained = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {text}"
        for path in MODULES.values()
        for line, text in deferred_imports(path)
        if not says_why(path, line)
    ]
    assert unexplained == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines < MAX_LINES, f"{name} has {lines} lines"
