"""`harness matrix run`: the scenario suites over a selection (or one shard of it), through
pytest and the harness plugin, with parallel workers, into DIR/results.json.

pytest runs in a child process (`python -m pytest scenarios/ --matrix-out ...`), exactly as a
user's `pytest scenarios/` would, with xdist workers that each own whole stacks. Its output is
shown and kept in DIR/pytest-attempt-N.log. Cases that failed are run once more, on fresh
stacks, in a second pytest process: a case that passes then is flaky, and is reported so.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from harness.engine import engine
from harness.errors import ConfigError, HarnessError
from harness.matrix.assemble import (
    RecordedCase,
    after_retry,
    read_reports,
    recorded_cases,
    rerunnable,
    stack_record,
)
from harness.matrix.recorder import CONFIGS_DIR
from harness.matrix.runinfo import run_info
from harness.matrix.schema import CaseRecord, MatrixResults, ShardInfo, sorted_cases
from harness.matrix.shards import ShardSpec
from harness.paths import PROJECT_ROOT, SCENARIOS_DIR
from harness.spec.model import StackSpec

RAW_DIR = "raw"
# pytest's exit codes that still mean "the run happened": all passed, some failed, none ran.
_RUN_HAPPENED = (0, 1, 5)


@dataclass(frozen=True, slots=True)
class MatrixPlan:
    """What one `harness matrix run` does."""

    specs: tuple[StackSpec, ...]  # this shard's stacks
    stack_files: tuple[Path, ...]
    shard: ShardSpec
    selection: str  # how the stacks were chosen, for the report
    workers: int
    pytest_args: tuple[str, ...] = ()
    retry: bool = True


def run_matrix(plan: MatrixPlan, out: Path, echo: TextIO = sys.stdout) -> MatrixResults:
    """Run the plan's stacks, retry failed cases once, write and return results.json's data."""
    if not SCENARIOS_DIR.is_dir():
        raise ConfigError(
            f"matrix run: no scenarios at {SCENARIOS_DIR}. Hint: run from a "
            "checkout of deploy-harness."
        )
    out.mkdir(parents=True, exist_ok=True)
    started, clock = _now(), time.monotonic()
    first_dir = out / RAW_DIR / "attempt-1"
    cases: dict[tuple[str, str], CaseRecord] = {}
    if plan.specs:
        engine()  # an engine out of reach ends the run here, exit 4, not as pytest's exit 4
        stack_args = [arg for spec in plan.specs for arg in ("--stack", spec.id)]
        _pytest(plan, [str(SCENARIOS_DIR), *stack_args], first_dir, out, 1, echo)
        if (first_dir / CONFIGS_DIR).is_dir():
            shutil.copytree(first_dir / CONFIGS_DIR, out / CONFIGS_DIR, dirs_exist_ok=True)
        first = recorded_cases(read_reports(first_dir))
        cases = {recorded.record.key: recorded.record for recorded in first}
        failed = [recorded for recorded in first if recorded.record.outcome.is_failure]
        if failed and plan.retry:
            cases.update(_retry(plan, failed, out, echo))
    ended = _now()
    shard = ShardInfo(
        index=plan.shard.index,
        count=plan.shard.count,
        started=started,
        ended=ended,
        seconds=round(time.monotonic() - clock, 1),
        stacks=tuple(spec.id for spec in plan.specs),
    )
    records = sorted_cases(cases.values())
    return MatrixResults(
        run=run_info(started, ended, plan.workers, plan.selection, (shard,)),
        stacks={spec.id: stack_record(spec, first_dir, records) for spec in plan.specs},
        cases=records,
    )


def _retry(
    plan: MatrixPlan, failed: Sequence[RecordedCase], out: Path, echo: TextIO
) -> dict[tuple[str, str], CaseRecord]:
    """Run the failed cases once more, on fresh stacks; flaky if they pass then."""
    folder = out / RAW_DIR / "attempt-2"
    stacks = sorted({recorded.record.stack for recorded in failed if recorded.record.stack})
    nodeids = list(dict.fromkeys(rerunnable(recorded.nodeid) for recorded in failed))
    stack_args = [arg for stack_id in stacks for arg in ("--stack", stack_id)]
    echo.write(f"matrix: retrying {len(nodeids)} failed case(s) once, on fresh stacks\n")
    _pytest(
        plan, [*nodeids, *stack_args], folder, out, 2, echo, workers=min(plan.workers, len(stacks))
    )
    retried = {
        recorded.record.key: recorded.record for recorded in recorded_cases(read_reports(folder))
    }
    return {
        recorded.record.key: after_retry(recorded.record, retried[recorded.record.key])
        for recorded in failed
        if recorded.record.key in retried
    }


def _pytest(
    plan: MatrixPlan,
    targets: list[str],
    folder: Path,
    out: Path,
    attempt: int,
    echo: TextIO,
    workers: int | None = None,
) -> None:
    workers = plan.workers if workers is None else workers
    command = [
        sys.executable, "-m", "pytest", *targets, "--matrix-out", str(folder),
        "-p", "no:cacheprovider", "-q", "-rfE",
        "-n", str(workers) if workers > 1 else "0",  # the plugin adds --dist loadgroup
        *[arg for path in plan.stack_files for arg in ("--stack-file", str(path))],
        *plan.pytest_args,
    ]  # fmt: skip
    log = out / f"pytest-attempt-{attempt}.log"
    code = _tee(command, log, echo)
    if code not in _RUN_HAPPENED:
        tail = "\n".join(log.read_text("utf-8", errors="replace").splitlines()[-30:])
        raise HarnessError(
            f"matrix run: pytest exited with code {code} (attempt {attempt}); its output is in "
            f"{log}. Last lines:\n{tail}"
        )


def _tee(command: list[str], log: Path, echo: TextIO) -> int:
    """Run a command, showing its output and keeping it in `log`; return its exit code."""
    with log.open("w", encoding="utf-8") as kept, subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        errors="replace",
    ) as child:  # fmt: skip
        assert child.stdout is not None
        for line in child.stdout:
            kept.write(line)
            echo.write(line)
        return child.wait()


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
