"""`harness test`: our scenario suites (and a user's own beside them) through pytest.

What `pytest scenarios/ ...` is in the checkout, from any folder once the wheel is installed:
the scenarios ship as package data (harness/paths.py). A user's own scenario files, given as
paths, run in the same session with the same fixtures (`stack`, `client`, `ws`, ...).

It runs in parallel by itself, as any run of our scenarios does (harness/plugin/parallel.py):
xdist workers, as many as the machine carries for the stacks selected, each running a stack or
one of its lanes. `--workers N` sets the count (1: this process alone).

The exit code says which class of failure ended the run (harness/exitcodes.py): an
engine that cannot be reached ends it before collection, in one line (4, ENGINE:
harness/plugin/engine_check.py); a stack that did not start ends it with its error's class
(engine, image build, stack start, or config), ahead of scenario failures, since no scenario
of that stack could say anything.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.exitcodes import ExitCode
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
    (which reach this process from every xdist worker); or ExitCode.ENGINE when the run
    ended before collection because the engine could not be reached (pytest's exit code,
    4, is also that of its usage errors)."""

    def __init__(self) -> None:
        self.first: ExitCode | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from harness.plugin.hooks import start_exit_code

        if self.first is None:
            self.first = start_exit_code(report)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from harness.plugin.engine_check import ENGINE_UNREACHABLE

        if ENGINE_UNREACHABLE in config.stash:
            self.first = ExitCode.ENGINE


def worker_arguments(workers: int | None) -> list[str]:
    """xdist's worker count for `--workers`: none when not given (the plugin makes a run of
    our scenarios parallel by itself, harness/plugin/parallel.py), `-n 0` for 1 (this process
    alone)."""
    if workers is None:
        return []
    return ["-n", "0" if workers == 1 else str(workers)]


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
        *worker_arguments(workers),
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
    code = pytest.main(pytest_arguments(user_paths, selection, extra, workers), plugins=[recorder])
    if recorder.first is not None:
        return recorder.first
    return _PYTEST_TO_EXIT.get(pytest.ExitCode(code), ExitCode.CHECKS_FAILED)
