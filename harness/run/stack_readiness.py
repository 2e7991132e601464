"""When a stack's services are ready: probed, never slept for.

Replicas are probed from inside the stack network, as the proxy will reach them (by the
stack's network agent, beside Redis: harness/run/agent.py); the proxy through its published
port. A service that exits ends the wait at once; a timeout carries the probe history and the
service's log tail. The waits are given what they read (a Watched view of the stack, the URL,
how to probe a replica), so this module imports nothing of stack.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from harness.errors import ConfigError, HarnessError
from harness.run import network_probe
from harness.run.agent import AgentHost, ask_agent
from harness.run.readiness import GiveUp, ProbeFailed, wait_until
from harness.spec.model import APP_PORT, StackSpec
from harness.spec.model import Protocol as AppProtocol

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


class Watched(AgentHost, Protocol):
    """What a wait reads of a stack: each service's state (one that exits ends the wait), its
    container's name and log tail (a timeout carries them), and the network agent."""

    def name_of(self, service: str) -> str: ...

    def state(self, service: str) -> str: ...

    def logs(self, service: str, lines: int = 30) -> str: ...


@dataclass(frozen=True, slots=True)
class ReplicaProbe:
    """How the network agent probes a replica: the protocol it speaks, the /health path, and
    the answer that counts as ready."""

    protocol: str  # the agent's word: "http" or "uwsgi"
    health_path: str
    wanted: network_probe.Wanted

    @classmethod
    def for_stack(cls, spec: StackSpec, health_path: str) -> ReplicaProbe:
        """200 from /health; under a URL prefix, any HTTP answer: whether the server splits
        the prefix off as it should is the prefix scenarios' finding, not a start-up timeout."""
        protocol = "uwsgi" if spec.protocol == AppProtocol.UWSGI else "http"
        wanted = network_probe.Wanted.ANY_STATUS if spec.prefix else network_probe.Wanted.OK
        return cls(protocol, health_path, wanted)


def replicas_ready(
    stack: Watched, replicas: list[str], how: ReplicaProbe, timeout: float | None
) -> float:
    """Wait until each replica answers from inside the stack network; seconds waited."""
    targets = [f"{replica}:{APP_PORT}:{how.protocol}" for replica in replicas]

    def probe() -> None:
        for replica in replicas:
            _give_up_if_exited(stack, replica)
        seen = probe_from_network(stack, targets, how)
        pending = {r: s for r, s in seen.items() if not network_probe.answered(s, how.wanted)}
        if pending:
            raise ProbeFailed("; ".join(f"{r}: {s}" for r, s in sorted(pending.items())))

    return _wait(stack, probe, f"{stack.id}: replicas {', '.join(replicas)}", replicas, timeout)


def proxy_ready(
    stack: Watched, url: str, health_path: str, prefixed: bool, timeout: float | None
) -> float:
    """Wait until the proxy answers GET /health with 200 through its published `url`; under a
    URL prefix (`prefixed`), once the app answers through it (X-Instance), whatever it made of
    the path: a prefix the app was not told is a scenario's finding."""

    def probe() -> None:
        _give_up_if_exited(stack, "proxy")
        try:
            # Readiness is whether the proxy answers, not whether its chain verifies: a
            # broken chain is a scenario's finding (test_tls), not a start-up timeout.
            response = httpx.get(f"{url}{health_path}", verify=False, timeout=2)
        except httpx.HTTPError as error:
            raise ProbeFailed(f"{type(error).__name__}: {error}") from None
        app_answered = prefixed and "x-instance" in response.headers
        if response.status_code != 200 and not app_answered:
            raise ProbeFailed(f"HTTP {response.status_code}")

    return _wait(stack, probe, f"{stack.id}: proxy at {url}", ["proxy"], timeout)


def probe_from_network(agent: AgentHost, targets: list[str], how: ReplicaProbe) -> dict[str, str]:
    """What each `service:port:protocol` target answered, probed by the stack's network agent
    (harness/run/agent.py), which keeps probing for up to _PROBE_PATIENCE."""
    request = {
        "op": "ready",
        "patience": _PROBE_PATIENCE,
        "health_path": how.health_path,
        "wanted": how.wanted.value,
        "targets": targets,
    }
    seen: dict[str, str] = ask_agent(agent, request, timeout=_PROBE_PATIENCE + 10)
    return seen


def _wait(
    stack: Watched,
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


def _give_up_if_exited(stack: Watched, service: str) -> None:
    status = stack.state(service)
    if status.startswith("exited") or status == "removed":
        raise GiveUp(f"{service} {status}")
