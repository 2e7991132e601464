"""Where a stack is reached: its paths, its URLs on 127.0.0.1, and the TLS client contexts
that trust only this run's test CA. No Docker here: the Stack (harness/run/stack.py) builds on
this, and a client that only needs to reach a stack needs nothing more.
"""

from __future__ import annotations

import ssl
from functools import cache
from pathlib import Path

from harness.building.configs import RunValues
from harness.building.configs.render import replica_names
from harness.run.tls import TestCertificates
from harness.spec.model import StackSpec


@cache
def _trusting_nothing() -> ssl.SSLContext:
    """A client context with no CA: any certificate fails verification."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class StackAddress:
    """A stack's addresses: the proxy's published ports (run_values, chosen by the Stack) and
    the paths below its URL prefix."""

    def __init__(self, spec: StackSpec, certificates: TestCertificates | None) -> None:
        self.spec = spec
        self.certificates = certificates
        self.run_values: RunValues
        self._client_context: ssl.SSLContext | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def replicas(self) -> list[str]:
        return replica_names(self.spec)

    @property
    def health_path(self) -> str:
        """/health through the proxy: below the stack's URL prefix, or below the contract
        prefix when the app answers through the adapter."""
        return (self.spec.prefix or self.spec.overrides.contract_prefix or "") + "/health"

    @property
    def replica_health_path(self) -> str:
        """/health straight to a replica: below the contract prefix, or below the URL prefix
        when the proxy passes it on and the server splits it off (harness/spec/prefix.py)."""
        return (self.spec.replica_root or self.spec.overrides.contract_prefix or "") + "/health"

    @property
    def contract_root(self) -> str:
        """What a raw request's target puts before a contract route (`/echo`): the adapter's
        prefix when your own app answers the contract, else nothing. Clients bound to
        `url` need none: a scenario's stack already ends its URL in it."""
        return self.spec.overrides.contract_prefix or ""

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.run_values.public_http_port}"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.run_values.public_https_port}"

    @property
    def url(self) -> str:
        """Where clients reach the app: HTTPS on TLS stacks, HTTP otherwise."""
        return self.https_url if self.spec.tls else self.http_url

    @property
    def ca_path(self) -> Path | None:
        return self.certificates.ca_pem if self.certificates else None

    def ssl_context(self) -> ssl.SSLContext | None:
        """A TLS client context trusting only this run's test CA; None on plain stacks. One
        per stack, shared by every client: a context loads its CAs when it is made."""
        if self.certificates is None:
            return None
        if self._client_context is None:
            self._client_context = ssl.create_default_context(cafile=str(self.certificates.ca_pem))
        return self._client_context

    def protocol_context(self, alpn: list[str]) -> ssl.SSLContext | None:
        """A TLS client context of its own, offering `alpn`, trusting only this run's test CA
        (None on plain stacks). Not the shared one: a client's ALPN is set on its context
        (httpcore sets it on the one it is given), and a shared context offering h2 alone
        would make every raw HTTP/1.1 probe after it speak to an HTTP/2 connection."""
        if self.certificates is None:
            return None
        context = ssl.create_default_context(cafile=str(self.certificates.ca_pem))
        context.set_alpn_protocols(alpn)
        return context

    def verify(self) -> ssl.SSLContext:
        """What an HTTP client should verify against: only this run's test CA, and nothing on
        a plain stack (it serves no TLS). httpx's own default (verify=True) loaded certifi's
        bundle for every client: 18 ms of CPU each, 1.8 s for a plain stack's scenarios."""
        return self.ssl_context() or _trusting_nothing()
