"""Downgrade probes: malformed HTTP/2 requests a proxy must refuse (RFC 9113 §8.1.1, §8.2.1,
§8.2.2, §8.3), sent as raw frames through its TLS port.

A proxy that speaks HTTP/1.1 to the servers rewrites each HTTP/2 request as an HTTP/1.1 one.
One it forwards without checking becomes a request the server reads otherwise than the proxy:
a content-length its DATA frames contradict, a Transfer-Encoding (h2.CL, h2.TE), or a CR/LF in
a field or in :path that the rewriting turns into a line break, a header of its own, or a
second request (the classes HTTP Garden and James Kettle's "HTTP/2: the sequel is always
worse" describe). Each probe is a `POST /echo/framing-<marker>`, and where a downgrade would
make one, its hidden request is `GET /echo/framing-<marker>-hidden`; an injected field is
`x-injected`. What the app then ran (its /seen log) and read (its /echo answer) is the verdict,
as for the HTTP/1.1 probes (verdicts.py); every probe here is INVALID: refused is right,
accepted is lenient (the proxy repaired or dropped what HTTP/2 forbids), desync is the bug.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import httpx

from harness.clients.evidence import seen_with
from harness.clients.framing.probes import ProbeKind, hidden_path, probe_path
from harness.clients.framing.verdicts import Hop, HopOutcome, HopResult, ProbeResult, classify
from harness.clients.h2wire import H2Answer, H2Session, request_headers
from harness.run.stack import Stack

__all__ = ["H2_PROBES", "H2Probe", "run_h2_probe"]

HELLO = b"hello"
INJECTED = "x-injected"
SEEN_WAIT = 5.0  # seconds the site may answer 5xx after a probe (a proxy's passive checks)


@dataclass(frozen=True, slots=True)
class Frames:
    """One probe's request as the client sends it: extra header fields, DATA frames."""

    fields: tuple[tuple[str, str], ...]
    data: tuple[bytes, ...]
    path: str


@dataclass(frozen=True, slots=True)
class H2Probe:
    """A malformed HTTP/2 request: how it is built from the hidden request and the paths,
    and what the app reads if a proxy accepts it as stated (repairing what is malformed)."""

    name: str
    summary: str
    build: Callable[[str, str, str], Frames]  # (path, hidden request, authority) -> frames
    length: int = len(HELLO)  # body bytes read when accepted as stated
    requests: int = 1
    kind: ProbeKind = ProbeKind.INVALID


def _hidden_request(root: str, marker: str, authority: str) -> str:
    return f"GET {root}{hidden_path(marker)} HTTP/1.1\r\nHost: {authority}\r\n\r\n"


def _cl_short(path: str, hidden: str, authority: str) -> Frames:
    body = HELLO + hidden.encode()
    return Frames((("content-length", str(len(HELLO))),), (body,), path)


def _cl_zero(path: str, hidden: str, authority: str) -> Frames:
    return Frames((("content-length", "0"),), (hidden.encode(),), path)


def _cl_long(path: str, hidden: str, authority: str) -> Frames:
    return Frames((("content-length", str(len(HELLO) + 64)),), (HELLO,), path)


# A chunked body, and after its last chunk the hidden request, padded to a fixed length so
# that what the app reads when the proxy keeps HTTP/2's framing is known beforehand.
_TE_CHUNKED_BODY = b"5\r\nhello\r\n0\r\n\r\n" + b"GET /x HTTP/1.1\r\n".ljust(160, b"\0")


def _te_chunked(path: str, hidden: str, authority: str) -> Frames:
    body = b"5\r\nhello\r\n0\r\n\r\n" + hidden.encode().ljust(len(_TE_CHUNKED_BODY) - 15, b" ")
    return Frames((("transfer-encoding", "chunked"),), (body,), path)


def _crlf_in_value(path: str, hidden: str, authority: str) -> Frames:
    return Frames((("x-probe", f"a\r\n{INJECTED}: 1"),), (HELLO,), path)


def _crlf_in_name(path: str, hidden: str, authority: str) -> Frames:
    return Frames(((f"x-probe\r\n{INJECTED}", "1"),), (HELLO,), path)


def _colon_in_name(path: str, hidden: str, authority: str) -> Frames:
    return Frames(((f"{INJECTED}:x-probe", "1"),), (HELLO,), path)


def _crlf_in_path(path: str, hidden: str, authority: str) -> Frames:
    # Rewritten as `POST <:path> HTTP/1.1`, this ends the probe's head and starts the hidden
    # request, whose request line the proxy's own ` HTTP/1.1` then completes.
    hidden_target = hidden.split(" ", 2)[1]
    smuggled = f"{path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\n\r\n"
    return Frames((), (HELLO,), f"{smuggled}GET {hidden_target}?x=")


_PROBES = (
    H2Probe("h2-cl-short", "content-length shorter than the DATA, which hold a request", _cl_short),
    # Accepted as stated: the declared 0 bytes (the DATA dropped), never the request in them.
    H2Probe("h2-cl-zero", "content-length 0 with a request in the DATA", _cl_zero, length=0),
    H2Probe("h2-cl-long", "content-length longer than the DATA sent", _cl_long),
    # Accepted as stated: HTTP/2's own framing, the DATA whole, Transfer-Encoding dropped.
    H2Probe(
        "h2-te-chunked",
        "transfer-encoding: chunked (forbidden in HTTP/2)",
        _te_chunked,
        length=len(_TE_CHUNKED_BODY),
    ),
    H2Probe("h2-crlf-in-value", "CR LF inside a field value", _crlf_in_value),
    H2Probe("h2-crlf-in-name", "CR LF inside a field name", _crlf_in_name),
    H2Probe("h2-colon-in-name", "a colon inside a field name", _colon_in_name),
    H2Probe("h2-crlf-in-path", "CR LF and a request inside :path", _crlf_in_path),
)
H2_PROBES: Mapping[str, H2Probe] = MappingProxyType({probe.name: probe for probe in _PROBES})


def run_h2_probe(stack: Stack, client: httpx.Client, probe: H2Probe) -> ProbeResult:
    """The probe through the proxy (HTTP/2 has no direct hop: the servers speak HTTP/1.1)."""
    marker, root = uuid.uuid4().hex, stack.contract_root
    with H2Session(stack) as session:
        hidden = _hidden_request(root, marker, session.authority)
        frames = probe.build(root + probe_path(marker), hidden, session.authority)
        headers = request_headers(session, "POST", frames.path, frames.fields)
        answer = session.answer(session.request(headers, frames.data))
    seen = _seen_once_answered(client, f"framing-{marker}", answer)
    hidden_ran = any(entry["path"].endswith("-hidden") for entry in seen)
    echoed = _echo(answer)
    injected = echoed is not None and INJECTED in echoed.get("headers", {})
    length = echoed.get("body_length") if echoed else None
    read = length if isinstance(length, int) else None
    outcome = classify(probe, len(seen), hidden_ran, read)
    if injected:
        outcome = HopOutcome.DESYNC
    statuses = (answer.status,) if answer.status is not None else ()
    proxied = HopResult(
        hop=Hop.PROXIED,
        statuses=statuses,
        closed=answer.goaway is not None,
        app_requests=len(seen),
        hidden_ran=hidden_ran or injected,
        body_length=read,
        outcome=outcome,
    )
    return ProbeResult(probe, proxied, None)


def _seen_once_answered(client: httpx.Client, marker: str, answer: H2Answer) -> list[Any]:
    """The app's /seen entries of the probe. A proxy that put the replicas out of rotation
    for one client's malformed request answers 502 or 503 meanwhile: polled until SEEN_WAIT,
    then that is the failure, with the probe's own answer."""
    deadline = time.monotonic() + SEEN_WAIT
    while True:
        try:
            return seen_with(client, marker)
        except httpx.HTTPStatusError as error:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"after the probe ({answer.describe()}) the site answered "
                    f"{error.response.status_code} for {SEEN_WAIT:.0f}s: the proxy took its "
                    "replicas out of rotation for a client's malformed request"
                ) from None
            time.sleep(0.2)


def _echo(answer: H2Answer) -> dict[str, Any] | None:
    if answer.status != 200:
        return None
    try:
        seen = json.loads(bytes(answer.body))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return seen if isinstance(seen, dict) else None
