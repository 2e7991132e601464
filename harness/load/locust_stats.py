"""Reading locust's reports (--json-file, --csv failures) into one measured run.

Percentiles come from locust's response-time histograms: its own percentile code cannot be
imported here (importing locust patches the standard library with gevent), and its CSV
summary can miss the last requests of a run. Start lateness (fixed rate) arrives as the
`SCHEDULE start lateness` entry and is kept apart from the requests.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.load.schema import Endpoint, FailureClass, Latency

LATENESS_METHOD = "SCHEDULE"
WEBSOCKET_METHODS = ("WS", "CONNECT")


@dataclass(frozen=True, slots=True)
class LocustStats:
    """What locust counted after the warm-up: requests, time span, latency, failures."""

    requests: int
    seconds: float
    latency: Latency
    lateness: Latency | None
    endpoints: list[Endpoint]
    failures: dict[FailureClass, int]
    failure_samples: list[str]
    window: tuple[float, float] | None  # wall-clock start (after warm-up) and last request


def percentile(histogram: Mapping[int, int], share: float) -> float:
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


def latency_of(entries: Iterable[Mapping[str, Any]]) -> Latency:
    histogram: Counter[int] = Counter()
    longest = 0.0
    for entry in entries:
        for millis, count in entry["response_times"].items():
            histogram[round(float(millis))] += count
        longest = max(longest, entry["max_response_time"] or 0.0)
    p50, p95, p99 = (percentile(histogram, share) for share in (50, 95, 99))
    return Latency(p50=p50, p95=p95, p99=p99, max=longest)


def classify(method: str, error: str) -> FailureClass:
    """The class of one of locust's failure texts."""
    if method in WEBSOCKET_METHODS:
        return FailureClass.WEBSOCKET
    if "Timeout" in error or "timed out" in error:
        return FailureClass.TIMEOUT
    if "HTTPError('4" in error:
        return FailureClass.HTTP_4XX
    if "HTTPError('5" in error:
        return FailureClass.HTTP_5XX
    if "Connection" in error or "Disconnected" in error or "refused" in error:
        return FailureClass.CONNECTION
    return FailureClass.OTHER


def read_failures(failures_csv: Path, most: int = 5) -> tuple[dict[FailureClass, int], list[str]]:
    """Failures by class, and the first few rows as `N x METHOD path: error`."""
    counts: Counter[FailureClass] = Counter()
    samples: list[str] = []
    if failures_csv.exists():
        with failures_csv.open(encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows):
                occurrences = int(row["Occurrences"])
                counts[classify(row["Method"], row["Error"])] += occurrences
                if len(samples) < most:
                    samples.append(f"{occurrences} x {row['Method']} {row['Name']}: {row['Error']}")
    return dict(counts), samples


def read_stats(stack_id: str, stats_json: Path, failures_csv: Path) -> LocustStats:
    """Merge locust's per-endpoint JSON stats into one run's numbers."""
    try:
        entries = json.loads(stats_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise HarnessError(f"{stack_id}: locust left no readable stats ({error})") from None
    requests = [entry for entry in entries if entry["method"] != LATENESS_METHOD]
    late = [entry for entry in entries if entry["method"] == LATENESS_METHOD]
    starts = [entry["start_time"] for entry in requests]
    ends = [entry["last_request_timestamp"] or entry["start_time"] for entry in requests]
    failures, samples = read_failures(failures_csv)
    failed = sum(entry["num_failures"] for entry in requests)
    undescribed = failed - sum(failures.values())
    if undescribed > 0:  # failures locust counted but did not describe
        failures[FailureClass.OTHER] = failures.get(FailureClass.OTHER, 0) + undescribed
    return LocustStats(
        requests=sum(entry["num_requests"] for entry in requests),
        seconds=max(ends) - min(starts) if requests else 0.0,
        latency=latency_of(requests),
        lateness=latency_of(late) if late else None,
        endpoints=[
            Endpoint(
                name=f"{entry['method']} {entry['name']}",
                requests=entry["num_requests"],
                failures=entry["num_failures"],
                latency=latency_of([entry]),
            )
            for entry in requests
        ],
        failures=failures,
        failure_samples=samples,
        window=(min(starts), max(ends)) if requests else None,
    )
