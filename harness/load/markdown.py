"""The Markdown summary of a comparison (summary.md): one table row per stack and step with
its flags, the notes, the ceiling check, the verdicts and the gate's outcome."""

from __future__ import annotations

from harness.load.gate import GateResult
from harness.load.report import ceiling_lines, verdicts
from harness.load.resources import GENERATOR
from harness.load.schema import LoadResults, StepResult


def _cpu(step: StepResult) -> str:
    sources = sorted({name for run in step.runs for name in run.containers})
    return ", ".join(f"{name} {step.cpu(name):.0f}" for name in sources) or "-"


def step_rows(results: LoadResults) -> list[str]:
    rows = [
        "| stack | step | requests | failures | req/s | p50 ms | p95 ms | p99 ms "
        "| late p95 ms | stack CPU % | generator CPU % | flags |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|---|",
    ]
    for stack in results.stacks:
        for step in stack.steps:
            late = [run.lateness.p95 for run in step.runs if run.lateness]
            cells = [
                stack.stack_id, str(step.step),
                str(sum(run.requests for run in step.runs)),
                str(sum(run.failed for run in step.runs)), str(step.throughput),
                f"{step.percentile('p50'):.0f}", f"{step.percentile('p95'):.0f}", str(step.p99),
                f"{max(late):.0f}" if late else "-", _cpu(step),
                f"{step.cpu(GENERATOR):.0f}", ", ".join(f"**{f}**" for f in step.flags()),
            ]  # fmt: skip
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def markdown_summary(results: LoadResults, gate: GateResult | None = None) -> str:
    lines = [
        "# Load comparison",
        "",
        f"{len(results.stacks)} stack(s), mix `{results.mix}`, {results.seconds} s per step after "
        f"a {results.warmup} s warm-up, {results.repeat} run(s) per step; "
        f"{results.wall_seconds:.0f} s in all on {results.host_cores} cores "
        f"(locust {results.locust_version}, {results.processes} process(es)). "
        "Numbers with a range are the median (low-high) of the runs.",
        "",
        *step_rows(results),
        "",
    ]
    notes = [note for stack in results.stacks for note in stack.notes]
    if notes:
        lines += ["## Notes", "", *(f"- {note}" for note in notes), ""]
    ceilings = list(ceiling_lines(results))
    if ceilings:
        lines += ["## Ceiling check (wrk)", "", *(f"- {line}" for line in ceilings), ""]
    found = list(verdicts(results))
    if found:
        lines += ["## Verdicts (beyond the run-to-run spread only)", ""]
        lines += [f"- {line}" for line in found] + [""]
    if gate is not None:
        lines += ["## Regression gate", ""]
        lines += [f"- REGRESSION {regression}" for regression in gate.regressions]
        lines += [f"- not compared: {line}" for line in gate.unmatched]
        if gate.passed:
            lines.append("- passed: no step regressed beyond the threshold and the spread")
        lines.append("")
    return "\n".join(lines)
