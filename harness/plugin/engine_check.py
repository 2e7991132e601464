"""A run of our scenarios needs the Docker engine: it is asked once, before anything is
collected, so an engine that cannot be reached ends the run as one line and exit 4
(ExitCode.ENGINE), not as one error with a traceback per case.

Only the controller (or the only process) asks, in pytest_configure: before xdist starts a
worker (at session start) and before a stack is selected for a case. A run that runs no case
(`--collect-only`, `--fixtures`, `--help`, ...) does not need the engine.
"""

from __future__ import annotations

import pytest

from harness.engine import engine
from harness.errors import EngineError
from harness.exitcodes import ExitCode

__all__ = ["ENGINE_UNREACHABLE", "exit_unless_engine_answers"]

# Set when the run ended because the engine could not be reached: `harness test` reads it to
# tell exit 4 from pytest's own usage error, which is 4 as well.
ENGINE_UNREACHABLE = pytest.StashKey[EngineError]()

# Option dests with which pytest shows or lists, and sets up no fixture.
_RUNS_NO_CASE = (
    "collectonly",
    "help",
    "markers",
    "showfixtures",
    "show_fixtures_per_test",
    "setupplan",
)


def exit_unless_engine_answers(config: pytest.Config) -> None:
    """For a run of our scenarios, from pytest_configure. On the controller (or the only
    process) of a run that runs cases: ping the engine once; if it cannot be reached, end the
    session with its one-line message (what, where, hint) and ExitCode.ENGINE. An xdist
    worker trusts its controller's answer."""
    if hasattr(config, "workerinput") or any(
        getattr(config.option, dest, False) for dest in _RUNS_NO_CASE
    ):
        return
    try:
        engine()  # cached: the session's own calls reuse this client, no second ping
    except EngineError as error:
        config.stash[ENGINE_UNREACHABLE] = error
        pytest.exit(str(error), returncode=ExitCode.ENGINE)
