"""A comparison: every stack in turn (one at a time, so they never share the cores), every
step of the sweep, `repeat` times, then the optional ceiling check; one LoadResults."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.load.ceiling import check_ceiling
from harness.load.runner import LoadPlan, run_step
from harness.load.schema import LoadResults, Run, StackResult, StepResult
from harness.load.shapes import ShapeKind
from harness.run.session import HarnessSession
from harness.spec.model import StackSpec

Announce = Callable[[str], None]


def compare_stacks(
    session: HarnessSession,
    specs: Sequence[StackSpec],
    plan: LoadPlan,
    workdir: Path,
    ceiling_path: str | None = None,
    announce: Announce = print,
) -> LoadResults:
    """Bring each stack up, run the plan on it, take it down; return every measurement."""
    started = time.monotonic()
    started_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    stacks = [_measure(session, spec, plan, workdir, ceiling_path, announce) for spec in specs]
    return LoadResults(
        started=started_at,
        wall_seconds=round(time.monotonic() - started, 1),
        host_cores=os.cpu_count() or 1,
        locust_version=importlib.metadata.version("locust"),
        processes=plan.processes,
        seconds=plan.timing.seconds,
        warmup=plan.timing.warmup,
        repeat=plan.repeat,
        mix=str(plan.mix),
        stacks=stacks,
    )


def _measure(
    session: HarnessSession,
    spec: StackSpec,
    plan: LoadPlan,
    workdir: Path,
    ceiling_path: str | None,
    announce: Announce,
) -> StackResult:
    """One stack up, every step of the plan run on it `plan.repeat` times (and the ceiling
    check when asked), then down."""
    mix, notes = plan.mix.for_stack(spec)
    for note in notes:
        announce(f"note: {note}")
    stack = session.start(spec)
    try:
        runs: dict[int, list[Run]] = {index: [] for index in range(len(plan.steps))}
        for repeat in range(plan.repeat):
            for index, step in enumerate(plan.steps):
                announce(f"{spec.id}: {step} ({mix}), run {repeat + 1} of {plan.repeat}")
                prefix = workdir / spec.id / f"{step.kind}-{step.level}-{repeat}"
                runs[index].append(run_step(stack, mix, step, plan, prefix))
        ceiling = None
        if ceiling_path is not None:
            users = max((s.level for s in plan.steps if s.kind is ShapeKind.CLOSED), default=16)
            announce(f"{spec.id}: ceiling check, locust then wrk, {users} connections")
            ceiling = check_ceiling(stack, plan, users, ceiling_path, workdir / spec.id / "ceiling")
    finally:
        stack.down()
    steps = [StepResult(step, runs[index]) for index, step in enumerate(plan.steps)]
    return StackResult(spec.id, spec.app_mode, str(mix), list(notes), steps, ceiling)
