"""The harness is a house of floors: every module imports only from its own floor or below,
no two modules import each other in a circle, and no class grows past 200 lines.

The floors, bottom to top (docs/architecture.md, "The floors", says the same in prose):

    errors, paths, progress, exitcodes,  shared services every floor may use (the Docker
    engine, containers                   client and container helpers too: building/ needs them)
    parts                                one kit per proxy and server
    spec                                 what a stack is, read from stack files
    building                             images and rendered configs
    known                                known incompatibilities (they need rendered configs)
    kubernetes                           a stack as Kubernetes manifests, checked offline
    run                                  the Docker boundary: stacks up and down
    clients                              what scenarios use against a running stack
    matrix | load                        one floor, two rooms: neither imports the other
    plugin                               the pytest plugin
    commands                             the CLI, the top floor
    __main__, __init__                   entry points; `harness/__init__.py` is the public API

Modules of one package (one room) may import each other; floors not yet built (a package that
does not exist) are skipped, and a top-level module or package with no floor fails the test.

Which imports count: EVERY import, for the floors and for the circles alike, including those
under `if TYPE_CHECKING:` and those inside functions. A deferred import still runs, and
deferring it only hides a circle. A type-only import never runs, so it cannot break an import,
but it is still a dependency of the code's meaning: an upper floor's type in a lower floor's
signature is an upward arrow in disguise, and two modules naming each other's types are one
design in two files. The circle this test was written against was of that kind: run/'s
services, agent and readiness helpers took the Stack (under TYPE_CHECKING) and wrote into it,
while stack.py imported them; counting runtime imports only, the test would have passed on it.
A type-only arrow is marked `(type-only)` in a failure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from harness.paths import PROJECT_ROOT

HARNESS = PROJECT_ROOT / "harness"
MAX_CLASS_LINES = 200

FLOORS: list[set[str]] = [
    {"errors", "paths", "progress", "exitcodes", "engine", "containers"},
    {"parts"},
    {"spec"},
    {"building"},
    {"known"},
    {"kubernetes"},
    {"run"},
    {"clients"},
    {"matrix", "load"},
    {"plugin"},
    {"commands"},
    {"__main__", "__init__"},
]
# Rooms on one floor that may not import each other (the bottom floor's services may).
SEPARATE_ROOMS = {frozenset({"matrix", "load"})}


@dataclass(frozen=True)
class Arrow:
    """One import: `source` (a module of harness) imports `target` at `path`:`line`."""

    source: str
    target: str
    path: Path
    line: int
    type_only: bool

    def __str__(self) -> str:
        kind = " (type-only)" if self.type_only else ""
        where = self.path.relative_to(PROJECT_ROOT)
        return f"{where}:{self.line}: {self.source} -> {self.target}{kind}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(HARNESS.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def harness_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(HARNESS.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement in the tree, with whether it sits under `if TYPE_CHECKING:`."""

    def walk(node: ast.AST, type_only: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, type_only
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    yield from walk(ast.Module(body=[statement], type_ignores=[]), True)
                for statement in child.orelse:
                    yield from walk(ast.Module(body=[statement], type_ignores=[]), type_only)
            else:
                yield from walk(child, type_only)

    yield from walk(tree, False)


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest module of harness that `name` is or lies in, else None (not ours)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(node: ast.Import | ast.ImportFrom, source: str, path: Path) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    for alias in node.names:  # `from pkg import module` imports the module
        yield f"{base}.{alias.name}"


def arrows() -> list[Arrow]:
    """Every import from a module of harness to another module of harness."""
    modules = harness_modules()
    found = []
    for source, path in modules.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node, type_only in _imports(tree):
            targets = {_resolve(name, modules) for name in _targets(node, source, path)}
            for target in sorted(t for t in targets if t is not None and t != source):
                found.append(Arrow(source, target, path, node.lineno, type_only))
    return found


def room(module: str) -> str:
    """The top-level package or module of harness a module lives in (`__init__` for harness)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def floor(module: str) -> int | None:
    return next((level for level, rooms in enumerate(FLOORS) if room(module) in rooms), None)


def upward_arrows(found: list[Arrow]) -> list[str]:
    problems = []
    for arrow in found:
        source_room, target_room = room(arrow.source), room(arrow.target)
        source_floor, target_floor = floor(arrow.source), floor(arrow.target)
        if source_room == target_room or source_floor is None or target_floor is None:
            continue
        if target_floor > source_floor:
            problems.append(f"{arrow}: imports upward, floor {source_floor} -> {target_floor}")
        elif frozenset({source_room, target_room}) in SEPARATE_ROOMS:
            problems.append(f"{arrow}: {source_room}/ and {target_room}/ share a floor apart")
    return problems


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one module, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            successor = next(successors, None)
            if successor is not None:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                elif successor in on_stack:
                    low[node] = min(low[node], index[successor])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def _one_circle(start: str, members: set[str], edges: dict[tuple[str, str], Arrow]) -> list[Arrow]:
    """A shortest circle through `start` inside one component, as its arrows."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for source, target in edges:
                if source != node or target not in members:
                    continue
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    path.reverse()
                    hops = [*path, start]
                    return [edges[(a, b)] for a, b in pairwise(hops)]
                if target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    return []


def cycles(found: list[Arrow]) -> list[list[Arrow]]:
    """One circle per group of modules that import each other around (type-only imports
    count: see the module's docstring)."""
    edges: dict[tuple[str, str], Arrow] = {}
    graph: dict[str, set[str]] = {module: set() for module in harness_modules()}
    for arrow in found:
        edges.setdefault((arrow.source, arrow.target), arrow)
        graph[arrow.source].add(arrow.target)
    return [_one_circle(c[0], set(c), edges) for c in _strongly_connected(graph)]


def long_classes() -> list[str]:
    problems = []
    for path in sorted(HARNESS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_CLASS_LINES:
                    where = path.relative_to(PROJECT_ROOT)
                    problems.append(f"{where}:{node.lineno}: class {node.name} is {length} lines")
    return problems


def test_every_top_level_module_has_a_floor():
    homeless = sorted({room(module) for module in harness_modules() if floor(module) is None})
    assert not homeless, f"harness/ has modules on no floor (add them to FLOORS): {homeless}"


def test_no_module_imports_from_a_floor_above():
    problems = upward_arrows(arrows())
    assert not problems, "imports against the floors:\n" + "\n".join(problems)


def test_no_modules_import_each_other_in_a_circle():
    circles = cycles(arrows())
    described = ["\n  ".join(str(arrow) for arrow in circle) for circle in circles]
    assert not circles, "import circles:\n  " + "\n\n  ".join(described)


def test_no_class_is_longer_than_200_lines():
    problems = long_classes()
    assert not problems, "classes to split by responsibility:\n" + "\n".join(problems)


def test_the_graph_sees_relative_and_type_only_imports(tmp_path):
    """The reader resolves `from . import x` and `from ..a import b`, and marks type-only ones."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import stack\n"
        "from ..spec.model import StackSpec\n"
        "if TYPE_CHECKING:\n"
        "    from harness.plugin import hooks\n"
    )
    tree = ast.parse(source)
    path = HARNESS / "run" / "example.py"
    found = [
        (name, type_only)
        for node, type_only in _imports(tree)
        for name in _targets(node, "harness.run.example", path)
    ]
    assert found == [
        ("typing.TYPE_CHECKING", False),
        ("harness.run.stack", False),
        ("harness.spec.model.StackSpec", False),
        ("harness.plugin.hooks", True),
    ]
