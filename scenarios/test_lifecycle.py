"""Replica lifecycle under traffic: graceful stop, rolling restart, re-resolution of names."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from harness.clients.evidence import seen_entries
from harness.clients.provable import need_provable
from harness.clients.traffic import (
    MARGIN,
    SteadyTraffic,
    get_until,
    need_every_replica_in_view,
    rotation_window,
    visitor_client,
)
from harness.run.fleet import PLACEHOLDER_INSTANCE, moved_replica
from harness.spec.expectations import Expectation, declared

pytestmark = pytest.mark.lifecycle

IN_FLIGHT_MS = 2000  # long enough to stop the replica while the request runs
ROLLING_MAX_SECONDS = 90.0  # bounds of the background loop; the restarts end it first
ROLLING_MAX_REQUESTS = 3000
ROLLING_INTERVAL = 0.02  # seconds between two requests of the loop: about 50 per second
MAX_REQUESTS = 2000  # bound of a polling loop; paced, its time bound comes first


def test_request_in_flight_finishes_when_its_replica_stops(stack, client):
    """A graceful stop lets the replica finish the request it is running: 200, from it."""
    need_provable(stack.spec, Expectation.GRACEFUL)
    marker = uuid.uuid4().hex
    path = f"/sleep?ms={IN_FLIGHT_MS}&marker={marker}"
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(httpx.get, stack.url + path, verify=stack.verify(), timeout=30)
        runs = wait_for_runs(client, marker, deadline=IN_FLIGHT_MS / 1000)
        assert runs, f"{stack.id}: {path} never reached the app; {pending.result()}"
        stopped = runs[0]
        # Else the stop would come after the answer and prove nothing.
        assert not pending.done(), f"{stack.id}: {path} was answered before the stop began"
        stack.stop_replica(stopped)
        response = pending.result(timeout=60)
    runs = wait_for_runs(client, marker, deadline=rotation_window(stack))
    answered_by = response.headers.get("x-instance")
    assert (response.status_code, answered_by, runs) == (200, stopped, [stopped]), (
        f"{stack.id}: stopped {stopped} while it ran {path}: got {response.status_code} "
        f"from {answered_by!r}, the app ran it {len(runs)} times (by {runs})"
    )


def wait_for_runs(client, marker, deadline):
    """The replicas that ran the request carrying `marker`, oldest first, per /seen."""
    end = time.monotonic() + deadline
    while True:
        seen = seen_entries(client, limit=100)
        runs = [entry["instance"] for entry in reversed(seen) if marker in entry["query"]]
        if runs or time.monotonic() > end:
            return runs
        time.sleep(0.05)  # sleep-ok: polling interval of a deadline-bound wait


def need_fleet_in_view_of_a_new_visitor(stack):
    """Every replica answers a cookie-less client (see need_every_replica_in_view)."""
    with visitor_client(stack, rotation_window(stack) + 5) as client:
        need_every_replica_in_view(stack, client)


def test_rolling_restart_gives_no_errors(stack):
    """Restarting every replica in turn, each back in rotation before the next, under a
    steady stream of GETs, gives no 5xx and no connection error."""
    need_provable(
        stack.spec, Expectation.GRACEFUL, Expectation.PROXY_CONNECT, Expectation.PROXY_READ
    )
    need_fleet_in_view_of_a_new_visitor(stack)
    with SteadyTraffic(
        stack,
        "/echo",
        max_requests=ROLLING_MAX_REQUESTS,
        max_seconds=ROLLING_MAX_SECONDS,
        timeout=rotation_window(stack) + 5,
        interval=ROLLING_INTERVAL,
    ) as traffic:
        for replica in stack.replicas:
            stack.restart_replica(replica)
            back = traffic.wait_for_instance(replica, traffic.now(), rotation_window(stack))
            assert back, f"{stack.id}: {replica} got no traffic after restart; {traffic.summary()}"
    failures = [str(o) for o in traffic.outcomes if o.error or o.status >= 500]
    assert not failures, f"{stack.id}: rolling restart: {failures[:5]}; {traffic.summary()}"


def test_recreated_replica_is_reached_again(stack):
    """A replica recreated on a new address gets traffic again: the proxy follows its name.

    A proxy that follows names keeps an address at most the declared `timeouts.resolve`
    (nginx `resolver ... valid=`, HAProxy `timeout resolve`); Docker's DNS answers a recreated
    container at once. A placeholder answers at the old address: a request it answers after
    that (and slack) shows the proxy still holds the old address, and the scenario fails
    then, not at the end of its window."""
    need_provable(stack.spec, Expectation.RESOLVE)
    need_fleet_in_view_of_a_new_visitor(stack)
    resolve = stack.spec.timeouts.resolve + MARGIN
    replica, window = stack.replicas[0], resolve + rotation_window(stack)

    def settled(outcomes):
        last = outcomes[-1]
        stale = last.instance == PLACEHOLDER_INSTANCE and last.at > resolve
        return last.instance == replica or stale

    with (
        moved_replica(stack, replica) as (old, new),
        visitor_client(stack, rotation_window(stack) + 5) as client,
    ):
        after = get_until(client, "/echo", settled, max_requests=MAX_REQUESTS, max_seconds=window)
    last = after[-1]
    assert last.instance != PLACEHOLDER_INSTANCE, (
        f"{stack.id}: {replica} moved from {old} to {new}, and {last.at:.1f}s later (a proxy "
        f"following names re-resolves within {resolve:.0f}s) the proxy still sent "
        f"GET /echo to the old address {old}; {declared(stack.spec, Expectation.RESOLVE).hint()}"
    )
    assert last.instance == replica, (
        f"{stack.id}: {replica} moved from {old} to {new} and got no request in {window:.0f}s "
        f"({len(after)} GETs answered by {sorted({o.instance or o.error for o in after})})"
    )
