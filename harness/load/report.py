"""The comparison `harness load` prints: one row per stack, the same columns for each."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from harness.load.runner import LoadResult


def over_limit(result: LoadResult, max_failure_ratio: float) -> bool:
    """More of its requests failed than allowed (no finished request counts as all failed)."""
    return result.failure_ratio > max_failure_ratio


def comparison_table(results: Sequence[LoadResult], max_failure_ratio: float) -> Table:
    """Requests, failures, throughput and latency percentiles per stack; failing rows in red."""
    table = Table(
        "stack", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
        title="the same load on each stack, one at a time",
    )  # fmt: skip
    for result in results:
        over = over_limit(result, max_failure_ratio)
        failures = f"{result.failures} ({result.failure_ratio:.1%})"
        table.add_row(
            result.stack_id,
            str(result.requests),
            failures if result.requests else "none finished",
            f"{result.requests_per_second:.1f}",
            *(f"{result.percentiles_ms[share]:.0f}" for share in (50, 95, 99)),
            f"{result.max_ms:.0f}",
            style="red" if over else None,
        )
    return table


def failure_evidence(results: Sequence[LoadResult], max_failure_ratio: float) -> list[str]:
    """For each stack over the limit: what failed, and locust's failure table."""
    lines: list[str] = []
    for result in results:
        if not over_limit(result, max_failure_ratio):
            continue
        if result.requests:
            lines.append(
                f"{result.stack_id}: {result.failures} of {result.requests} requests failed "
                f"(allowed ratio {max_failure_ratio}):"
            )
        else:
            lines.append(
                f"{result.stack_id}: no request finished within the run; "
                "a longer --seconds lets slow requests end"
            )
        lines += [f"  {sample}" for sample in result.failure_samples]
    return lines
