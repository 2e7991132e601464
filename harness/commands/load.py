"""`harness load`'s options and the command's flow: parse, compare, print, write, gate."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from harness.errors import ConfigError
from harness.load.shapes import ShapeKind, Timing, parse_levels
from harness.load.workloads import parse_mix
from harness.progress import Progress
from harness.spec.model import StackSpec

if TYPE_CHECKING:
    # The load extra (psutil, matplotlib, locust) is imported when `harness load` runs, so
    # a wheel installed without it still parses every other command; and the results'
    # modules (docker-py, psutil through the resource sampler) when it reads or reports,
    # so building the `harness` parser stays cheap.
    from harness.load.gate import GateResult
    from harness.load.runner import LoadPlan
    from harness.load.schema import LoadResults

EXIT_FAILURES = 1
EXIT_REGRESSION = 3
console = Console(width=200)


def add_load_arguments(
    load: argparse.ArgumentParser,
    whole: Callable[[int, int], Callable[[str], int]],
    ratio: Callable[[str], float],
    url_path: Callable[[str], str],
) -> None:
    shape = load.add_mutually_exclusive_group()
    shape.add_argument("--users", metavar="N,N,...", help="closed-loop sweep; default 8")
    shape.add_argument("--rate", metavar="R,R,...", help="fixed-rate sweep, requests/s")
    load.add_argument("--mix", default="get=1", help="workload weights; default get=1")
    load.add_argument("--seconds", type=whole(1, 600), default=10, help="measured per step")
    load.add_argument("--warmup", type=whole(0, 60), default=1, help="left out; default 1")
    load.add_argument("--repeat", type=whole(1, 20), default=1, help="runs per step")
    load.add_argument("--processes", type=whole(1, 64), default=1, help="locust processes")
    load.add_argument("--max-requests", type=whole(1, 1_000_000), default=100_000,
                      help="per user, after which it stops; default 100000")  # fmt: skip
    load.add_argument("--path", action="append", type=url_path,
                      help="GET this path (repeatable); default /echo")  # fmt: skip
    load.add_argument("--max-failure-ratio", type=ratio, default=0.0,
                      help="exit 1 when a step fails more than this share; default 0")  # fmt: skip
    load.add_argument("--out", metavar="DIR", help="write results.json, summary.md, index.html")
    load.add_argument("--baseline", metavar="RESULTS_JSON", help="gate against these results")
    load.add_argument("--max-regression", default="10%", help="gate threshold; default 10%%")
    load.add_argument("--ceiling", action="store_true",
                      help="also load the first --path with wrk, then locust")  # fmt: skip


def plan_from(args: argparse.Namespace) -> tuple[LoadPlan, LoadResults | None, float]:
    """The plan, the baseline and the gate's threshold, all checked before any stack starts."""
    from harness.load.gate import parse_threshold
    from harness.load.reading import read_results
    from harness.load.runner import LoadPlan, require_locust

    require_locust()
    kind = ShapeKind.OPEN if args.rate else ShapeKind.CLOSED
    steps = parse_levels(kind, args.rate or args.users or "8")
    threshold = parse_threshold(args.max_regression)
    baseline = read_results(Path(args.baseline)) if args.baseline else None
    if args.ceiling and kind is ShapeKind.OPEN:
        raise ConfigError("--ceiling compares closed loops: use it with --users, not --rate")
    plan = LoadPlan(
        mix=parse_mix(args.mix), steps=steps, timing=Timing(args.seconds, args.warmup),
        paths=tuple(args.path or ["/echo"]), max_requests_per_user=args.max_requests,
        repeat=args.repeat, processes=args.processes,
    )  # fmt: skip
    return plan, baseline, threshold


def run_load_command(
    args: argparse.Namespace,
    plan: LoadPlan,
    specs: Sequence[StackSpec],
    baseline: LoadResults | None,
    threshold: float,
) -> int:
    from harness.load.comparison import compare_stacks
    from harness.load.gate import gate
    from harness.load.output import write_outputs
    from harness.load.report import failure_evidence
    from harness.run.session import HarnessSession

    session = HarnessSession(Progress())
    try:
        results = compare_stacks(
            session, specs, plan, session.temp_dir / "load",
            ceiling_path=plan.paths[0] if args.ceiling else None, announce=_say,
        )  # fmt: skip
    finally:
        session.close()
    outcome = gate(baseline, results, threshold) if baseline is not None else None
    _print(results, args.max_failure_ratio, outcome)
    if args.out:
        for path in write_outputs(results, Path(args.out), outcome):
            _say(f"wrote {path}")
    if outcome is not None and not outcome.passed:
        return EXIT_REGRESSION
    return EXIT_FAILURES if failure_evidence(results, args.max_failure_ratio) else 0


def _say(line: Any) -> None:
    console.print(line, markup=False, highlight=False)


def _print(results: LoadResults, max_failure_ratio: float, outcome: GateResult | None) -> None:
    from harness.load.report import ceiling_lines, comparison_table, failure_evidence, verdicts

    console.print(comparison_table(results, max_failure_ratio))
    for note in (note for stack in results.stacks for note in stack.notes):
        _say(f"note: {note}")
    for line in ceiling_lines(results):
        _say(f"ceiling: {line}")
    for line in verdicts(results):
        _say(f"verdict: {line}")
    for line in failure_evidence(results, max_failure_ratio):
        _say(line)
    _say(f"comparison wall time: {results.wall_seconds:.0f} s")
    if outcome is not None:
        for regression in outcome.regressions:
            _say(f"REGRESSION {regression}")
        for line in outcome.unmatched:
            _say(f"gate: not compared: {line}")
        if outcome.passed:
            _say("gate: passed, no step regressed beyond the threshold and the spread")
