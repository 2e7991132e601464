"""`harness test`: our scenario suites (and a user's own beside them) through pytest.

What `pytest scenarios/ ...` is in the checkout, from any folder once the wheel is installed:
the scenarios ship as package data (harness/paths.py). A user's own scenario files, given as
paths, run in the same session with the same fixtures (`stack`, `client`, `ws`, ...).

It runs in parallel by itself, as `make scenarios` does: xdist workers, as many as the machine
carries for the stacks selected, each running a stack or one of its lanes
(harness/plugin/workers.py, harness/plugin/lanes.py). One stack's scenarios take about as long
as its longest lane instead of the sum of the three.

The exit code says which class of failure ended the run (harness/commands/exitcodes.py): a stack
that did not start ends it with its error's class (engine, image build, stack start, or config),
ahead of scenario failures, since no scenario of that stack could say anything.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import pytest

from harness.commands.exitcodes import ExitCode
from harness.errors import ConfigError
from harness.paths import SCENARIOS_DIR

_PYTEST_TO_EXIT = {
    pytest.ExitCode.OK: ExitCode.OK,
    pytest.ExitCode.TESTS_FAILED: ExitCode.CHECKS_FAILED,
    pytest.ExitCode.INTERRUPTED: ExitCode.INTERRUPTED,
    pytest.ExitCode.INTERNAL_ERROR: ExitCode.CHECKS_FAILED,
    pytest.ExitCode.USAGE_ERROR: ExitCode.USAGE,
    pytest.ExitCode.NO_TESTS_COLLECTED: ExitCode.USAGE,
}


class _StartErrors:
    """The exit code of the first stack that did not start, read from the case reports
    (which reach this process from every xdist worker)."""

    def __init__(self) -> None:
        self.first: ExitCode | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from harness.plugin.hooks import start_exit_code

        if self.first is None:
            self.first = start_exit_code(report)


# Options after which a run stays in this one process: a debugger or kept stacks need the
# terminal and the stash of the process that ran the cases; a worker count is the user's.
_SERIAL_OPTIONS = ("--pdb", "--trace", "--keep-stacks", "--collect-only", "--co")
_WORKER_OPTIONS = ("-n", "--numprocesses", "-pno:xdist", "--dist")


def parallel_arguments(workers: int | None, pytest_args: Sequence[str]) -> list[str]:
    """xdist's arguments: as many workers as the machine carries for the selected stacks
    (`-n auto`, answered by the plugin), `workers` when given (1: this process alone), none
    when the user's own arguments choose, or need one process."""
    chosen = any(
        arg in _SERIAL_OPTIONS or arg.startswith(_WORKER_OPTIONS) for arg in pytest_args
    ) or any(a == "-p" and b == "no:xdist" for a, b in pairwise(pytest_args))
    if chosen or workers == 1 or importlib.util.find_spec("xdist") is None:
        return []
    return ["-n", str(workers) if workers else "auto", "--dist", "loadgroup"]


def pytest_arguments(
    user_paths: Sequence[Path],
    selection: Sequence[str],
    extra: Sequence[str],
    workers: int | None = None,
) -> list[str]:
    """The pytest command line: our scenarios, then the user's own files, rooted in the
    current folder; modules imported by path, so a user's test_forwarding.py never collides
    with ours."""
    for path in user_paths:
        if not path.exists():
            raise ConfigError(
                f"test: scenario path {str(path)!r} does not exist; allowed: a test file or "
                "folder of your own. Hint: paths are relative to the current folder."
            )
    return [
        str(SCENARIOS_DIR),
        *(str(path) for path in user_paths),
        *selection,
        f"--rootdir={os.getcwd()}",
        "--import-mode=importlib",
        "--strict-markers",
        # This process imported harness (and the adapter) before pytest could rewrite them.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "-o",
        "xfail_strict=true",
        *parallel_arguments(workers, extra),
        *extra,
    ]


def run_scenarios(
    user_paths: Sequence[Path],
    selection: Sequence[str],
    extra: Sequence[str],
    workers: int | None = None,
) -> ExitCode:
    """Run pytest in this process and classify how it ended."""
    if not SCENARIOS_DIR.is_dir():
        raise ConfigError(
            f"test: no scenarios at {SCENARIOS_DIR}. Hint: reinstall the wheel "
            "(`pip install --force-reinstall deploy-harness-*.whl`)."
        )
    recorder = _StartErrors()
    code = pytest.main(
        pytest_arguments(user_paths, selection, extra, workers), plugins=[recorder]
    )
    if recorder.first is not None:
        return recorder.first
    return _PYTEST_TO_EXIT.get(pytest.ExitCode(code), ExitCode.CHECKS_FAILED)
