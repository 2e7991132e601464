"""The reusable workflow users call from their repositories passes actionlint, a caller that
uses it as documented passes too, and actionlint catches a caller with a wrong input."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.paths import PROJECT_ROOT

REUSABLE = PROJECT_ROOT / ".github" / "workflows" / "harness.yml"
CALLER = """name: deployment checks
on: [push]
jobs:
  deployment:
    uses: ./.github/workflows/harness.yml
    with:
      {inputs}
"""


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.fail("actionlint is missing: it comes with the dev extra (pip install -e '.[dev]')")
    return subprocess.run([binary, "-no-color", *map(str, paths)], capture_output=True,
                          text=True, timeout=60, check=False, cwd=paths[0].parents[2])  # fmt: skip


def repository_with_caller(tmp_path: Path, inputs: str) -> Path:
    (tmp_path / ".git").mkdir()  # actionlint reads local reusable workflows in a repository
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(REUSABLE, workflows / "harness.yml")
    caller = workflows / "deploy.yml"
    caller.write_text(CALLER.format(inputs=inputs))
    return caller


def test_reusable_workflow_passes_actionlint():
    result = actionlint(REUSABLE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_caller_as_documented_passes(tmp_path):
    caller = repository_with_caller(tmp_path, "stack-file: deploy/stack.toml")
    result = actionlint(caller)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_caller_with_an_unknown_input(tmp_path):
    caller = repository_with_caller(tmp_path, "stack_file: deploy/stack.toml")
    result = actionlint(caller)
    assert result.returncode != 0, result.stdout
    assert "stack_file" in result.stdout and "stack-file" in result.stdout, result.stdout
