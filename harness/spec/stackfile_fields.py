"""The values a stack file's fields allow: one parser per field, raising Invalid with what
was given and what is allowed (harness/spec/stackfile.py collects them per file)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from harness.spec.model import (
    Balancing,
    ClientProtocol,
    Framework,
    HttpParser,
    Interface,
    Limits,
    Protocol,
    ProxyKind,
    ServerKind,
    Suite,
    Timeouts,
    Trust,
    WorkerClass,
)
from harness.spec.prefix import PREFIX_ALLOWED, PREFIX_PATTERN


class Invalid(Exception):
    """One field's value is not allowed; carries (given, allowed)."""


def _enum(kind: type[StrEnum]) -> Callable[[Any], StrEnum]:
    def parse(value: Any) -> StrEnum:
        try:
            return kind(value)
        except ValueError:
            raise Invalid(repr(value), ", ".join(m.value for m in kind)) from None

    return parse


def _integer(minimum: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise Invalid(repr(value), f"a whole number from {minimum}")
        return value

    return parse


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise Invalid(repr(value), "a number of seconds above 0")
    return float(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(repr(value), "true, false")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid(repr(value), "a non-empty string")
    return value


def _status(value: Any) -> int:
    if value not in (502, 504):
        raise Invalid(repr(value), "502, 504")
    return int(value)


def _families(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise Invalid(repr(value), 'a list of scenario families (pytest markers): ["framing"]')
    return tuple(value)


def _client_protocols(value: Any) -> tuple[ClientProtocol, ...]:
    allowed = [str(protocol) for protocol in ClientProtocol]
    if not isinstance(value, list) or any(v not in allowed for v in value):
        raise Invalid(repr(value), f"a list of {', '.join(allowed)} ([]: what the proxy offers)")
    return tuple(ClientProtocol(v) for v in value)


def path_prefix(value: Any) -> str:
    if not isinstance(value, str) or not PREFIX_PATTERN.fullmatch(value):
        raise Invalid(repr(value), PREFIX_ALLOWED)
    return value


TOP_FIELDS: Mapping[str, Callable[[Any], Any]] = MappingProxyType(
    {
        "id": text,
        "proxy": _enum(ProxyKind),
        "server": _enum(ServerKind),
        "worker_class": _enum(WorkerClass),
        "app": _enum(Framework),
        "interface": _enum(Interface),
        "protocol": _enum(Protocol),
        "replicas": _integer(1),
        "workers": _integer(1),
        "threads": _integer(1),
        "tls": _boolean,
        "tls_min_version": text,
        "balancing": _enum(Balancing),
        "suite": _enum(Suite),
        "proxy_hops": _integer(0),
        "trust": _enum(Trust),
        "http_parser": _enum(HttpParser),
        "families": _families,
        "client_protocols": _client_protocols,
        "cache": _boolean,
        "compression": _boolean,
        "prefix": path_prefix,
    }
)
TIMEOUT_FIELDS: Mapping[str, Callable[[Any], Any]] = MappingProxyType(
    {
        f.name: {"timeout_status": _status, "max_fails": _integer(1)}.get(f.name, _seconds)
        for f in dataclasses.fields(Timeouts)
    }
)
LIMIT_FIELDS: Mapping[str, Callable[[Any], Any]] = MappingProxyType(
    {f.name: _integer(1) for f in dataclasses.fields(Limits)}
)
OVERRIDE_FIELDS = (
    "proxy_config",
    "server_config",
    "server_args",
    "django_settings",
    "image",
    "env",
    "dockerfile",
    "requirements",
    "files",
    "contract_prefix",
    "channel_layer",
    "static_files",
    "tls_chain",
    "tls_key",
    "tls_ca",
)
