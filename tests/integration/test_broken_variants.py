"""Every scenario can fail: each broken variant makes the cases it names fail, as it says.

Each variant runs the way a user runs their own config: a stack file whose override is the
rendered config with one line changed, passed to `pytest scenarios/ --stack-file`, with the
harness's own recorder (`--matrix-out`) keeping every case's outcome and failure text.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.building.configs import render_stack
from harness.matrix.assemble import read_reports, recorded_cases
from harness.matrix.schema import CaseRecord, Outcome
from harness.paths import PROJECT_ROOT
from harness.spec.catalog import STACKS
from harness.spec.model import StackSpec
from harness.spec.stackfile import load_stack_file
from harness.spec.stackfile_fields import LIMIT_FIELDS, TIMEOUT_FIELDS
from harness.spec.toml_writing import toml_value
from tests.integration.variant_model import Catch, Variant
from tests.integration.variants import VARIANTS

VARIANT_RUN_LIMIT = 600
OUTPUT_TAIL = 4000
# pytest-timeout fails a case that ran out of time; that proves no assertion can fail.
TIMED_OUT = re.compile(r"Timeout \(>[\d.]+s\) from pytest-timeout")


@dataclass(frozen=True, slots=True)
class VariantRun:
    """What pytest did with a variant's scenarios: exit code, output, and each case's record."""

    returncode: int
    output: str
    cases: dict[str, CaseRecord]


def edited_args(variant: Variant, args: list[str]) -> list[str]:
    """The command line with the variant's edit: one argument replaced, or, when `old` is
    several arguments joined by spaces (`--root-path /app`), that run of arguments."""
    assert variant.edit is not None
    old, new = variant.edit
    run = old.split(" ")
    starts = [i for i in range(len(args)) if args[i : i + len(run)] == run]
    assert starts, f"{variant.name}: {old!r} is not an argument (or run of them) of {args}"
    return [*args[: starts[0]], new, *args[starts[0] + len(run) :]]


def write_variant(variant: Variant, folder: Path) -> Path:
    """A stack file for the variant: the base stack with one misconfiguration. It declares
    the base's limits, timeouts and compression, as `harness render` writes them: a stack
    with its own config is held to what it declares, else to what its config says."""
    lines = [
        "[[stacks]]",
        f"id = {json.dumps(variant.name)}",
        f"extends = {json.dumps(variant.base)}",
        *(f"{key} = {json.dumps(value)}" for key, value in variant.fields.items()),
    ]
    stack_file = folder / "stack.toml"
    if variant.fields:
        stack_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        base = load_stack_file(stack_file)[0]
    else:
        base = STACKS[variant.base]
    rendered = render_stack(base)
    # Dotted fields (`timeouts.worker`) are in the tables, written whole from the base.
    lines = [line for line in lines if "." not in line.split(" = ", 1)[0]]
    lines.append(f"compression = {toml_value(base.compression)}")
    lines += declared_tables(base)
    lines += ["", "[stacks.overrides]"]
    if variant.edit is not None and variant.file == "args":
        args = edited_args(variant, list(rendered.app.command))
        lines.append(f"server_args = {json.dumps([a for a in args if a])}")
    elif variant.edit is not None:
        service = rendered.proxy if variant.file == "proxy" else rendered.app
        text = service.files[0].content
        old, new = variant.edit
        assert old in text, f"{variant.name}: {old!r} is not in the rendered {variant.file} config"
        path = folder / Path(service.files[0].path).name
        path.write_text(text.replace(old, new, -1 if variant.every else 1), encoding="utf-8")
        lines.append(f"{variant.file}_config = {json.dumps(path.name)}")
    if variant.env:
        lines.append(
            f"env = {{ {', '.join(f'{k} = {json.dumps(v)}' for k, v in variant.env.items())} }}"
        )
    stack_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return stack_file


def declared_tables(spec: StackSpec) -> list[str]:
    """[stacks.timeouts] and [stacks.limits] with every value of `spec`."""
    lines = []
    for table, values, fields in (
        ("timeouts", spec.timeouts, TIMEOUT_FIELDS), ("limits", spec.limits, LIMIT_FIELDS)
    ):  # fmt: skip
        lines += ["", f"[stacks.{table}]"]
        lines += [f"{name} = {toml_value(getattr(values, name))}" for name in fields]
    return lines


def run_scenarios(stack_file: Path, variant: Variant, folder: Path) -> VariantRun:
    """Run the scenarios the variant names (by -k) on its stack, recording every case."""
    files = sorted({scenario.split("::")[0] for scenario in variant.scenarios})
    names = sorted({scenario.split("::")[1] for scenario in variant.scenarios})
    recorded = folder / "matrix"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(f"scenarios/{f}" for f in files),
        "--stack-file",
        str(stack_file),
        "-k",
        " or ".join(names),
        "--matrix-out",
        str(recorded),
        "-p",
        "no:cacheprovider",
        "-q",
        # One process per variant: make test runs the variants side by side.
        "-n",
        "0",
    ]
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=VARIANT_RUN_LIMIT,
        check=False,
    )
    cases = {c.record.case: c.record for c in recorded_cases(read_reports(recorded))}
    return VariantRun(result.returncode, result.stdout + result.stderr, cases)


def failure_text(record: CaseRecord) -> str:
    """The failure as pytest states it: the one-line reason and the evidence's `E` lines.

    The evidence also lists the scenario's source, whose assert messages would match any
    pattern taken from them, so only the lines of the raised failure count."""
    raised = [line[1:].strip() for line in record.evidence.splitlines() if line.startswith("E ")]
    return "\n".join([record.reason, *raised])


def missed(catch: Catch, record: CaseRecord | None) -> str | None:
    """Why the catch did not happen, or None when the case failed as the variant says."""
    if record is None:
        return f"{catch.case} did not run"
    if record.outcome != Outcome.FAILED:
        return f"{catch.case} {record.outcome}: {record.reason or 'no failure'}"
    text = failure_text(record)
    if TIMED_OUT.search(text):
        return f"{catch.case} timed out (no assertion failed): {record.reason}"
    if not re.search(catch.expect, text, re.MULTILINE):
        return f"{catch.case} failed otherwise than /{catch.expect}/: {record.reason}"
    return None


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_is_caught(variant: Variant, tmp_path: Path):
    """Each case a variant names fails on it with an assertion matching what it expects."""
    run = run_scenarios(write_variant(variant, tmp_path), variant, tmp_path)
    problems = [p for c in variant.catches if (p := missed(c, run.cases.get(c.case)))]
    if run.returncode not in (0, 1):  # 2 and up: interrupted, internal or usage error
        problems.append(f"pytest exited {run.returncode}")
    assert not problems, (
        f"{variant.name} ({variant.misconfiguration}) was not caught:\n  "
        + "\n  ".join(problems)
        + f"\npytest exited {run.returncode}; its output ends:\n{run.output[-OUTPUT_TAIL:]}"
    )
