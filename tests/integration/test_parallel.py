"""Parallel runs: xdist workers and independent runs share one engine without collisions."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from harness.paths import PROJECT_ROOT
from harness.run.runtime import leftovers, remove_resources
from tests.integration.conftest import scenario_count

SCENARIO = "scenarios/test_forwarding.py"
STACKS = ("--stack", "nginx-gunicorn-gthread-flask", "--stack", "nginx-uwsgi-flask")


def launch(run_id: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", SCENARIO, *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "HARNESS_RUN_ID": run_id},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_xdist_workers_each_own_their_stacks():
    run_id = f"x{secrets.token_hex(3)}"
    try:
        process = launch(run_id, *STACKS, "-n", "2", "--dist", "loadgroup")
        output = process.communicate(timeout=600)[0]
        assert process.returncode == 0, output[-3000:]
        expected = 2 * scenario_count("test_forwarding.py")  # two stacks
        assert f"{expected} passed" in output, output[-3000:]
    finally:
        remove_resources(group=run_id)


def test_two_independent_runs_at_once_do_not_disturb_each_other():
    runs = [f"p{secrets.token_hex(3)}" for _ in range(2)]
    processes = [launch(run, "--stack", "nginx-gunicorn-gthread-flask") for run in runs]
    try:
        outputs = [p.communicate(timeout=600)[0] for p in processes]
        for process, output in zip(processes, outputs, strict=True):
            assert process.returncode == 0, output[-3000:]
        assert all(leftovers(run) == [] for run in runs)
    finally:
        for run in runs:
            remove_resources(group=run)
