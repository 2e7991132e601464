"""The app under a URL prefix (stack field `prefix`): it is reached only below the prefix, and
everything it builds keeps it: absolute URLs, redirects, static files, WebSockets.

These run on stacks with a prefix and skip on the others. Every request is one GET, no waits.
"""

import uuid

import pytest
from websockets.exceptions import InvalidHandshake, InvalidStatus

from harness.clients.wsclient import open_websocket
from harness.paths import APPS_DIR
from harness.spec.prefix_hints import (
    how_the_app_is_told,
    outside_refusal,
    static_location,
    websocket_location,
)

pytestmark = pytest.mark.prefix

HELLO = (APPS_DIR / "static" / "hello.txt").read_bytes()


def answered_by(response):
    """Who answered: the app (its X-Instance header) or the proxy itself."""
    instance = response.headers.get("x-instance")
    return f"the app ({instance})" if instance else "the proxy (no X-Instance)"


def get_json(stack, client, path):
    """GET `path` below the prefix; anything but a JSON 200 from the app fails with the fix."""
    response = client.get(f"{stack.spec.prefix}{path}")
    if response.status_code != 200 or "x-instance" not in response.headers:
        pytest.fail(
            f"{stack.id}: GET {stack.spec.prefix}{path} answered {response.status_code} from "
            f"{answered_by(response)}: the request did not reach the app's {path}; "
            f"fix: {how_the_app_is_told(stack.spec)}",
            pytrace=False,
        )
    return response.json()


def test_app_is_reached_below_the_prefix(stack, client):
    """GET <prefix>/echo reaches the app's /echo, which knows the prefix as its script name."""
    seen = get_json(stack, client, "/echo")
    public = f"{stack.url}{stack.spec.prefix}/echo"
    evidence = f"script_name {seen['script_name']!r}, url {seen['url']!r}"
    assert seen["script_name"] == stack.spec.prefix, (
        f"{stack.id}: the app was not told the prefix {stack.spec.prefix}: {evidence}; "
        f"fix: {how_the_app_is_told(stack.spec)}"
    )
    assert seen["url"] == public, f"{stack.id}: app's own URL is not {public}: {evidence}"


@pytest.mark.parametrize("kind", ["echo", "static", "websocket"])
def test_built_url_keeps_the_prefix(stack, client, kind):
    """For every kind of URL the app builds (a named route, a static file, the WebSocket
    route), the URL keeps the prefix."""
    if kind == "websocket" and not stack.spec.websockets:
        pytest.skip(f"{stack.id} serves {stack.spec.app_mode}: no WebSocket routes")
    built = get_json(stack, client, "/urls")[kind]
    path = {"echo": "/echo", "static": "/static/hello.txt", "websocket": "/ws/echo"}[kind]
    expected = f"{stack.url if kind == 'echo' else ''}{stack.spec.prefix}{path}"
    assert built == expected, (
        f"{stack.id}: the app built {built!r} for {kind}, expected {expected!r}: the prefix "
        f"{stack.spec.prefix} is lost; fix: {how_the_app_is_told(stack.spec)}"
    )


def test_client_cannot_choose_the_prefix(stack, client):
    """A client's own X-Forwarded-Prefix, or a SCRIPT_NAME header (which gunicorn would read as
    its script name), never becomes the prefix of the URLs the app builds."""
    forged = {"X-Forwarded-Prefix": "/forged", "SCRIPT_NAME": "/forged"}
    response = client.get(f"{stack.spec.prefix}/urls", headers=forged)
    built = response.json().get("echo") if response.status_code == 200 else None
    expected = f"{stack.url}{stack.spec.prefix}/echo"
    assert built == expected, (
        f"{stack.id}: with X-Forwarded-Prefix and SCRIPT_NAME /forged from the client, "
        f"{stack.spec.prefix}/urls answered {response.status_code}, built {built!r}, not "
        f"{expected!r}: the proxy must overwrite or remove both; "
        f"fix: {how_the_app_is_told(stack.spec)}"
    )


def test_redirect_keeps_the_prefix(stack, client):
    """A redirect the app makes points below the prefix, at the public scheme, host and port."""
    response = client.get(f"{stack.spec.prefix}/redirect")
    location = response.headers.get("location")
    expected = f"{stack.url}{stack.spec.prefix}/echo?redirected=1"
    assert response.status_code == 302 and location == expected, (
        f"{stack.id}: GET {stack.spec.prefix}/redirect answered {response.status_code} from "
        f"{answered_by(response)} with Location {location!r}, expected {expected!r}; "
        f"fix: {how_the_app_is_told(stack.spec)}"
    )


def test_static_file_is_served_below_the_prefix(stack, client):
    """<prefix>/static/hello.txt comes from the proxy (not the app) with the file's bytes."""
    path = f"{stack.spec.prefix}/static/hello.txt"
    response = client.get(path, params={"m": uuid.uuid4().hex})
    evidence = (
        f"{stack.id}: GET {path} answered {response.status_code} from {answered_by(response)}, "
        f"{len(response.content)} bytes"
    )
    assert response.status_code == 200 and response.content == HELLO, (
        f"{evidence}, not the static file; fix: {static_location(stack.spec)}"
    )
    assert "x-instance" not in response.headers, (
        f"{evidence}: the app served it, not the proxy; fix: {static_location(stack.spec)}"
    )


@pytest.mark.asgi_only
def test_websocket_connects_below_the_prefix(stack):
    """A WebSocket to <prefix>/ws/echo opens through the proxy and echoes a message."""
    path = f"{stack.spec.prefix}/ws/echo"
    fix = f"fix: {websocket_location(stack.spec)}; {how_the_app_is_told(stack.spec)}"
    try:
        connection = open_websocket(stack, path)
    except InvalidStatus as refused:
        status = refused.response.status_code
        pytest.fail(f"{stack.id}: {path} handshake answered {status}; {fix}", pytrace=False)
    except (InvalidHandshake, OSError, TimeoutError) as error:
        pytest.fail(f"{stack.id}: {path} handshake failed: {error!r}; {fix}", pytrace=False)
    with connection:
        connection.send("below the prefix")
        echoed = connection.recv(timeout=5)
    assert echoed == "below the prefix", f"{stack.id}: {path} echoed {echoed!r}; {fix}"


# Paths outside the prefix: the app's own routes at the root, and one that begins with the
# prefix's letters but not its segment (/appx/ is not below /app/).
OUTSIDE = {"echo": "/echo", "health": "/health", "beside-the-prefix": "{prefix}x/echo"}


@pytest.mark.parametrize("path", list(OUTSIDE.values()), ids=list(OUTSIDE))
def test_path_outside_the_prefix_does_not_reach_the_app(stack, client, path):
    """For every path outside the prefix, at the root or just beside it (the prefix's letters
    without its slash), the proxy answers itself (404 or 403): the app is published below its
    prefix only."""
    path = path.format(prefix=stack.spec.prefix)
    response = client.get(path)
    assert "x-instance" not in response.headers and response.status_code in (403, 404), (
        f"{stack.id}: GET {path}, outside {stack.spec.prefix}, answered "
        f"{response.status_code} from {answered_by(response)}; the app must be published "
        f"below its prefix only; fix: {outside_refusal(stack.spec)}"
    )
