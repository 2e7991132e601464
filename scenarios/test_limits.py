"""The stack's declared limits and timeouts hold exactly, with the statuses they promise.

`spec.limits` and `spec.timeouts` are what the stack declares (see harness/spec/model.py for the
exact meaning of each); the scenarios probe at the limit and one step past it.
"""

import hashlib
import os
import time
import uuid

import pytest

from harness.clients.evidence import header_of_line_size, seen_with
from harness.clients.h2wire import h2_upload
from harness.clients.kept_alive import idle_connection
from harness.clients.provable import need_provable
from harness.clients.traffic import need_every_replica_in_view, request_once
from harness.clients.upstream import TcpState, upstream_connections
from harness.parts import server_kit
from harness.parts.kinds import ClientProtocol
from harness.spec.expectations import Expectation, declared, upstream_idle_hint
from harness.spec.model import Protocol

pytestmark = pytest.mark.limits

FRAMINGS = ["content-length", "chunked"]
# The timeouts hold for idempotent and non-idempotent requests alike.
METHODS = ["GET", "POST"]
SLEEP_BODY = b'{"order": 1}'  # a POST's small body: what a form or an API call sends
PAST_TIMEOUT = 1.5  # seconds the app sleeps beyond a timeout
ANSWER_MARGIN = 1.0  # seconds the proxy may take past its timeout to answer (< PAST_TIMEOUT)
WORKER_TIMEOUT_STATUS = 502  # the proxy's answer when the server kills a slow worker
# Bytes of max_response_header_bytes left to the status line and the headers every answer
# carries (Date, Server, Content-Type, Content-Length, X-Instance, the header names).
RESPONSE_HEAD_ROOM = 1024
IDLE_MARGIN = 1.0  # seconds before the server's keep-alive ends at which reuse is a race
SNAPSHOT_ATTEMPTS = 3


def _server_ends_slow_requests(spec):
    """Whether the server kills a request that outlives its worker timeout (uWSGI's harakiri,
    gunicorn's sync workers; its kit's `ends_slow_requests`)."""
    return server_kit(spec.server).ends_slow_requests(spec.server_choice)


def _framed(body, framing):
    """The body as httpx sends it: whole (Content-Length) or as 64 KiB chunks."""
    if framing == "content-length":
        return body
    return iter([body[i : i + 65536] for i in range(0, len(body), 65536)])


@pytest.mark.parametrize("framing", FRAMINGS)
def test_body_at_declared_maximum_is_accepted(stack, client, framing):
    """For each framing (Content-Length, chunked), a body of exactly max_body_bytes reaches the
    app whole (same size and sha256)."""
    need_provable(stack.spec, Expectation.MAX_BODY_BYTES)
    body = os.urandom(stack.spec.limits.max_body_bytes)
    response = client.post("/upload", content=_framed(body, framing))
    evidence = f"{stack.id}: {len(body)}-byte {framing} body got {response.status_code}"
    hint = declared(stack.spec, Expectation.MAX_BODY_BYTES).hint()
    assert response.status_code == 200, f"{evidence}: {response.text[:200]!r}; {hint}"
    got = response.json()
    assert (got["size"], got["sha256"]) == (len(body), hashlib.sha256(body).hexdigest()), (
        f"{evidence}; the app read {got}"
    )


@pytest.mark.parametrize("framing", FRAMINGS)
def test_body_over_declared_maximum_gets_413_from_proxy(stack, client, protocol, framing):
    """One byte over max_body_bytes gets 413 from the proxy; the app never sees the request.
    Over HTTP/2 and HTTP/3, `chunked` is a body sent without content-length (neither has a
    chunked coding): the proxy must count what arrives."""
    need_provable(stack.spec, Expectation.MAX_BODY_BYTES)
    marker = uuid.uuid4().hex
    body = os.urandom(stack.spec.limits.max_body_bytes + 1)
    if protocol != ClientProtocol.H2:
        response = client.post("/upload", params={"m": marker}, content=_framed(body, framing))
        status, instance = response.status_code, response.headers.get("x-instance")
        text = response.text[:120]
    else:  # httpx's HTTP/2 cannot read an early 413: raw frames, read as the body goes
        with_length = framing == "content-length"
        answer = h2_upload(stack, f"/upload?m={marker}", body, with_length=with_length)
        status, instance = answer.status, answer.header("x-instance")
        text = bytes(answer.body[:120]).decode("utf-8", "replace") or answer.describe()
    evidence = (
        f"{stack.id}: {len(body)}-byte {framing} body got {status}, X-Instance {instance!r}, "
        f"{text!r}"
    )
    hint = declared(stack.spec, Expectation.MAX_BODY_BYTES).hint()
    assert status == 413, f"{evidence}; {hint}"
    assert instance is None, f"the app answered; {evidence}; {hint}"
    assert seen_with(client, marker) == [], f"the app saw the request; {evidence}"


def test_header_line_at_declared_maximum_passes(stack, client):
    """A header line of exactly max_header_bytes (CRLF included) reaches the app unchanged."""
    need_provable(stack.spec, Expectation.MAX_HEADER_BYTES)
    name, value = header_of_line_size("X-Large-Header", stack.spec.limits.max_header_bytes)
    response = client.get("/echo", headers={name: value})
    evidence = f"{stack.id}: {len(name) + len(value) + 4}-byte header line got "
    evidence += f"{response.status_code} {response.text[:160]!r}"
    hint = declared(stack.spec, Expectation.MAX_HEADER_BYTES).hint()
    assert response.status_code == 200, f"{evidence}; {hint}"
    seen = response.json()["headers"].get(name.lower(), "")
    assert seen == value, f"{evidence}; the app saw a {len(seen)}-byte value, not {len(value)}"


def test_header_line_over_declared_maximum_gets_4xx(stack, client):
    """A header line one byte over max_header_bytes is refused with a 4xx, never a 5xx."""
    need_provable(stack.spec, Expectation.MAX_HEADER_BYTES)
    name, value = header_of_line_size("X-Large-Header", stack.spec.limits.max_header_bytes + 1)
    response = client.get("/echo", headers={name: value})
    assert 400 <= response.status_code < 500, (
        f"{stack.id}: {len(name) + len(value) + 4}-byte header line got "
        f"{response.status_code}, X-Instance {response.headers.get('x-instance')!r}; "
        + declared(stack.spec, Expectation.MAX_HEADER_BYTES).hint()
    )


def test_response_head_of_declared_size_reaches_client(stack, client):
    """A response head of max_response_header_bytes (a long cookie and a long header, as a
    session cookie and a Content-Security-Policy are) reaches the client whole, never a 502.

    nginx keeps the head in proxy_buffer_size, one 4 KiB page by default ("upstream sent too
    big header", https://github.com/lobre/docker-notion-proxy/issues/1, and for uwsgi_pass
    https://github.com/webcompat/webcompat.com/issues/1009); HAProxy in tune.bufsize less
    tune.maxrewrite (https://github.com/haproxy/haproxy/issues/1137).
    """
    need_provable(stack.spec, Expectation.MAX_RESPONSE_HEADER_BYTES)
    size = (stack.spec.limits.max_response_header_bytes - RESPONSE_HEAD_ROOM) // 2
    response = client.get("/headers", params={"size": size})
    # A sticky proxy may add a cookie of its own: the app's is the one named `big`.
    cookies = [value.split(";", 1)[0] for value in response.headers.get_list("set-cookie")]
    cookie = next((c.removeprefix("big=") for c in cookies if c.startswith("big=")), "")
    evidence = (
        f"{stack.id}: /headers?size={size} (a {2 * size}-byte X-Large and cookie) got "
        f"{response.status_code}, X-Large of {len(response.headers.get('x-large', ''))} "
        f"bytes, cookie of {len(cookie)} bytes"
    )
    hint = declared(stack.spec, Expectation.MAX_RESPONSE_HEADER_BYTES).hint()
    assert response.status_code == 200, f"{evidence}; {hint}"
    assert len(response.headers.get("x-large", "")) == len(cookie) == size, f"{evidence}; {hint}"


@pytest.mark.parametrize("method", METHODS)
def test_request_inside_every_timeout_succeeds(stack, client, method):
    """For idempotent and non-idempotent requests (GET and POST): one a second shorter than the
    shortest proxy or worker timeout is answered."""
    need_provable(stack.spec, Expectation.PROXY_READ, Expectation.WORKER)
    timeouts = stack.spec.timeouts
    seconds = min(timeouts.proxy_read, timeouts.worker) - 1
    started = time.monotonic()
    response = client.request(
        method,
        "/sleep",
        params={"ms": int(seconds * 1000)},
        content=SLEEP_BODY if method == "POST" else None,
        timeout=seconds + 10,
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 200, (
        f"{stack.id}: {method} /sleep {seconds:.1f} s (proxy_read {timeouts.proxy_read:g} s, "
        f"worker {timeouts.worker:g} s) got {response.status_code} after {elapsed:.2f} s; "
        + "; ".join(
            declared(stack.spec, e).hint() for e in (Expectation.PROXY_READ, Expectation.WORKER)
        )
    )


@pytest.mark.parametrize("method", METHODS)
def test_request_past_proxy_read_timeout_gets_timeout_status(stack, client, method):
    """For idempotent and non-idempotent requests (GET and POST): a reply slower than
    proxy_read gets timeout_status, never a hang, and leaves the replicas in rotation.

    A proxy may try each replica once for a GET (nginx's default proxy_next_upstream, which
    failover needs), so its bound is proxy_read per replica; a POST is never sent twice, so
    its bound is one proxy_read.
    """
    need_provable(stack.spec, Expectation.PROXY_READ)
    timeouts = stack.spec.timeouts
    if _server_ends_slow_requests(stack.spec) and timeouts.worker < timeouts.proxy_read:
        pytest.skip(f"{stack.id}: its worker timeout ({timeouts.worker:g} s) ends it first")
    tries = stack.spec.replicas if method == "GET" else 1
    bound = timeouts.proxy_read * tries + ANSWER_MARGIN
    started = time.monotonic()
    response = client.request(
        method,
        "/sleep",
        params={"ms": int((timeouts.proxy_read + PAST_TIMEOUT) * 1000)},
        content=SLEEP_BODY if method == "POST" else None,
        timeout=timeouts.proxy_read * stack.spec.replicas + ANSWER_MARGIN + 10,
    )
    elapsed = time.monotonic() - started
    evidence = (
        f"{stack.id}: {method} got {response.status_code} after {elapsed:.2f} s (bound {bound} s)"
    )
    hint = "; ".join(
        declared(stack.spec, e).hint() for e in (Expectation.PROXY_READ, Expectation.TIMEOUT_STATUS)
    )
    evidence = f"{evidence}; {hint}"
    assert response.status_code == timeouts.timeout_status, evidence
    late = "sent the POST again to another replica" if method == "POST" else "retried?"
    assert elapsed < bound, f"the proxy answered late ({late}); {evidence}"
    after = [request_once(client, "GET", "/echo") for _ in range(2 * stack.spec.replicas)]
    failed = [str(outcome) for outcome in after if not outcome.ok]
    assert not failed, (
        f"{stack.id}: one slow {method} rested the replicas: the GETs right after it got "
        f"{failed}; {declared(stack.spec, Expectation.MAX_FAILS).hint()}"
    )


def test_request_past_worker_timeout_gets_502(stack, client):
    """A request past a worker timeout shorter than proxy_read gets 502: the server ended it."""
    need_provable(stack.spec, Expectation.WORKER, Expectation.PROXY_READ)
    timeouts, spec = stack.spec.timeouts, stack.spec
    if not _server_ends_slow_requests(spec):
        pytest.skip(f"{stack.id}: {spec.server_label} has no per-request worker timeout")
    if timeouts.worker + ANSWER_MARGIN > timeouts.proxy_read:
        pytest.skip(
            f"{stack.id}: worker timeout {timeouts.worker:g} s is not shorter than proxy_read "
            f"{timeouts.proxy_read:g} s; the proxy answers first (the timeout_status scenario)"
        )
    started = time.monotonic()
    response = client.get("/sleep", params={"ms": int((timeouts.proxy_read + PAST_TIMEOUT) * 1000)})
    elapsed = time.monotonic() - started
    evidence = (
        f"{stack.id}: got {response.status_code} after {elapsed:.2f} s; worker timeout "
        f"{timeouts.worker:g} s, proxy_read {timeouts.proxy_read:g} s; "
        + declared(spec, Expectation.WORKER).hint()
    )
    assert response.status_code == WORKER_TIMEOUT_STATUS, evidence
    assert elapsed < timeouts.proxy_read, (
        f"the proxy's timeout answered, not the worker's; {evidence}"
    )


def test_server_keeps_an_idle_connection_for_its_declared_keepalive(stack):
    """At each side of the server's declared keep-alive that a proxy relies on: a connection
    to a replica left idle for just under it is still answered on. The proxy keeps idle
    upstream connections for a time set from the declared value; a server that closes sooner
    lets it send on a connection that is closing, and the client gets a 502."""
    need_provable(stack.spec, Expectation.KEEPALIVE)
    kept_idle = server_kit(stack.spec.server).keeps_idle_connections
    if kept_idle is not None:
        pytest.skip(f"{stack.id}: {kept_idle}: it closes no idle connection")
    if stack.spec.protocol == Protocol.UWSGI:
        pytest.skip(f"{stack.id}: the replicas speak uWSGI's protocol, one request a connection")
    idle = stack.spec.timeouts.keepalive - IDLE_MARGIN
    seen = idle_connection(stack, stack.replicas[0], stack.replica_health_path, idle)
    if not seen.kept_alive_after_first:
        pytest.skip(f"{stack.id}: the server closes each connection once it has answered")
    assert seen.closed_after is None and seen.second.split(" ")[1:2] == ["200"], (
        f"{stack.id}: straight to {stack.replicas[0]}: {seen.describe()}, before the declared "
        f"keep-alive of {stack.spec.timeouts.keepalive:g} s that the proxy's upstream idle "
        "timeout is set from; the server's keep-alive must be at least the declared one "
        f"({declared(stack.spec, Expectation.KEEPALIVE).hint()})"
    )


def _upstream_connections_after_requests(stack, client, idle):
    """GET every replica, then read the proxy's established upstream connections: when the
    last GET was sent, and those connections. The idle period counts from that GET, so the
    time the read takes (a `docker exec`, over a second on a loaded host) is part of it; a
    read that took the whole period is done again, since the connections may have closed."""
    for _ in range(SNAPSHOT_ATTEMPTS):
        need_every_replica_in_view(stack, client)
        last_request = time.monotonic()
        kept = [c for c in upstream_connections(stack) if c.state == TcpState.ESTABLISHED]
        if time.monotonic() - last_request < idle:
            return last_request, kept
    raise AssertionError(
        f"{stack.id}: reading the proxy's TCP table took more than {idle:g} s, "
        f"{SNAPSHOT_ATTEMPTS} times: the host is too busy to tell reuse from a new connection"
    )


def test_proxy_does_not_reuse_upstream_connections_the_server_is_closing(stack, client):
    """An upstream connection idle for nearly the server's keep-alive is not used again.

    The server closes an idle kept-alive connection after `keepalive` seconds; a proxy that
    sends a request on it at that moment gets a reset or an empty reply, and the client a
    502. The proxy must drop (or stop reusing) idle upstream connections sooner. Seen in
    the proxy's TCP table: a request that reached a replica while no new connection to it
    appeared went over an old one.
    https://github.com/benoitc/gunicorn/issues/1194 (nginx 502s from gunicorn's keep-alive),
    https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout
    """
    need_provable(stack.spec, Expectation.KEEPALIVE)
    kept_idle = server_kit(stack.spec.server).keeps_idle_connections
    if kept_idle is not None:
        pytest.skip(f"{stack.id}: {kept_idle}: no race")
    idle = stack.spec.timeouts.keepalive - IDLE_MARGIN
    last_request, kept = _upstream_connections_after_requests(stack, client, idle)
    time.sleep(max(0.0, last_request + idle - time.monotonic()))  # sleep-ok: the idle period
    idled = time.monotonic() - last_request
    answered = {client.get("/echo").headers.get("x-instance", "") for _ in stack.replicas}
    after = upstream_connections(stack)
    known = {c.local_port for c in kept}
    opened = {c.replica for c in after if c.local_port not in known}
    reused = sorted(
        c
        for c in kept
        if c.replica in answered - opened
        and any(a.local_port == c.local_port and a.state == TcpState.ESTABLISHED for a in after)
    )
    assert not reused, (
        f"{stack.id}: after {idled:.1f}s idle (the server's "
        f"keep-alive is {stack.spec.timeouts.keepalive:g}s) the proxy sent GETs to "
        f"{sorted(answered)} over old upstream connections {[str(c) for c in reused]}, "
        f"no new ones; a request racing the server's close gets a 502; "
        + upstream_idle_hint(stack.spec)
    )
