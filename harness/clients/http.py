"""The HTTP clients scenarios use: bound to the stack's public URL, trusting only the run's CA,
speaking the protocol of the case (HTTP/1.1, or HTTP/2 and HTTP/3 in its `-h2`, `-h3`
cases). On your own app
(harness/clients/own_app.py) the same client reads each replica's request log as the
reference apps' shared one."""

from __future__ import annotations

from typing import Any

import httpx

from harness.clients.h3 import H3Transport
from harness.clients.own_app import OwnAppStack, ReplicaLogs
from harness.parts.kinds import ClientProtocol
from harness.run.stack import Stack

# What httpx reports as a response's http_version for each protocol.
HTTP_VERSION = {
    ClientProtocol.H1: "HTTP/1.1",
    ClientProtocol.H2: "HTTP/2",
    ClientProtocol.H3: "HTTP/3",
}


class WrongProtocol(AssertionError):
    """The proxy answered over another HTTP version than the one the case speaks."""


def client_for(
    stack: Stack | OwnAppStack,
    timeout: float = 15.0,
    protocol: ClientProtocol = ClientProtocol.H1,
    **options: Any,
) -> httpx.Client:
    """An httpx.Client for `stack.url` speaking `protocol`; `options` go to httpx.Client
    (headers, cookies). HTTP/2 is offered alone by ALPN, as a browser that has it gets it;
    HTTP/3 goes over QUIC to the TLS port's number. Every answer over another version fails
    the case (the proxy offered the protocol and did not speak it)."""
    transport = transport_for(stack, protocol, timeout)
    if isinstance(stack, OwnAppStack):
        transport = ReplicaLogs(stack, transport)
    hooks = {"response": [_spoken(protocol)]}
    return httpx.Client(
        base_url=stack.url, timeout=timeout, transport=transport, event_hooks=hooks, **options
    )


def transport_for(
    stack: Stack | OwnAppStack, protocol: ClientProtocol, timeout: float = 15.0
) -> httpx.BaseTransport:
    """The transport that speaks `protocol` to the stack's published port (`timeout`: the
    longest an HTTP/3 handshake may take; the other transports take httpx's own)."""
    if protocol == ClientProtocol.H3:
        return H3Transport(stack.ca_path, timeout)
    http2 = protocol == ClientProtocol.H2
    context = stack.protocol_context(["h2"] if http2 else ["http/1.1"])
    verify = stack.verify() if context is None else context
    return httpx.HTTPTransport(verify=verify, http1=not http2, http2=http2)


def _spoken(protocol: ClientProtocol) -> Any:
    def check(response: httpx.Response) -> None:
        if response.http_version != HTTP_VERSION[protocol]:
            raise WrongProtocol(
                f"{response.request.method} {response.request.url.path} was answered over "
                f"{response.http_version}, though the client spoke only {protocol.label}"
            )

    return check
