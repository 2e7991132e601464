"""`harness load`: the same bounded locust load on two stacks, compared; the failure gate
fails a stack whose requests fail, and shows locust's failure table as evidence."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

from harness.paths import PROJECT_ROOT
from harness.runtime import leftovers

PLAIN = "nginx-gunicorn-gthread-flask"
TLS = "apache-gunicorn-gthread-django-tls"


def harness_load(*args: str) -> tuple[subprocess.CompletedProcess[str], float, str]:
    """Run `harness load` (4 users, 4 s per stack) as its own run group; the group's id lets
    the test count what the run left behind."""
    group = f"load{secrets.token_hex(3)}"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "load", *args, "--users", "4", "--seconds", "4"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=240, check=False,
        env={**os.environ, "HARNESS_RUN_ID": group},
    )  # fmt: skip
    return result, time.monotonic() - started, group


def table_row(output: str, stack_id: str) -> list[str]:
    """The cells of the stack's row in the printed comparison."""
    line = next(line for line in output.splitlines() if stack_id in line)
    return [cell.strip() for cell in line.split("│")[1:-1]]


def test_two_stacks_compared_under_the_same_load():
    result, took, group = harness_load(PLAIN, TLS, "--path", "/echo", "--path", "/static/hello.txt")
    assert result.returncode == 0, result.stdout + result.stderr
    for stack_id in (PLAIN, TLS):
        _, requests, failures, per_second, *_ = table_row(result.stdout, stack_id)
        assert int(requests) > 50 and failures == "0 (0.0%)", result.stdout
        assert float(per_second) > 10, result.stdout
    assert took < 120, f"two stacks, 4 s of load each, took {took:.0f}s"
    assert leftovers(group) == [], "harness load left containers or networks behind"


def test_failing_requests_fail_the_run_with_locusts_evidence():
    result, _, group = harness_load(PLAIN, "--path", "/no-such-page")
    assert result.returncode == 1, result.stdout + result.stderr
    _, requests, failures, *_ = table_row(result.stdout, PLAIN)
    assert failures == f"{requests} (100.0%)", result.stdout
    assert "/no-such-page" in result.stdout and "404" in result.stdout, result.stdout
    assert leftovers(group) == []
