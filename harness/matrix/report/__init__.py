"""Reports of one matrix run, made from its results alone (and, if given, the diff against the
previous run).

    html.py      index.html: the grid, each cell's detail, each stack; self-contained
    markdown.py  summary.md: short enough for a CI step summary
    junit.py     junit.xml: one testsuite per stack, one testcase per cell
    grid.py      columns, rows and page ids, as the page draws them
    summary.py   totals, slowest stacks, key versions: shared by the three reports
    browser.py   headless Chromium: the page's DOM after its scripts ran, a screenshot
"""

from __future__ import annotations

from pathlib import Path

from harness.matrix.diff import MatrixDiff
from harness.matrix.report.html import write_html
from harness.matrix.report.junit import write_junit
from harness.matrix.report.markdown import write_markdown
from harness.matrix.schema import MatrixResults

__all__ = ["write_reports"]


def write_reports(results: MatrixResults, out: Path, diff: MatrixDiff | None = None) -> list[Path]:
    """Write index.html, summary.md and junit.xml into `out` (made if missing); return them."""
    out.mkdir(parents=True, exist_ok=True)
    return [
        write_html(results, out, diff),
        write_markdown(results, out, diff),
        write_junit(results, out),
    ]
