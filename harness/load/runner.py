"""Run locust against one stack for one step, bounded in time and count, while the stack's
containers and the generator are sampled; read back one measured run."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.load.locust_stats import read_stats
from harness.load.resources import GENERATOR, ResourceSampler
from harness.load.schema import Run
from harness.load.shapes import ShapeKind, Step, Timing
from harness.load.workloads import Mix, Workload
from harness.run.stack import Stack

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Time locust may take beyond --run-time: start-up, --stop-timeout, writing its reports.
OVERRUN_SECONDS = 30
STOP_TIMEOUT_SECONDS = 2
USER_CLASSES = {
    Workload.GET: "GetUser",
    Workload.POST: "PostUser",
    Workload.STREAM: "StreamUser",
    Workload.WS: "EchoUser",
    Workload.ROOM: "RoomUser",
}


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """The same load for every stack: the mix, the sweep's steps, their timing and bounds."""

    mix: Mix
    steps: tuple[Step, ...]
    timing: Timing
    paths: tuple[str, ...] = ("/echo",)
    max_requests_per_user: int = 100_000
    repeat: int = 1
    processes: int = 1


def require_locust() -> None:
    """Fail with the install hint when locust (the `load` extra) is missing."""
    if importlib.util.find_spec("locust") is None:
        raise HarnessError(
            "harness load needs locust, which is not installed. "
            "Hint: .venv/bin/pip install -e '.[load]'"
        )


def locust_command(stack: Stack, mix: Mix, step: Step, plan: LoadPlan, prefix: Path) -> list[str]:
    seconds = plan.timing.warmup + plan.timing.seconds
    return [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(step.users), "--spawn-rate", str(step.users),
        "--run-time", f"{seconds}s", "--stop-timeout", str(STOP_TIMEOUT_SECONDS),
        "--host", stack.url, "--only-summary", "--skip-log",
        "--json-file", str(prefix), "--csv", str(prefix), "--exit-code-on-error", "0",
        *(["--processes", str(plan.processes)] if plan.processes > 1 else []),
        *(USER_CLASSES[kind] for kind in mix.kinds),
    ]  # fmt: skip


def locust_environment(stack: Stack, mix: Mix, step: Step, plan: LoadPlan) -> dict[str, str]:
    rate = step.level / plan.processes if step.kind is ShapeKind.OPEN else 0
    return {
        **os.environ,
        "HARNESS_LOAD_WEIGHTS": str(mix),
        "HARNESS_LOAD_PATHS": ",".join(plan.paths),
        "HARNESS_LOAD_MAX_REQUESTS": str(plan.max_requests_per_user),
        "HARNESS_LOAD_RATE": str(rate),
        "HARNESS_LOAD_WARMUP": str(plan.timing.warmup),
        "HARNESS_LOAD_CA": str(stack.ca_path or ""),
        "HARNESS_LOAD_ORIGIN": stack.url,
    }


def run_step(stack: Stack, mix: Mix, step: Step, plan: LoadPlan, prefix: Path) -> Run:
    """One run of `step`: locust in its own process; containers and generator sampled."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    wall_minus_monotonic = time.time() - time.monotonic()
    sampler = _locust_sampled(stack, mix, step, plan, prefix)
    stats = read_stats(stack.id, Path(f"{prefix}.json"), Path(f"{prefix}_failures.csv"))
    # The measured window in the sampler's clock: from locust's reset after the warm-up to
    # its last request (both wall-clock times in its report).
    end = time.monotonic()
    start = end - plan.timing.seconds
    if stats.window is not None:
        start, end = (moment - wall_minus_monotonic for moment in stats.window)
    usage = sampler.usage(start, end)
    generator = usage.pop(GENERATOR, None)
    return Run(
        requests=stats.requests,
        failures=stats.failures,
        seconds=round(stats.seconds, 3),
        achieved_rps=round(stats.requests / stats.seconds, 1) if stats.seconds > 0 else 0.0,
        latency=stats.latency,
        lateness=stats.lateness,
        endpoints=stats.endpoints,
        containers=usage,
        generator=generator,
        failure_samples=stats.failure_samples,
    )


def _locust_sampled(
    stack: Stack, mix: Mix, step: Step, plan: LoadPlan, prefix: Path
) -> ResourceSampler:
    """Run locust for `step` to its end, sampling the stack's containers and locust itself
    meanwhile: the stopped sampler. A locust that overruns or fails is a HarnessError."""
    limit = plan.timing.warmup + plan.timing.seconds + OVERRUN_SECONDS
    with subprocess.Popen(
        locust_command(stack, mix, step, plan, prefix),
        env=locust_environment(stack, mix, step, plan),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as locust:  # fmt: skip
        sampler = ResourceSampler(stack.containers, generator_pid=locust.pid).start()
        try:
            _, stderr = locust.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            locust.kill()
            locust.communicate()
            raise HarnessError(
                f"{stack.id}: locust did not stop within {limit}s at {step}"
            ) from None
        finally:
            sampler.stop()
    if locust.returncode != 0:
        tail = "\n".join(stderr.splitlines()[-15:])
        raise HarnessError(f"{stack.id}: locust exited with {locust.returncode} at {step}:\n{tail}")
    return sampler
