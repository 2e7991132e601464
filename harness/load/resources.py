"""CPU and memory during a load step: every container of the stack, from the engine's
stats, and the load generator's own process tree, from the host (psutil).

A sampler thread reads cumulative CPU time (and current memory) every SAMPLE_INTERVAL, so
the CPU a container used in any window is the difference of two readings divided by the
window's length: exact on average, whatever the sampling jitter. The engine's one-shot stats
answer at once (a streaming read would wait a second for its own previous sample).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import docker.errors
import psutil
import requests.exceptions

from harness.errors import EngineError

SAMPLE_INTERVAL = 0.5
# A sampler stops by itself this long after it started, should its owner never stop it.
MAX_SAMPLING_SECONDS = 3600
GENERATOR = "generator"


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading: when (monotonic seconds), cumulative CPU seconds, memory bytes in use."""

    at: float
    cpu_seconds: float
    memory_bytes: int


@dataclass(frozen=True, slots=True)
class Usage:
    """What one container (or the generator) used in a window: CPU as a percentage of one
    core, memory in MiB (mean and peak of the readings)."""

    cpu_percent: float
    memory_mean_mib: float
    memory_peak_mib: float


def usage_between(readings: Sequence[Reading], start: float, end: float) -> Usage | None:
    """The usage in [start, end] from the readings nearest its edges; None without two."""
    inside = [reading for reading in readings if start <= reading.at <= end]
    if len(inside) < 2 or inside[-1].at <= inside[0].at:
        return None
    first, last = inside[0], inside[-1]
    cpu = (last.cpu_seconds - first.cpu_seconds) / (last.at - first.at) * 100
    memory = [reading.memory_bytes / 2**20 for reading in inside]
    return Usage(
        cpu_percent=round(max(0.0, cpu), 1),
        memory_mean_mib=round(sum(memory) / len(memory), 1),
        memory_peak_mib=round(max(memory), 1),
    )


def container_reading(container: Any) -> Reading:
    """The engine's one-shot stats of a running container (memory without page cache, as
    `docker stats` counts it)."""
    try:
        stats = container.stats(stream=False, one_shot=True)
    except (docker.errors.DockerException, requests.exceptions.RequestException) as error:
        raise EngineError(f"stats of container {container.name}: {error}") from None
    cpu_ns = stats.get("cpu_stats", {}).get("cpu_usage", {}).get("total_usage", 0)
    memory = stats.get("memory_stats", {})
    details = memory.get("stats", {})
    cache = details.get("inactive_file", details.get("total_inactive_file", 0))
    return Reading(time.monotonic(), cpu_ns / 1e9, max(0, memory.get("usage", 0) - cache))


def process_reading(process: psutil.Process) -> Reading:
    """CPU seconds and resident memory of a process and every child it has now."""
    tree = [process, *process.children(recursive=True)]
    cpu = 0.0
    memory = 0
    for member in tree:
        try:
            times = member.cpu_times()
            cpu += times.user + times.system
            memory += member.memory_info().rss
        except psutil.Error:
            continue  # a child that ended between listing and reading
    return Reading(time.monotonic(), cpu, memory)


@dataclass
class ResourceSampler:
    """Reads every container and the generator process from start() to stop(), one thread
    per source (the engine answers a container's stats about once a second, so containers
    are read side by side); `readings` holds them by service name (and GENERATOR)."""

    containers: Mapping[str, Any]
    generator_pid: int | None = None
    readings: dict[str, list[Reading]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    _stopped: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> ResourceSampler:
        sources: dict[str, Callable[[], Reading]] = {
            name: partial(container_reading, container)
            for name, container in self.containers.items()
        }
        if self.generator_pid is not None:
            sources[GENERATOR] = partial(process_reading, psutil.Process(self.generator_pid))
        for name, read in sources.items():
            self.readings[name] = []
            thread = threading.Thread(
                target=self._run, args=(name, read), name=f"load-resources-{name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopped.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def usage(self, start: float, end: float) -> dict[str, Usage]:
        """Each source's usage in [start, end] (sources with too few readings left out)."""
        found = {name: usage_between(series, start, end) for name, series in self.readings.items()}
        return {name: usage for name, usage in found.items() if usage is not None}

    def _run(self, name: str, read: Callable[[], Reading]) -> None:
        deadline = time.monotonic() + MAX_SAMPLING_SECONDS
        while not self._stopped.is_set() and time.monotonic() < deadline:
            try:
                self.readings[name].append(read())
            except (EngineError, psutil.Error) as error:
                self.errors.append(f"{name}: {error}")
                return
            self._stopped.wait(SAMPLE_INTERVAL)
