"""Every scenario can fail: each broken variant makes the scenarios it names fail.

Each variant runs the way a user runs their own config: a stack file whose override is the
rendered config with one line changed, passed to `pytest scenarios/ --stack-file`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from harness.catalog import STACKS
from harness.configs import render_stack
from harness.paths import PROJECT_ROOT
from harness.stackfile import load_stack_file
from tests.integration.variants import VARIANTS, Variant

VARIANT_RUN_LIMIT = 600


def write_variant(variant: Variant, folder: Path) -> Path:
    """A stack file for the variant: the base stack with one misconfiguration."""
    lines = [
        "[[stacks]]",
        f"id = {json.dumps(variant.name)}",
        f"extends = {json.dumps(variant.base)}",
        *(f"{key} = {json.dumps(value)}" for key, value in variant.fields.items()),
    ]
    stack_file = folder / "stack.toml"
    if variant.fields:
        stack_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        rendered = render_stack(load_stack_file(stack_file)[0])
    else:
        rendered = render_stack(STACKS[variant.base])
    lines += ["", "[stacks.overrides]"]
    if variant.edit is not None and variant.file == "args":
        old, new = variant.edit
        args = list(rendered.app.command)
        assert old in args, f"{variant.name}: {old!r} is not an argument of {args}"
        args[args.index(old)] = new
        lines.append(f"server_args = {json.dumps([a for a in args if a])}")
    elif variant.edit is not None:
        service = rendered.proxy if variant.file == "proxy" else rendered.app
        text = service.files[0].content
        old, new = variant.edit
        assert old in text, f"{variant.name}: {old!r} is not in the rendered {variant.file} config"
        path = folder / Path(service.files[0].path).name
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        lines.append(f"{variant.file}_config = {json.dumps(path.name)}")
    if variant.env:
        lines.append(
            f"env = {{ {', '.join(f'{k} = {json.dumps(v)}' for k, v in variant.env.items())} }}"
        )
    stack_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return stack_file


def run_scenarios(stack_file: Path, variant: Variant, folder: Path) -> dict[str, str]:
    """Run the variant's scenarios; map each test case name to passed/failed/skipped/error."""
    files = sorted({catch.split("::")[0] for catch in variant.catches})
    names = sorted({catch.split("::")[1].split("[")[0] for catch in variant.catches})
    report = folder / "junit.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(f"scenarios/{f}" for f in files),
        "--stack-file",
        str(stack_file),
        "-k",
        " or ".join(names),
        f"--junitxml={report}",
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, timeout=VARIANT_RUN_LIMIT, check=False
    )
    outcomes: dict[str, str] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = next((k for k in ("failure", "error", "skipped") if k in kinds), "passed")
        message = next((c.get("message", "") for c in case if c.tag == outcome), "")
        outcomes[case.get("name", "")] = f"{outcome}: {message[:300]}"
    return outcomes


def _matches(case_name: str, catch: str, stack_id: str) -> bool:
    name = catch.split("::")[1]
    function, _, param = name.partition("[")
    if not case_name.startswith(function + "["):
        return False
    # The case id is the stack id, then the parameters, joined by "-" (which both may hold).
    params = case_name.split("[", 1)[1].rstrip("]").removeprefix(stack_id)
    return not param or f"-{param.rstrip(']')}-" in f"{params}-"


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_is_caught(variant: Variant, tmp_path: Path):
    """The scenarios a variant names fail on it, each with an assertion (not an error)."""
    outcomes = run_scenarios(write_variant(variant, tmp_path), variant, tmp_path)
    for catch in variant.catches:
        found = {
            name: outcome
            for name, outcome in outcomes.items()
            if _matches(name, catch, variant.name)
        }
        assert found, f"{variant.name}: {catch} did not run; outcomes: {outcomes}"
        for name, outcome in found.items():
            assert outcome.startswith("failure"), (
                f"{variant.name} ({variant.misconfiguration}): {name} was not caught: {outcome}"
            )
