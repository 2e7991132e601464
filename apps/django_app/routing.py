"""WebSocket routes (ASGI only)."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from django_app.consumers import EchoConsumer, RoomConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/echo", EchoConsumer.as_asgi()),
    # Room names are limited to what a Channels group name may contain (and 64 characters).
    re_path(r"^ws/room/(?P<name>[A-Za-z0-9_.-]{1,64})\Z", RoomConsumer.as_asgi()),
]
