"""A scenario that no broken config can fail is a defect: each is named by some variant."""

from __future__ import annotations

import ast

from harness.paths import PROJECT_ROOT
from tests.integration.variants import VARIANTS


def scenario_names() -> set[str]:
    names = set()
    for module in sorted((PROJECT_ROOT / "scenarios").glob("test_*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names |= {f"{module.name}::{node.name}" for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    return names


def test_every_scenario_has_a_broken_variant():
    caught = {catch.split("[")[0] for variant in VARIANTS for catch in variant.catches}
    missing = sorted(scenario_names() - caught)
    assert not missing, f"scenarios no broken variant proves able to fail: {missing}"


def test_every_variant_names_real_scenarios():
    unknown = sorted({catch.split("[")[0] for v in VARIANTS for catch in v.catches}
                     - scenario_names())
    assert not unknown, f"variants name scenarios that do not exist: {unknown}"


def test_variant_names_are_unique():
    names = [variant.name for variant in VARIANTS]
    assert len(names) == len(set(names))


def test_docs_scenarios_md_is_up_to_date():
    from harness.scenario_index import as_markdown, scenario_index

    committed = (PROJECT_ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert committed == as_markdown(scenario_index()), (
        "docs/scenarios.md is stale: run `harness scenarios --markdown > docs/scenarios.md`"
    )
