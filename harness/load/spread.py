"""Run-to-run spread, and when a difference is larger than it.

With `--repeat K` every step runs K times. A number is reported as its median with the
range of the runs (low to high). "A beats B" only when their ranges do not overlap: the worst
run of A is better than the best run of B. A single run has no measured spread, so it never
decides a comparison on its own.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Better(StrEnum):
    HIGHER = "higher"  # throughput
    LOWER = "lower"  # latency


class Outcome(StrEnum):
    FIRST = "first beats second"
    SECOND = "second beats first"
    WITHIN_SPREAD = "within the run-to-run spread"
    NO_SPREAD = "one run each: no spread measured"


@dataclass(frozen=True, slots=True)
class Spread:
    """The median of K runs and their range."""

    median: float
    low: float
    high: float
    runs: int

    @staticmethod
    def of(values: Sequence[float]) -> Spread:
        if not values:
            return Spread(0.0, 0.0, 0.0, 0)
        return Spread(float(statistics.median(values)), min(values), max(values), len(values))

    @property
    def width(self) -> float:
        return self.high - self.low

    def __str__(self) -> str:
        if self.runs < 2:
            return f"{self.median:.1f}"
        return f"{self.median:.1f} ({self.low:.1f}-{self.high:.1f})"


def compare(first: Spread, second: Spread, better: Better) -> Outcome:
    """Which is better beyond the spread of both, if either."""
    if first.runs < 2 or second.runs < 2:
        return Outcome.NO_SPREAD
    if better is Better.HIGHER:
        first = Spread(-first.median, -first.high, -first.low, first.runs)
        second = Spread(-second.median, -second.high, -second.low, second.runs)
    if first.high < second.low:
        return Outcome.FIRST
    if second.high < first.low:
        return Outcome.SECOND
    return Outcome.WITHIN_SPREAD
