"""What `harness load` prints: one row per stack and step, the same columns for each, with
the flags a reader must see (target not reached, generator-bound), notes, the ceiling check
and the stack-against-stack verdicts."""

from __future__ import annotations

from collections.abc import Iterator

from rich.table import Table

from harness.load.schema import LoadResults, StackResult, StepResult
from harness.load.spread import Better, Outcome, compare


def over_limit(step: StepResult, max_failure_ratio: float) -> bool:
    """More of its requests failed than allowed (no finished request counts as all failed)."""
    requests = sum(run.requests for run in step.runs)
    failed = sum(run.failed for run in step.runs)
    return not requests or failed / requests > max_failure_ratio


def cpu_cell(step: StepResult, stack: StackResult) -> str:
    sources = sorted({name for run in step.runs for name in run.containers})
    return " ".join(f"{name} {step.cpu(name):.0f}" for name in sources)


def comparison_table(results: LoadResults, max_failure_ratio: float) -> Table:
    """Requests, failures, throughput, latency, CPU and flags per stack and step."""
    table = Table(
        "stack", "step", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms",
        "late p95 ms", "stack CPU %", "generator CPU %", "flags",
        title=f"the same load on each stack, one at a time ({results.repeat} run(s) per step)",
    )  # fmt: skip
    for stack in results.stacks:
        for step in stack.steps:
            requests = sum(run.requests for run in step.runs)
            failed = sum(run.failed for run in step.runs)
            late = [run.lateness.p95 for run in step.runs if run.lateness]
            table.add_row(
                stack.stack_id, str(step.step), str(requests),
                f"{failed} ({failed / requests:.1%})" if requests else "none finished",
                str(step.throughput),
                *(f"{step.percentile(share):.0f}" for share in ("p50", "p95")), str(step.p99),
                f"{max(late):.0f}" if late else "-", cpu_cell(step, stack),
                f"{step.cpu('generator'):.0f}", ", ".join(step.flags()),
                style="red" if over_limit(step, max_failure_ratio) else None,
            )  # fmt: skip
    return table


def verdicts(results: LoadResults) -> Iterator[str]:
    """ "A beats B" per step and metric only beyond the run-to-run spread; else says why not."""
    stacks = results.stacks
    for index, first in enumerate(stacks):
        for second in stacks[index + 1 :]:
            for step in first.steps:
                other = second.step(step.step)
                if other is None:
                    continue
                for metric, better, mine, theirs in (
                    ("throughput", Better.HIGHER, step.throughput, other.throughput),
                    ("p99", Better.LOWER, step.p99, other.p99),
                ):
                    outcome = compare(mine, theirs, better)
                    if outcome is Outcome.FIRST:
                        yield f"{step.step} {metric}: {first.stack_id} beats {second.stack_id}"
                    elif outcome is Outcome.SECOND:
                        yield f"{step.step} {metric}: {second.stack_id} beats {first.stack_id}"
                    else:
                        yield f"{step.step} {metric}: no winner ({outcome})"


def ceiling_lines(results: LoadResults) -> Iterator[str]:
    for stack in results.stacks:
        if stack.ceiling is not None:
            c = stack.ceiling
            yield (
                f"{stack.stack_id} GET {c.path}, {c.users} connections: locust {c.locust_rps:.0f} "
                f"req/s, wrk {c.wrk_rps:.0f} req/s: locust reached {c.ratio:.0%} of wrk "
                f"(locust CPU {c.locust_generator_cpu:.0f}% of a core)"
            )


def failure_evidence(results: LoadResults, max_failure_ratio: float) -> list[str]:
    """For each step over the limit: what failed, and locust's failure table."""
    lines: list[str] = []
    for stack in results.stacks:
        for step in stack.steps:
            if not over_limit(step, max_failure_ratio):
                continue
            requests = sum(run.requests for run in step.runs)
            failed = sum(run.failed for run in step.runs)
            if requests:
                lines.append(
                    f"{stack.stack_id} at {step.step}: {failed} of {requests} requests failed "
                    f"(allowed ratio {max_failure_ratio}):"
                )
            else:
                lines.append(
                    f"{stack.stack_id} at {step.step}: no request finished within the run; "
                    "a longer --seconds lets slow requests end"
                )
            lines += [f"  {sample}" for run in step.runs for sample in run.failure_samples[:5]]
    return lines
