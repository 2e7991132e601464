"""The values a user's own configs decide, read from those configs.

A stack that brings its own proxy or server config (`overrides.proxy_config`,
`overrides.server_config`, `overrides.server_args`) is held to the limits and timeouts its
stack file declares. Where the file declares none, the scenarios must not silently hold the
user's config to the value of the stack it extends: the value is read from the user's own
file (nginx.conf through crossplane, gunicorn.conf.py and gunicorn's command line), and when
it cannot be read it is ASSUMED, and the run says so once at its start (harness/plugin).

Each expected value keeps its source (`StackSpec.expectation_sources`), which the failure
hints quote (harness/spec/expectations.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from harness.parts import proxy_kit, server_kit
from harness.spec.expectations import (
    UNLIMITED,
    Expectation,
    Reading,
    server_decides,
    shown_number,
)
from harness.spec.model import ExpectationSource, SourceKind, StackSpec

__all__ = ["sources_said_at_start", "with_own_config_values"]

# What each part's config decides, of the values a stack declares.
PROXY_DECIDES = (
    Expectation.MAX_BODY_BYTES,
    Expectation.MAX_HEADER_BYTES,
    Expectation.MAX_RESPONSE_HEADER_BYTES,
    Expectation.PROXY_READ,
    Expectation.PROXY_CONNECT,
    Expectation.MAX_FAILS,
    Expectation.TIMEOUT_STATUS,
    Expectation.WEBSOCKET_IDLE,
    Expectation.RESOLVE,
    Expectation.COMPRESSION,
)
SERVER_DECIDES = (
    Expectation.MAX_HEADER_BYTES,
    Expectation.WORKER,
    Expectation.KEEPALIVE,
    Expectation.GRACEFUL,
)


def with_own_config_values(spec: StackSpec) -> StackSpec:
    """The spec with every expected value its own configs decide and its stack file does not
    declare taken from those configs, and the source of each such value recorded."""
    undeclared = [e for e in _decided_by_own_files(spec) if e.value not in spec.declared_fields]
    if not undeclared:
        return spec
    readings = _combined(_readings(spec))
    sources: dict[str, ExpectationSource] = {}
    changes: dict[str, dict[str, object]] = {"limits": {}, "timeouts": {}, "": {}}
    for expectation in undeclared:
        reading = readings.get(expectation)
        if reading is None:
            sources[expectation.value] = _assumed(spec, expectation)
            continue
        value = expectation.as_field(reading.value)
        changes[expectation.table][expectation.field_name] = value
        sources[expectation.value] = ExpectationSource(SourceKind.READ, reading.where)
    return dataclasses.replace(
        spec,
        **changes[""],  # type: ignore[arg-type]
        limits=dataclasses.replace(spec.limits, **changes["limits"]),  # type: ignore[arg-type]
        timeouts=dataclasses.replace(spec.timeouts, **changes["timeouts"]),  # type: ignore[arg-type]
        expectation_sources=MappingProxyType(sources),
    )


def _decided_by_own_files(spec: StackSpec) -> list[Expectation]:
    decided: dict[Expectation, None] = {}
    if spec.overrides.proxy_config is not None:
        decided.update(dict.fromkeys(PROXY_DECIDES))
    if spec.overrides.server_config is not None or spec.overrides.server_args is not None:
        decided.update(dict.fromkeys(e for e in SERVER_DECIDES if server_decides(e, spec.server)))
    return list(decided)


def _readings(spec: StackSpec) -> Iterable[Reading]:
    overrides = spec.overrides
    read_proxy = proxy_kit(spec.proxy).read_config
    if overrides.proxy_config is not None and read_proxy is not None:
        yield from read_proxy(overrides.proxy_config, _contract_root(spec), spec.tls)
    own_server = overrides.server_config is not None or overrides.server_args is not None
    read_server = server_kit(spec.server).read_config
    if own_server and read_server is not None:
        yield from read_server(overrides.server_config, overrides.server_args or ())


def _combined(readings: Iterable[Reading]) -> Mapping[Expectation, Reading]:
    """One reading per expectation; where both parts limit a value (a request header line),
    the stricter decides."""
    found: dict[Expectation, Reading] = {}
    for reading in readings:
        earlier = found.get(reading.expectation)
        if earlier is None or float(reading.value) < float(earlier.value):
            found[reading.expectation] = reading
    return found


def _contract_root(spec: StackSpec) -> str:
    """The path the scenarios' requests start with: the adapter's prefix, or the root."""
    return spec.overrides.contract_prefix or spec.prefix or ""


def _assumed(spec: StackSpec, expectation: Expectation) -> ExpectationSource:
    """The inherited value kept, and why: no reader for the part that decides it gave one."""
    own_proxy = spec.overrides.proxy_config is not None and expectation in PROXY_DECIDES
    part = f"{spec.proxy}'s config" if own_proxy else f"{spec.server_label}'s config"
    return ExpectationSource(
        SourceKind.ASSUMED,
        f"inherited: not declared in {spec.source} {expectation.heading}, not read from {part}",
    )


def sources_said_at_start(spec: StackSpec) -> list[str]:
    """What the run says once at its start about a stack with its own configs: the values it
    read from them and the values it assumed, each with where it came from."""
    lines = []
    for kind in (SourceKind.READ, SourceKind.ASSUMED):
        found = [
            f"{name} = {_value(spec, name)} ({source.where})"
            for name, source in spec.expectation_sources.items()
            if source.kind == kind
        ]
        if found:
            verb = "read from your configs" if kind == SourceKind.READ else "ASSUMED"
            lines.append(f"{spec.id}: {verb}: " + "; ".join(found))
    return lines


def _value(spec: StackSpec, dotted: str) -> str:
    value = Expectation(dotted).value_in(spec)
    if isinstance(value, bool):
        return str(value).lower()
    if value >= UNLIMITED:  # type: ignore[operator]
        return "never" if Expectation(dotted).table == "timeouts" else "no limit"
    return shown_number(value)
