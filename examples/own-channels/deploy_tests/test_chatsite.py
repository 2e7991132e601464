"""chatsite's own deployment checks, run beside deploy-harness's scenarios with its fixtures:
`harness test --stack-file stack.toml deploy_tests/`."""

import json
from contextlib import ExitStack

import httpx
from websockets.sync.client import connect


def test_room_page_names_the_public_socket_address(live_stack):
    """A room's page tells the browser the socket address the client can reach (through nginx)."""
    response = httpx.get(f"{live_stack.url}/rooms/lobby/", timeout=10)
    assert response.status_code == 200, f"{live_stack.id}: gave {response.status_code}"
    public = live_stack.url.replace("http://", "ws://", 1)
    assert response.json()["socket"] == f"{public}/ws/chat/lobby/", response.text


def test_chat_message_reaches_every_member(live_stack):
    """A message sent to a room reaches each member, over Redis, whichever replica holds them."""
    socket = live_stack.url.replace("http://", "ws://", 1) + "/ws/chat/deploy-check/"
    with ExitStack() as sockets:
        members = [
            sockets.enter_context(connect(socket, origin=live_stack.url, open_timeout=10))
            for _ in range(4)
        ]
        members[0].send(json.dumps({"message": "hello, room"}))
        got = [json.loads(member.recv(timeout=10)) for member in members]
    assert got == [{"message": "hello, room"}] * 4, f"{live_stack.id}: members got {got}"
