"""The HTML report (index.html): self-contained (charts embedded as PNG data), made from the
results alone with a Jinja2 template, the same facts as the Markdown summary plus the charts
and a per-route table."""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from harness.load.gate import GateResult
from harness.load.report import ceiling_lines, verdicts
from harness.load.resources import GENERATOR
from harness.load.schema import LoadResults


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def render_html(
    results: LoadResults, charts: dict[str, Path], gate: GateResult | None = None
) -> str:
    environment = Environment(
        loader=PackageLoader("harness.load", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("load.html.j2").render(
        results=results,
        charts={name: _data_uri(png) for name, png in charts.items()},
        gate=gate,
        verdicts=list(verdicts(results)),
        ceilings=list(ceiling_lines(results)),
        notes=[note for stack in results.stacks for note in stack.notes],
        generator=GENERATOR,
    )


def write_html(
    results: LoadResults, charts: dict[str, Path], out: Path, gate: GateResult | None = None
) -> Path:
    page = out / "index.html"
    page.write_text(render_html(results, charts, gate), encoding="utf-8")
    return page
