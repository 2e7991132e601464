"""Chunked and server-sent answers reach the client as the app produces them, not at the end.

The app sends COUNT lines (events), the first at once and then one every INTERVAL_MS. A proxy
that buffers the answer, or compresses it without flushing, holds them all back until the
last one: the first then arrives after the whole interval, and all arrive together.
"""

import time

import httpx
import pytest

from harness.clients.evidence import timed_lines
from harness.clients.probes import clients_reading_nothing, clients_sending_slowly
from harness.clients.traffic import need_every_replica_in_view
from harness.clients.upstream import TcpState, upstream_connections
from harness.parts import server_kit

pytestmark = pytest.mark.streaming

COUNT = 5
INTERVAL_MS = 400
PACE = {"count": COUNT, "interval_ms": INTERVAL_MS}
PRODUCED_IN = (COUNT - 1) * INTERVAL_MS / 1000  # seconds from the first line to the last
FIRST_WITHIN = 1.0  # seconds: the first line is sent at once; well before the last is made
SPREAD_AT_LEAST = 0.75 * PRODUCED_IN  # first to last arrival, allowing for scheduling
# The gzip cases belong to the compression family too: compression must not hold them back.
ENCODINGS = ["identity", pytest.param("gzip", marks=pytest.mark.compression)]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_stream_lines_arrive_incrementally(stack, client, encoding):
    """/stream lines arrive one by one: the first at once, the rest spread over the interval.

    With `Accept-Encoding: gzip` too: a proxy that compresses must flush each chunk.
    """
    answer = timed_lines(client, "/stream", PACE, {"Accept-Encoding": encoding})
    evidence = f"{stack.id}: /stream with Accept-Encoding {encoding}: {answer.summary()}"
    times = answer.times("{")
    assert answer.status == 200 and len(times) == COUNT, evidence
    assert times[0] < FIRST_WITHIN, f"first line late (held back?); {evidence}"
    assert times[-1] - times[0] >= SPREAD_AT_LEAST, f"lines arrived together; {evidence}"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_sse_events_arrive_incrementally(stack, client, encoding):
    """/sse events arrive one by one, as `text/event-stream`, compressed or not."""
    answer = timed_lines(client, "/sse", PACE, {"Accept-Encoding": encoding})
    evidence = f"{stack.id}: /sse with Accept-Encoding {encoding}: {answer.summary('data:')}"
    times = answer.times("data:")
    content_type = answer.headers.get("content-type", "")
    assert answer.status == 200 and content_type.startswith("text/event-stream"), evidence
    assert len(times) == COUNT, evidence
    assert times[0] < FIRST_WITHIN, f"first event late (held back?); {evidence}"
    assert times[-1] - times[0] >= SPREAD_AT_LEAST, f"events arrived together; {evidence}"


# bytes: more than every socket buffer on the way holds. With buffering off, an answer the
# buffers hold whole frees its worker: measured per request, about 15 MiB sat in them (the
# app's send buffer, the proxy's both ways, Docker's port proxy's), and a receive buffer may
# grow to net.ipv4.tcp_rmem's maximum, 32 MiB here; a 32 MiB answer let
# nginx-unbuffered-before-sync-workers pass under make test's load. With buffering on, the
# answers must be handed over inside the window below: four 64 MiB answers took about 3 s in
# a default-profile run, and twice in four runs more than the window.
LARGE_ANSWER = 48 * 1024 * 1024
# A sync worker stalled on a client that reads nothing is freed by the server itself, no
# sooner than this after its answer began: uWSGI gives up the write after its socket-timeout
# (its kit's `write_timeout`; its harakiri is the stack's `worker`, when sooner); gunicorn kills
# the worker after its timeout (the stack's `worker`, 5 s) and starts another. GET /echo beside
# the slow readers gets until then from the first slow request, less SLACK: with every worker
# held it cannot be answered before, and with a buffering proxy it waits only for the answers
# to be handed over: milliseconds on an idle host, seconds in a default-profile run on 2 cores.
SLACK = 0.5
# Seconds to read the slow clients' answers afterwards: 4 x 48 MiB, over TLS on a busy host.
DRAIN_WITHIN = 30.0


def _held_at_least(spec):
    """Seconds a sync worker held by a client that reads nothing stays held, at least."""
    write_timeout = server_kit(spec.server).write_timeout
    if write_timeout is not None:
        return min(write_timeout, spec.timeouts.worker)
    return spec.timeouts.worker


def test_slow_clients_do_not_hold_sync_workers(stack, client):
    """Clients that read nothing of a large answer hold no sync worker: the proxy takes the
    answer whole (buffers it), so the site still answers at once (gunicorn's deployment
    docs: sync workers need a buffering proxy in front)."""
    if not stack.spec.sync_workers:
        pytest.skip(f"{stack.id}: {stack.spec.server_label} is not one process per request")
    need_every_replica_in_view(stack, client)  # an earlier timeout may have rested them
    slots = stack.spec.replicas * stack.spec.workers
    held_at_least = _held_at_least(stack.spec)
    first_sent = time.monotonic()
    with clients_reading_nothing(stack, f"/bytes?n={LARGE_ANSWER}", slots) as readers:
        window = first_sent + held_at_least - SLACK - time.monotonic()
        assert window > SLACK, (
            f"{stack.id}: starting {slots} slow clients took {held_at_least - SLACK - window:.1f}"
            f" s of the {held_at_least:.0f} s a held worker stays held: the host is too busy "
            "to tell a buffering proxy from one that is not"
        )
        outcome, waited = _echo_within(client, window)
        # A worker freed because the proxy gave up on a slow client (HAProxy's `timeout
        # client`) frees GET /echo too, but that client's answer is cut: a buffering proxy
        # still hands every slow client its whole answer once it reads.
        received = [reader.rest_of_answer(DRAIN_WITHIN) for reader in readers]
    assert outcome == "200", (
        f"{stack.id}: with {slots} clients reading nothing of a {LARGE_ANSWER}-byte answer, "
        f"GET /echo got {outcome} after {waited:.1f} s: every sync worker is held by a slow "
        "client; the proxy must buffer answers (nginx: proxy_buffering on, the default)"
    )
    cut = [got for got, announced in received if got < LARGE_ANSWER]
    assert not cut, (
        f"{stack.id}: GET /echo got 200 after {waited:.1f} s, but {len(cut)} of the {slots} "
        f"slow clients got only {sorted(cut)} of their {LARGE_ANSWER} bytes: the proxy freed "
        "the workers by giving up on their clients (a timeout), not by buffering the answers "
        "(nginx: proxy_buffering on, the default)"
    )


# bytes: half of it (sent before the pause) is more than Apache prefetches (16 KiB) and
# the whole fits one HAProxy buffer (tune.bufsize)
SLOW_UPLOAD = 48 * 1024
REACHED_WITHIN = 1.0  # seconds for a passed-on slow upload to show as upstream connections
# Seconds for GET /echo beside the slow uploads: it takes milliseconds when a worker is
# free; a held one is freed only when the proxy gives up on the upload (proxy_read, 3 s).
UPLOAD_NEIGHBOUR_WITHIN = 1.5


def test_slow_uploads_do_not_hold_sync_workers(stack, client):
    """Clients that send their body slowly hold no sync worker: the proxy takes the whole
    body before it passes the request on, so the site still answers at once.
    https://docs.gunicorn.org/en/stable/deploy.html asks for a buffering proxy in front of
    sync workers; with nginx's `proxy_request_buffering off` each upload holds a worker
    (https://github.com/danbyte-net/danbyte/issues/229, and
    https://github.com/freelawproject/courtlistener/issues/2640). Only nginx spools a whole
    body; HAProxy holds one buffer (tune.bufsize), which a form or API upload like this fits.
    """
    if not stack.spec.sync_workers:
        pytest.skip(f"{stack.id}: {stack.spec.server_label} is not one process per request")
    need_every_replica_in_view(stack, client)
    slots = stack.spec.replicas * stack.spec.workers
    before = {c.local_port for c in upstream_connections(stack)}
    with clients_sending_slowly(stack, "/upload", SLOW_UPLOAD, slots):
        passed_on = _new_upstream_connections(stack, before, slots)
        outcome, waited = _echo_within(client, UPLOAD_NEIGHBOUR_WITHIN)
    assert outcome == "200", (
        f"{stack.id}: with {slots} clients each halfway through a {SLOW_UPLOAD}-byte upload "
        f"({passed_on} passed on to the replicas already), GET /echo got {outcome} after "
        f"{waited:.1f} s: every sync worker waits for a body; the proxy must take the body "
        "first (nginx: proxy_request_buffering on, the default; HAProxy: option "
        "http-buffer-request)"
    )


def _echo_within(client, seconds):
    """GET /echo with a `seconds` timeout, beside held workers: (its status, or the timeout's
    name), and how long it took."""
    started = time.monotonic()
    try:
        outcome = str(client.get("/echo", timeout=seconds).status_code)
    except httpx.TimeoutException as error:
        outcome = type(error).__name__
    return outcome, time.monotonic() - started


def _new_upstream_connections(stack, before, wanted):
    """How many new proxy-to-replica connections opened since `before`, waiting up to
    REACHED_WITHIN for `wanted` (a buffering proxy opens none: the wait runs out)."""
    deadline = time.monotonic() + REACHED_WITHIN
    while True:
        opened = [
            c
            for c in upstream_connections(stack)
            if c.local_port not in before and c.state == TcpState.ESTABLISHED
        ]
        if len(opened) >= wanted or time.monotonic() > deadline:
            return len(opened)
        time.sleep(0.1)  # sleep-ok: poll interval inside a deadline
