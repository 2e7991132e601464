"""How a pod of a stack stops on Kubernetes: its preStop pause and its grace period.

When Kubernetes deletes a pod it does two things at once: it starts the pod's preStop hook
(then SIGTERM), and it removes the pod from its Services' endpoints. The removal reaches
kube-proxy and the ingress controller a moment later, so for that moment new requests still
arrive at a pod that is stopping. A preStop pause keeps the pod serving until every
balancer has stopped sending to it; only then does the server get SIGTERM and drain.

The pause: a StackSpec declares no propagation time, so the pause is PRESTOP_PAUSE_SECONDS,
5 s: what endpoint removal takes on a loaded cluster (a few seconds through EndpointSlices,
kube-proxy and an ingress controller's reload), and the value Kubernetes' own guides use.

The grace period: the kubelet kills the pod (SIGKILL) terminationGracePeriodSeconds after
deletion began, preStop included. It must cover the pause, then the server's graceful
timeout (`timeouts.graceful`: gunicorn's graceful_timeout, uvicorn's
--timeout-graceful-shutdown), then the longest request the stack declares
(`timeouts.proxy_read`: the proxy gives up on a request after it), plus GRACE_MARGIN_SECONDS
for signal delivery and process exit. `harness check-manifests` holds manifests to the sum
without the margin.
"""

from __future__ import annotations

import math

from harness.spec.model import StackSpec

PRESTOP_PAUSE_SECONDS = 5
GRACE_MARGIN_SECONDS = 2

__all__ = [
    "GRACE_MARGIN_SECONDS",
    "PRESTOP_PAUSE_SECONDS",
    "app_grace_seconds",
    "proxy_grace_seconds",
    "whole_seconds",
]


def whole_seconds(seconds: float) -> int:
    """Seconds as Kubernetes and ingress-nginx take them: whole, rounded up."""
    return math.ceil(seconds)


def app_grace_seconds(spec: StackSpec) -> int:
    """terminationGracePeriodSeconds of an app replica: pause + graceful + longest request +
    margin."""
    timeouts = spec.timeouts
    return (
        PRESTOP_PAUSE_SECONDS
        + whole_seconds(timeouts.graceful)
        + whole_seconds(timeouts.proxy_read)
        + GRACE_MARGIN_SECONDS
    )


def proxy_grace_seconds(spec: StackSpec) -> int:
    """terminationGracePeriodSeconds of the proxy: pause + longest request + margin (a proxy
    has no graceful timeout of its own here: its in-flight requests end within proxy_read)."""
    return PRESTOP_PAUSE_SECONDS + whole_seconds(spec.timeouts.proxy_read) + GRACE_MARGIN_SECONDS
