"""The nightly workflow passes actionlint, and actionlint does catch a broken workflow."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.paths import PROJECT_ROOT

NIGHTLY = PROJECT_ROOT / ".github" / "workflows" / "nightly.yml"


def _actionlint(path):
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.fail("actionlint is missing: it comes with the dev extra (pip install -e '.[dev]')")
    return subprocess.run(
        [binary, "-no-color", str(path)], capture_output=True, text=True, timeout=60, check=False
    )


def test_nightly_workflow_passes_actionlint():
    result = _actionlint(NIGHTLY)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_job_that_needs_a_missing_one(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "nightly.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(NIGHTLY.read_text().replace("needs: plan\n", "needs: planning\n", 1))
    result = _actionlint(broken)
    assert result.returncode != 0
    assert "planning" in result.stdout, result.stdout


def test_nightly_shards_do_not_fail_fast_and_merge_runs_after_failed_shards():
    text = NIGHTLY.read_text()
    assert "fail-fast: false" in text
    assert "if: always() && needs.plan.result == 'success'" in text
    assert "harness matrix merge" in text and "--baseline" in text
    assert 'cat merged/report/summary.md >> "$GITHUB_STEP_SUMMARY"' in text
