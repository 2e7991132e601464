#!/usr/bin/env python3
"""The speed benchmark: per stack, the wall time of every family run serially, the time per
family and the median start-up time; and the default profile's wall time with the README's
own command (`make scenarios`). Writes a section into docs/performance.md.

    scripts/bench --label after                        # one stack, start-ups, the profile
    scripts/bench --stack nginx-gunicorn-gthread-flask --no-profile --label quick

A benchmark, not a test: it measures and reports, it asserts nothing. Run it on a quiet
machine; every number is wall time on this machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.matrix.runner import MatrixPlan, run_matrix  # noqa: E402
from harness.matrix.shards import ShardSpec  # noqa: E402
from harness.plugin.lanes import Lane, lane_of  # noqa: E402
from harness.progress import QUIET  # noqa: E402
from harness.run.session import HarnessSession  # noqa: E402
from harness.spec.catalog import STACKS  # noqa: E402

DEFAULT_STACK = "nginx-uvicorn-django-asgi-tls"
REPORT = ROOT / "docs" / "performance.md"


def stack_families(
    stack_id: str, workers: int = 1
) -> tuple[float, dict[str, float], dict[str, int], dict[Lane, float]]:
    """Every family on one stack (one worker: serially; one per lane: the lanes side by
    side, as the README's command runs them): wall seconds, seconds and cases per family,
    seconds per lane."""
    plan = MatrixPlan(
        specs=(STACKS[stack_id],),
        stack_files=(),
        shard=ShardSpec(1, 1),
        selection=f"--stack {stack_id}",
        workers=workers,
        retry=False,
    )
    with tempfile.TemporaryDirectory(prefix="bench-") as folder, open(os.devnull, "w") as quiet:
        started = time.monotonic()
        results = run_matrix(plan, Path(folder), echo=quiet)
        wall = time.monotonic() - started
    seconds: dict[str, float] = defaultdict(float)
    cases: dict[str, int] = defaultdict(int)
    lanes = dict.fromkeys(Lane, 0.0)
    for case in results.cases:
        seconds[case.family] += case.duration
        cases[case.family] += 1
        lanes[lane_of(case.family, case.scenario.rpartition("::")[2])] += case.duration
    return wall, dict(seconds), dict(cases), lanes


def startup_median(stack_id: str, runs: int) -> tuple[float, list[float]]:
    """Median seconds from nothing to a stack whose proxy and replicas all answer."""
    session = HarnessSession(QUIET)
    times = []
    try:
        session.images_for(STACKS[stack_id])  # images are not start-up
        for _ in range(runs):
            started = time.monotonic()
            stack = session.start(STACKS[stack_id])
            times.append(time.monotonic() - started)
            stack.down()
    finally:
        session.close()
    return statistics.median(times), times


def profile_wall() -> tuple[float, int, list[str]]:
    """The README's main command, timed: (seconds, exit code, pytest's summary line and the
    cases that failed)."""
    started = time.monotonic()
    done = subprocess.run(
        ["make", "scenarios"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    lines = done.stdout.splitlines()
    outcome = [line for line in lines if line.startswith("FAILED ") or line.startswith("ERROR ")]
    # pytest's last line; make adds its own "Error" line after it when pytest failed.
    summary = [line.strip("= ") for line in lines if line.startswith("=") and " in " in line][-1:]
    return time.monotonic() - started, done.returncode, summary + outcome


def commit() -> str:
    return (
        subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        or "?"
    )


def section(args: argparse.Namespace, lines: list[str]) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    return "\n".join(
        [f"## {args.label}: commit {commit()}, {when}", "", f"Machine: {machine}.", "", *lines, ""]
    )


def write_section(text: str, label: str) -> None:
    """Replace this label's section in docs/performance.md (or add it), keep the others."""
    old = REPORT.read_text("utf-8") if REPORT.exists() else "# Performance\n\n"
    head, *sections = old.split("\n## ")
    kept = [s for s in sections if not s.startswith(f"{label}:")]
    parts = [head.rstrip("\n") + "\n", *("## " + s.rstrip("\n") + "\n" for s in kept), text]
    REPORT.write_text("\n".join(parts), "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stack", action="append", help=f"default {DEFAULT_STACK}")
    parser.add_argument("--label", required=True, help="section name, e.g. before or after")
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--no-profile", action="store_true", help="skip `make scenarios`")
    args = parser.parse_args()
    lines: list[str] = []
    for stack_id in args.stack or [DEFAULT_STACK]:
        wall, seconds, cases, lanes = stack_families(stack_id)
        side_by_side, _, _, _ = stack_families(stack_id, workers=len(Lane))
        median, runs = startup_median(stack_id, args.startup_runs)
        lines += [
            f"### {stack_id}",
            "",
            f"Every family, one worker: **{wall:.0f} s** wall; its {len(Lane)} lanes side "
            f"by side (one worker each, as the README's command runs one stack): "
            f"**{side_by_side:.0f} s**. Start-up, median of "
            f"{len(runs)}: **{median:.2f} s** ({', '.join(f'{t:.2f}' for t in runs)}). "
            "Lanes: " + ", ".join(f"{lane.value} {t:.0f} s" for lane, t in lanes.items()) + ".",
            "",
            "| family | cases | seconds |",
            "|---|---:|---:|",
            *(
                f"| {family} | {cases[family]} | {seconds[family]:.1f} |"
                for family in sorted(seconds, key=lambda f: -seconds[f])
            ),
            "",
        ]
    if not args.no_profile:
        wall, code, outcome = profile_wall()
        lines += [
            f"Default profile with `make scenarios`: **{wall:.0f} s** "
            f"({wall / 60:.1f} min), exit {code}.",
            "",
            *(f"- {line}" for line in outcome),
            "",
        ]
    text = section(args, lines)
    print(text)
    write_section(text, args.label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
