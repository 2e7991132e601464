"""The HTTP clients scenarios use: bound to the stack's public URL, trusting only the run's CA.
On your own app (harness/clients/own_app.py) the same client reads each replica's request log
as the reference apps' shared one."""

from __future__ import annotations

from typing import Any

import httpx

from harness.clients.own_app import OwnAppStack, ReplicaLogs
from harness.run.stack import Stack


def client_for(stack: Stack | OwnAppStack, timeout: float = 15.0, **options: Any) -> httpx.Client:
    """An httpx.Client for `stack.url`; `options` go to httpx.Client (headers, cookies)."""
    verify = stack.verify()
    if isinstance(stack, OwnAppStack):
        inner = httpx.HTTPTransport(verify=verify)
        options["transport"] = ReplicaLogs(stack, inner)
    return httpx.Client(base_url=stack.url, verify=verify, timeout=timeout, **options)
