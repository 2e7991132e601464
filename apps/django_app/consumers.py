"""WebSocket consumers: ``/ws/echo`` and ``/ws/room/<name>``.

Both accept with an ``X-Instance`` header on the handshake response, for the servers that
pass ASGI accept headers on (daphne does not).
"""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

CLOSE_PREFIX = "close:"
# Close codes an application may send: 1000-1003, 1007-1014 are defined by RFC 6455, and
# 3000-4999 are for libraries and applications; the rest are reserved or never sent.
SENDABLE_CLOSE_CODES = frozenset([*range(1000, 1004), *range(1007, 1015), *range(3000, 5000)])
UNSUPPORTED_DATA = 1003


def instance_header() -> list[tuple[bytes, bytes]]:
    """The handshake response headers: this replica's id."""
    return [(b"x-instance", settings.HARNESS_INSTANCE.encode())]


def requested_close_code(text: str) -> int | None:
    """The code in a ``close:<code>`` message, or None if ``text`` is not a valid request."""
    if not text.startswith(CLOSE_PREFIX):
        return None
    try:
        code = int(text.removeprefix(CLOSE_PREFIX))
    except ValueError:
        return None
    return code if code in SENDABLE_CLOSE_CODES else None


class EchoConsumer(AsyncWebsocketConsumer):
    """Echoes every text and binary frame; ``close:<code>`` closes with that code instead.

    A ``close:`` message whose code cannot be sent (not an integer, or reserved like 1005) is
    echoed like any other text.
    """

    async def connect(self) -> None:
        """Accept every connection the origin check let through."""
        await self.accept(headers=instance_header())

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Echo the frame back in kind, or close if it asks to."""
        if text_data is None:
            await self.send(bytes_data=bytes_data)
            return
        code = requested_close_code(text_data)
        if code is None:
            await self.send(text_data=text_data)
        else:
            await self.close(code=code)


class RoomConsumer(AsyncWebsocketConsumer):
    """A chat room: every text message goes to every member, on every replica.

    Members are a Channels group, so the Redis channel layer carries messages between
    replicas. Each delivery is JSON ``{"room", "message", "instance"}`` where ``instance`` is
    the replica the sender is connected to. A binary frame closes the socket with 1003
    (unsupported data): the room speaks text.
    """

    room: str
    group: str

    async def connect(self) -> None:
        """Join the room's group, then accept."""
        self.room = self.scope["url_route"]["kwargs"]["name"]
        self.group = f"room.{self.room}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept(headers=instance_header())

    async def disconnect(self, code: int) -> None:
        """Leave the room's group."""
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Broadcast a text message to the room; refuse binary frames."""
        if text_data is None:
            await self.close(code=UNSUPPORTED_DATA)
            return
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "room.message",
                "message": text_data,
                "instance": settings.HARNESS_INSTANCE,
            },
        )

    async def room_message(self, event: dict[str, Any]) -> None:
        """Deliver one broadcast to this member."""
        payload = {"room": self.room, "message": event["message"], "instance": event["instance"]}
        await self.send(text_data=json.dumps(payload))
