"""The main job on the `ci` profile: every scenario family is green on healthy stacks."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from harness.paths import PROJECT_ROOT

CI_PROFILE_LIMIT = 1200


@pytest.mark.timeout(CI_PROFILE_LIMIT + 60)
def test_scenarios_pass_on_the_ci_profile():
    result = subprocess.run(
        # Two workers, each running whole stacks (--dist loadgroup), as README suggests.
        [sys.executable, "-m", "pytest", "scenarios/", "--profile", "ci", "-n", "2",
         "--dist", "loadgroup", "-p", "no:cacheprovider", "-q", "-rfEx"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=CI_PROFILE_LIMIT, check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    print(result.stdout[-6000:])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in summary, summary
    assert not re.search(r"\b\d+ (failed|errors?)\b", summary), summary
