"""The regression gate and the run-to-run spread: a step fails only beyond the threshold
AND beyond the spread, and the failure names the stack, the step and the metric."""

from __future__ import annotations

import pytest

from harness.errors import ConfigError
from harness.load.gate import Metric, gate, parse_threshold, regressed
from harness.load.schema import StepResult
from harness.load.shapes import ShapeKind, Step
from harness.load.spread import Better, Outcome, Spread, compare
from tests.unit.test_load_results import make_results, make_run

USERS_16 = Step(ShapeKind.CLOSED, 16)


def results(*throughputs: float, p99: float = 10.0, step: Step = USERS_16):
    return make_results(StepResult(step, [make_run(rps, p99) for rps in throughputs]))


def test_a_slower_step_fails_the_gate_and_is_named():
    outcome = gate(results(1000), results(700), threshold=0.10)
    assert not outcome.passed
    (regression,) = outcome.regressions
    assert (regression.stack_id, regression.step, regression.metric) == (
        "stack-a", "users=16", Metric.THROUGHPUT,
    )  # fmt: skip
    expected = "stack-a at users=16: throughput 1000.0 -> 700.0 req/s (-30%)"
    assert str(regression).startswith(expected)


def test_a_rise_in_p99_fails_the_gate():
    outcome = gate(results(1000, p99=10), results(1000, p99=15), threshold=0.10)
    assert [r.metric for r in outcome.regressions] == [Metric.P99]


def test_within_the_threshold_passes():
    assert gate(results(1000), results(950), threshold=0.10).passed


def test_beyond_the_threshold_but_within_the_spread_passes():
    # The baseline's own runs ranged from 600 to 1400: a 20 % lower median is noise here.
    noisy = results(600, 1000, 1400)
    assert gate(noisy, results(790, 800, 810), threshold=0.10).passed
    assert not regressed(Spread.of([990, 1000, 1010]), Spread.of([790, 800, 810]),
                         Better.HIGHER, 0.30)  # fmt: skip


def test_steps_missing_from_the_baseline_are_listed_not_failed():
    outcome = gate(results(1000), results(500, step=Step(ShapeKind.CLOSED, 64)), threshold=0.1)
    assert outcome.passed and outcome.unmatched == ["stack-a at users=64: not in the baseline"]


@pytest.mark.parametrize(("text", "value"), [("10%", 0.10), ("0.25", 0.25), ("5 %", 0.05)])
def test_thresholds(text, value):
    assert parse_threshold(text) == pytest.approx(value)


def test_a_bad_threshold_is_refused():
    with pytest.raises(ConfigError, match="allowed: a percentage such as 10%"):
        parse_threshold("-5%")


@pytest.mark.parametrize(
    ("first", "second", "better", "expected"),
    [
        ([100, 110, 105], [80, 90, 85], Better.HIGHER, Outcome.FIRST),
        ([100, 110, 105], [80, 101, 85], Better.HIGHER, Outcome.WITHIN_SPREAD),
        ([5, 6, 7], [9, 10, 11], Better.LOWER, Outcome.FIRST),
        ([9, 10, 11], [5, 6, 7], Better.LOWER, Outcome.SECOND),
        ([100], [50], Better.HIGHER, Outcome.NO_SPREAD),
    ],
)
def test_a_beats_b_only_beyond_the_spread(first, second, better, expected):
    assert compare(Spread.of(first), Spread.of(second), better) is expected


def test_spread_reports_median_and_range():
    spread = Spread.of([3.0, 1.0, 2.0])
    assert (spread.median, spread.low, spread.high, str(spread)) == (2.0, 1.0, 3.0, "2.0 (1.0-3.0)")
