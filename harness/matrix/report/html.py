"""index.html: the matrix as one self-contained page, made from results.json alone.

Top to bottom: the diff against the previous night (when given), the run (who, when,
counts, shard times, slowest stacks), filters, the grid (stacks x cases, grouped by family),
the framing probes hop by hop with their advisory verdicts (when the run has any), the
details of every cell that did not simply pass, and one section per stack.

Only failed, error, xfailed, xpassed and flaky cells get a detail section; a passed or skipped
cell links to its stack's section instead. That keeps a nightly page of thousands of cells
small, and the stack section holds all a pass needs (versions, configs). Details are hidden
until targeted (CSS `:target`), so clicking a cell shows its detail without JavaScript and a
DOM dump still holds every detail. The only script is the filter, which marks the grid with
`data-ready="1"` once it has run. Nothing is loaded from the network: CSS and JS are inline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from harness.matrix.diff import MatrixDiff
from harness.matrix.report.framing import framing_view
from harness.matrix.report.grid import AXES, Grid, PageIds, build_grid
from harness.matrix.report.summary import (
    DETAILED,
    OUTCOME_ORDER,
    cases_with,
    format_seconds,
    key_versions,
    outcome_totals,
    package_versions,
    partial_run,
    run_seconds,
    slowest_stacks,
    strip_terminal_escapes,
)
from harness.matrix.schema import CaseRecord, ConfigDigest, MatrixResults, Outcome, StackRecord

HTML_FILE = "index.html"
TEMPLATE = "index.html.j2"
# Ids the template uses itself; generated ids never take them.
PAGE_IDS = ("diff", "run", "matrix", "grid", "shown", "framing", "details", "stacks")

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.matrix.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENVIRONMENT.filters["seconds"] = format_seconds
_ENVIRONMENT.filters["plain"] = strip_terminal_escapes


@dataclass(frozen=True, slots=True)
class Detail:
    """A cell worth explaining, with where its stack is described."""

    anchor: str
    case: CaseRecord
    stack_anchor: str
    versions: dict[str, str]
    configs: tuple[ConfigDigest, ...] = ()


@dataclass(frozen=True, slots=True)
class StackView:
    """A stack's section: its record and what the template shows of it."""

    record: StackRecord
    anchor: str
    versions: dict[str, str]
    packages: dict[str, str]
    debian_packages: dict[str, str]
    totals: list[tuple[Outcome, int]]


def write_html(results: MatrixResults, out: Path, diff: MatrixDiff | None = None) -> Path:
    """Write index.html into `out` (which must exist) and return its path."""
    path = out / HTML_FILE
    path.write_text(render_html(results, diff), "utf-8")
    return path


def render_html(results: MatrixResults, diff: MatrixDiff | None = None) -> str:
    """The page as a string."""
    return _ENVIRONMENT.get_template(TEMPLATE).render(page_context(results, diff))


def page_context(results: MatrixResults, diff: MatrixDiff | None) -> dict[str, Any]:
    """Everything the template reads; ids are handed out here, in a fixed order."""
    ids = PageIds(reserved=PAGE_IDS)
    grid = build_grid(results, ids)
    return {
        "run": results.run,
        "run_seconds": run_seconds(results.run),
        "partial": partial_run(results.run),
        "totals": outcome_totals(results),
        "outcomes": OUTCOME_ORDER,
        "stack_count": len(grid.rows),
        "cell_count": len(results.cases),
        "slowest": [(record, ids.get("stack", record.id)) for record in slowest_stacks(results)],
        "diff": diff,
        "cell_href": _cell_href(ids),
        "filters": _filters(grid),
        "protocols": sorted({column.protocol for column in grid.columns}),
        "grid": grid,
        "framing": framing_view(results),
        "details": _details(results, ids),
        "stacks": _stack_views(results, ids),
    }


def _cell_href(ids: PageIds) -> Callable[[str, str], str]:
    """Where a link to a cell goes: its detail, else its stack's section, else nowhere."""

    def href(stack: str, case: str) -> str:
        anchor = ids.find("cell", stack, case) or ids.find("stack", stack)
        return f"#{anchor}" if anchor else ""

    return href


def _filters(grid: Grid) -> dict[str, list[str]]:
    return {axis: sorted({row.axes[axis] for row in grid.rows}) for axis in AXES}


def _details(results: MatrixResults, ids: PageIds) -> list[Detail]:
    details = []
    for case in cases_with(results, DETAILED):
        record = results.stacks.get(case.stack)
        details.append(
            Detail(
                anchor=ids.get("cell", case.stack, case.case),
                case=case,
                stack_anchor=ids.get("stack", case.stack),
                versions=key_versions(record) if record else {},
                configs=record.configs if record else (),
            )
        )
    return details


def _stack_views(results: MatrixResults, ids: PageIds) -> list[StackView]:
    counts = Counter((case.stack, case.outcome) for case in results.cases)
    views = []
    for stack_id in sorted(results.stacks):
        record = results.stacks[stack_id]
        views.append(
            StackView(
                record=record,
                anchor=ids.get("stack", stack_id),
                versions=key_versions(record),
                packages=package_versions(record, "packages"),
                debian_packages=package_versions(record, "debian_packages"),
                totals=[(outcome, counts[stack_id, outcome]) for outcome in OUTCOME_ORDER],
            )
        )
    return views
