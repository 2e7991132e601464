"""What a collected scenario item is: its stack, its case name, its family, and the known
incompatibilities that make it an expected failure."""

from __future__ import annotations

import pytest

from harness.known.incompatibilities import known_incompatibilities
from harness.known.incompatibility import Incompatibility
from harness.paths import SCENARIOS_DIR
from harness.spec.model import StackSpec
from harness.spec.prefix import PREFIX_FAMILY

STACK_FIXTURE = "live_stack"
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
    PREFIX_FAMILY: "the app under a URL prefix: built URLs, redirects, static, WebSockets keep it",
}


def expect_known_failures(item: pytest.Item, spec: StackSpec) -> list[Incompatibility]:
    """A scenario the stack genuinely cannot pass (harness/known/incompatibilities.py) is a strict
    xfail: it is reported with its evidence, and an unexpected pass fails the run.

    Only the entries that apply to what runs mark it: one whose cause the stack file replaced
    (its own proxy config, server config or arguments, image) or whose proxy versions the
    stack's suite does not ship leaves the scenario plain, so a user's fix passes."""
    known = list(known_incompatibilities(spec, case_name(item)))
    for entry in known:
        item.add_marker(
            pytest.mark.xfail(strict=not entry.intermittent, reason=f"{spec.id}: {entry.reason}")
        )
    return known


def case_name(item: pytest.Item) -> str:
    """`test_file.py::test_name[params]`, the stack left out: a scenario case on any stack."""
    name = getattr(item, "originalname", item.name)
    spec = spec_of(item)
    params = item.name.removeprefix(name).removeprefix("[").removesuffix("]")
    if spec is not None:  # the case's own parameter ids, without the stack's
        params = params.removeprefix(f"{spec.id}-").removesuffix(f"-{spec.id}")
        params = "" if params == spec.id else params
    return f"{item.path.name}::{name}" + (f"[{params}]" if params else "")


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
