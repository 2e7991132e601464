"""The values a stack declares that its manifests must honour, and where each was declared.

`harness render --kubernetes` writes them onto the app Deployment and the Ingress as
annotations (`deploy-harness.dev/timeouts.proxy_read: "3"`), so `harness check-manifests`
holds the files to them later without the stack; `--stack` gives them from the stack itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.parts.expectation import Expectation
from harness.spec.expectations import shown_number
from harness.spec.model import StackSpec

ANNOTATION_PREFIX = "deploy-harness.dev/"

# What the Kubernetes tier decides: the Ingress's body size, buffer and timeouts, and the
# grace period (graceful timeout and longest request).
KUBERNETES_EXPECTATIONS = (
    Expectation.MAX_BODY_BYTES,
    Expectation.MAX_RESPONSE_HEADER_BYTES,
    Expectation.PROXY_READ,
    Expectation.PROXY_CONNECT,
    Expectation.GRACEFUL,
    Expectation.WEBSOCKET_IDLE,
)

__all__ = [
    "ANNOTATION_PREFIX",
    "KUBERNETES_EXPECTATIONS",
    "Declarations",
    "DeclaredValue",
    "declared_annotations",
    "declared_from_annotations",
    "declared_from_spec",
]


@dataclass(frozen=True, slots=True)
class DeclaredValue:
    """One declared value and where a message says it came from: `stack timeouts.proxy_read`."""

    expectation: Expectation
    value: float
    where: str


Declarations = dict[Expectation, DeclaredValue]


def _expectations(spec: StackSpec) -> tuple[Expectation, ...]:
    """What the stack's manifests are held to: websocket_idle only where it serves them."""
    return tuple(
        expectation
        for expectation in KUBERNETES_EXPECTATIONS
        if expectation != Expectation.WEBSOCKET_IDLE or spec.websockets
    )


def declared_annotations(spec: StackSpec) -> dict[str, str]:
    """The annotations carrying the stack's declared values, as render writes them."""
    return {
        f"{ANNOTATION_PREFIX}{expectation.value}": shown_number(expectation.value_in(spec))
        for expectation in _expectations(spec)
    }


def declared_from_spec(spec: StackSpec) -> Declarations:
    """The stack's own values, named as `stack timeouts.proxy_read`."""
    return {
        expectation: DeclaredValue(
            expectation,
            float(expectation.value_in(spec)),  # type: ignore[arg-type]
            f"stack {expectation.value}",
        )
        for expectation in _expectations(spec)
    }


def declared_from_annotations(annotations: Mapping[str, object], file_name: str) -> Declarations:
    """The values render wrote into one manifest's annotations (those that parse as numbers)."""
    found: Declarations = {}
    for expectation in KUBERNETES_EXPECTATIONS:
        key = f"{ANNOTATION_PREFIX}{expectation.value}"
        try:
            value = float(str(annotations[key]))
        except (KeyError, ValueError):
            continue
        where = f"declared {expectation.value}: {file_name} metadata.annotations {key}"
        found[expectation] = DeclaredValue(expectation, value, where)
    return found
