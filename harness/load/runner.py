"""Run locust against one stack, bounded in time and count, and read back what it measured."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.stack import Stack

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Time locust may take beyond --run-time: start-up, --stop-timeout, writing its reports.
OVERRUN_SECONDS = 30
STOP_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class LoadPlan:
    """The same load for every stack: closed-loop users, each sending GETs without pauses."""

    users: int
    seconds: int
    paths: tuple[str, ...]
    max_requests_per_user: int


@dataclass(frozen=True)
class LoadResult:
    """What one stack did under the plan: counts, throughput, latency (ms), failures seen."""

    stack_id: str
    requests: int
    failures: int
    seconds: float
    percentiles_ms: dict[int, float]
    max_ms: float
    failure_samples: tuple[str, ...]

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 1.0


def require_locust() -> None:
    """Fail with the install hint when locust (the `load` extra) is missing."""
    if importlib.util.find_spec("locust") is None:
        raise HarnessError(
            "harness load needs locust, which is not installed. "
            "Hint: .venv/bin/pip install -e '.[load]'"
        )


def run_load(stack: Stack, plan: LoadPlan, workdir: Path) -> LoadResult:
    """Send the plan's load to the stack's public port with locust, headless, and read its
    JSON and failure reports."""
    workdir.mkdir(parents=True, exist_ok=True)
    prefix = workdir / stack.id
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(plan.users), "--spawn-rate", str(plan.users),
        "--run-time", f"{plan.seconds}s", "--stop-timeout", str(STOP_TIMEOUT_SECONDS),
        "--host", stack.url, "--only-summary", "--skip-log",
        "--json-file", str(prefix), "--csv", str(prefix), "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = {
        **os.environ,
        "HARNESS_LOAD_PATHS": ",".join(plan.paths),
        "HARNESS_LOAD_MAX_REQUESTS": str(plan.max_requests_per_user),
        "HARNESS_LOAD_CA": str(stack.ca_path or ""),
    }
    try:
        finished = subprocess.run(
            command, env=env, capture_output=True, text=True,
            timeout=plan.seconds + OVERRUN_SECONDS,
        )  # fmt: skip
    except subprocess.TimeoutExpired as timeout:
        raise HarnessError(
            f"{stack.id}: locust did not stop within {timeout.timeout:.0f}s "
            f"(--run-time {plan.seconds}s)"
        ) from None
    if finished.returncode != 0:
        tail = "\n".join(finished.stderr.splitlines()[-15:])
        raise HarnessError(f"{stack.id}: locust exited with {finished.returncode}:\n{tail}")
    return read_result(stack.id, Path(f"{prefix}.json"), Path(f"{prefix}_failures.csv"))


def read_result(stack_id: str, stats_json: Path, failures_csv: Path) -> LoadResult:
    """Merge locust's per-endpoint JSON stats into one result for the stack."""
    try:
        entries = json.loads(stats_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise HarnessError(f"{stack_id}: locust left no readable stats ({error})") from None
    # Percentiles from locust's response-time histograms: its own percentile code cannot be
    # imported here (importing locust patches the standard library with gevent), and its CSV
    # summary can miss the last requests of a run (seen: 20 rows' worth against 36 in JSON).
    histogram: Counter[int] = Counter()
    for entry in entries:
        for millis, count in entry["response_times"].items():
            histogram[int(float(millis))] += count
    starts = [entry["start_time"] for entry in entries]
    ends = [entry["last_request_timestamp"] or entry["start_time"] for entry in entries]
    return LoadResult(
        stack_id=stack_id,
        requests=sum(entry["num_requests"] for entry in entries),
        failures=sum(entry["num_failures"] for entry in entries),
        seconds=max(ends) - min(starts) if entries else 0.0,
        percentiles_ms={share: percentile(histogram, share) for share in (50, 95, 99)},
        max_ms=max((entry["max_response_time"] or 0.0 for entry in entries), default=0.0),
        failure_samples=failure_samples(failures_csv),
    )


def percentile(histogram: Mapping[int, int], share: int) -> float:
    """The response time (ms) under which `share` percent of the requests finished."""
    total = sum(histogram.values())
    if not total:
        return 0.0
    needed = total * share / 100
    seen = 0
    for millis in sorted(histogram):
        seen += histogram[millis]
        if seen >= needed:
            return float(millis)
    return float(max(histogram))


def failure_samples(failures_csv: Path, most: int = 5) -> tuple[str, ...]:
    """Locust's failure table as lines: `N x METHOD path: error`."""
    if not failures_csv.exists():
        return ()
    with failures_csv.open(encoding="utf-8", newline="") as rows:
        return tuple(
            f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
            for row in list(csv.DictReader(rows))[:most]
        )
