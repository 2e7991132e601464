"""Bounded request traffic for scenarios: a sequence of GETs, or a steady loop in a thread.

Every loop here is bounded twice, in requests and in seconds, and stops by itself; each
request has its own timeout. An outcome records what came back (status, the replica named by
`X-Instance`) or the connection error, so an assertion can quote the evidence.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
import pytest

from harness.clients.evidence import SENT_TWICE, send_answered
from harness.clients.http import client_for
from harness.parts import proxy_kit
from harness.parts.kinds import Balancing
from harness.parts.kit import Stickiness
from harness.run.stack import Stack

__all__ = [
    "Outcome",
    "SteadyTraffic",
    "get_until",
    "missing_replicas",
    "need_every_replica_in_view",
    "request_once",
    "requests_at_once",
    "rotation_window",
    "visitor_client",
]

CONNECTION_ERROR = 0  # the status recorded when no HTTP answer came back
PACING = 0.01  # seconds between two requests of a loop: at most 100 a second
MARGIN = 2.0  # seconds of slack on every window, for a loaded 2-core machine


@dataclass(frozen=True, slots=True)
class Outcome:
    """One request: when it ended (seconds since the traffic started), what came back."""

    at: float
    status: int
    instance: str
    seconds: float
    error: str = ""
    # The first attempt found its kept-alive connection closed without an answer and was sent
    # again on a new one, as user agents do for an idempotent request (RFC 9112 §9.3.1).
    retried: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    def __str__(self) -> str:
        answer = self.error or f"{self.status} from {self.instance or '(no X-Instance)'}"
        retried = " (retried on a new connection)" if self.retried else ""
        return f"+{self.at:.2f}s {answer}{retried} in {self.seconds:.2f}s"


def visitor_client(stack: Stack, timeout: float) -> httpx.Client:
    """A client that keeps no cookies: every request is a new visitor, so a proxy that pins
    clients by a cookie balances these requests as it would new clients."""
    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return client_for(stack, timeout, cookies=jar)


def request_once(
    client: httpx.Client, method: str, path: str, started: float | None = None
) -> Outcome:
    """Send one request; a connection or timeout error becomes an outcome, not an exception.

    An idempotent request whose kept-alive connection the proxy closed without answering is
    sent once more on a new connection, as browsers do. Apache's mod_proxy_http leaves that
    retry to the client: a request it sent on a pooled backend connection that the backend
    had just closed (a replica stopping) ends with the client's connection closed, no answer
    (seen in rolling restarts; `proxy-initial-not-pooled` in its docs names the race).
    Anything else is the outcome.
    """
    begin = time.monotonic()
    origin = begin if started is None else started
    try:
        response, retried = send_answered(client, method, path)
    except httpx.HTTPError as error:
        end = time.monotonic()
        retried = SENT_TWICE in getattr(error, "__notes__", ())
        error_name = type(error).__name__
        return Outcome(end - origin, CONNECTION_ERROR, "", end - begin, error_name, retried)
    end = time.monotonic()
    instance = response.headers.get("x-instance", "")
    return Outcome(end - origin, response.status_code, instance, end - begin, retried=retried)


def requests_at_once(client: httpx.Client, method: str, path: str, count: int) -> list[Outcome]:
    """Send `count` requests at once, from as many threads (the client's pool opens a
    connection for each that finds none idle), and wait for them all: they reach the proxy
    within one round trip of each other, so what they show is the balancer's view at one
    moment, not over however long sequential requests take on a loaded host (where a
    replica a proxy rests for a second may be back before the last)."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(request_once, client, method, path, started) for _ in range(count)]
        return [future.result() for future in futures]


def get_until(
    client: httpx.Client,
    path: str,
    done: Callable[[list[Outcome]], bool],
    *,
    max_requests: int,
    max_seconds: float,
    interval: float = PACING,
) -> list[Outcome]:
    """GET `path` until `done(outcomes)` holds, or the request or time bound is reached.

    Requests are `interval` apart, so the loop covers its time bound before its request bound.
    """
    outcomes: list[Outcome] = []
    started = time.monotonic()
    while len(outcomes) < max_requests and time.monotonic() - started < max_seconds:
        outcomes.append(request_once(client, "GET", path, started))
        if done(outcomes):
            break
        time.sleep(interval)  # sleep-ok: pacing a bounded loop, not synchronising
    return outcomes


def missing_replicas(
    client: httpx.Client, replicas: list[str], max_seconds: float, max_requests: int = 1000
) -> set[str]:
    """GET /echo until every replica has answered; the replicas that never did by the bound.

    A scenario that needs the whole fleet in rotation starts with this: a proxy may still
    rest a replica that the previous scenario stopped and the fixture started again.
    """
    wanted = set(replicas)
    outcomes = get_until(
        client,
        "/echo",
        lambda o: {outcome.instance for outcome in o} >= wanted,
        max_requests=max_requests,
        max_seconds=max_seconds,
    )
    return wanted - {outcome.instance for outcome in outcomes}


def rotation_window(stack: Stack) -> float:
    """How long a proxy may take to route around a gone replica, or to take a rested one
    back: a connect timeout and max_fails read timeouts (stopped: the connect fails; paused
    or slow: the reads time out; rested: tried again after about a connect timeout), and
    slack."""
    timeouts = stack.spec.timeouts
    return timeouts.proxy_connect + timeouts.max_fails * timeouts.proxy_read + MARGIN


def need_every_replica_in_view(stack: Stack, client: httpx.Client) -> None:
    """Start a scenario only once every replica answers `client`: an earlier scenario may
    have left one stopped-then-started or rested by the proxy. A sticky stack may show a
    client one replica only (nginx by its address; Apache and HAProxy by a cookie, when the
    client keeps cookies): the scenario is skipped there, saying which."""
    missing = missing_replicas(client, stack.replicas, rotation_window(stack))
    if missing and stack.spec.balancing == "sticky":
        how = "by client address" if sticky_by_client_address(stack) else "by a cookie it kept"
        pytest.skip(f"{stack.id}: sticky {how}, {sorted(missing)} out of view of this client")
    assert not missing, f"{stack.id}: {sorted(missing)} never answered GET /echo"


def sticky_by_client_address(stack: Stack) -> bool:
    """Whether the proxy keeps a client on one replica by its address (nginx's ip_hash), not
    by a cookie a new visitor does not send yet (its kit's `features.stickiness`)."""
    stickiness = proxy_kit(stack.spec.proxy).features.stickiness
    return stack.spec.balancing == Balancing.STICKY and stickiness == Stickiness.CLIENT_ADDRESS


def wait_fleet_back_in_rotation(stack: Stack) -> None:
    """After a scenario that stopped, paused or recreated replicas: GET /echo as new visitors
    until every replica has answered through the proxy, within the rotation window, so the
    next scenario on this instance meets the fleet as a fresh stack has it (a proxy may still
    hold a recreated replica's old address, or rest a restarted one; HAProxy then waits a
    second before it sends the request elsewhere). A stack sticky by client address shows a
    client one replica only: nothing to wait for there. What is still missing at the bound is
    left to the next scenario's own checks."""
    if sticky_by_client_address(stack):
        return
    with visitor_client(stack, rotation_window(stack) + 5) as client:
        missing_replicas(client, stack.replicas, rotation_window(stack))


class SteadyTraffic:
    """GETs of one path, one after another in a thread, until stopped or out of budget."""

    def __init__(
        self,
        stack: Stack,
        path: str,
        *,
        max_requests: int,
        max_seconds: float,
        timeout: float,
        interval: float = 0.0,
    ) -> None:
        self._stack = stack
        self._interval = interval
        self._path = path
        self._max_requests = max_requests
        self._max_seconds = max_seconds
        self._timeout = timeout
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._outcomes: list[Outcome] = []
        self._thread = threading.Thread(target=self._run, name=f"traffic {path}", daemon=True)
        self.started = 0.0

    def start(self) -> SteadyTraffic:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __enter__(self) -> SteadyTraffic:
        """Running inside the block, stopped when the block ends however."""
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> list[Outcome]:
        """Stop after the request in flight (at most one timeout) and return every outcome."""
        self._stopping.set()
        self._thread.join(self._timeout + 5)
        return self.outcomes

    @property
    def outcomes(self) -> list[Outcome]:
        with self._lock:
            return list(self._outcomes)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def now(self) -> float:
        """Seconds since the traffic started, on the clock outcomes use."""
        return time.monotonic() - self.started

    def wait_for_instance(self, instance: str, since: float, timeout: float) -> bool:
        """Wait until a request that ended after `since` was answered by `instance`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.running:
            if any(o.at > since and o.instance == instance for o in self.outcomes):
                return True
            self._stopping.wait(0.05)  # polling interval of a deadline-bound wait
        return any(o.at > since and o.instance == instance for o in self.outcomes)

    def summary(self) -> str:
        """Counts by answer, and the first failures, for an assertion message."""
        outcomes = self.outcomes
        counts = Counter(o.error or f"{o.status} {o.instance}" for o in outcomes)
        failures = [str(o) for o in outcomes if not o.ok][:5]
        return f"{len(outcomes)} requests: {dict(counts)}; first failures: {failures}"

    def _run(self) -> None:
        with visitor_client(self._stack, self._timeout) as client:
            while (
                not self._stopping.is_set()
                and len(self._outcomes) < self._max_requests
                and self.now() < self._max_seconds
            ):
                outcome = request_once(client, "GET", self._path, self.started)
                with self._lock:
                    self._outcomes.append(outcome)
                if self._interval:
                    self._stopping.wait(self._interval)  # pacing: a steady load, not a flood
