"""Scenarios on YOUR app: what runs when a stack's app answers the contract through the
harness_contract adapter under a prefix (`overrides.contract_prefix`), and what skips, and why.

The adapter answers every route of the contract a scenario needs inside your app, through
your server, middleware and settings (harness_contract/); the static scenarios ask for the
files your stack file names (`overrides.static_files`). What stays ours: the URL-prefix
family (a stack published under a prefix, not an adapter's). A scenario states a
guarantee of a deployment, not of our apps, so it runs on your app unless NOT_ON_OWN_APP
names it with the reason (a unit test checks each name is a scenario's). Conditions of the
stack itself still apply as everywhere (WebSockets on an ASGI app, TLS, the proxy's cache).
`harness scenarios --own-app` prints what runs and what does not.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from harness.clients.framing.wire import DirectProbeFailed, answers_in, send_direct
from harness.clients.probes import host_header
from harness.errors import HarnessError
from harness.run.stack import Stack
from harness.spec.model import StackSpec

# Scenario (file::function) -> why it does not run on an own app. Every other scenario runs.
NOT_ON_OWN_APP: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(
            (
                "test_prefix.py::test_app_is_reached_below_the_prefix",
                "test_prefix.py::test_built_url_keeps_the_prefix",
                "test_prefix.py::test_client_cannot_choose_the_prefix",
                "test_prefix.py::test_redirect_keeps_the_prefix",
                "test_prefix.py::test_static_file_is_served_below_the_prefix",
                "test_prefix.py::test_websocket_connects_below_the_prefix",
                "test_prefix.py::test_path_outside_the_prefix_does_not_reach_the_app",
            ),
            "it proves a stack published under a URL prefix (stack field `prefix`), which the "
            "adapter's prefix is not",
        ),
        "test_host.py::test_health_answers_for_any_host": (
            "it proves our reference apps' /health; your app's own health route is yours, and "
            "the adapter's /health goes through your host checks on purpose"
        ),
    }
)


# Scenarios that need the replicas to share a channel layer: they run on your app when its
# stack file says it routes harness_contract.channels over one (`overrides.channel_layer`).
NEEDS_CHANNEL_LAYER = frozenset(
    {
        "test_websocket.py::test_room_message_reaches_members_on_other_replicas",
        "test_websocket.py::test_stopping_replica_closes_its_sockets_cleanly",
    }
)


def own_app_skip_reason(spec: StackSpec, case: str) -> str | None:
    """Why a scenario case cannot run on the stack's own app; None when it runs."""
    if spec.overrides.contract_prefix is None:
        return None
    node = case.split("[", 1)[0]
    reason = NOT_ON_OWN_APP.get(node)
    if node in NEEDS_CHANNEL_LAYER and not spec.overrides.channel_layer:
        reason = (
            "it needs rooms shared by the replicas: route harness_contract.channels' "
            "websocket_urlpatterns over your channel layer and set overrides.channel_layer = true"
        )
    if reason is None:
        return None
    return (
        f"{spec.id}: your app answers the contract through the adapter at "
        f"{spec.overrides.contract_prefix}; {node} does not apply: {reason}"
    )


class OwnAppStack:
    """The live stack as scenarios see it on an own app: every URL ends in the prefix, so
    `stack.url + "/echo"` is the adapter's /echo. Everything else is the stack's own."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack

    @property
    def live(self) -> Stack:
        """The stack itself, whose URLs have no prefix."""
        return self._stack

    @property
    def url(self) -> str:
        return self._stack.url + self._stack.contract_root

    @property
    def http_url(self) -> str:
        return self._stack.http_url + self._stack.contract_root

    @property
    def https_url(self) -> str:
        return self._stack.https_url + self._stack.contract_root

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stack, name)


# Seconds a read of one replica's log may take through the stack network.
LOG_READ_DEADLINE = 2.0


class ReplicaLogs(httpx.BaseTransport):
    """What the reference apps keep in Redis, shared by every replica, your app keeps per
    replica (harness_contract/seen.py). Through this transport a scenario reads it as it reads
    ours: `GET <prefix>/seen` answers every replica's entries, newest first, each replica's log
    read from the stack network (the direct hop), and `GET <prefix>/counter?key=K` answers how
    many times a replica ran `POST <prefix>/counter?key=K` (the shared counter's purpose:
    whether a POST ran twice). A replica that cannot be read (stopped, paused) keeps the
    entries read from it earlier through the same client. Every other request goes to the
    stack's public port."""

    def __init__(self, stack: OwnAppStack, inner: httpx.BaseTransport) -> None:
        self._stack, self._inner = stack, inner
        self._known: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        below = request.url.path.removeprefix(self._stack.live.contract_root)
        if request.method == "GET" and below == "/seen":
            limit = int(request.url.params.get("limit", "200"))
            return _json(request, {"requests": self.entries()[:limit]})
        if request.method == "GET" and below == "/counter":
            key = request.url.params.get("key", "")
            runs = [e for e in self.entries() if _posted_counter(e, key)]
            return _json(request, {"key": key, "value": len(runs)})
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()

    def entries(self) -> list[dict[str, Any]]:
        """Every replica's log as far as it was read, newest first."""
        with self._lock:
            for replica in self._stack.replicas:
                read = self._read(replica)
                if read is not None:
                    known = self._known.setdefault(replica, {})
                    known.update((_identity(entry), entry) for entry in read)
            merged = [entry for log in self._known.values() for entry in log.values()]
        return sorted(merged, key=lambda entry: float(entry.get("t", 0)), reverse=True)

    def _read(self, replica: str) -> list[dict[str, Any]] | None:
        probe = (
            f"GET {self._stack.live.contract_root}/seen?{urlencode({'limit': 1000})} HTTP/1.1\r\n"
            f"Host: {host_header(self._stack.live)}\r\nConnection: close\r\n\r\n"
        ).encode()
        try:
            exchange = send_direct(self._stack.live, replica, probe, LOG_READ_DEADLINE)
        except (DirectProbeFailed, HarnessError):
            return None
        answers = answers_in(exchange.raw)
        if not answers or answers[0].status != 200:
            return None
        entries: list[dict[str, Any]] = json.loads(answers[0].body)["requests"]
        return entries


def _identity(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (entry.get("instance"), entry.get("t"), entry.get("method"), entry.get("path"),
            entry.get("query"))  # fmt: skip


def _posted_counter(entry: dict[str, Any], key: str) -> bool:
    keys: Iterable[str] = parse_qs(str(entry.get("query", ""))).get("key", [])
    return (
        entry.get("method") == "POST"
        and str(entry.get("path", "")).endswith("/counter")
        and (key in keys)
    )


def _json(request: httpx.Request, value: object) -> httpx.Response:
    return httpx.Response(200, json=value, request=request)
