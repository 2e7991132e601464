"""Balancing over the replicas: spread, stickiness, failover, recovery, no repeated POSTs.

Windows are derived from the stack's own timeouts: a proxy needs at most one connect timeout
and one read timeout to find a replica gone (stopped: the connect fails; paused: the read
times out), and it tries a replica it gave up on again after a connect timeout's worth of
rest (nginx's fail_timeout, HAProxy's check interval, Apache's retry).
"""

import time
import uuid

import pytest

from harness.clients.evidence import seen_entries
from harness.clients.framing import PROBES
from harness.clients.framing.wire import send_through_proxy
from harness.clients.probes import host_header
from harness.clients.provable import need_provable
from harness.clients.traffic import (
    MARGIN,
    get_until,
    need_every_replica_in_view,
    request_once,
    requests_at_once,
    rotation_window,
    sticky_by_client_address,
    visitor_client,
)
from harness.spec.expectations import Expectation

pytestmark = pytest.mark.balancing

SPREAD_REQUESTS = 60
SPREAD_TOLERANCE = 0.5  # every replica gets at least half of its fair share
STICKY_REQUESTS = 20
STEADY_MIN_REQUESTS = 10
MAX_REQUESTS = 2000  # bound of every polling loop; a time bound always comes first


def retry_window(stack):
    """How long a proxy rests a failed replica before it tries it again, plus one attempt."""
    return 2 * stack.spec.timeouts.proxy_connect + MARGIN


def slow_client(stack):
    """A cookie-less client that outwaits a failover: a read and a connect timeout, and slack."""
    return visitor_client(stack, rotation_window(stack) + 5)


def need_two_replicas(stack):
    if len(stack.replicas) < 2:
        pytest.skip(f"{stack.id} runs {len(stack.replicas)} replica: nothing to balance over")


def test_requests_spread_over_replicas(stack):
    """Once every replica is in rotation, sequential GETs reach each replica at least half
    as often as a fair share."""
    need_two_replicas(stack)
    if stack.spec.balancing == "sticky":
        pytest.skip(f"{stack.id} pins each client to one replica (sticky)")
    with slow_client(stack) as client:
        need_every_replica_in_view(stack, client)
        answers = [
            client.get("/echo").headers.get("x-instance", "") for _ in range(SPREAD_REQUESTS)
        ]
    counts = {replica: answers.count(replica) for replica in stack.replicas}
    floor = SPREAD_REQUESTS / len(stack.replicas) * SPREAD_TOLERANCE
    assert min(counts.values()) >= floor, (
        f"{stack.id} ({stack.spec.balancing}): {SPREAD_REQUESTS} GETs went {counts}, "
        f"every replica should get at least {floor:.0f}"
    )


def test_sticky_policy_pins_client(stack, client):
    """Under a sticky policy every request of one client reaches the same replica."""
    need_two_replicas(stack)
    if stack.spec.balancing != "sticky":
        pytest.skip(f"{stack.id} balances {stack.spec.balancing}, not sticky")
    answers = [client.get("/echo").headers.get("x-instance", "") for _ in range(STICKY_REQUESTS)]
    assert len(set(answers)) == 1 and answers[0], (
        f"{stack.id}: one client's {STICKY_REQUESTS} GETs were answered by {set(answers)}"
    )


@pytest.mark.parametrize("outage", ["stopped", "paused"])
def test_gets_keep_succeeding_with_replica_down(stack, outage):
    """With one replica stopped or paused, after the detection window every GET succeeds
    without waiting on it, for longer than the proxy rests a failed replica."""
    need_provable(stack.spec, Expectation.PROXY_CONNECT, Expectation.PROXY_READ)
    need_two_replicas(stack)
    down = stack.replicas[0]
    with slow_client(stack) as client:
        # Else the proxy may still rest a replica an earlier scenario stopped: it would take
        # it back (rise) mid-window, after the detection looked done (seen on HAProxy). And
        # a proxy that never reached the replica has not resolved its name (Apache: a 500
        # once the stopped container's name is gone). A cookie-less client sees every
        # replica but where the proxy pins clients by their address.
        if not sticky_by_client_address(stack):
            need_every_replica_in_view(stack, client)
        if outage == "stopped":
            stack.stop_replica(down)
        else:
            stack.pause_replica(down)
        detection = rotation_window(stack)
        during = get_until(
            client,
            "/echo",
            routed_around(stack),
            max_requests=MAX_REQUESTS,
            max_seconds=detection,
        )  # failures allowed while the proxy learns
        window = retry_window(stack)
        after = get_until(
            client, "/echo", lambda o: not o[-1].ok, max_requests=MAX_REQUESTS, max_seconds=window
        )
    failures = [str(o) for o in after if not o.ok]
    assert not failures and len(after) >= STEADY_MIN_REQUESTS, (
        f"{stack.id}: {down} {outage}; {len(after)} GETs (at least {STEADY_MIN_REQUESTS} "
        f"expected) over {window:.0f}s after a {detection:.0f}s detection window, "
        f"failures: {failures[:5]}; "
        f"during detection: {[str(o) for o in during if not o.ok][:3]}"
    )


def routed_around(stack):
    """Whether the proxy has learnt: the last GETs, two per replica, were all quick
    successes (none waited on the down replica)."""
    quick = stack.spec.timeouts.proxy_read / 2
    needed = 2 * len(stack.replicas)

    def learnt(outcomes):
        last = outcomes[-needed:]
        return len(last) == needed and all(o.ok and o.seconds < quick for o in last)

    return learnt


def test_replica_rejoins_after_restart(stack):
    """A replica that was down and restarted answers again through the proxy, in time."""
    need_provable(stack.spec, Expectation.PROXY_CONNECT, Expectation.PROXY_READ)
    need_two_replicas(stack)
    down = stack.replicas[0]
    with slow_client(stack) as client:
        need_every_replica_in_view(stack, client)
        stack.stop_replica(down)
        during = [request_once(client, "GET", "/echo") for _ in range(4)]  # the proxy notices
        stack.start_replica(down)
        started = time.monotonic()
        after = get_until(
            client,
            "/echo",
            lambda o: o[-1].instance == down,
            max_requests=MAX_REQUESTS,
            max_seconds=rotation_window(stack),
        )
    assert after[-1].instance == down, (
        f"{stack.id}: {down} not answering {time.monotonic() - started:.1f}s after its restart "
        f"({len(after)} GETs, last {[str(o) for o in after[-3:]]}); "
        f"while down: {[str(o) for o in during]}"
    )


def test_post_not_repeated_when_upstream_times_out(stack):
    """A POST whose replica does not answer in time is not sent again to another replica:
    it runs at most once, and only where it was sent (per /seen and the shared counter)."""
    need_provable(stack.spec, Expectation.PROXY_CONNECT, Expectation.PROXY_READ)
    need_two_replicas(stack)
    with slow_client(stack) as client:
        # A replica the last scenario timed out may rest; this cookie-less client sees every
        # replica but where the proxy pins clients by their address: then it pauses its own.
        if sticky_by_client_address(stack):
            hung = client.get("/echo").headers.get("x-instance", "")
        else:
            need_every_replica_in_view(stack, client)
            hung = stack.replicas[0]
        stack.pause_replica(hung)
        key, outcome = post_until_one_waits_on(client, stack)
        stack.unpause_replica(hung)
        runs = wait_for_run_by(client, key, hung, MARGIN)
        value = client.get("/counter", params={"key": key}).json()["value"]
    assert set(runs) <= {hung} and len(runs) <= 1 and value <= 1, (
        f"{stack.id}: POST /counter?key={key} hung on {hung} ({outcome}), then ran "
        f"{len(runs)} times (on {runs}), counter {value}: the proxy retried a POST"
    )


def post_until_one_waits_on(client, stack):
    """POST new keys until one hit the paused replica: it took at least a read timeout."""
    read_timeout = stack.spec.timeouts.proxy_read
    for _ in range(2 * len(stack.replicas)):
        key = f"retry-{uuid.uuid4().hex}"
        outcome = request_once(client, "POST", f"/counter?key={key}")
        if outcome.seconds >= read_timeout - 0.5:
            return key, outcome
    pytest.fail(f"{stack.id}: no POST waited on the paused replica; last {outcome}")


def wait_for_run_by(client, key, replica, timeout):
    """Replicas that ran POST /counter?key=..., per /seen, once `replica` has run its stale
    copy or by the deadline (a server may drop a request whose client has gone)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = seen_entries(client, limit=200)
        runs = [e["instance"] for e in seen if e["method"] == "POST" and key in e["query"]]
        if replica in runs or time.monotonic() > deadline:
            return runs
        time.sleep(0.1)  # sleep-ok: polling interval of a deadline-bound wait


# A request every proxy here must refuse: Transfer-Encoding `gzip, chunked` (nobody relays a
# coding other than chunked).
REFUSED_PROBE = "te-list-gzip-chunked"
REFUSED_ROUNDS = 3  # a round that misses the member in error is followed by another


def refused_at_the_front(exchange) -> bool:
    """The proxy refused the request itself (a 4xx, or nginx's 501 for a coding it does not
    implement): no replica was picked for it, so none can have been taken out by it."""
    return bool(exchange.statuses) and all(
        400 <= status < 500 or status == 501 for status in exchange.statuses
    )


def test_refused_requests_take_no_replica_out_of_rotation(stack):
    """A request the proxy refuses is the client's fault, not a replica's. Sent once more
    often than there are replicas, it leaves every replica in rotation: the GETs sent together
    right after it all succeed and, unless the stack pins clients by their address, reach
    every replica; in each of REFUSED_ROUNDS rounds.

    Apache's mod_proxy_http answered it with 500 and mod_proxy put the member it had picked
    in error for retry= seconds: with every member so marked the balancer forces them all
    back, so the last such request leaves one out, and any other reason for a member to be
    unusable then (a failed health check) leaves none: 503 for everyone. A passing health
    check (hcinterval=1 on the reference stacks) or the end of retry= (1 s) can bring the
    member back before the GETs reach the balancer: seen twice on a loaded host, the broken
    Apache passed one round. So the GETs go together, and the round is repeated.

    A replica missing after requests the proxy refused at its front (every answer a 4xx)
    was not taken out by them: on a loaded host a health check may rest a booting replica
    (seen: HAProxy's 422s, then a server marked down and up again). That round proves nothing
    either way; the next one starts with every replica in view again."""
    need_provable(stack.spec, Expectation.PROXY_CONNECT, Expectation.PROXY_READ)
    spread = not sticky_by_client_address(stack)  # a cookie-less client sees every replica
    evidence, rounds = None, 0
    with slow_client(stack) as client:
        while evidence is None and rounds < REFUSED_ROUNDS:
            rounds += 1
            if spread:
                need_every_replica_in_view(stack, client)
            evidence = _refused_round(stack, client, spread)
    assert evidence is None, (
        f"{stack.id}: {evidence}: the refused requests took replicas out of rotation "
        f"(round {rounds} of {REFUSED_ROUNDS})"
    )


def _refused_round(stack, client, spread: bool) -> str | None:
    """One round: the refused requests, then the GETs together. Returns what shows a replica
    taken out by the refusals, or None when nothing does (or only a refusal at the front
    could have, which proves nothing)."""
    refused = PROBES[REFUSED_PROBE]
    host, root = host_header(stack), stack.contract_root
    sent = [
        send_through_proxy(stack, refused.render(host, uuid.uuid4().hex, root))
        for _ in range(len(stack.replicas) + 1)
    ]
    after = requests_at_once(client, "GET", "/echo", 2 * len(stack.replicas))
    failures = [str(o) for o in after if not o.ok]
    missing = sorted(set(stack.replicas) - {o.instance for o in after}) if spread else []
    if not (failures or missing) or all(map(refused_at_the_front, sent)):
        return None
    return (
        f"{len(sent)} requests with Transfer-Encoding `gzip, chunked` (answered "
        f"{[list(exchange.statuses) for exchange in sent]}), then {len(after)} GETs: "
        f"failures {failures}, replicas not reached {missing}"
    )
