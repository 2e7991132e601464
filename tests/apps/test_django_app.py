"""The Django reference app against the contract, without Docker or a server.

HTTP goes through Django's test ``Client`` (a WSGI request) and, for what only ASGI shows
(raw path, header lines, streaming, HEAD bodies), straight through the ASGI application with
asgiref's ``ApplicationCommunicator``. WebSockets use Channels' ``WebsocketCommunicator`` on the
in-memory channel layer; Redis is fakeredis.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fakeredis
import pytest

APPS_DIR = Path(__file__).resolve().parents[2] / "apps"
TEST_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "django_app.settings",
    "HARNESS_INSTANCE": "app-test",
    "HARNESS_SERVER": "pytest",
    "HARNESS_PROXY_HOPS": "1",
    "HARNESS_ALLOWED_HOSTS": "localhost,testserver",
    "HARNESS_CHANNEL_LAYER": "memory",
}


def _configure_django() -> None:
    """Load ``django_app.settings`` once, from the test environment, then restore ``os.environ``.

    Settings are read at first access and kept, so the environment is only needed that long.
    """
    if str(APPS_DIR) not in sys.path:
        sys.path.insert(0, str(APPS_DIR))
    import django
    from django.conf import settings

    if settings.configured:
        return
    with pytest.MonkeyPatch.context() as patch:
        for name, value in TEST_ENVIRONMENT.items():
            patch.setenv(name, value)
        django.setup()


_configure_django()

from asgiref.testing import ApplicationCommunicator  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.testing import WebsocketCommunicator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402
from django_app import config, middleware, store  # noqa: E402
from django_app.asgi import application  # noqa: E402

INSTANCE = TEST_ENVIRONMENT["HARNESS_INSTANCE"]
ECHO_FIELDS = {
    "method", "path", "raw_path", "query_string", "args", "headers", "remote_addr", "scheme",
    "is_secure", "host", "url", "script_name", "body_length", "body_sha256", "instance", "pid",
    "server", "framework", "interface", "trust", "server_view",
}  # fmt: skip
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture
def redis_server(monkeypatch):
    """A fresh fake Redis behind ``store.redis_client``; set ``connected = False`` to stop it."""
    server = fakeredis.FakeServer()
    client = fakeredis.FakeRedis(server=server, decode_responses=True)
    monkeypatch.setattr(store, "redis_client", lambda: client)
    return server


@pytest.fixture
def client(redis_server):
    return Client(HTTP_HOST="localhost")


@dataclass
class AsgiResponse:
    status: int
    headers: dict[str, str]
    chunks: list[tuple[float, bytes]] = field(default_factory=list)

    @property
    def body(self) -> bytes:
        return b"".join(chunk for _, chunk in self.chunks)


async def asgi_http(path: str, query: bytes = b"", method: str = "GET", **scope: Any):
    """Run one HTTP request through the ASGI app; every body chunk is stamped on arrival."""
    full_scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("10.0.0.9", 50000),
        "server": ("127.0.0.1", 8000),
        **scope,
    }
    communicator = ApplicationCommunicator(application, full_scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    response = AsgiResponse(status=start["status"], headers=headers)
    while True:
        message = await communicator.receive_output(5)
        response.chunks.append((time.monotonic(), message.get("body", b"")))
        if not message.get("more_body"):
            break
    await communicator.wait(5)
    return response


# --- settings from the environment -------------------------------------------------------------


def test_forwarded_headers_are_trusted_only_behind_a_proxy():
    """With no proxy in front, Django must not believe any X-Forwarded-* header."""
    assert config.proxy_settings(False) == {
        "SECURE_PROXY_SSL_HEADER": None,
        "USE_X_FORWARDED_HOST": False,
        "USE_X_FORWARDED_PORT": False,
    }
    behind = config.proxy_settings(True)
    assert behind["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert (behind["USE_X_FORWARDED_HOST"], behind["USE_X_FORWARDED_PORT"]) == (True, True)


def test_csrf_trusted_origins_cover_both_schemes_of_every_host():
    """Every allowed host is a trusted origin over https and http; a subdomain pattern too."""
    origins = config.csrf_trusted_origins(("localhost", ".example.test", "*"))
    assert origins == [
        "https://localhost",
        "http://localhost",
        "https://*.example.test",
        "http://*.example.test",
    ]


@pytest.mark.parametrize("hops", ["-1", "two", ""])
def test_malformed_proxy_hops_is_a_configuration_error(hops):
    """A bad HARNESS_PROXY_HOPS stops the app at start, naming the variable and the value."""
    with pytest.raises(ImproperlyConfigured, match=f"HARNESS_PROXY_HOPS={hops!r}"):
        config.read_environment({"HARNESS_PROXY_HOPS": hops})


def test_environment_defaults_follow_the_contract():
    """Unset variables take the contract's defaults; the channel layer defaults to Redis."""
    env = config.read_environment({})
    assert (env.server, env.redis_url, env.proxy_hops) == ("unknown", "redis://redis:6379/0", 1)
    assert env.allowed_hosts == ("localhost", "127.0.0.1", "deploy-harness.test")
    assert env.static_root == "/srv/static"
    assert env.instance, "HARNESS_INSTANCE defaults to the host name"
    layers = config.channel_layers(env.channel_layer, env.redis_url)
    assert layers["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert layers["default"]["CONFIG"] == {
        "hosts": [{"address": "redis://redis:6379/0", "socket_timeout": 15}]
    }
    with pytest.raises(ImproperlyConfigured, match="HARNESS_CHANNEL_LAYER"):
        config.read_environment({"HARNESS_CHANNEL_LAYER": "rabbit"})


# --- health, hosts, instance header ------------------------------------------------------------


def test_health_answers_any_host_and_is_not_recorded(client, redis_server):
    """Health checks pass whatever Host they send, and stay out of /seen."""
    response = client.get("/health", HTTP_HOST="10.1.2.3:8000")
    assert (response.status_code, response.content) == (200, b"ok"), response
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Instance"] == INSTANCE
    assert client.get("/seen").json() == {"requests": []}


@pytest.mark.parametrize("path", ["/echo", "/sleep?ms=0", "/nowhere"])
def test_disallowed_host_gets_400_with_instance_header(client, path):
    """Any route but /health refuses a Host outside HARNESS_ALLOWED_HOSTS."""
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400, response.content
    assert response["X-Instance"] == INSTANCE


def test_head_keeps_content_length_and_drops_body():
    """HEAD answers the GET headers, Content-Length included, with an empty body."""
    request = RequestFactory().head("/echo")
    full = HttpResponse(b'{"a": 1}', content_type="application/json")
    response = middleware.HeadRequestMiddleware(lambda _: full)(request)
    assert (response["Content-Length"], response.content) == ("8", b"")


# --- /echo ---------------------------------------------------------------------------------------


def test_echo_describes_a_wsgi_request(client):
    """The echo document reports path, query, args, headers and the interface as Django saw them."""
    seen = client.get("/echo/a%20b?q=%C3%A9&q=2", HTTP_X_PROBE="1").json()
    assert set(seen) == ECHO_FIELDS, sorted(set(seen) ^ ECHO_FIELDS)
    assert (seen["method"], seen["path"]) == ("GET", "/echo/a b"), seen
    assert (seen["query_string"], seen["args"]) == ("q=%C3%A9&q=2", {"q": ["é", "2"]}), seen
    assert (seen["headers"]["x-probe"], seen["headers"]["host"]) == ("1", "localhost"), seen
    assert seen["url"] == "http://localhost/echo/a%20b?q=%C3%A9&q=2", seen
    assert (seen["framework"], seen["interface"], seen["raw_path"]) == ("django", "wsgi", None)
    assert (seen["instance"], seen["server"], seen["script_name"]) == (INSTANCE, "pytest", "")


@pytest.mark.parametrize("key", ["RAW_URI", "REQUEST_URI"])
def test_echo_raw_path_comes_from_the_wsgi_server(client, key):
    """Under WSGI the raw path is the server's request-target without its query string."""
    seen = client.get("/echo/a%2Fb", {"x": "1"}, **{key: "/echo/a%2Fb?x=1"}).json()
    assert (seen["path"], seen["raw_path"]) == ("/echo/a/b", "/echo/a%2Fb"), seen


def test_echo_hashes_the_body_without_csrf_token():
    """POST /echo needs no CSRF token and reports the body's length and SHA-256."""
    body = b"x" * 100_000
    client = Client(enforce_csrf_checks=True)
    response = client.post("/echo", body, content_type="application/octet-stream")
    seen = response.json()
    assert response.status_code == 200, response.content
    assert (seen["body_length"], seen["body_sha256"]) == (
        len(body),
        hashlib.sha256(body).hexdigest(),
    )


def test_remote_addr_is_the_nth_address_from_the_right(client):
    """A client-supplied X-Forwarded-For prefix never becomes the client address."""
    forwarded = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 10.0.0.1, 10.0.0.2", "REMOTE_ADDR": "10.0.0.3"}
    assert client.get("/echo", **forwarded).json()["remote_addr"] == "10.0.0.2"
    with override_settings(HARNESS_PROXY_HOPS=2):
        assert client.get("/echo", **forwarded).json()["remote_addr"] == "10.0.0.1"
    with override_settings(HARNESS_PROXY_HOPS=4):
        assert client.get("/echo", **forwarded).json()["remote_addr"] == "10.0.0.3"


@pytest.mark.parametrize(
    ("forwarded_for", "hops", "expected"),
    [("1.1.1.1, 2.2.2.2", 1, "2.2.2.2"), ("1.1.1.1,2.2.2.2", 2, "1.1.1.1"), ("1.1.1.1", 0, None)],
)
def test_trusted_client_address(forwarded_for, hops, expected):
    """The n-th entry from the right, or nothing when n is 0."""
    assert middleware.trusted_client_address(forwarded_for, hops) == expected


FORWARDED = {
    "HTTP_X_FORWARDED_PROTO": "https",
    # Django takes the port from X-Forwarded-Host; X-Forwarded-Port only feeds get_port().
    "HTTP_X_FORWARDED_HOST": "localhost:8443",
    "HTTP_X_FORWARDED_PORT": "8443",
}


def test_forwarded_scheme_host_and_port_build_the_url(client):
    """Behind a trusted proxy the app believes X-Forwarded-Proto and X-Forwarded-Host."""
    seen = client.get("/echo?x=1", **FORWARDED).json()
    assert (seen["scheme"], seen["is_secure"], seen["host"]) == ("https", True, "localhost:8443")
    assert seen["url"] == "https://localhost:8443/echo?x=1", seen


@override_settings(
    HARNESS_PROXY_HOPS=0,
    SECURE_PROXY_SSL_HEADER=None,
    USE_X_FORWARDED_HOST=False,
    USE_X_FORWARDED_PORT=False,
)
def test_without_a_proxy_forwarded_headers_are_ignored(client):
    """With HARNESS_PROXY_HOPS=0 every X-Forwarded-* header is the client's word only."""
    seen = client.get("/echo", HTTP_X_FORWARDED_FOR="6.6.6.6", **FORWARDED).json()
    assert (seen["scheme"], seen["host"], seen["remote_addr"]) == ("http", "localhost", "127.0.0.1")


@override_settings(
    HARNESS_TRUST="server",
    SECURE_PROXY_SSL_HEADER=None,
    USE_X_FORWARDED_HOST=False,
    USE_X_FORWARDED_PORT=False,
)
def test_with_the_server_trust_layer_django_takes_what_the_server_gave(client):
    """The server applied X-Forwarded-*: Django re-applies none of them, and /echo shows
    the server's own view next to Django's, equal."""
    seen = client.get("/echo", HTTP_X_FORWARDED_FOR="6.6.6.6", **FORWARDED).json()
    assert (seen["scheme"], seen["host"], seen["remote_addr"]) == ("http", "localhost", "127.0.0.1")
    assert seen["trust"] == "server"
    assert seen["server_view"] == {
        "remote_addr": "127.0.0.1",
        "scheme": "http",
        "host_header": "localhost",
    }


def test_with_the_app_trust_layer_echo_keeps_the_servers_own_view(client):
    """The app rewrote the client address; /echo still shows what the server gave."""
    seen = client.get(
        "/echo", HTTP_X_FORWARDED_FOR="10.0.0.2", REMOTE_ADDR="10.0.0.3", **FORWARDED
    ).json()
    assert (seen["remote_addr"], seen["server_view"]["remote_addr"]) == ("10.0.0.2", "10.0.0.3")
    assert seen["server_view"]["scheme"] == "http" and seen["scheme"] == "https"


def test_trust_layer_must_be_app_or_server():
    with pytest.raises(ImproperlyConfigured, match="HARNESS_TRUST='proxy'"):
        config.read_environment({"HARNESS_TRUST": "proxy"})


# --- /upload, /sleep, /redirect, /headers, /bytes, /cookie ------------------------------------


def test_upload_streams_bodies_beyond_the_form_size_limit(client):
    """A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is read in chunks and hashed, not refused."""
    body = bytes(range(256)) * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 256 + 4096)
    response = client.post("/upload", body, content_type="application/octet-stream")
    expected = {"size": len(body), "sha256": hashlib.sha256(body).hexdigest(), "instance": INSTANCE}
    assert (response.status_code, response.json()) == (200, expected)
    assert client.get("/upload").status_code == 405


def test_sleep_sleeps_and_clamps(client):
    """/sleep waits the asked time; a malformed value is 400 JSON."""
    started = time.monotonic()
    assert client.get("/sleep?ms=150").json() == {"slept_ms": 150, "instance": INSTANCE}
    assert time.monotonic() - started >= 0.15
    bad = client.get("/sleep?ms=soon")
    assert bad.status_code == 400, bad.content
    assert "ms='soon'" in bad.json()["error"], bad.content


def test_redirect_is_absolute_and_follows_the_proxy(client):
    """The Location is built from the scheme, host and port the app believes."""
    response = client.get("/redirect", **FORWARDED)
    assert response.status_code == 302
    assert response["Location"] == "https://localhost:8443/echo?redirected=1"


def test_large_headers_and_cookie_are_clamped_and_secure_behind_tls(client):
    """/headers sends n bytes of header and cookie (at most 1 MiB), Secure over https."""
    response = client.get("/headers?size=5000000", HTTP_X_FORWARDED_PROTO="https")
    size = 1024 * 1024
    assert response.json() == {"size": size}
    assert response["X-Large"] == "a" * size
    big = response.cookies["big"]
    assert big.value == "b" * size
    attributes = (big["path"], big["samesite"], bool(big["httponly"]), bool(big["secure"]))
    assert attributes == ("/", "Lax", True, True), big.output()[:200]


def test_bytes_answers_exactly_n_compressible_bytes(client):
    """/bytes?n= returns exactly n bytes of the repeated line."""
    response = client.get("/bytes?n=100")
    assert len(response.content) == 100
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.startswith(b"deploy-harness compressible payload\ndeploy")
    assert client.get("/bytes?n=-5").status_code == 400


@pytest.mark.parametrize(("proto", "secure"), [("http", False), ("https", True)])
def test_cookie_is_secure_only_over_https(client, proto, secure):
    """The probe cookie carries Secure exactly when the request was secure."""
    response = client.get("/cookie", HTTP_X_FORWARDED_PROTO=proto)
    probe = response.cookies["session_probe"]
    assert response.json() == {"secure": secure}
    assert (probe.value, bool(probe["secure"]), probe["samesite"]) == ("1", secure, "Lax")


# --- /stream and /sse ------------------------------------------------------------------------


def test_wsgi_stream_yields_each_line_as_it_is_produced(client):
    """Under WSGI the lines come from a sync generator, the first at once, then paced."""
    response = client.get("/stream?count=3&interval_ms=200")
    assert (response.streaming, response.is_async) == (True, False)
    started = time.monotonic()
    arrivals = [(time.monotonic() - started, json.loads(line)) for line in response]
    assert [item["i"] for _, item in arrivals] == [0, 1, 2], arrivals
    assert arrivals[0][0] < 0.1, arrivals
    assert arrivals[1][0] >= 0.18, arrivals
    assert {item["instance"] for _, item in arrivals} == {INSTANCE}


def test_sse_events_are_numbered_and_uncached(client):
    """/sse sends `id: i` and `data: {...}` events with Cache-Control: no-cache."""
    response = client.get("/sse?count=2&interval_ms=0")
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    *events, rest = b"".join(response.streaming_content).decode().split("\n\n")
    fields = [event.split("\n") for event in events]
    assert ([ids for ids, _ in fields], rest) == (["id: 0", "id: 1"], ""), events
    data = [json.loads(line.removeprefix("data: ")) for _, line in fields]
    assert [(item["i"], item["instance"]) for item in data] == [(0, INSTANCE), (1, INSTANCE)]


@pytest.mark.parametrize("query", ["count=x", "interval_ms=-1", "count=1.5"])
def test_stream_rejects_malformed_numbers(client, query):
    """Bad numeric parameters answer 400 with a JSON error."""
    response = client.get(f"/stream?{query}")
    assert response.status_code == 400, response.content
    assert "error" in response.json(), response.content


# --- /counter and /seen ------------------------------------------------------------------------


def test_counter_increments_atomically_and_reads_without_change(client):
    """POST adds one, GET reads; an unset key reads 0; no key at all is 400."""
    assert client.get("/counter?key=k").json() == {"key": "k", "value": 0}
    assert client.post("/counter?key=k").json() == {"key": "k", "value": 1}
    assert client.post("/counter?key=k").json() == {"key": "k", "value": 2}
    assert client.get("/counter?key=k").json() == {"key": "k", "value": 2}
    missing = client.post("/counter")
    assert missing.status_code == 400, missing.content
    assert "'key' is required" in missing.json()["error"]


def test_seen_lists_requests_newest_first(client):
    """Every request but /health and /seen is logged with instance, method, path and query."""
    client.get("/echo/one?a=1")
    client.get("/health")
    client.post("/counter?key=z")
    requests = client.get("/seen?limit=5").json()["requests"]
    lines = [(r["instance"], r["method"], r["path"], r["query"]) for r in requests]
    assert lines == [(INSTANCE, "POST", "/counter", "key=z"), (INSTANCE, "GET", "/echo/one", "a=1")]
    assert len(client.get("/seen?limit=1").json()["requests"]) == 1


def test_without_redis_state_routes_answer_503_and_others_still_work(client, redis_server):
    """A stopped Redis makes /counter and /seen 503; recording failures never break requests."""
    redis_server.connected = False
    for response in (
        client.get("/counter?key=k"),
        client.post("/counter?key=k"),
        client.get("/seen"),
    ):
        assert response.status_code == 503, response.content
        assert "redis unavailable" in response.json()["error"]
    assert client.get("/echo").status_code == 200


# --- ASGI HTTP ---------------------------------------------------------------------------------


def test_asgi_echo_reports_raw_path_and_each_header_line(redis_server):
    """Under ASGI the raw path is the scope's, and repeated header lines are joined with ', '."""
    headers = [(b"host", b"localhost"), (b"x-dup", b"1"), (b"x-dup", b"2")]
    response = asyncio.run(asgi_http("/echo/a b", raw_path=b"/echo/a%20b", headers=headers))
    seen = json.loads(response.body)
    assert (seen["interface"], seen["path"], seen["raw_path"]) == (
        "asgi",
        "/echo/a b",
        "/echo/a%20b",
    )
    assert (seen["headers"]["x-dup"], seen["remote_addr"]) == ("1, 2", "10.0.0.9"), seen
    assert response.headers["x-instance"] == INSTANCE


def test_asgi_stream_sends_each_line_as_it_is_produced(redis_server):
    """Under ASGI each line leaves in its own body message, paced, the first at once."""
    response = asyncio.run(asgi_http("/stream", query=b"count=3&interval_ms=200"))
    lines = [(stamp, chunk) for stamp, chunk in response.chunks if chunk]
    assert [json.loads(chunk)["i"] for _, chunk in lines] == [0, 1, 2], response.chunks
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(lines)]
    assert min(gaps) >= 0.18, gaps


def test_asgi_head_sends_headers_only(redis_server):
    """HEAD /echo under ASGI sends the Content-Length of the GET document and no body bytes."""
    get = asyncio.run(asgi_http("/echo"))
    head = asyncio.run(asgi_http("/echo", method="HEAD"))
    assert head.body == b"", head.chunks
    # The documents differ only in "GET" versus "HEAD".
    assert int(head.headers["content-length"]) == len(get.body) + 1, (get.headers, head.headers)


def test_asgi_lifespan_is_acknowledged():
    """Startup and shutdown complete at once, so lifespan-speaking servers start cleanly."""

    async def run() -> list[str]:
        communicator = ApplicationCommunicator(application, {"type": "lifespan"})
        replies = []
        for event in ("lifespan.startup", "lifespan.shutdown"):
            await communicator.send_input({"type": event})
            replies.append((await communicator.receive_output(1))["type"])
        await communicator.wait(1)
        return replies

    assert asyncio.run(run()) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


# --- WebSockets --------------------------------------------------------------------------------


async def connected(path: str, origin: tuple[bytes, bytes] = ORIGIN) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=[origin])
    accepted, detail = await communicator.connect()
    assert accepted, f"{path}: handshake refused with {detail}"
    return communicator


def test_ws_echo_echoes_text_and_binary_and_closes_on_request():
    """Frames come back in kind; `close:4001` closes with 4001; a bad code is echoed."""

    async def run() -> None:
        socket = await connected("/ws/echo")
        assert (b"x-instance", INSTANCE.encode()) in socket.response_headers
        await socket.send_to(text_data="héllo")
        assert await socket.receive_from() == "héllo"
        await socket.send_to(bytes_data=b"\x00\xff")
        assert await socket.receive_from() == b"\x00\xff"
        await socket.send_to(text_data="close:1005")
        assert await socket.receive_from() == "close:1005"
        await socket.send_to(text_data="close:4001")
        assert await socket.receive_output() == {"type": "websocket.close", "code": 4001}

    asyncio.run(run())


@pytest.mark.parametrize("origin", [b"http://evil.example", None], ids=["foreign", "missing"])
def test_ws_origin_must_be_an_allowed_host(origin):
    """The handshake is refused unless Origin names an allowed host."""

    async def run() -> tuple[bool, Any]:
        headers = [(b"origin", origin)] if origin else []
        return await WebsocketCommunicator(application, "/ws/echo", headers=headers).connect()

    assert asyncio.run(run())[0] is False


def test_ws_room_broadcasts_to_every_member():
    """A text message reaches every member as JSON naming room, message and sender's replica."""

    async def run() -> list[Any]:
        alice, bob = await connected("/ws/room/lobby"), await connected("/ws/room/lobby")
        await alice.send_to(text_data="hi all")
        received = [json.loads(await member.receive_from()) for member in (alice, bob)]
        await bob.send_to(bytes_data=b"\x01")
        received.append(await bob.receive_output())
        await alice.disconnect()
        await get_channel_layer().flush()
        return received

    expected = {"room": "lobby", "message": "hi all", "instance": INSTANCE}
    assert asyncio.run(run()) == [expected, expected, {"type": "websocket.close", "code": 1003}]


# --- caching routes ----------------------------------------------------------------------------

CACHE_ROUTES = {
    "/cacheable?max_age=2": "public, max-age=2",
    "/private": "private, max-age=60",
    "/no-store": "no-store",
    "/with-cookie?max_age=5": "public, max-age=5",
    "/vary": "public, max-age=60",
}


@pytest.mark.parametrize(("path", "cache_control"), list(CACHE_ROUTES.items()))
def test_cache_routes_declare_their_cache_control_with_a_fresh_token(client, path, cache_control):
    """Each caching route says how it may be cached, and each answer has a new token."""
    first, second = client.get(path), client.get(path)
    assert first["Cache-Control"] == cache_control
    assert len(first.json()["token"]) == 16 and first.json()["token"] != second.json()["token"]
    assert first.json()["instance"] == INSTANCE


def test_cache_routes_are_recorded_in_seen(client):
    """Every request to a caching route is in /seen, POST included: how a scenario counts."""
    client.get("/cacheable?m=marker")
    assert client.post("/cacheable?m=marker").status_code == 200
    seen = client.get("/seen").json()["requests"]
    assert [(e["method"], e["path"], e["query"]) for e in seen] == [
        ("POST", "/cacheable", "m=marker"),
        ("GET", "/cacheable", "m=marker"),
    ]


def test_with_cookie_sets_the_token_as_a_cookie(client):
    """/with-cookie's cookie carries this answer's token: whoever receives it got it."""
    response = client.get("/with-cookie")
    assert response.cookies["cache_probe"].value == response.json()["token"]


def test_vary_answers_for_the_language_asked(client):
    """/vary varies on Accept-Language and names the language in its body."""
    response = client.get("/vary", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Vary"] == "Accept-Language"
    assert response.json()["variant"] == "fr"


REVALIDATE = {
    "none": {},
    "no-cache": {"Cache-Control": "no-cache"},
    "max-age-0": {"Cache-Control": "public, max-age=0"},
    "s-maxage-0": {"Cache-Control": "public, max-age=60, s-maxage=0"},
    "expired": {"Expires": "Thu, 01 Jan 1970 00:00:00 GMT"},
}


@pytest.mark.parametrize("kind", list(REVALIDATE))
def test_revalidate_says_only_what_its_kind_says(client, kind):
    """/revalidate?kind= carries that kind's caching headers and no others, a new token each."""
    first, second = client.get(f"/revalidate?kind={kind}"), client.get(f"/revalidate?kind={kind}")
    said = {n: first.headers[n] for n in ("Cache-Control", "Expires") if n in first.headers}
    assert said == REVALIDATE[kind]
    assert first.json()["token"] != second.json()["token"]


def test_revalidate_refuses_an_unknown_kind(client):
    """An unknown kind is a 400 naming the kinds there are."""
    response = client.get("/revalidate?kind=forever")
    assert response.status_code == 400 and "no-cache" in response.json()["error"]


def test_cacheable_refuses_a_bad_max_age(client):
    """max_age must be a whole number of seconds."""
    assert client.get("/cacheable?max_age=-1").status_code == 400


def test_archive_is_a_gzip_file_of_n_random_bytes(client):
    """/archive is application/gzip, not a Content-Encoding: a file compressed already."""
    import gzip

    response = client.get("/archive?n=5000")
    assert response["Content-Type"] == "application/gzip"
    assert not response.has_header("Content-Encoding")
    assert len(gzip.decompress(response.content)) == 5000


# --- /urls and the script prefix (an app mounted under a URL prefix) --------------------------


def _fresh_static_url():
    """STATIC_URL is relative: Django puts the script prefix in front at its first use and keeps
    the result (one process serves one prefix). Each test starts from a fresh value."""
    return override_settings(STATIC_URL="static/")


def _wsgi_get(path: str, script_name: str = "") -> Any:
    """A GET through Django's own WSGI handler (the test Client sets no script prefix)."""
    from django_app.wsgi import application as wsgi_application
    from werkzeug.test import Client as WsgiClient

    environ = {"SCRIPT_NAME": script_name}
    return WsgiClient(wsgi_application).get(
        path, headers={"Host": "localhost"}, environ_overrides=environ
    )


def test_built_urls_at_the_root(redis_server):
    """/urls builds the named route, a static file and the WebSocket route from the root."""
    with _fresh_static_url():
        urls = _wsgi_get("/urls").json
    assert urls == {
        "echo": "http://localhost/echo",
        "static": "/static/hello.txt",
        "websocket": "/ws/echo",
        "script_name": "",
    }


def test_built_urls_and_redirect_keep_the_script_name(redis_server):
    """Under SCRIPT_NAME (gunicorn's, or FORCE_SCRIPT_NAME) every built URL keeps it."""
    with _fresh_static_url():
        urls = _wsgi_get("/urls", script_name="/app").json
        response = _wsgi_get("/redirect", script_name="/app")
    assert urls == {
        "echo": "http://localhost/app/echo",
        "static": "/app/static/hello.txt",
        "websocket": "/app/ws/echo",
        "script_name": "/app",
    }
    assert response.headers["Location"] == "http://localhost/app/echo?redirected=1"


def test_asgi_root_path_is_kept_in_built_urls(redis_server):
    """Under ASGI the root_path (daphne's, hypercorn's, uvicorn's --root-path) does the same,
    the path carrying it (ASGI spec) or not (a proxy that stripped it)."""
    for path in ("/app/urls", "/urls"):
        with _fresh_static_url():
            response = asyncio.run(asgi_http(path, root_path="/app"))
        assert response.status == 200, response.body
        urls = json.loads(response.body)
        assert urls["echo"] == "http://localhost/app/echo", path
        assert (urls["static"], urls["websocket"]) == ("/app/static/hello.txt", "/app/ws/echo")


def test_force_script_name_is_read_from_the_environment():
    """HARNESS_FORCE_SCRIPT_NAME becomes FORCE_SCRIPT_NAME; a malformed value is refused."""
    told = config.read_environment({"HARNESS_FORCE_SCRIPT_NAME": "/app"})
    assert told.force_script_name == "/app"
    assert config.read_environment({}).force_script_name is None
    with pytest.raises(ImproperlyConfigured, match="HARNESS_FORCE_SCRIPT_NAME='/app/'"):
        config.read_environment({"HARNESS_FORCE_SCRIPT_NAME": "/app/"})


# --- /form: Django's own CSRF checks ----------------------------------------------------------


def _form_post(client, origin, proto="https", token=None):
    got = client.get("/form", HTTP_HOST="localhost:8443", HTTP_X_FORWARDED_PROTO=proto)
    return client.post(
        "/form",
        HTTP_HOST="localhost:8443",
        HTTP_X_FORWARDED_PROTO=proto,
        HTTP_ORIGIN=origin,
        HTTP_X_CSRFTOKEN=got.json()["token"] if token is None else token,
    )


@pytest.mark.parametrize("proto", ["http", "https"])
def test_form_post_from_own_origin_passes_csrf(redis_server, proto):
    """A POST with the token and an Origin on the scheme, host and port the app sees passes."""
    client = Client(enforce_csrf_checks=True)
    response = _form_post(client, f"{proto}://localhost:8443", proto)
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": True}


@pytest.mark.parametrize(
    ("origin", "proto", "token"),
    [
        ("http://localhost:8443", "https", None),  # the scheme the proxy hid
        ("https://localhost:8443", "http", None),  # an app that believes http
        ("https://localhost:9443", "https", None),  # not the port the app sees
        ("https://localhost:8443", "https", "x" * 32),  # no matching token
    ],
)
def test_form_post_fails_csrf_off_origin_or_without_token(redis_server, origin, proto, token):
    """Another scheme, host or port than the app believes, or a wrong token, gets 403."""
    client = Client(enforce_csrf_checks=True)
    assert _form_post(client, origin, proto, token).status_code == 403
