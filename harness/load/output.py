"""Everything a comparison writes to `--out`: results.json, summary.md, the charts and
index.html. Made from the results (and the gate's outcome) alone."""

from __future__ import annotations

from pathlib import Path

from harness.load.charts import draw_charts
from harness.load.gate import GateResult
from harness.load.html import write_html
from harness.load.markdown import markdown_summary
from harness.load.schema import LoadResults


def write_outputs(results: LoadResults, out: Path, gate: GateResult | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = [results.write(out / "results.json")]
    summary = out / "summary.md"
    summary.write_text(markdown_summary(results, gate), encoding="utf-8")
    charts = draw_charts(results, out / "charts")
    return [*written, summary, *charts.values(), write_html(results, charts, out, gate)]
