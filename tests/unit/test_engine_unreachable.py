"""An engine that cannot be reached ends a run of our scenarios before collection: one line
(what, where, a hint) and exit 4, from `harness test`, `harness build` and a plain
`pytest scenarios/` alike; no worker starts, no case errors. A run that only lists, and a
user's pytest run without our scenarios, do not need the engine. No Docker needed: the
engine is one nobody serves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.exitcodes import ExitCode
from harness.paths import PROJECT_ROOT
from tests.unit.cli_process import harness

pytest_plugins = ["pytester"]

STACK = "nginx-gunicorn-gthread-flask"
NOWHERE = ["unix:///nonexistent.sock", "tcp://127.0.0.1:1"]


@pytest.fixture(params=NOWHERE)
def nowhere(request: pytest.FixtureRequest) -> str:
    """A DOCKER_HOST no engine answers on."""
    return str(request.param)


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    path = tmp_path / "stacks.toml"
    path.write_text(f'[[stacks]]\nid = "mine"\nextends = "{STACK}"\n', encoding="utf-8")
    return path


def pytest_run(*args: str, docker_host: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DOCKER_HOST": docker_host},
        check=False,
    )


def assert_one_line_engine_error(result: subprocess.CompletedProcess[str], host: str) -> None:
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == ExitCode.ENGINE, (result.returncode, lines[-20:])
    assert len(lines) == 1, "\n".join(lines[:20])
    assert f"Cannot reach the Docker engine at {host}" in lines[0], lines[0]
    assert "Hint: start the engine" in lines[0] and "set DOCKER_HOST" in lines[0], lines[0]


def test_harness_test_says_so_in_one_line(nowhere, stack_file):
    for selection in (["--stack", STACK], ["--stack-file", str(stack_file)]):
        result = harness("test", *selection, env={"DOCKER_HOST": nowhere})
        assert_one_line_engine_error(result, nowhere)


def test_harness_build_says_so_in_one_line(stack_file):
    result = harness("build", "--stack-file", str(stack_file), env={"DOCKER_HOST": NOWHERE[0]})
    assert_one_line_engine_error(result, NOWHERE[0])


@pytest.mark.parametrize(
    ("selection", "host"),
    [
        (["--stack", STACK], NOWHERE[0]),
        (["--stack-file", "STACK_FILE"], NOWHERE[1]),
        ([], NOWHERE[0]),
        (["-n", "2", "--stack", STACK], NOWHERE[1]),
    ],
    ids=["stack", "stack-file", "default-profile", "two-workers"],
)
def test_pytest_scenarios_says_so_before_collection(stack_file, selection, host):
    """Before collection and before xdist brings up a worker: nothing on stdout at all."""
    args = [str(stack_file) if arg == "STACK_FILE" else arg for arg in selection]
    result = pytest_run("scenarios/", *args, docker_host=host)
    assert_one_line_engine_error(result, host)
    assert result.stdout == "", result.stdout[-2000:]


def test_listing_the_scenarios_needs_no_engine(stack_file):
    listed = pytest_run("scenarios/", "--stack-file", str(stack_file), "--collect-only",
                        docker_host=NOWHERE[0])  # fmt: skip
    assert listed.returncode == pytest.ExitCode.OK, listed.stderr[-2000:]
    assert "[mine]" in listed.stdout, listed.stdout[-2000:]
    result = harness("test", "--stack", STACK, "--pytest-args=--collect-only -q",
                     env={"DOCKER_HOST": NOWHERE[0]})  # fmt: skip
    assert result.returncode == ExitCode.OK, result.stderr[-2000:]


def test_a_users_own_run_needs_no_engine(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", NOWHERE[0])
    pytester.makepyfile(test_mine="def test_adds():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
