"""The ingress-nginx annotations that carry a stack's declared limits and timeouts.

The Ingress sits in front of the stack's own proxy. Its limits equal the stack's (a body one
byte over max_body_bytes gets 413 from either); its timeouts are one second longer than the
stack's, so that the stack's own proxy answers a slow request (504, or 502 as declared)
before the Ingress gives up on it, as it does on Docker. A WebSocket stack's read and send
timeouts cover websocket_idle too: ingress-nginx applies them to idle WebSockets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from harness.kubernetes.lifecycle import whole_seconds
from harness.parts.expectation import Expectation
from harness.spec.model import StackSpec

INGRESS_PREFIX = "nginx.ingress.kubernetes.io/"
INGRESS_TIMEOUT_MARGIN_SECONDS = 1

__all__ = [
    "INGRESS_ANNOTATIONS",
    "INGRESS_PREFIX",
    "IngressAnnotation",
    "Unit",
    "ingress_annotations",
    "nginx_size",
    "parse_nginx_size",
]


class Unit(StrEnum):
    """How an annotation's value is written: an nginx size (`1m`) or whole seconds."""

    BYTES = "bytes"
    SECONDS = "seconds"


@dataclass(frozen=True, slots=True)
class IngressAnnotation:
    """One ingress-nginx annotation, the declared values it must cover, and its default."""

    name: str  # after INGRESS_PREFIX
    unit: Unit
    covers: tuple[Expectation, ...]
    default: str  # ingress-nginx's value when the annotation is absent

    @property
    def key(self) -> str:
        return f"{INGRESS_PREFIX}{self.name}"


INGRESS_ANNOTATIONS = (
    IngressAnnotation("proxy-body-size", Unit.BYTES, (Expectation.MAX_BODY_BYTES,), "1m"),
    IngressAnnotation(
        "proxy-buffer-size", Unit.BYTES, (Expectation.MAX_RESPONSE_HEADER_BYTES,), "4k"
    ),
    IngressAnnotation("proxy-connect-timeout", Unit.SECONDS, (Expectation.PROXY_CONNECT,), "5"),
    IngressAnnotation(
        "proxy-read-timeout",
        Unit.SECONDS,
        (Expectation.PROXY_READ, Expectation.WEBSOCKET_IDLE),
        "60",
    ),
    IngressAnnotation(
        "proxy-send-timeout",
        Unit.SECONDS,
        (Expectation.PROXY_READ, Expectation.WEBSOCKET_IDLE),
        "60",
    ),
)

_SIZE = re.compile(r"^\s*(\d+)\s*([kKmMgG]?)\s*$")
_SIZE_FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def nginx_size(size: int) -> str:
    """A byte count as nginx writes it: `1m`, `8k`, or plain bytes."""
    for suffix, factor in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if size and size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


def parse_nginx_size(text: str) -> int | None:
    """An nginx size in bytes (`0` is no limit, returned as 0); None when it is not one."""
    match = _SIZE.match(text)
    if match is None:
        return None
    return int(match.group(1)) * _SIZE_FACTORS[match.group(2).lower()]


def ingress_annotations(spec: StackSpec) -> dict[str, str]:
    """The annotations for `spec`'s Ingress, every value from its declared ones."""
    found = {}
    for annotation in INGRESS_ANNOTATIONS:
        covered = [
            float(expectation.value_in(spec))  # type: ignore[arg-type]
            for expectation in annotation.covers
            if expectation != Expectation.WEBSOCKET_IDLE or spec.websockets
        ]
        if annotation.unit == Unit.BYTES:
            found[annotation.key] = nginx_size(int(max(covered)))
        else:
            seconds = whole_seconds(max(covered)) + INGRESS_TIMEOUT_MARGIN_SECONDS
            found[annotation.key] = str(seconds)
    return found
