"""summary.md: the run in a few screens of Markdown, for a CI job's step summary.

Most important first: the counts, the diff's newly failing cells (when a diff is given), the
failing cells with their reasons, the flaky cells, then shard times and the slowest stacks.
The file stays short whatever the run: at most `CELL_BUDGET` cells are listed in all, the
rest are counted ("and 12 more"); index.html has every cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from harness.matrix.diff import MatrixDiff
from harness.matrix.report.summary import (
    cases_with,
    format_seconds,
    one_line,
    outcome_totals,
    slowest_stacks,
    stack_ids,
)
from harness.matrix.schema import CaseRecord, MatrixResults, Outcome

MARKDOWN_FILE = "summary.md"
CELL_BUDGET = 40
_FAILURES = frozenset({Outcome.FAILED, Outcome.ERROR})
_FLAKY = frozenset({Outcome.FLAKY})


class _Budget:
    """How many more cells the summary may list."""

    def __init__(self, cells: int) -> None:
        self.left = cells

    def take(self, entries: Sequence[str]) -> list[str]:
        """As many of `entries` as the budget allows, then an `and N more` line."""
        shown = list(entries[: self.left])
        self.left -= len(shown)
        hidden = len(entries) - len(shown)
        return shown + ([f"- … and {hidden} more (see index.html)"] if hidden else [])


def write_markdown(results: MatrixResults, out: Path, diff: MatrixDiff | None = None) -> Path:
    """Write summary.md into `out` (which must exist) and return its path."""
    path = out / MARKDOWN_FILE
    path.write_text(render_markdown(results, diff), "utf-8")
    return path


def render_markdown(results: MatrixResults, diff: MatrixDiff | None = None) -> str:
    """The summary as Markdown text."""
    budget = _Budget(CELL_BUDGET)
    lines = _counts(results)
    if diff is not None:
        lines += _diff(diff, budget)
    failing = cases_with(results, _FAILURES)
    lines += [f"### Failing cells: {len(failing)}", ""]
    lines += budget.take([_case_line(case) for case in failing]) or ["None."]
    flaky = cases_with(results, _FLAKY)
    lines += ["", f"### Flaky cells: {len(flaky)}", ""]
    lines += budget.take([_flaky_line(case) for case in flaky]) or ["None."]
    lines += _times(results)
    return "\n".join(lines) + "\n"


def _counts(results: MatrixResults) -> list[str]:
    run = results.run
    totals = " · ".join(f"{outcome} {number}" for outcome, number in outcome_totals(results))
    commit = f" ({run.harness_commit[:12]})" if run.harness_commit else ""
    return [
        f"## Compatibility matrix: {len(stack_ids(results))} stacks, {len(results.cases)} cells",
        "",
        f"{totals}",
        "",
        f"{run.started} → {run.ended} · deploy-harness {run.harness_version}{commit} · "
        f"{run.workers} workers on {run.host_cores} cores · selection {_code(run.selection)}",
        "",
    ]


def _diff(diff: MatrixDiff, budget: _Budget) -> list[str]:
    lines = ["### Since the previous run", ""]
    if diff.newly_failing:
        lines += [f"**Newly failing: {len(diff.newly_failing)}**", ""]
        lines += budget.take(
            [
                f"- {_code(change.stack)} {_code(change.case)}: {change.old} → **{change.new}**"
                + (f": {_text(change.reason)}" if change.reason else "")
                for change in diff.newly_failing
            ]
        )
    else:
        lines.append("Newly failing: none.")
    lines += [
        "",
        f"Newly passing: {len(diff.newly_passing)} · added: {len(diff.added)} · "
        f"removed: {len(diff.removed)} · versions changed: {len(diff.version_changes)}",
        "",
    ]
    return lines


def _case_line(case: CaseRecord) -> str:
    reason = f": {_text(case.reason)}" if case.reason else ""
    return f"- **{case.outcome}** {_code(case.stack)} {_code(case.case)}{reason}"


def _flaky_line(case: CaseRecord) -> str:
    first = f": first attempt: {_text(case.first_failure)}" if case.first_failure else ""
    return f"- {_code(case.stack)} {_code(case.case)} ({case.attempts} attempts){first}"


def _times(results: MatrixResults) -> list[str]:
    lines = ["", "### Time", "", "| shard | stacks | time |", "| --- | ---: | ---: |"]
    lines += [
        f"| {shard.label} | {len(shard.stacks)} | {format_seconds(shard.seconds)} |"
        for shard in results.run.shards
    ]
    lines += ["", "| slowest stack | time | start-up |", "| --- | ---: | ---: |"]
    lines += [
        f"| {_code(record.id)} | {format_seconds(record.seconds)} | "
        f"{format_seconds(record.startup_seconds)} |"
        for record in slowest_stacks(results)
    ]
    return lines


def _text(text: str) -> str:
    """Free text (a reason) on one line, with Markdown and HTML syntax shown literally."""
    return re.sub(r"([\\`*_\[\]<>|~#])", r"\\\1", one_line(text, 200))


def _code(text: str) -> str:
    """`text` as an inline code span, fenced by more backticks than it contains."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if longest else ""
    return f"{fence}{padding}{text}{padding}{fence}"
