"""Runs of our scenarios are parallel by themselves: `pytest -n auto` on them asks the plugin
for the worker count (harness/plugin/workers.py, from the stacks selected), and `harness test`
passes `-n auto --dist loadgroup` unless the user chose, or needs, one process."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from harness.commands.testrun import parallel_arguments, pytest_arguments
from harness.paths import PROJECT_ROOT
from harness.plugin.workers import default_workers

pytest_plugins = ["pytester"]

AUTO = ["-n", "auto", "--dist", "loadgroup"]
STACK = "nginx-uvicorn-django-asgi-tls"


@pytest.mark.parametrize(
    ("workers", "user_args", "expected"),
    [
        (None, [], AUTO),
        (None, ["-m", "forwarding", "-x"], AUTO),
        (None, ["-k", "not slow"], AUTO),
        (4, [], ["-n", "4", "--dist", "loadgroup"]),
        (1, [], []),
        (None, ["-n", "2"], []),
        (None, ["-n2"], []),
        (None, ["--numprocesses=3"], []),
        (None, ["--dist", "load"], []),
        (None, ["-p", "no:xdist"], []),
        (None, ["-pno:xdist"], []),
        (None, ["--pdb"], []),
        (None, ["--trace"], []),
        (None, ["--keep-stacks"], []),
        (None, ["--collect-only", "-q"], []),
        (4, ["--pdb"], []),
    ],
)
def test_harness_test_is_parallel_unless_the_user_chooses(workers, user_args, expected):
    assert parallel_arguments(workers, user_args) == expected
    arguments = pytest_arguments([], [f"--stack={STACK}"], user_args, workers)
    tail = [*expected, *user_args]
    assert arguments[len(arguments) - len(tail) :] == tail


def workers_created(*args: str) -> int:
    """How many workers xdist started for `pytest scenarios/ ARGS` with nothing selected (no
    stack starts: the marker matches no case)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios/", "-p", "no:cacheprovider", "-m", "nothing",
         *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    found = re.search(r"created: (\d+)/\d+ workers", result.stdout)
    assert found, result.stdout[-2000:] + result.stderr[-2000:]
    return int(found[1])


def test_auto_on_our_scenarios_counts_the_stacks_selected():
    assert workers_created("-n", "auto", f"--stack={STACK}") == default_workers(1)


def test_auto_elsewhere_keeps_xdists_count(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "2")
    assert workers_created("-n", "auto", f"--stack={STACK}") == 2
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS")
    pytester.makepyfile(test_other="def test_one():\n    pass\n")
    ours = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "auto")
    theirs = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "auto", "-p", "no:harness"
    )
    created = [re.findall(r"created: (\d+)/", "\n".join(r.outlines)) for r in (ours, theirs)]
    assert created[0] == created[1] and created[0], created
