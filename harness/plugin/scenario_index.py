"""`harness scenarios`: every scenario, the property it proves, the inputs it proves it over,
and the misconfigurations it catches.

A scenario's docstring opens with its property (its first paragraph); the inputs are its
parametrized cases, read from the module itself. Broken variants, and the cases no variant can
fail (waivers), come from tests/integration/variants.py in a clone of the project.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from harness.clients.own_app import NOT_ON_OWN_APP
from harness.paths import PROJECT_ROOT, SCENARIOS_DIR


@dataclass(frozen=True, slots=True)
class ScenarioEntry:
    family: str
    node: str
    # The guarantee, stated as a property: the first paragraph of its docstring.
    property: str
    caught_by: tuple[str, ...]
    # "name: value, value, ..." for each parameter it is proved over; () for one case.
    inputs: tuple[str, ...] = ()
    # "[params]: reason" for each of its cases that no config can fail.
    waived: tuple[str, ...] = ()
    # Why it does not run on your own app behind the contract adapter; None: it runs there.
    not_on_own_app: str | None = None
    # The client protocols it runs over ("HTTP/1.1 only", ...), and why where it is one.
    protocols: str = ""
    protocols_why: str = ""


def _family(tree: ast.Module) -> str:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            value = node.value
            first = value.elts[0] if isinstance(value, ast.List | ast.Tuple) else value
            return ast.unparse(first).rsplit(".", 1)[-1]
    return "unmarked"


def _variants() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Scenario node → 'variant (base): misconfiguration' lines, and scenario node →
    '[params]: reason' lines of its waived cases, from the project's tests."""
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    try:
        module = importlib.import_module("tests.integration.variants")
    except ImportError:
        return {}, {}
    found: dict[str, list[str]] = {}
    for variant in module.VARIANTS:
        for catch in variant.catches:
            node = catch.case.split("[")[0]
            line = f"{variant.name} ({variant.base}): {variant.misconfiguration}"
            if getattr(variant, "evidence", ""):
                line += f" — {variant.evidence}"
            if line not in found.setdefault(node, []):
                found[node].append(line)
    waived: dict[str, list[str]] = {}
    for case, reason in getattr(module, "WAIVERS", {}).items():
        node, _, params = case.partition("[")
        waived.setdefault(node, []).append(f"[{params}: {reason}" if params else reason)
    return found, waived


# A scenario that takes one of these fixtures runs on the protocol axis (the `client`
# fixture, and test_caching's clients, take `protocol`).
_AXIS_FIXTURES = frozenset({"client", "other_client", "protocol"})
_RAW = "it writes HTTP/1.1 itself (raw bytes, or its own connections)"
H1_ONLY, H1_AND_H2, H2_ONLY = "HTTP/1.1 only", "HTTP/1.1 and HTTP/2", "HTTP/2 only"
# The most values of one parameter the index names before "and N more".
SHOWN_VALUES = 12
VALUE_WIDTH = 40  # characters of one value shown


def _protocols(node: ast.FunctionDef, family: str) -> tuple[str, str]:
    """What the case ids of the scenario say about the protocol axis: a label, and why."""
    if family == "http2":
        return H2_ONLY, "what only an HTTP/2 client meets"
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith("http1_only"):
            reason = decorator.args[0] if decorator.args else None
            constant = isinstance(reason, ast.Constant) and isinstance(reason.value, str)
            said = reason.value if constant else "HTTP/1.1 by nature"  # type: ignore[union-attr]
            return H1_ONLY, said
    if _AXIS_FIXTURES & {argument.arg for argument in node.args.args}:
        return H1_AND_H2, "each TLS stack whose proxy offers h2: `-h2` cases"
    return H1_ONLY, _RAW


def _property(node: ast.FunctionDef) -> str:
    """The docstring's first paragraph, on one line."""
    doc = (ast.get_docstring(node) or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _load(module: Path) -> ModuleType | None:
    """The scenario module, imported under a name of its own (None if it cannot be)."""
    spec = importlib.util.spec_from_file_location(f"_harness_index_{module.stem}", module)
    if spec is None or spec.loader is None:
        return None
    loaded = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(loaded)
    except Exception:  # an index must list what it can; pytest reports a broken module
        return None
    return loaded


def _value_text(value: object) -> str:
    """A parameter value as a reader wants it: short, and the same on every run (a payload of
    random bytes is named by its size)."""
    marks = getattr(value, "values", None)  # pytest.param(...)
    if isinstance(marks, tuple):
        value = marks[0] if len(marks) == 1 else marks
    if isinstance(value, tuple):
        return "/".join(_value_text(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return f"{len(value)} bytes"
    text = str(value)
    return text if len(text) <= VALUE_WIDTH else f"{text[: VALUE_WIDTH - 1]}…"


def _inputs(function: Callable[..., object] | None) -> tuple[str, ...]:
    """ "name: value, value, ..." for each `parametrize` of the scenario, ids where given."""
    lines: list[str] = []
    for mark in getattr(function, "pytestmark", []):
        if mark.name != "parametrize" or len(mark.args) < 2:
            continue
        names, values = mark.args[0], list(mark.args[1])
        ids = mark.kwargs.get("ids")
        shown = [str(i) for i in ids] if isinstance(ids, list | tuple) else []
        shown = shown or [_value_text(v) for v in values]
        more = f" and {len(shown) - SHOWN_VALUES} more" if len(shown) > SHOWN_VALUES else ""
        label = names if isinstance(names, str) else ",".join(names)
        lines.append(f"{label}: {', '.join(shown[:SHOWN_VALUES])}{more}")
    return tuple(reversed(lines))  # decorators apply bottom-up; read them top-down


def scenario_index(folder: Path = SCENARIOS_DIR) -> list[ScenarioEntry]:
    variants, waived = _variants()
    entries: list[ScenarioEntry] = []
    for module in sorted(folder.glob("test_*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        loaded = _load(module)
        family = _family(tree)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                key = f"{module.name}::{node.name}"
                protocols, why = _protocols(node, family)
                entries.append(
                    ScenarioEntry(
                        family,
                        key,
                        _property(node),
                        tuple(variants.get(key, [])),
                        _inputs(getattr(loaded, node.name, None)),
                        tuple(waived.get(key, [])),
                        NOT_ON_OWN_APP.get(key),
                        protocols,
                        why,
                    )
                )
    return entries


def as_markdown(entries: list[ScenarioEntry]) -> str:
    """The index as Markdown, one section per family (docs/scenarios.md is this output)."""
    lines = [
        "# Scenarios",
        "",
        "Generated by `harness scenarios --markdown`; do not edit by hand.",
        "",
    ]
    families = sorted({entry.family for entry in entries})
    lines.append(
        ", ".join(f"{f}: {sum(e.family == f for e in entries)}" for f in families)
        + f" — {len(entries)} scenarios in all."
    )
    for family in families:
        lines += ["", f"## {family}", ""]
        for entry in (e for e in entries if e.family == family):
            lines.append(f"- `{entry.node}` — {entry.property}")
            lines += [f"  - over {inputs}" for inputs in entry.inputs]
            lines.append(f"  - protocols: {entry.protocols}: {entry.protocols_why}")
            lines += [f"  - caught: {variant}" for variant in entry.caught_by]
            lines += [f"  - waived: {waiver}" for waiver in entry.waived]
            if entry.not_on_own_app:
                lines.append(f"  - not on your own app: {entry.not_on_own_app}")
    return "\n".join(lines) + "\n"
