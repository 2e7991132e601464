"""The ceiling check: the same endpoint of the same stack loaded by wrk, an independent
generator written in C, at the same concurrency as locust. locust's throughput as a fraction
of wrk's says how close locust came to the stack's limit (on a shared host, both generators
also compete with the stack for the same cores).

wrk has no request-count bound: it is bounded by its duration, and by a subprocess deadline.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from harness.errors import HarnessError
from harness.load.runner import LoadPlan, run_step
from harness.load.schema import Ceiling
from harness.load.shapes import ShapeKind, Step
from harness.load.workloads import Mix, Workload
from harness.run.stack import Stack

OVERRUN_SECONDS = 15
_REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.MULTILINE)


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise HarnessError(
            "--ceiling needs wrk (the independent load generator), which is not on PATH. "
            "Hint: apt-get install wrk (scripts/bootstrap installs it)"
        )
    return found


def wrk_requests_per_second(output: str) -> float:
    """The `Requests/sec:` figure of wrk's report; HarnessError when it is absent."""
    match = _REQUESTS_PER_SECOND.search(output)
    if match is None:
        raise HarnessError(f"wrk printed no Requests/sec line; its output ends:\n{output[-500:]}")
    return float(match.group(1))


def run_wrk(url: str, connections: int, seconds: int) -> float:
    """wrk's throughput on `url` (127.0.0.1 only) with that many connections for `seconds`."""
    if not url.startswith(("http://127.0.0.1:", "https://127.0.0.1:")):
        raise HarnessError(f"wrk refuses {url}: load goes to 127.0.0.1 published ports only")
    command = [require_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", url]
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + OVERRUN_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise HarnessError(f"wrk did not stop within {seconds + OVERRUN_SECONDS}s") from None
    if finished.returncode != 0:
        raise HarnessError(f"wrk exited with {finished.returncode}: {finished.stderr[-500:]}")
    return wrk_requests_per_second(finished.stdout)


def check_ceiling(stack: Stack, plan: LoadPlan, users: int, path: str, prefix: Path) -> Ceiling:
    """locust (GET `path` only) then wrk, each at `users` connections for the step time."""
    step = Step(ShapeKind.CLOSED, users)
    only_get = LoadPlan(
        mix=Mix(((Workload.GET, 1),)), steps=(step,), timing=plan.timing, paths=(path,),
        max_requests_per_user=plan.max_requests_per_user, processes=plan.processes,
    )  # fmt: skip
    locust = run_step(stack, only_get.mix, step, only_get, prefix)
    wrk = run_wrk(stack.url + path, users, plan.timing.seconds)
    return Ceiling(
        path=path,
        users=users,
        seconds=plan.timing.seconds,
        locust_rps=locust.achieved_rps,
        wrk_rps=wrk,
        locust_generator_cpu=locust.generator.cpu_percent if locust.generator else 0.0,
        ratio=round(locust.achieved_rps / wrk, 3) if wrk > 0 else 0.0,
    )
