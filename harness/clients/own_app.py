"""Scenarios on YOUR app: what runs when a stack's app answers the contract through the
harness_contract adapter under a prefix (`overrides.contract_prefix`), and what skips.

The adapter answers the contract's request-facing routes (/health, /echo, /upload, /sleep,
/redirect, /headers, /bytes, /seen) below the prefix. What needs our reference apps' own
state or files (the Redis counter shared by replicas, WebSocket rooms, collected static files,
/stream and /sse, cache routes, /seen across replicas) cannot apply: those scenarios skip, and
say so. The cases that run are listed here, by scenario, so a new scenario runs on your app
only once someone has decided that it means the same there.
"""

from __future__ import annotations

from typing import Any

from harness.run.stack import Stack
from harness.spec.model import StackSpec

APPLIES_TO_OWN_APP = frozenset(
    {
        "test_forwarding.py::test_client_address_reaches_app",
        "test_forwarding.py::test_forwarded_proto_reaches_app",
        "test_forwarding.py::test_redirect_uses_public_host_and_port",
        "test_forwarding.py::test_client_supplied_forwarded_for_is_not_client_address",
        "test_forwarding.py::test_forwarded_headers_are_applied_by_the_declared_layer_only",
        "test_correctness.py::test_methods_reach_app",
        "test_correctness.py::test_query_string_keeps_percent_encoding_and_utf8",
        "test_correctness.py::test_path_keeps_percent_encoding_and_utf8",
        "test_correctness.py::test_request_body_reaches_app_intact",
        "test_correctness.py::test_chunked_request_body_reaches_app_intact",
        "test_host.py::test_poisoned_host_never_reaches_absolute_urls",
        "test_limits.py::test_response_head_of_declared_size_reaches_client",
        "test_tls.py::test_tls_version_policy",
        "test_tls.py::test_chain_verifies_with_only_the_test_ca",
        "test_tls.py::test_certificate_matches_site_name",
        "test_tls.py::test_alpn_offers_h2",
        "test_tls.py::test_app_sees_https_and_marks_cookies_secure",
    }
)


def own_app_skip_reason(spec: StackSpec, case: str) -> str | None:
    """Why a scenario case cannot run on the stack's own app; None when it runs."""
    if spec.overrides.contract_prefix is None:
        return None
    node = case.split("[", 1)[0]
    if node in APPLIES_TO_OWN_APP:
        return None
    return (
        f"{spec.id}: your app answers the contract through the adapter at "
        f"{spec.overrides.contract_prefix}; {node} is for our reference apps (it needs their "
        "shared Redis state, rooms, static files or streams, or compares URLs without the "
        "prefix): harness/clients/own_app.py lists what runs on yours"
    )


class OwnAppStack:
    """The live stack as scenarios see it on an own app: every URL ends in the prefix, so
    `stack.url + "/echo"` is the adapter's /echo. Everything else is the stack's own."""

    def __init__(self, stack: Stack, prefix: str) -> None:
        self._stack, self._prefix = stack, prefix

    @property
    def url(self) -> str:
        return self._stack.url + self._prefix

    @property
    def http_url(self) -> str:
        return self._stack.http_url + self._prefix

    @property
    def https_url(self) -> str:
        return self._stack.https_url + self._prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stack, name)
