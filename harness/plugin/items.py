"""What a collected scenario item is: its stack, its case name, its family, and the known
incompatibilities that make it an expected failure."""

from __future__ import annotations

import pytest

from harness.known.incompatibilities import known_incompatibilities
from harness.known.incompatibility import Incompatibility
from harness.parts.kinds import ClientProtocol, without_protocol
from harness.paths import SCENARIOS_DIR
from harness.spec.model import StackSpec
from harness.spec.prefix import PREFIX_FAMILY

STACK_FIXTURE = "live_stack"
# The client-protocol axis: a scenario that takes this fixture (the `client` fixture does)
# runs once per protocol its stack offers, as `[...-h1]`, `[...-h2]` in its pytest id.
PROTOCOL_FIXTURE = "protocol"
# The scenario families (pytest markers), with what each proves.
FAMILIES = {
    "correctness": "status, methods, HEAD, headers, bodies, keep-alive, HTTP/1.0",
    "forwarding": "X-Forwarded-*, client address, scheme, absolute URLs, spoofing",
    "host": "allowed hosts, host poisoning",
    "websocket": "upgrade through the proxy, echo, ping, idle, close codes, origin, rooms",
    "tls": "versions, chain, names, ALPN, HSTS, redirects, secure cookies",
    "balancing": "distribution, stickiness, failover, recovery, non-idempotent retries",
    "streaming": "chunked and SSE arrive incrementally",
    "limits": "body and header size, timeouts, 413/502/504 mapping",
    "static": "served by the proxy, content types, traversal",
    "lifecycle": "graceful stop, rolling restart, upstream re-resolution",
    "security": "request smuggling, header spoofing, oversized input",
    "caching": "served from the proxy's cache by Cache-Control, never one client's to another",
    "compression": "gzip for text when accepted, Vary, small and compressed bodies left alone",
    "framing": "raw framing probes through the proxy and straight to a replica, per hop",
    "http2": "what only HTTP/2 clients meet: cookie crumbs, forbidden fields, RFC 8441, downgrades",
    PREFIX_FAMILY: "the app under a URL prefix: built URLs, redirects, static, WebSockets keep it",
}


def expect_known_failures(item: pytest.Item, spec: StackSpec) -> list[Incompatibility]:
    """A scenario the stack genuinely cannot pass (harness/known/incompatibilities.py) is a strict
    xfail: it is reported with its evidence, and an unexpected pass fails the run.

    Only the entries that apply to what runs mark it: one whose cause the stack file replaced
    (its own proxy config, server config or arguments, image) or whose proxy versions the
    stack's suite does not ship leaves the scenario plain, so a user's fix passes. An entry
    on a case's HTTP/1.1 name marks its HTTP/2 and HTTP/3 cases too, unless the entry says it
    is HTTP/1.1's alone (`over_every_protocol` False)."""
    case = case_name(item)
    known = list(known_incompatibilities(spec, case))
    if not known and without_protocol(case) != case:  # what holds on HTTP/1.1 holds here
        known = [
            entry
            for entry in known_incompatibilities(spec, without_protocol(case))
            if entry.over_every_protocol
        ]
    for entry in known:
        item.add_marker(
            pytest.mark.xfail(strict=not entry.intermittent, reason=f"{spec.id}: {entry.reason}")
        )
    return known


def protocol_of(item: pytest.Item) -> ClientProtocol | None:
    """The protocol the case speaks to the proxy, when it is on the axis (PROTOCOL_FIXTURE)."""
    callspec = getattr(item, "callspec", None)
    value = None if callspec is None else callspec.params.get(PROTOCOL_FIXTURE)
    return None if value is None else ClientProtocol(value)


def case_name(item: pytest.Item) -> str:
    """`test_file.py::test_name[params]`, the stack left out: a scenario case on any stack.

    On the protocol axis the HTTP/1.1 case keeps the name it had before the axis existed
    (`test_methods_reach_app[POST]`), so night-to-night diffs, variants, waivers and known
    incompatibilities go on naming it; the others end in their protocol (`[POST-h2]`)."""
    name = getattr(item, "originalname", item.name)
    spec = spec_of(item)
    params = item.name.removeprefix(name).removeprefix("[").removesuffix("]")
    if spec is not None:  # the case's own parameter ids, without the stack's
        params = _without_token(params, spec.id)
    protocol = protocol_of(item)
    if protocol is not None:  # last, and only when it is not HTTP/1.1
        params = _without_token(params, str(protocol))
        if protocol != ClientProtocol.H1:
            params = f"{params}-{protocol}" if params else str(protocol)
    return f"{item.path.name}::{name}" + (f"[{params}]" if params else "")


def _without_token(params: str, token: str) -> str:
    """`params` (ids joined by "-") without the id `token`, wherever it stands."""
    if params == token:
        return ""
    padded = f"-{params}-".replace(f"-{token}-", "-", 1)
    return padded[1:-1]


def is_ours(item: pytest.Item) -> bool:
    """A scenario of ours (the checkout's scenarios/ or the wheel's), not a user's own file."""
    return item.path.parent.resolve() == SCENARIOS_DIR.resolve()


def outside_families(item: pytest.Item) -> bool:
    spec = spec_of(item)
    families = spec.scenario_families if spec else ()
    return bool(families and family_of(item) not in families)


def family_of(item: pytest.Item) -> str:
    return next((mark.name for mark in item.iter_markers() if mark.name in FAMILIES), "")


def scenario_function(item: pytest.Item) -> str:
    """The name of the test function an item runs, without its parameters ('' for an item
    that is not a function)."""
    return str(getattr(item, "originalname", ""))


def spec_of(item: pytest.Item) -> StackSpec | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    spec = callspec.params.get(STACK_FIXTURE)
    return spec if isinstance(spec, StackSpec) else None


def not_offered(item: pytest.Item) -> bool:
    """A protocol-axis case of a protocol its stack does not offer (plain HTTP has no h2):
    deselected, as a family a stack does not run."""
    spec, protocol = spec_of(item), protocol_of(item)
    return spec is not None and protocol is not None and protocol not in spec.offered_protocols


def protocol_spoken(item: pytest.Item) -> ClientProtocol:
    """What the case speaks to the proxy, as the matrix records it: its protocol on the axis;
    HTTP/2 for the http2 family, whose scenarios speak it by nature; else HTTP/1.1."""
    on_axis = protocol_of(item)
    if on_axis is not None:
        return on_axis
    return ClientProtocol.H2 if family_of(item) == "http2" else ClientProtocol.H1
