"""harness_contract.django and .channels: the contract on a user's own Django project, through
Django's test clients (Client: WSGI; AsyncClient: ASGI) and Channels' WebsocketCommunicator,
with the project's settings standing in for the user's (override_settings per test)."""

from __future__ import annotations

import asyncio
import json

import django
import pytest
from django.conf import settings
from django.test import AsyncClient, Client, override_settings
from django.urls import include, path

INSTANCE = "app-3"
SITE = {
    "ROOT_URLCONF": __name__,
    "MIDDLEWARE": [
        "harness_contract.django.ServerViewMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
    ],
    "ALLOWED_HOSTS": ["testserver", "shop.example"],
    "CHANNEL_LAYERS": {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
}

urlpatterns = [path("_harness/", include("harness_contract.django"))]


@pytest.fixture(autouse=True)
def site(monkeypatch):
    """The user's project: Django configured once per process (by tests/apps when it is
    collected too), this URLconf and middleware for the test."""
    if not settings.configured:
        settings.configure(SECRET_KEY="harness-contract-tests-" + "x" * 40, USE_TZ=True, **SITE)
        django.setup()
    monkeypatch.setenv("HARNESS_INSTANCE", INSTANCE)
    with override_settings(**SITE) as overridden:
        yield overridden


def test_echo_is_what_django_made_of_the_request():
    response = Client().get("/_harness/echo/a?x=1", HTTP_X_PROBE="1")
    seen = response.json()
    assert (response.status_code, response.headers["X-Instance"]) == (200, INSTANCE)
    assert (seen["framework"], seen["path"], seen["args"]) == ("django", "/echo/a", {"x": ["1"]})
    assert seen["headers"]["x-probe"] == "1" and seen["host"] == "testserver"


def test_djangos_own_answers_below_the_prefix_name_the_replica():
    """A Host outside ALLOWED_HOSTS is Django's 400, and it still says which replica."""
    refused = Client(HTTP_HOST="evil.example").get("/_harness/echo")
    assert (refused.status_code, refused.headers["X-Instance"]) == (400, INSTANCE)


def test_seen_records_the_projects_requests_with_their_query():
    Client().get("/somewhere/else?marker=7")
    entries = Client().get("/_harness/seen?limit=3").json()["requests"]
    assert (entries[0]["path"], entries[0]["query"]) == ("/somewhere/else", "marker=7")


def test_stream_is_a_generator_under_wsgi():
    response = Client().get("/_harness/stream?count=3&interval_ms=0")
    pieces = list(response.streaming_content)
    assert response.streaming and not response.is_async and len(pieces) == 3
    assert [json.loads(piece)["i"] for piece in pieces] == [0, 1, 2]
    assert (response.headers["X-Accel-Buffering"], response.headers["X-Instance"]) == (
        "no", INSTANCE
    )  # fmt: skip


def test_sse_is_an_async_generator_under_asgi():
    """Django's ASGI handler would buffer a sync iterator whole; an async one goes out
    piece by piece."""

    async def get():
        response = await AsyncClient().get("/_harness/sse?count=2&interval_ms=0")
        return response, [piece async for piece in response.streaming_content]

    response, pieces = asyncio.run(get())
    assert response.is_async and len(pieces) == 2 and pieces[1].startswith(b"id: 1\ndata: ")
    assert (response.headers["Content-Type"], response.headers["Cache-Control"]) == (
        "text/event-stream", "no-cache"
    )  # fmt: skip


def test_caching_routes_answer_through_django_and_post_needs_no_token():
    client = Client(enforce_csrf_checks=True)
    cookie = client.get("/_harness/with-cookie?max_age=5")
    assert cookie.headers["Cache-Control"] == "public, max-age=5"
    probe = cookie.cookies["cache_probe"]
    assert probe.value == cookie.json()["token"] and probe["httponly"] and not probe["secure"]
    secure = client.get("/_harness/headers?size=3", secure=True).cookies["big"]
    assert (secure.value, secure["secure"], secure["samesite"]) == ("bbb", True, "Lax")
    posted = client.post("/_harness/cacheable", data=b"one", content_type="text/plain")
    assert posted.status_code == 200 and posted.headers["Cache-Control"].startswith("public")


def test_form_goes_through_djangos_csrf_check(caplog):
    """GET hands out Django's token and sets its cookie; POST is accepted with it, refused
    with Django's 403 without it or from a foreign Origin."""
    client = Client(enforce_csrf_checks=True)
    got = client.get("/_harness/form")
    token = got.json()["token"]
    assert got.status_code == 200 and "csrftoken" in got.cookies
    assert client.post("/_harness/form").status_code == 403
    own = client.post("/_harness/form", HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN="http://testserver")
    foreign = client.post(
        "/_harness/form", HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN="https://attacker.example"
    )
    assert (own.status_code, own.json()) == (200, {"accepted": True})
    assert (foreign.status_code, foreign.headers["X-Instance"]) == (403, INSTANCE)
    assert "Origin checking failed - https://attacker.example" in caplog.text


def test_form_follows_the_projects_own_csrf_settings():
    """The project's CSRF_COOKIE_NAME, CSRF_HEADER_NAME and CSRF_TRUSTED_ORIGINS apply."""
    with override_settings(
        CSRF_COOKIE_NAME="shop_csrf",
        CSRF_HEADER_NAME="HTTP_X_SHOP_TOKEN",
        CSRF_TRUSTED_ORIGINS=["https://shop.example"],
    ):
        client = Client(enforce_csrf_checks=True)
        token = client.get("/_harness/form").json()["token"]
        assert "shop_csrf" in client.cookies
        posted = client.post(
            "/_harness/form", HTTP_X_SHOP_TOKEN=token, HTTP_ORIGIN="https://shop.example"
        )
        ignored = client.post("/_harness/form", HTTP_X_CSRFTOKEN=token)
    assert (posted.status_code, ignored.status_code) == (200, 403)


def websocket_app():
    from channels.routing import URLRouter

    from harness_contract.channels import websocket_urlpatterns

    return URLRouter(websocket_urlpatterns)


def test_channels_echo_consumer_echoes_and_closes_with_the_asked_code():
    from channels.testing import WebsocketCommunicator

    async def session():
        socket = WebsocketCommunicator(websocket_app(), "/_harness/ws/echo")
        connected, _ = await socket.connect()
        await socket.send_to(text_data="hello")
        text = await socket.receive_from()
        await socket.send_to(bytes_data=b"\x00\x01")
        data = await socket.receive_from()
        await socket.send_to(text_data="close:4001")
        closed = await socket.receive_output()
        return connected, text, data, closed

    assert asyncio.run(session()) == (
        True, "hello", b"\x00\x01", {"type": "websocket.close", "code": 4001}
    )  # fmt: skip


def test_channels_room_broadcasts_through_the_channel_layer():
    from channels.testing import WebsocketCommunicator

    async def session():
        members = [WebsocketCommunicator(websocket_app(), "/_harness/ws/room/lobby")
                   for _ in range(2)]  # fmt: skip
        for member in members:
            assert (await member.connect())[0]
        await members[1].send_to(text_data="hi all")
        heard = [json.loads(await member.receive_from()) for member in members]
        for member in members:
            await member.disconnect()
        return heard

    expected = {"room": "lobby", "message": "hi all", "instance": INSTANCE}
    assert asyncio.run(session()) == [expected, expected]


def test_channels_room_without_a_layer_closes_saying_why():
    from channels.testing import WebsocketCommunicator

    from harness_contract.channels import NO_LAYER

    async def session():
        socket = WebsocketCommunicator(websocket_app(), "/_harness/ws/room/lobby")
        connected, _ = await socket.connect()
        return connected, await socket.receive_output()

    with override_settings(CHANNEL_LAYERS={}):
        connected, closed = asyncio.run(session())
    assert connected and closed == {"type": "websocket.close", "code": 1011, "reason": NO_LAYER}


def test_the_servers_scheme_is_read_under_asgi_as_under_wsgi():
    """ASGIRequest keeps the scope's scheme out of META: /echo's server view still has it."""

    async def get():
        return await AsyncClient().get("/_harness/echo")

    under_asgi = asyncio.run(get()).json()["server_view"]["scheme"]
    under_wsgi = Client().get("/_harness/echo").json()["server_view"]["scheme"]
    assert (under_asgi, under_wsgi) == ("http", "http")
