"""The contract's WebSockets for a Django Channels app, through YOUR origin check and YOUR
channel layer:

    from harness_contract.channels import websocket_urlpatterns as harness_websockets
    application = ProtocolTypeRouter({
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter([*harness_websockets, *yours])),
    })

- WS PREFIX/ws/echo (EchoConsumer): echoes text and binary messages in kind; the text
  `close:<code>` closes with that code.
- WS PREFIX/ws/room/<name> (RoomConsumer): every text message goes to every member of the
  room, on every replica, through `CHANNEL_LAYERS["default"]` (a Redis layer reaches the
  other replicas; the in-memory one only this process). Without a channel layer it accepts
  and closes at once with 1011 and a reason saying so.

Both accept with an `X-Instance` header, for the servers that pass it on (daphne does not).
"""

from __future__ import annotations

import json
from typing import Any

# Channels ships no type information.
from channels.generic.websocket import AsyncWebsocketConsumer  # type: ignore[import-untyped]
from django.urls import path, re_path

from harness_contract.model import PREFIX, instance
from harness_contract.websocket import MESSAGE_TOO_BIG, echo_reply, instance_header

__all__ = ["EchoConsumer", "RoomConsumer", "websocket_urlpatterns"]

SERVER_ERROR = 1011
UNSUPPORTED_DATA = 1003
# Broadcasts go through a shared layer: keep them small (the scenarios send a few bytes).
MAX_ROOM_MESSAGE = 64 * 1024
# A close reason holds at most 123 bytes.
NO_LAYER = "no channel layer: rooms need CHANNEL_LAYERS (channels_redis across replicas)"


class EchoConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # an untyped base
    """Echoes every text and binary message; `close:<code>` closes with that code instead (a
    code an application may not send, like 1005, is echoed like any text)."""

    async def connect(self) -> None:
        """Accept every connection your origin check let through."""
        await self.accept(headers=instance_header())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Echo the message back in kind, or close if it asks to."""
        reply = echo_reply(text_data, bytes_data)
        if reply["type"] == "websocket.close":
            await self.close(code=reply["code"])
        elif text_data is not None:
            await self.send(text_data=reply["text"])
        else:
            await self.send(bytes_data=reply["bytes"])


class RoomConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # an untyped base
    """A room: every text message goes to every member, as JSON `{"room", "message",
    "instance"}`, `instance` being the replica the sender is connected to. Members are a
    group of your channel layer. A binary message closes with 1003 (the room speaks text)."""

    room: str
    group: str | None = None

    async def connect(self) -> None:
        """Join the room's group, then accept; without a layer, accept and close (1011)."""
        self.room = self.scope["url_route"]["kwargs"]["name"]
        await self.accept(headers=instance_header())
        if self.channel_layer is None:
            await self.close(code=SERVER_ERROR, reason=NO_LAYER)
            return
        self.group = f"harness_contract.room.{self.room}"
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        """Leave the room's group."""
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Broadcast a text message to the room; refuse binary and oversized messages."""
        if text_data is None:
            await self.close(code=UNSUPPORTED_DATA)
        elif len(text_data.encode()) > MAX_ROOM_MESSAGE:
            await self.close(code=MESSAGE_TOO_BIG)
        elif self.group is not None:
            event = {"type": "room.message", "message": text_data, "instance": instance()}
            await self.channel_layer.group_send(self.group, event)

    async def room_message(self, event: dict[str, Any]) -> None:
        """Deliver one broadcast to this member."""
        payload = {"room": self.room, "message": event["message"], "instance": event["instance"]}
        await self.send(text_data=json.dumps(payload))


_BELOW = PREFIX.lstrip("/")
websocket_urlpatterns: list[Any] = [
    path(f"{_BELOW}/ws/echo", EchoConsumer.as_asgi()),
    # Room names are what a Channels group name may hold (and 64 characters at most).
    re_path(rf"^{_BELOW}/ws/room/(?P<name>[A-Za-z0-9_.-]{{1,64}})\Z", RoomConsumer.as_asgi()),
]
