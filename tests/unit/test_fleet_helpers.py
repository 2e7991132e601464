"""The traffic and TLS probe helpers behave as their scenarios rely on, without Docker."""

from __future__ import annotations

import struct
from types import SimpleNamespace

import httpx
import pytest

from harness.clients.evidence import SENT_TWICE, seen_entries, seen_with, send_answered
from harness.clients.tlsprobe import _client_hello
from harness.clients.traffic import (
    CONNECTION_ERROR,
    Outcome,
    get_until,
    request_once,
    sticky_by_client_address,
    visitor_client,
    wait_fleet_back_in_rotation,
)
from harness.plugin import hooks
from harness.plugin.items import STACK_FIXTURE
from harness.spec.catalog import STACKS
from harness.spec.model import ProxyKind


def counting_client() -> httpx.Client:
    """A client whose transport answers every request itself, naming a replica in turn."""
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(200, headers={"x-instance": f"app-{1 + calls['n'] % 2}"})

    return httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(answer))


def test_get_until_stops_when_done_or_out_of_budget():
    with counting_client() as client:
        done = get_until(
            client,
            "/",
            lambda o: o[-1].instance == "app-1",
            max_requests=9,
            max_seconds=5,
            interval=0,
        )
        capped = get_until(client, "/", lambda o: False, max_requests=3, max_seconds=5, interval=0)
    assert [o.instance for o in done] == ["app-2", "app-1"]
    assert len(capped) == 3


def test_connection_error_is_an_outcome_not_an_exception():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(refuse)) as c:
        outcome = request_once(c, "GET", "/")
    assert (outcome.status, outcome.ok, outcome.error) == (CONNECTION_ERROR, False, "ConnectError")


def closing_once_client() -> httpx.Client:
    """A client whose first request finds its connection closed without an answer."""
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        return httpx.Response(200, headers={"x-instance": "app-2"})

    return httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(answer))


def test_idempotent_request_is_sent_again_once_after_a_silent_close():
    with closing_once_client() as client:
        got = request_once(client, "GET", "/")
    with closing_once_client() as client:
        posted = request_once(client, "POST", "/counter")
    assert (got.status, got.retried) == (200, True)
    assert "retried on a new connection" in str(got)
    assert (posted.status, posted.error, posted.retried) == (
        CONNECTION_ERROR,
        "RemoteProtocolError",
        False,
    )


def test_outcome_describes_itself():
    assert str(Outcome(1.5, 502, "", 0.25)) == "+1.50s 502 from (no X-Instance) in 0.25s"


def test_visitor_client_keeps_no_cookie():
    stack = SimpleNamespace(
        url="http://127.0.0.1:9", verify=lambda: True, protocol_context=lambda alpn: None
    )
    request = httpx.Request("GET", "http://127.0.0.1:9/echo")
    response = httpx.Response(200, headers={"set-cookie": "ROUTE=app-1; Path=/"}, request=request)
    with visitor_client(stack, timeout=1) as client:  # type: ignore[arg-type]
        client.cookies.extract_cookies(response)
        kept = list(client.cookies.jar)
    assert kept == []


def test_hand_made_client_hello_is_well_formed():
    hello = _client_hello(0x0301)
    record_type, record_version, record_length = struct.unpack("!BHH", hello[:5])
    message_type, message_length = hello[5], int.from_bytes(hello[6:9], "big")
    assert (record_type, record_version, message_type) == (22, 0x0301, 1)
    assert record_length == len(hello) - 5 and message_length == record_length - 4
    assert struct.unpack("!H", hello[9:11])[0] == 0x0301


class FakeFleet:
    """A live stack's replica control, recording what the scenario fixture asks of it."""

    def __init__(
        self, states: dict[str, str], fleet_changes: int, moved: list[str] | None = None
    ) -> None:
        self.replicas = list(states)
        self.states = states
        self.fleet_changes = fleet_changes
        self.moved = moved or []
        self.calls: list[str] = []

    def replicas_moved(self) -> list[str]:
        return self.moved

    def restart_proxy(self) -> None:
        self.calls.append("restart proxy")

    def state(self, replica: str) -> str:
        return self.states[replica]

    def unpause_replica(self, replica: str) -> None:
        self.calls.append(f"unpause {replica}")

    def start_replica(self, replica: str) -> None:
        self.calls.append(f"start {replica}")

    def wait_replicas_ready(self, replicas: list[str]) -> None:
        self.calls.append(f"ready {' '.join(replicas)}")


def test_after_a_test_that_changed_the_fleet_the_proxy_must_route_to_it_again(monkeypatch):
    waited: list[object] = []
    monkeypatch.setattr(hooks, "wait_fleet_back_in_rotation", waited.append)
    untouched = FakeFleet({"app-1": "running", "app-2": "running"}, fleet_changes=3)
    hooks.restore_fleet(untouched, untouched, changes=3)  # type: ignore[arg-type]
    assert (untouched.calls, waited) == ([], [])

    changed = FakeFleet({"app-1": "paused", "app-2": "exited"}, fleet_changes=5)
    hooks.restore_fleet(changed, changed, changes=3)  # type: ignore[arg-type]
    assert changed.calls == ["unpause app-1", "start app-2", "ready app-1 app-2"]
    assert waited == [changed]

    recreated = FakeFleet({"app-1": "running", "app-2": "running"}, fleet_changes=4)
    hooks.restore_fleet(recreated, recreated, changes=3)  # type: ignore[arg-type]
    assert (recreated.calls, waited[-1]) == ([], recreated)

    # Started again on another address: a proxy resolving at start would never reach it.
    moved = FakeFleet({"app-1": "exited", "app-2": "running"}, fleet_changes=4, moved=["app-1"])
    hooks.restore_fleet(moved, moved, changes=3)  # type: ignore[arg-type]
    assert (moved.calls, waited[-1]) == (["start app-1", "ready app-1", "restart proxy"], moved)


def test_waiting_for_the_fleet_asks_nothing_of_a_stack_sticky_by_client_address():
    """nginx sticks by address: a visitor sees one replica, so no request is sent (the fake
    has no URL to send one to). Apache and HAProxy stick by cookie: new visitors spread."""
    nginx = SimpleNamespace(spec=SimpleNamespace(balancing="sticky", proxy=ProxyKind.NGINX))
    assert wait_fleet_back_in_rotation(nginx) is None  # type: ignore[arg-type, func-returns-value]
    for proxy in (ProxyKind.APACHE, ProxyKind.HAPROXY):
        by_cookie = SimpleNamespace(spec=SimpleNamespace(balancing="sticky", proxy=proxy))
        assert not sticky_by_client_address(by_cookie)  # type: ignore[arg-type]


class FakeInstance:
    """A live stack that counts how often its proxy was restarted."""

    def __init__(self) -> None:
        self.id = "nginx-gunicorn-gthread-flask"
        self.fleet_changes = 0
        self.restarts = 0

    def restart_proxy(self) -> None:
        self.restarts += 1


def scenario_request(family: str, stash: pytest.Stash) -> SimpleNamespace:
    node = SimpleNamespace(iter_markers=lambda: [getattr(pytest.mark, family).mark])
    return SimpleNamespace(node=node, config=SimpleNamespace(stash=stash))


def test_a_lane_after_one_that_changed_the_fleet_gets_a_fresh_proxy():
    stash, instance = pytest.Stash(), FakeInstance()
    for family in ("balancing", "balancing"):  # the failover lane stops a replica
        hooks.fresh_for_its_lane(scenario_request(family, stash), instance)  # type: ignore[arg-type]
        instance.fleet_changes += 1
    hooks.fresh_for_its_lane(scenario_request("streaming", stash), instance)  # type: ignore[arg-type]
    assert instance.restarts == 1
    hooks.fresh_for_its_lane(scenario_request("tls", stash), instance)  # type: ignore[arg-type]
    hooks.fresh_for_its_lane(scenario_request("limits", stash), instance)  # type: ignore[arg-type]
    assert instance.restarts == 1  # the steady lane changed nothing: the restarts lane keeps it


class Request:
    """What the scenario fixture reads of pytest's request: the run's options, the test (and
    in its stash, the test after it, whose stack parameter names the instance it uses)."""

    def __init__(self, next_stack: str | None, keep: bool = False, known: bool = True) -> None:
        self.config = SimpleNamespace(getoption=lambda name: keep)
        self.node = SimpleNamespace(stash=pytest.Stash())
        if known:
            nextitem = None
            if next_stack is not None:
                params = {STACK_FIXTURE: STACKS[next_stack]}
                nextitem = SimpleNamespace(callspec=SimpleNamespace(params=params))
            self.node.stash[hooks._NEXT_ITEM] = nextitem


def test_the_fleet_is_restored_only_for_a_test_that_uses_the_instance_next():
    """After an instance's last test it goes down: restoring it would only wait."""
    live = SimpleNamespace(id="nginx-uwsgi-flask")
    used = hooks._instance_used_next
    assert used(Request("nginx-uwsgi-flask"), live)  # type: ignore[arg-type]
    assert not used(Request("apache-uwsgi-flask"), live)  # type: ignore[arg-type]
    assert not used(Request(None), live)  # type: ignore[arg-type]  # the run's last test
    assert used(Request(None, keep=True), live)  # type: ignore[arg-type]  # --keep-stacks
    assert used(Request(None, known=False), live)  # type: ignore[arg-type]  # not recorded


def closing_then_answering_client(closes: int) -> httpx.Client:
    """A client whose first `closes` requests end with the connection closed unanswered."""
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= closes:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        entries = [{"path": "/echo/framing-abc", "query": ""}, {"path": "/other", "query": ""}]
        return httpx.Response(200, json={"requests": entries})

    return httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(answer))


def test_evidence_read_is_asked_again_once_when_a_connection_closes_unanswered():
    with closing_then_answering_client(closes=1) as client:
        assert [e["path"] for e in seen_with(client, "framing-abc")] == ["/echo/framing-abc"]
    with closing_then_answering_client(closes=1) as client:
        assert len(seen_entries(client)) == 2
    with (
        closing_then_answering_client(closes=2) as client,
        pytest.raises(httpx.RemoteProtocolError) as closed_twice,
    ):
        seen_with(client, "framing-abc")
    assert SENT_TWICE in closed_twice.value.__notes__


def test_only_idempotent_requests_are_sent_twice():
    with closing_then_answering_client(closes=1) as client:
        assert send_answered(client, "GET", "/seen")[1] is True
    with (
        closing_then_answering_client(closes=1) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        send_answered(client, "POST", "/counter")
    with closing_then_answering_client(closes=2) as client:
        outcome = request_once(client, "GET", "/echo")
    assert (outcome.status, outcome.retried) == (CONNECTION_ERROR, True)
    with closing_then_answering_client(closes=1) as client:
        outcome = request_once(client, "POST", "/echo")
    assert (outcome.status, outcome.retried) == (CONNECTION_ERROR, False)
