"""Reading a results.json back (a baseline for the gate, or a report made again), checked
field by field: a bad file gives one ConfigError naming the file, the field, what was given
and what is allowed, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from harness.errors import ConfigError
from harness.load.resources import Usage
from harness.load.schema import (
    SCHEMA_VERSION,
    Ceiling,
    Endpoint,
    FailureClass,
    Latency,
    LoadResults,
    Run,
    StackResult,
    StepResult,
)
from harness.load.shapes import Step

Value = TypeVar("Value")


class _Bad(Exception):
    """A field's value is not allowed: (field path, given, allowed)."""


def _get(data: Any, key: str, where: str, kind: type | tuple[type, ...], allowed: str) -> Any:
    if not isinstance(data, dict):
        raise _Bad(where, type(data).__name__, "an object")
    if key not in data:
        raise _Bad(f"{where}.{key}", "nothing (missing)", allowed)
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise _Bad(f"{where}.{key}", repr(value)[:60], allowed)
    return value


def _number(data: Any, key: str, where: str) -> float:
    return float(_get(data, key, where, (int, float), "a number"))


def _items(data: Any, key: str, where: str, read: Callable[[Any, str], Value]) -> list[Value]:
    values = _get(data, key, where, list, "a list")
    return [read(item, f"{where}.{key}[{index}]") for index, item in enumerate(values)]


def _latency(data: Any, where: str) -> Latency:
    return Latency(*(_number(data, share, where) for share in ("p50", "p95", "p99", "max")))


def _usage(data: Any, where: str) -> Usage:
    keys = ("cpu_percent", "memory_mean_mib", "memory_peak_mib")
    return Usage(*(_number(data, key, where) for key in keys))


def _endpoint(data: Any, where: str) -> Endpoint:
    return Endpoint(
        name=_get(data, "name", where, str, "a string"),
        requests=int(_number(data, "requests", where)),
        failures=int(_number(data, "failures", where)),
        latency=_latency(_get(data, "latency", where, dict, "an object"), f"{where}.latency"),
    )


def _failures(data: Any, where: str) -> dict[FailureClass, int]:
    found = _get(data, "failures", where, dict, "an object of failure classes")
    allowed = ", ".join(kind.value for kind in FailureClass)
    try:
        return {FailureClass(kind): int(count) for kind, count in found.items()}
    except ValueError:
        raise _Bad(f"{where}.failures", repr(sorted(found)), allowed) from None


def _run(data: Any, where: str) -> Run:
    lateness = data.get("lateness") if isinstance(data, dict) else None
    generator = data.get("generator") if isinstance(data, dict) else None
    containers = _get(data, "containers", where, dict, "an object of usages by service")
    return Run(
        requests=int(_number(data, "requests", where)),
        failures=_failures(data, where),
        seconds=_number(data, "seconds", where),
        achieved_rps=_number(data, "achieved_rps", where),
        latency=_latency(_get(data, "latency", where, dict, "an object"), f"{where}.latency"),
        lateness=_latency(lateness, f"{where}.lateness") if lateness is not None else None,
        endpoints=_items(data, "endpoints", where, _endpoint),
        containers={
            name: _usage(usage, f"{where}.containers.{name}") for name, usage in containers.items()
        },
        generator=_usage(generator, f"{where}.generator") if generator is not None else None,
        failure_samples=list(data.get("failure_samples", [])),
    )


def _step(data: Any, where: str) -> StepResult:
    text = _get(data, "step", where, str, "users=N or rate=N")
    try:
        step = Step.parse(text)
    except ConfigError:
        raise _Bad(f"{where}.step", repr(text), "users=N or rate=N") from None
    return StepResult(step=step, runs=_items(data, "runs", where, _run))


def _ceiling(data: Any, where: str) -> Ceiling:
    return Ceiling(
        path=_get(data, "path", where, str, "a path"),
        users=int(_number(data, "users", where)),
        seconds=int(_number(data, "seconds", where)),
        locust_rps=_number(data, "locust_rps", where),
        wrk_rps=_number(data, "wrk_rps", where),
        locust_generator_cpu=_number(data, "locust_generator_cpu", where),
        ratio=_number(data, "ratio", where),
    )


def _stack(data: Any, where: str) -> StackResult:
    ceiling = data.get("ceiling") if isinstance(data, dict) else None
    return StackResult(
        stack_id=_get(data, "stack_id", where, str, "a stack id"),
        app_mode=_get(data, "app_mode", where, str, "an app mode"),
        mix=_get(data, "mix", where, str, "a mix such as get=8,ws=2"),
        notes=[str(note) for note in _get(data, "notes", where, list, "a list of strings")],
        steps=_items(data, "steps", where, _step),
        ceiling=_ceiling(ceiling, f"{where}.ceiling") if ceiling is not None else None,
    )


def results_from(data: Any) -> LoadResults:
    """LoadResults from parsed JSON; raises _Bad for the first field that is not allowed."""
    where = "results"
    version = _get(data, "version", where, int, f"{SCHEMA_VERSION}")
    if version != SCHEMA_VERSION:
        raise _Bad(f"{where}.version", str(version), str(SCHEMA_VERSION))
    return LoadResults(
        started=_get(data, "started", where, str, "an ISO time"),
        wall_seconds=_number(data, "wall_seconds", where),
        host_cores=int(_number(data, "host_cores", where)),
        locust_version=_get(data, "locust_version", where, str, "a version"),
        processes=int(_number(data, "processes", where)),
        seconds=int(_number(data, "seconds", where)),
        warmup=int(_number(data, "warmup", where)),
        repeat=int(_number(data, "repeat", where)),
        mix=_get(data, "mix", where, str, "a mix"),
        stacks=_items(data, "stacks", where, _stack),
    )


def read_results(path: Path) -> LoadResults:
    """A results.json written by `harness load`, checked; ConfigError names what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the load results ({error.strerror})") from None
    except ValueError as error:
        raise ConfigError(f"{path}: not JSON ({error}); expected a results.json") from None
    try:
        return results_from(data)
    except _Bad as bad:
        field_path, given, allowed = bad.args
        raise ConfigError(
            f"{path}: field {field_path}: got {given}; allowed: {allowed}. "
            "Hint: a baseline is the results.json of an earlier `harness load --out`"
        ) from None
