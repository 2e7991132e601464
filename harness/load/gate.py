"""The regression gate: `--baseline results.json --max-regression 10%`.

A step regresses when, against the baseline's same stack and step, its throughput fell or
its p99 rose by more than the threshold AND by more than the run-to-run spread (the wider of
the two runs' ranges). Each regression names the stack, the step, the metric, both numbers.
Steps or stacks missing on either side are listed, not failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from harness.errors import ConfigError
from harness.load.schema import LoadResults, StepResult
from harness.load.spread import Better, Spread


class Metric(StrEnum):
    THROUGHPUT = "throughput"
    P99 = "p99"


@dataclass(frozen=True, slots=True)
class Regression:
    stack_id: str
    step: str
    metric: Metric
    baseline: Spread
    current: Spread
    change: float  # fraction: -0.25 is 25 % worse throughput, 0.25 is 25 % worse p99

    def __str__(self) -> str:
        unit = "req/s" if self.metric is Metric.THROUGHPUT else "ms"
        return (
            f"{self.stack_id} at {self.step}: {self.metric} {self.baseline} -> {self.current} "
            f"{unit} ({self.change:+.0%}), beyond the threshold and the run-to-run spread"
        )


@dataclass(frozen=True, slots=True)
class GateResult:
    regressions: list[Regression]
    unmatched: list[str]

    @property
    def passed(self) -> bool:
        return not self.regressions


def parse_threshold(text: str) -> float:
    """`10%` or `0.1` into a fraction from 0 to 10."""
    number = text.strip().removesuffix("%")
    try:
        value = float(number) / (100 if text.strip().endswith("%") else 1)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 10.0:
        raise ConfigError(
            f"--max-regression: got {text!r}; allowed: a percentage such as 10% (or 0.1)"
        )
    return value


def worse_by(baseline: Spread, current: Spread, better: Better) -> float:
    """How much worse current is than baseline, as a fraction of the baseline (0 if better)."""
    if baseline.median <= 0:
        return 0.0
    change = (current.median - baseline.median) / baseline.median
    return max(0.0, -change if better is Better.HIGHER else change)


def regressed(baseline: Spread, current: Spread, better: Better, threshold: float) -> bool:
    """Worse by more than the threshold, and by more than the spread of either side."""
    gap = abs(current.median - baseline.median)
    spread = max(baseline.width, current.width)
    return worse_by(baseline, current, better) > threshold and gap > spread


def check_step(
    stack_id: str, baseline: StepResult, current: StepResult, threshold: float
) -> list[Regression]:
    found = []
    for metric, better, before, now in (
        (Metric.THROUGHPUT, Better.HIGHER, baseline.throughput, current.throughput),
        (Metric.P99, Better.LOWER, baseline.p99, current.p99),
    ):
        if regressed(before, now, better, threshold):
            change = (now.median - before.median) / before.median
            found.append(Regression(stack_id, str(current.step), metric, before, now, change))
    return found


def gate(baseline: LoadResults, current: LoadResults, threshold: float) -> GateResult:
    """Every regression of `current` against `baseline`, stack by stack, step by step."""
    regressions: list[Regression] = []
    unmatched: list[str] = []
    before = {stack.stack_id: stack for stack in baseline.stacks}
    for stack in current.stacks:
        if stack.stack_id not in before:
            unmatched.append(f"{stack.stack_id}: not in the baseline")
            continue
        for step in stack.steps:
            old = before[stack.stack_id].step(step.step)
            if old is None:
                unmatched.append(f"{stack.stack_id} at {step.step}: not in the baseline")
                continue
            regressions += check_step(stack.stack_id, old, step, threshold)
    return GateResult(regressions, unmatched)
