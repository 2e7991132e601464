"""Nothing leaks: after a passing, a failing, an interrupted or a killed run, nothing is left.

Each case runs the harness as a user does (pytest in a subprocess) under a known run id and
then counts what carries that run's label on the engine.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.paths import PROJECT_ROOT
from harness.run.runtime import leftovers, remove_resources
from tests.integration.test_broken_variants import write_variant
from tests.integration.variants import VARIANTS

STACK = "nginx-gunicorn-gthread-flask"
RUN_LIMIT = 300
# Seconds for an interrupted run to tear its stack down and end: a few are enough.
HEEDED_WITHIN = 60
# `harness clean` processes at once in the reaping race (three failed one in four kills).
REAPERS = 3


def start_run(run_id: str, *args: str) -> subprocess.Popen[bytes]:
    """The run as a user starts it in a terminal: Ctrl-C (SIGINT) interrupts it. A process
    started in the background of a shell without job control inherits SIGINT ignored, and so
    would the run when these tests run there (`make test &`): it went on to its end as if no
    SIGINT had come (seen once in make test)."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0", *args]
    env = {**os.environ, "HARNESS_RUN_ID": run_id}
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=_sigint_as_in_a_terminal,
    )


def _sigint_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_containers(run_id: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(name.startswith("container") for name in leftovers(run_id)):
            return
        assert process.poll() is None, f"run ended before its stack started: {process.stdout}"
        time.sleep(0.2)  # poll interval of a deadline-bound wait
    pytest.fail(f"run {run_id} started no container within {timeout}s")


@pytest.fixture
def run_id():
    run = f"t{secrets.token_hex(3)}"
    yield run
    remove_resources(group=run)


def test_passing_run_leaves_nothing(run_id):
    process = start_run(
        run_id, "scenarios/test_forwarding.py", "--stack", STACK, "-k", "forwarded_proto"
    )
    output = process.communicate(timeout=RUN_LIMIT)[0].decode()
    assert process.returncode == 0, output[-2000:]
    assert leftovers(run_id) == []


def test_failing_run_leaves_nothing(run_id, tmp_path: Path):
    variant = next(v for v in VARIANTS if v.name == "nginx-hardcoded-https-proto")
    process = start_run(
        run_id,
        "scenarios/test_forwarding.py",
        "--stack-file",
        str(write_variant(variant, tmp_path)),
        "-k",
        "forwarded_proto",
    )
    output = process.communicate(timeout=RUN_LIMIT)[0].decode()
    assert process.returncode == 1, output[-2000:]
    assert "container logs" in output, "a failed scenario shows its stack's logs"
    assert leftovers(run_id) == []


def test_interrupted_run_leaves_nothing(run_id):
    started = time.monotonic()
    process = start_run(run_id, "scenarios/", "--stack", STACK)
    wait_for_containers(run_id, process, RUN_LIMIT)
    signalled = time.monotonic() - started
    process.send_signal(signal.SIGINT)
    try:
        output = process.communicate(timeout=HEEDED_WITHIN)[0].decode()
    except subprocess.TimeoutExpired:
        # Ctrl-C again, as a user would (see start_run for the one cause found).
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=RUN_LIMIT)[0].decode()
    assert process.returncode != 0, (
        f"SIGINT, twice, from {signalled:.1f} s after the start went unheeded; the run's "
        f"output begins {output[:1500]}\n...\nand ends {output[-1500:]}"
    )
    assert leftovers(run_id) == [], output[-2000:]


def test_killed_run_is_reaped_by_clean(run_id):
    process = start_run(run_id, "scenarios/", "--stack", STACK)
    wait_for_containers(run_id, process, RUN_LIMIT)
    process.kill()
    process.wait(timeout=30)
    assert leftovers(run_id), "SIGKILL gives no chance to clean: resources remain"
    clean = subprocess.run(
        [sys.executable, "-m", "harness", "clean", "--orphans"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert clean.returncode == 0, clean.stderr
    assert leftovers(run_id) == []


def test_reapers_side_by_side_all_succeed(run_id):
    """Every run reaps orphans at its start and `harness clean` may run beside it: each
    reaper waits for a network whose containers another reaper is still removing."""
    process = start_run(run_id, "scenarios/", "--stack", STACK)
    wait_for_containers(run_id, process, RUN_LIMIT)
    process.kill()
    process.wait(timeout=30)
    cleans = [
        subprocess.Popen(
            [sys.executable, "-m", "harness", "clean", "--orphans"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(REAPERS)
    ]
    errors = [clean.communicate(timeout=120)[1] for clean in cleans]
    assert [clean.returncode for clean in cleans] == [0] * REAPERS, errors
    assert leftovers(run_id) == []


def test_keep_stacks_leaves_the_stack_and_says_how_to_remove_it(run_id):
    process = start_run(
        run_id,
        "scenarios/test_forwarding.py",
        "--stack",
        STACK,
        "-k",
        "forwarded_proto",
        "--keep-stacks",
    )
    output = process.communicate(timeout=RUN_LIMIT)[0].decode()
    assert process.returncode == 0, output[-2000:]
    assert f"kept stack {STACK}: http://127.0.0.1:" in output, output[-2000:]
    assert "remove: harness clean --run " in output
    assert any(name.startswith("container") for name in leftovers(run_id))
    remove_resources(only_orphans=True)  # what every later run does first
    assert any(name.startswith("container") for name in leftovers(run_id)), "kept is kept"


def test_parallel_run_stopped_by_sigterm_leaves_nothing(run_id):
    """`make scenarios` and `harness test` run xdist workers. A SIGTERM (a cancelled CI job)
    reaches the controller alone: it must stop the run as Ctrl-C does, its workers tearing
    their stacks down, and end with pytest's "interrupted"."""
    process = start_run(run_id, "scenarios/", "--stack", STACK, "-n", "2", "--dist", "loadgroup")
    wait_for_containers(run_id, process, RUN_LIMIT)
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=HEEDED_WITHIN)[0].decode()
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output[-2000:]
    assert leftovers(run_id) == [], output[-2000:]
