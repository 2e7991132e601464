"""WebSockets through the proxy: upgrade, echo, ping, idle survival, close codes, origin check,
rooms across replicas, and a clean close when a replica stops."""

import os
import time
import uuid
from contextlib import ExitStack

import pytest
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from harness.clients.provable import need_provable
from harness.clients.traffic import need_every_replica_in_view
from harness.clients.wsclient import (
    close_code_received,
    open_websocket,
    receive_broadcast,
    replica_of_member,
)
from harness.spec.expectations import Expectation, declared

pytestmark = [pytest.mark.websocket, pytest.mark.asgi_only]

MIB = 1024 * 1024
FOREIGN_ORIGIN = "https://attacker.example"
APP_CLOSE_CODE = 4001
# What a server may send when it shuts down: 1001 going away, 1012 service restart.
SHUTDOWN_CLOSE_CODES = {1001, 1012}
MEMBER_ATTEMPTS = 8  # connections tried to land a room member on a second replica
MARGIN = 2.0


def connect_or_fail(stack, path, origin=None):
    """A WebSocket through the proxy; a refused handshake fails the scenario with its answer."""
    try:
        return open_websocket(stack, path, origin)
    except InvalidStatus as refused:
        pytest.fail(f"{stack.id}: {path} handshake answered {refused.response.status_code}")
    except (InvalidHandshake, OSError, TimeoutError) as error:
        pytest.fail(f"{stack.id}: {path} handshake failed: {type(error).__name__}: {error}")


def test_upgrade_answers_101(stack):
    """The WebSocket handshake through the proxy is answered 101 Switching Protocols."""
    with connect_or_fail(stack, "/ws/echo") as connection:
        status = connection.response.status_code
    assert status == 101, f"{stack.id}: handshake answered {status}"


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("hello, wörld", id="text"),
        pytest.param(bytes(range(256)), id="binary"),
        pytest.param("x" * MIB, id="text-1MiB"),
        pytest.param(os.urandom(MIB), id="binary-1MiB"),
    ],
)
def test_messages_echo_unchanged(stack, message):
    """Text and binary messages, up to 1 MiB, come back whole and of the same kind."""
    with connect_or_fail(stack, "/ws/echo") as connection:
        connection.send(message)
        echoed = connection.recv(timeout=10)
    assert type(echoed) is type(message) and echoed == message, (
        f"{stack.id}: sent {type(message).__name__} of {len(message)}, got "
        f"{type(echoed).__name__} of {len(echoed)}"
    )


def test_ping_is_answered_with_pong(stack):
    """A ping frame sent through the proxy is answered by a pong."""
    with connect_or_fail(stack, "/ws/echo") as connection:
        answered = connection.ping_answered(b"probe", timeout=5)
    assert answered, f"{stack.id}: no pong within 5 s"


def test_idle_connection_survives_declared_idle_time(stack):
    """A connection idle for just under the stack's declared WebSocket idle time still works."""
    need_provable(stack.spec, Expectation.WEBSOCKET_IDLE)
    idle = stack.spec.timeouts.websocket_idle - 1
    with connect_or_fail(stack, "/ws/echo") as connection:
        time.sleep(idle)  # sleep-ok: idling is the behaviour under test
        try:
            connection.send("still there?")
            echoed = connection.recv(timeout=5)
        except ConnectionClosed as closed:
            echoed = f"closed: {closed}"
    assert echoed == "still there?", (
        f"{stack.id}: after {idle:.0f}s idle: {echoed!r}; "
        + declared(stack.spec, Expectation.WEBSOCKET_IDLE).hint()
    )


def test_app_close_code_reaches_client(stack):
    """A close code chosen by the app (4001) reaches the client unchanged."""
    with connect_or_fail(stack, "/ws/echo") as connection:
        connection.send(f"close:{APP_CLOSE_CODE}")
        code = close_code_received(connection, timeout=5)
    assert code == APP_CLOSE_CODE, (
        f"{stack.id}: the app closed with {APP_CLOSE_CODE}, the client saw {code} "
        "(1006: dropped without a close frame; None: still open)"
    )


def test_foreign_origin_refused_and_own_accepted(stack):
    """A handshake from a foreign Origin is refused with 403; the site's own is accepted."""
    try:
        with open_websocket(stack, "/ws/echo", origin=FOREIGN_ORIGIN) as connection:
            refused = f"accepted ({connection.response.status_code})"
    except InvalidStatus as refusal:
        refused = refusal.response.status_code
    with connect_or_fail(stack, "/ws/echo") as connection:
        accepted = connection.response.status_code
    assert (refused, accepted) == (403, 101), (
        f"{stack.id}: Origin {FOREIGN_ORIGIN} got {refused}, the site's own got {accepted}"
    )


@pytest.mark.http1_only("WebSockets by HTTP/1.1 Upgrade; test_http2.py covers clients on HTTP/2")
def test_room_message_reaches_members_on_other_replicas(stack, client):
    """A message sent to a room reaches a member connected to another replica, both ways."""
    if stack.spec.balancing != "sticky":  # a replica an earlier scenario timed out may rest
        need_every_replica_in_view(stack, client)
    room = f"/ws/room/r{uuid.uuid4().hex[:16]}"
    with ExitStack() as sockets:
        first = sockets.enter_context(connect_or_fail(stack, room))
        here = replica_of_member(first)
        second, there, tried = member_on_another_replica(stack, room, here, sockets)
        second.send("from-there")
        got_here = receive_broadcast(first, "from-there")
        first.send("from-here")
        got_there = receive_broadcast(second, "from-here")
    assert got_here and got_there and got_here["instance"] == there, (
        f"{stack.id}: members on {here} and {there} ({tried} tries): "
        f"{here} got {got_here}, {there} got {got_there}"
    )


def member_on_another_replica(stack, room, here, sockets):
    """Open room members (closed with `sockets`) until one lands on a replica but `here`."""
    for attempt in range(1, MEMBER_ATTEMPTS + 1):
        member = sockets.enter_context(connect_or_fail(stack, room))
        there = replica_of_member(member)
        if there and there != here:
            return member, there, attempt
    if stack.spec.balancing == "sticky":
        pytest.skip(f"{stack.id}: sticky balancing put {MEMBER_ATTEMPTS} members on {here}")
    pytest.fail(f"{stack.id}: {MEMBER_ATTEMPTS} room members all landed on {here}")


def test_stopping_replica_closes_its_sockets_cleanly(stack):
    """A replica that stops gracefully closes its WebSockets with 1001 or 1012, not a drop."""
    with connect_or_fail(stack, f"/ws/room/stop{uuid.uuid4().hex[:12]}") as connection:
        replica = replica_of_member(connection)
        assert replica, f"{stack.id}: the room did not answer"
        stack.stop_replica(replica)
        code = close_code_received(connection, timeout=MARGIN)
    assert code in SHUTDOWN_CLOSE_CODES, (
        f"{stack.id}: stopping {replica} closed its WebSocket with {code} (1006: dropped "
        f"without a close frame; None: still open); expected {sorted(SHUTDOWN_CLOSE_CODES)}"
    )
