"""Runs of our scenarios are parallel by themselves (harness/plugin/parallel.py): the plugin
gives `pytest scenarios/` xdist's `-n auto --dist loadgroup` unless the user chose, or needs,
one process, and answers `-n auto` with the worker count for the stacks selected
(harness/plugin/workers.py). `harness test --workers N` sets the count."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from harness.commands.testrun import pytest_arguments, worker_arguments
from harness.paths import PROJECT_ROOT
from harness.plugin.parallel import distribute_by_default
from harness.plugin.workers import default_workers

pytest_plugins = ["pytester"]

STACK = "nginx-uvicorn-django-asgi-tls"


AUTO = ("auto", "loadgroup")


@pytest.mark.parametrize(
    ("user_args", "expected"),
    [
        ([], AUTO),
        (["-m", "forwarding", "-x"], AUTO),
        (["-k", "not slow"], AUTO),
        (["-n", "auto"], AUTO),
        (["-n", "2"], (2, "loadgroup")),
        (["-n2"], (2, "loadgroup")),
        (["--numprocesses=3"], (3, "loadgroup")),
        (["-n", "0"], None),
        (["--dist", "load"], None),
        (["-n", "2", "--dist", "loadscope"], None),
        (["-p", "no:xdist"], None),
        (["--pdb"], None),
        (["--trace"], None),
        (["-s"], None),
        (["--capture=no"], None),
        (["--keep-stacks"], None),
        (["--collect-only", "-q"], None),
    ],
)
def test_a_run_is_parallel_unless_the_user_chooses(pytester, user_args, expected):
    """`expected`: xdist's worker count and mode after the plugin's choice; None: as the user
    left them."""
    config = pytester.parseconfig(f"--stack={STACK}", *user_args)
    given = (getattr(config.option, "numprocesses", None), getattr(config.option, "dist", None))
    assert distribute_by_default(config) is (expected is not None and expected[0] != 0)
    after = (getattr(config.option, "numprocesses", None), getattr(config.option, "dist", None))
    assert after == (expected or given)


@pytest.mark.parametrize(("workers", "expected"), [(None, []), (1, ["-n", "0"]), (4, ["-n", "4"])])
def test_harness_test_workers_option(workers, expected):
    assert worker_arguments(workers) == expected
    arguments = pytest_arguments([], [f"--stack={STACK}"], ["-x"], workers)
    assert arguments[-len(expected) - 1 :] == [*expected, "-x"]


def workers_created(*args: str) -> int:
    """How many workers xdist started for `pytest scenarios/ ARGS` (0: none, one process) with
    nothing selected (no stack starts: the marker matches no case)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios/", "-p", "no:cacheprovider", "-m", "nothing",
         *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, result.stdout + result.stderr
    found = re.search(r"created: (\d+)/\d+ workers", result.stdout)
    return int(found[1]) if found else 0


def test_our_scenarios_are_parallel_by_themselves():
    assert workers_created(f"--stack={STACK}") == default_workers(1)
    assert workers_created("-n", "auto", f"--stack={STACK}") == default_workers(1)
    assert workers_created("-n", "0", f"--stack={STACK}") == 0


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


def test_other_runs_stay_in_one_process(pytester: pytest.Pytester):
    pytester.makepyfile(test_other="def test_one():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not re.search(r"created: \d+/", "\n".join(result.outlines))


def test_the_default_run_groups_on_its_workers():
    """The plugin chooses `--dist loadgroup`, but a worker parses the command line again: it
    must still put each case's group into its node id, or every case is a group of its own
    and each worker starts the stack. The prefix cases skip on a stack without a prefix
    before any stack starts; they are one lane of one stack: one worker runs them all."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios/test_prefix.py", f"--stack={STACK}",
         "-p", "no:cacheprovider", "-v"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    workers = re.findall(r"\[(gw\d+)\].* SKIPPED", result.stdout)
    assert len(workers) >= 4, result.stdout[-3000:]
    assert len(set(workers)) == 1, f"one lane ran on {sorted(set(workers))}"
