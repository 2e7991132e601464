"""The nightly workflow passes actionlint, and actionlint does catch a broken workflow."""

import re
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
    broken.write_text(
        NIGHTLY.read_text().replace("needs: [plan, images]", "needs: [planning, images]", 1)
    )
    result = _actionlint(broken)
    assert result.returncode != 0
    assert "planning" in result.stdout, result.stdout


def test_nightly_shards_do_not_fail_fast_and_merge_runs_after_failed_shards():
    text = NIGHTLY.read_text()
    assert "fail-fast: false" in text
    assert "if: always() && needs.plan.result == 'success'" in text
    assert "harness matrix merge" in text and "--baseline" in text
    assert 'cat merged/report/summary.md >> "$GITHUB_STEP_SUMMARY"' in text


def _job(text: str, name: str) -> str:
    """One job's block of the workflow, from its key to the next job's."""
    block = text.split(f"\n  {name}:\n", 1)[1]
    return next(iter(re.split(r"\n  [a-z]+:\n", block)))


def test_images_are_built_once_and_shards_only_load_them():
    text = NIGHTLY.read_text()
    images, shard = _job(text, "images"), _job(text, "shard")
    assert "harness build --profile" in images and "docker save" in images
    assert "needs: [plan, images]" in shard
    assert "fail-on-cache-miss: true" in shard and "docker load" in shard
    assert "harness build" not in shard


def test_merge_regenerates_the_compatibility_page_and_pages_publishes_the_report():
    text = NIGHTLY.read_text()
    merge, publish = _job(text, "merge"), _job(text, "publish")
    assert "harness matrix compatibility merged/results.json" in merge
    assert "actions/upload-pages-artifact" in merge
    assert "actions/deploy-pages" in publish and "pages: write" in publish
