"""A scenario case that no broken config can fail is a defect: each is named by some variant,
with the failure it must show, or waived with the reason no config can fail it.

The cases are those `pytest scenarios/ --collect-only` collects on the default profile, named
as the harness names them (`test_file.py::test_name[params]`, the stack left out); collecting
needs no Docker.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from functools import cache

import pytest

from harness.parts.kinds import without_protocol
from harness.paths import PROJECT_ROOT
from harness.spec.catalog import STACKS
from tests.integration.test_broken_variants import write_variant
from tests.integration.variants import VARIANTS, WAIVERS

# The `harness.case` of every collected scenario item, each once.
_COLLECT = """
import json, sys, pytest
class Cases:
    def pytest_collection_finish(self, session):
        self.cases = sorted({dict(i.user_properties)["harness.case"] for i in session.items})
cases = Cases()
code = pytest.main(["scenarios/", "--collect-only", "-q", "-p", "no:cacheprovider"],
                   plugins=[cases])
print("CASES=" + json.dumps(cases.cases))
sys.exit(code)
"""


@cache
def scenario_cases() -> frozenset[str]:
    result = subprocess.run(
        [sys.executable, "-c", _COLLECT],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("CASES=")), None)
    assert result.returncode == 0 and line, result.stdout[-3000:] + result.stderr[-3000:]
    return frozenset(json.loads(line.removeprefix("CASES=")))


def caught_cases() -> set[str]:
    return {catch.case for variant in VARIANTS for catch in variant.catches}


def test_collection_finds_every_scenario_with_its_parameters():
    cases = scenario_cases()
    assert "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing[cl-te]" in cases
    left = sorted(case for case in cases if any(f"[{stack}" in case for stack in STACKS))
    assert not left, f"stack ids left in case names: {left}"


def test_every_case_is_caught_or_waived():
    """A `-h2` case of the protocol axis runs its scenario's own assertions over HTTP/2: the
    variant that fails its HTTP/1.1 case proves they can fail, so it counts for both."""
    proven = caught_cases() | WAIVERS.keys()
    missing = sorted(c for c in scenario_cases() if {c, without_protocol(c)}.isdisjoint(proven))
    assert not missing, f"cases no broken variant proves able to fail, nor waived: {missing}"


def test_variants_and_waivers_name_real_cases():
    unknown = sorted((caught_cases() | WAIVERS.keys()) - scenario_cases())
    assert not unknown, f"variants or waivers name cases that are not collected: {unknown}"


def test_no_case_is_both_caught_and_waived():
    both = sorted(caught_cases() & WAIVERS.keys())
    assert not both, f"a variant catches these: drop their waivers: {both}"


def test_waivers_give_a_reason():
    short = sorted(case for case, reason in WAIVERS.items() if len(reason.split()) < 12)
    assert not short, f"waivers must say why no config can fail the case: {short}"


def test_every_catch_expects_a_failure_message():
    for variant in VARIANTS:
        for catch in variant.catches:
            re.compile(catch.expect, re.MULTILINE)
            assert not re.fullmatch(r"[.*?+\s]*", catch.expect), (
                f"{variant.name}: {catch.case} expects any failure ({catch.expect!r})"
            )


def test_variant_catches_each_case_once():
    for variant in VARIANTS:
        repeated = [c for c, n in Counter(c.case for c in variant.catches).items() if n > 1]
        assert not repeated, f"{variant.name} names these cases twice: {repeated}"


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_edit_applies_to_the_rendered_config(variant, tmp_path):
    """The line a variant changes is in today's rendered config (no Docker: render only)."""
    write_variant(variant, tmp_path)


def test_variant_names_are_unique():
    names = [variant.name for variant in VARIANTS]
    assert len(names) == len(set(names))


def test_docs_scenarios_md_is_up_to_date():
    from harness.plugin.scenario_index import as_markdown, scenario_index

    committed = (PROJECT_ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert committed == as_markdown(scenario_index()), (
        "docs/scenarios.md is stale: run `harness scenarios --markdown > docs/scenarios.md`"
    )
