"""One probe on one hop: send it, then read what the app made of it.

Each send uses a fresh marker, so the app's /seen log (shared by the replicas through Redis)
tells exactly which requests of this probe ran. Through the proxy, a hidden request may wait
on a proxy-to-server connection for the next client's bytes, so a few ordinary requests
follow the probe before /seen is read.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from harness.clients.evidence import seen_with
from harness.clients.framing.probes import FramingProbe, probe_path
from harness.clients.framing.verdicts import Hop, HopResult, ProbeResult, classify
from harness.clients.framing.wire import Exchange, send_direct, send_through_proxy
from harness.clients.probes import host_header
from harness.run.stack import Stack
from harness.spec.model import Protocol

__all__ = ["DIRECT_HOST", "run_probe", "run_probe_on_hop"]

# The Host a direct probe names: one the apps allow (apps/CONTRACT.md, HARNESS_ALLOWED_HOSTS).
DIRECT_HOST = "localhost"


def run_probe(stack: Stack, client: httpx.Client, probe: FramingProbe) -> ProbeResult:
    """The probe through the proxy and, where the replicas speak HTTP, straight to the first,
    both at once (each hop has its own marker and connection; most of a hop is waiting)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        proxied = pool.submit(run_probe_on_hop, stack, client, probe, Hop.PROXIED)
        direct = None
        if stack.spec.protocol != Protocol.UWSGI:  # HTTP/1.1 (h2c servers take it too)
            direct = pool.submit(run_probe_on_hop, stack, client, probe, Hop.DIRECT)
        return ProbeResult(probe, proxied.result(), None if direct is None else direct.result())


def run_probe_on_hop(
    stack: Stack, client: httpx.Client, probe: FramingProbe, hop: Hop
) -> HopResult:
    """One hop's result, under a fresh marker."""
    return _run_once(stack, client, probe, hop)


def _run_once(stack: Stack, client: httpx.Client, probe: FramingProbe, hop: Hop) -> HopResult:
    marker, root = uuid.uuid4().hex, stack.contract_root
    if hop == Hop.PROXIED:
        exchange = send_through_proxy(stack, probe.render(host_header(stack), marker, root))
        _follow_up(stack, client, marker)
    else:
        # Your own app allows the hosts it is reached by, not necessarily ours.
        host = host_header(stack) if root else DIRECT_HOST
        exchange = send_direct(stack, stack.replicas[0], probe.render(host, marker, root))
    seen = seen_with(client, f"framing-{marker}")
    hidden_ran = any(entry["path"].endswith("-hidden") for entry in seen)
    length = _body_length(exchange, probe_path(marker))
    return HopResult(
        hop=hop,
        statuses=exchange.statuses,
        closed=exchange.closed,
        app_requests=len(seen),
        hidden_ran=hidden_ran,
        body_length=length,
        outcome=classify(probe, len(seen), hidden_ran, length),
    )


def _follow_up(stack: Stack, client: httpx.Client, marker: str) -> None:
    """Requests that would carry a hidden prefix left on a proxy-to-server connection."""
    for _ in range(2 * len(stack.replicas)):
        client.get(f"/echo/after-{marker}", headers={"Connection": "close"})


def _body_length(exchange: Exchange, path: str) -> int | None:
    """The body length the app reports in its /echo answer to the probe, if one came back."""
    for answer in exchange.answers:
        if answer.status != 200:
            continue
        try:
            seen = json.loads(answer.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(seen, dict) and seen.get("path") == path:
            length = seen.get("body_length")
            return length if isinstance(length, int) else None
    return None
