"""When a stack's services are ready: probed, never slept for.

Replicas are probed from inside the stack network, as the proxy will reach them (by the
stack's network agent, beside Redis: harness/run/agent.py); the proxy through its published
port. A service that
exits ends the wait at once; a timeout carries the probe history and the service's log tail.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from harness.errors import ConfigError, HarnessError
from harness.run import network_probe
from harness.run.agent import ask_agent
from harness.run.readiness import GiveUp, ProbeFailed, wait_until
from harness.spec.model import APP_PORT, Protocol

if TYPE_CHECKING:
    from harness.run.stack import Stack

READY_TIMEOUT = 60.0  # seconds; HARNESS_READY_TIMEOUT overrides it
_PROBE_PATIENCE = 1.0  # seconds one exec of the network probe keeps probing


def ready_timeout() -> float:
    """How long a service may take to become ready: HARNESS_READY_TIMEOUT, else 60 s."""
    value = os.environ.get("HARNESS_READY_TIMEOUT", "")
    try:
        return float(value) if value else READY_TIMEOUT
    except ValueError:
        raise ConfigError(
            f"HARNESS_READY_TIMEOUT: got {value!r}; allowed: a number of seconds"
        ) from None


def replicas_ready(stack: Stack, replicas: list[str] | None, timeout: float | None) -> float:
    """Wait until each replica answers from inside the stack network; seconds waited."""
    wanted = replicas or stack.replicas
    protocol = "uwsgi" if stack.spec.protocol == Protocol.UWSGI else "http"
    targets = [f"{replica}:{APP_PORT}:{protocol}" for replica in wanted]

    def probe() -> None:
        for replica in wanted:
            _give_up_if_exited(stack, replica)
        seen = probe_from_network(stack, targets)
        answer = _wanted_replica_answer(stack)
        pending = {r: s for r, s in seen.items() if not network_probe.answered(s, answer)}
        if pending:
            raise ProbeFailed("; ".join(f"{r}: {s}" for r, s in sorted(pending.items())))

    return _wait(stack, probe, f"{stack.id}: replicas {', '.join(wanted)}", wanted, timeout)


def proxy_ready(stack: Stack, timeout: float | None) -> float:
    """Wait until the proxy answers GET /health with 200 through its published port."""

    def probe() -> None:
        _give_up_if_exited(stack, "proxy")
        try:
            # Readiness is whether the proxy answers, not whether its chain verifies: a
            # broken chain is a scenario's finding (test_tls), not a start-up timeout.
            response = httpx.get(f"{stack.url}{stack.health_path}", verify=False, timeout=2)
        except httpx.HTTPError as error:
            raise ProbeFailed(f"{type(error).__name__}: {error}") from None
        if response.status_code != 200 and not _app_answered_below_prefix(stack, response):
            raise ProbeFailed(f"HTTP {response.status_code}")

    return _wait(stack, probe, f"{stack.id}: proxy at {stack.url}", ["proxy"], timeout)


def _wanted_replica_answer(stack: Stack) -> network_probe.Wanted:
    """200 from /health; under a URL prefix, any HTTP answer: whether the server splits the
    prefix off as it should is the prefix scenarios' finding, not a start-up timeout."""
    return network_probe.Wanted.ANY_STATUS if stack.spec.prefix else network_probe.Wanted.OK


def _app_answered_below_prefix(stack: Stack, response: httpx.Response) -> bool:
    """Under a URL prefix the proxy is ready once the app answers through it (X-Instance),
    whatever it made of the path: a prefix the app was not told is a scenario's finding."""
    return bool(stack.spec.prefix) and "x-instance" in response.headers


def probe_from_network(stack: Stack, targets: list[str]) -> dict[str, str]:
    """What each `service:port:protocol` target answered, probed by the stack's network agent
    (harness/run/agent.py), which keeps probing for up to _PROBE_PATIENCE."""
    request = {
        "op": "ready",
        "patience": _PROBE_PATIENCE,
        "health_path": stack.replica_health_path,
        "wanted": _wanted_replica_answer(stack).value,
        "targets": targets,
    }
    seen: dict[str, str] = ask_agent(stack, request, timeout=_PROBE_PATIENCE + 10)
    return seen


def _wait(
    stack: Stack,
    probe: Callable[[], None],
    what: str,
    services: list[str],
    timeout: float | None,
) -> float:
    try:
        return wait_until(probe, timeout=timeout or ready_timeout(), what=what)
    except HarnessError as error:
        for service in services:
            error.add_note(
                f"--- {stack.name_of(service)} ({stack.state(service)}), last lines:"
                f"\n{stack.logs(service, 25)}"
            )
        raise


def _give_up_if_exited(stack: Stack, service: str) -> None:
    status = stack.state(service)
    if status.startswith("exited") or status == "removed":
        raise GiveUp(f"{service} {status}")
