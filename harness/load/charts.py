"""PNG charts of a comparison, drawn with matplotlib (Agg, no display): throughput against
load; p50, p95 and p99 against load; CPU per container and generator per step.

Steps whose numbers a reader must not take at face value are marked on every chart:
generator-bound steps with a red ring, fixed-rate steps that missed their target with a
cross.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from harness.load.resources import GENERATOR
from harness.load.schema import LoadResults, StackResult, StepResult, Target

DPI = 110
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def _axis_label(results: LoadResults) -> str:
    first = results.stacks[0].steps[0].step if results.stacks and results.stacks[0].steps else None
    if first is not None and first.kind.value == "rate":
        return "target rate (requests/s)"
    return "concurrent users"


def _levels(stack: StackResult) -> list[int]:
    return [step.step.level for step in stack.steps]


def _mark_flags(axes: Axes, x: int, y: float, step: StepResult) -> None:
    if step.generator_bound:
        axes.plot(x, y, "o", ms=14, mfc="none", mec="red", mew=2, zorder=5)
    if step.target is Target.NOT_REACHED:
        axes.plot(x, y, "x", ms=12, color="red", mew=2.5, zorder=5)


def _flag_legend(axes: Axes) -> None:
    handles, _ = axes.get_legend_handles_labels()
    handles += [
        Line2D([], [], ls="", marker="o", ms=10, mfc="none", mec="red", mew=2,
               label="generator-bound"),
        Line2D([], [], ls="", marker="x", ms=9, color="red", mew=2.5, label="target not reached"),
    ]  # fmt: skip
    axes.legend(handles=handles, fontsize=8, loc="best")


def _log_x(axes: Axes, results: LoadResults) -> None:
    levels = sorted({lvl for stack in results.stacks for lvl in _levels(stack)})
    if len(levels) > 1 and levels[-1] / max(levels[0], 1) >= 8:
        axes.set_xscale("log", base=2)
    axes.set_xticks(levels, [str(level) for level in levels])
    axes.minorticks_off()


def throughput_chart(results: LoadResults, png: Path) -> Path:
    figure, axes = plt.subplots(figsize=(7.5, 4.2), dpi=DPI)
    for color, stack in zip(COLORS, results.stacks, strict=False):
        medians = [step.throughput.median for step in stack.steps]
        errors = [
            [s.throughput.median - s.throughput.low for s in stack.steps],
            [s.throughput.high - s.throughput.median for s in stack.steps],
        ]
        axes.errorbar(_levels(stack), medians, yerr=errors, marker="o", color=color,
                      capsize=3, label=stack.stack_id)  # fmt: skip
        for step, median in zip(stack.steps, medians, strict=True):
            _mark_flags(axes, step.step.level, median, step)
    _log_x(axes, results)
    axes.set(xlabel=_axis_label(results), ylabel="achieved requests/s",
             title="Throughput against load (median, range of runs)")  # fmt: skip
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    _flag_legend(axes)
    return _save(figure, png)


def latency_chart(results: LoadResults, png: Path) -> Path:
    figure, panels = plt.subplots(1, 3, figsize=(12, 4), dpi=DPI, sharey=True)
    for panel, share in zip(panels, ("p50", "p95", "p99"), strict=True):
        for color, stack in zip(COLORS, results.stacks, strict=False):
            values = [max(step.percentile(share), 0.5) for step in stack.steps]
            panel.plot(_levels(stack), values, marker="o", color=color, label=stack.stack_id)
            for step, value in zip(stack.steps, values, strict=True):
                _mark_flags(panel, step.step.level, value, step)
        _log_x(panel, results)
        panel.set_yscale("log")
        panel.set(title=f"{share} latency", xlabel=_axis_label(results))
        panel.grid(alpha=0.3, which="both")
    panels[0].set_ylabel("milliseconds (log scale)")
    _flag_legend(panels[0])
    figure.suptitle("Latency against load (median of runs)")
    return _save(figure, png)


def cpu_chart(results: LoadResults, png: Path) -> Path:
    """One panel per stack: stacked CPU of its containers per step, the generator beside."""
    count = max(1, len(results.stacks))
    figure, panels = plt.subplots(1, count, figsize=(6 * count, 4.2), dpi=DPI, squeeze=False)
    for panel, stack in zip(panels[0], results.stacks, strict=False):
        services = sorted({name for s in stack.steps for run in s.runs for name in run.containers})
        positions = list(range(len(stack.steps)))
        bottom = [0.0] * len(stack.steps)
        for color, service in zip(COLORS * 3, services, strict=False):
            values = [step.cpu(service) for step in stack.steps]
            panel.bar([p - 0.2 for p in positions], values, 0.38, bottom=bottom, color=color,
                      label=service)  # fmt: skip
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        generator = [step.cpu(GENERATOR) for step in stack.steps]
        bars = panel.bar([p + 0.2 for p in positions], generator, 0.38, color="#bbbbbb",
                         hatch="//", edgecolor="#666666", label="load generator")  # fmt: skip
        for bar, step in zip(bars, stack.steps, strict=True):
            if step.generator_bound:
                bar.set_edgecolor("red")
                bar.set_linewidth(2)
                panel.annotate("generator-bound", (bar.get_x() + bar.get_width() / 2,
                               bar.get_height()), ha="center", va="bottom", fontsize=7,
                               color="red")  # fmt: skip
        panel.axhline(100, color="#999999", lw=0.8, ls=":")
        panel.set_xticks(positions, [str(step.step) for step in stack.steps], fontsize=8)
        panel.set(title=stack.stack_id, ylabel="CPU, % of one core")
        panel.legend(fontsize=7, loc="upper left")
        panel.grid(alpha=0.3, axis="y")
    figure.suptitle(f"CPU per container and load generator ({results.host_cores} cores)")
    return _save(figure, png)


def _save(figure: Figure, png: Path) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(png)
    plt.close(figure)
    return png


def draw_charts(results: LoadResults, folder: Path) -> dict[str, Path]:
    """Every chart of the report, by name, as PNG files in `folder`."""
    return {
        "throughput": throughput_chart(results, folder / "throughput.png"),
        "latency": latency_chart(results, folder / "latency.png"),
        "cpu": cpu_chart(results, folder / "cpu.png"),
    }
