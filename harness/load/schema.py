"""The results of `harness load`: one JSON file (`results.json`, schema version 1) from which
the HTML report, the Markdown summary and the regression gate are all made.

Per stack, step and run: requests, failures by class, achieved rate, latency percentiles
(from locust's histograms), start lateness (fixed rate), CPU and memory per container and the
generator's CPU. docs/load.md describes every field. Reading a file checks it and names the
file, the field, what was given and what is allowed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from harness.load.resources import Usage
from harness.load.shapes import Step
from harness.load.spread import Spread

SCHEMA_VERSION = 1
# Generator CPU above this share of one core marks a step "generator-bound": its numbers
# may be the generator's limit, not the stack's.
GENERATOR_BOUND_PERCENT = 90.0
# A fixed-rate step reaches its target when it achieves this share of the rate...
TARGET_SHARE = 0.9
# ...and its p95 start lateness stays under this many milliseconds.
MAX_LATENESS_MS = 100.0


class FailureClass(StrEnum):
    HTTP_4XX = "http-4xx"
    HTTP_5XX = "http-5xx"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    WEBSOCKET = "websocket"
    OTHER = "other"


class Target(StrEnum):
    """Whether a fixed-rate step kept its schedule; closed-loop steps have no target."""

    REACHED = "reached"
    NOT_REACHED = "target not reached"
    NONE = "closed loop"


@dataclass(frozen=True, slots=True)
class Latency:
    """Milliseconds under which that share of requests finished (locust's histogram)."""

    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One route of the mix (locust's `method name` entry)."""

    name: str
    requests: int
    failures: int
    latency: Latency


@dataclass(frozen=True, slots=True)
class Run:
    """One run of one step on one stack, measured after the warm-up."""

    requests: int
    failures: dict[FailureClass, int]
    seconds: float
    achieved_rps: float
    latency: Latency
    lateness: Latency | None
    endpoints: list[Endpoint]
    containers: dict[str, Usage]
    generator: Usage | None
    failure_samples: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def generator_bound(self) -> bool:
        return self.generator is not None and self.generator.cpu_percent > GENERATOR_BOUND_PERCENT

    def target(self, step: Step) -> Target:
        if step.kind.value == "users":
            return Target.NONE
        late = self.lateness.p95 if self.lateness else 0.0
        on_rate = self.achieved_rps >= TARGET_SHARE * step.level
        return Target.REACHED if on_rate and late <= MAX_LATENESS_MS else Target.NOT_REACHED


@dataclass(frozen=True, slots=True)
class StepResult:
    step: Step
    runs: list[Run]

    @property
    def throughput(self) -> Spread:
        return Spread.of([run.achieved_rps for run in self.runs])

    @property
    def p99(self) -> Spread:
        return Spread.of([run.latency.p99 for run in self.runs])

    def percentile(self, share: str) -> float:
        return Spread.of([getattr(run.latency, share) for run in self.runs]).median

    @property
    def generator_bound(self) -> bool:
        return any(run.generator_bound for run in self.runs)

    @property
    def target(self) -> Target:
        targets = {run.target(self.step) for run in self.runs}
        return Target.NOT_REACHED if Target.NOT_REACHED in targets else targets.pop()

    def cpu(self, source: str) -> float:
        """Median CPU percent of one container (or the generator) over the runs."""
        values = [
            usage.cpu_percent
            for run in self.runs
            for usage in [run.generator if source == "generator" else run.containers.get(source)]
            if usage is not None
        ]
        return Spread.of(values).median

    def flags(self) -> list[str]:
        """What a reader must know before trusting the step's numbers."""
        found = [str(Target.NOT_REACHED)] if self.target is Target.NOT_REACHED else []
        return found + (["generator-bound"] if self.generator_bound else [])


@dataclass(frozen=True, slots=True)
class Ceiling:
    """The same endpoint loaded by wrk and by locust at the same concurrency."""

    path: str
    users: int
    seconds: int
    locust_rps: float
    wrk_rps: float
    locust_generator_cpu: float
    ratio: float


@dataclass(frozen=True, slots=True)
class StackResult:
    stack_id: str
    app_mode: str
    mix: str
    notes: list[str]
    steps: list[StepResult]
    ceiling: Ceiling | None = None

    def step(self, step: Step) -> StepResult | None:
        return next((found for found in self.steps if found.step == step), None)


@dataclass(frozen=True, slots=True)
class LoadResults:
    started: str
    wall_seconds: float
    host_cores: int
    locust_version: str
    processes: int
    seconds: int
    warmup: int
    repeat: int
    mix: str
    stacks: list[StackResult]
    version: int = SCHEMA_VERSION

    def to_json(self) -> str:
        return json.dumps(_plain(self), indent=2)

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path


def _plain(value: Any) -> Any:
    """Dataclasses as dicts, steps as `users=16`, enums as their values."""
    if isinstance(value, Step):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


__all__ = [
    "GENERATOR_BOUND_PERCENT",
    "SCHEMA_VERSION",
    "Ceiling",
    "Endpoint",
    "FailureClass",
    "Latency",
    "LoadResults",
    "Run",
    "StackResult",
    "StepResult",
    "Target",
]
