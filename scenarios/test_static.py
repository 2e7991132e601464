"""Static files come from the proxy, byte for byte, typed, and nothing outside them does."""

import uuid
from urllib.parse import urljoin

import pytest

from harness.clients.evidence import seen_with
from harness.clients.probes import exchange, host_header
from harness.paths import APPS_DIR

pytestmark = pytest.mark.static

REDIRECTS = (301, 302, 303, 307, 308)
# A static folder with an index file (apps/static/guide/index.html).
FOLDER = "/static/guide"

STATIC_SOURCE = APPS_DIR / "static"
# File -> what its Content-Type must start with (or contain, for the JavaScript types).
CONTENT_TYPES = {
    "hello.txt": "text/plain",
    "style.css": "text/css",
    "app.js": "javascript",
    "data.json": "application/json",
    "pixel.png": "image/png",
}
# Paths that escape /static/ when a proxy maps it carelessly: `/static../` reaches the folder
# above the files under an alias without its trailing slash (nginx's off-by-slash), where
# `static/hello.txt` exists; the others climb to the root, raw or percent-encoded.
TRAVERSALS = [
    "/static../static/hello.txt",
    "/static../etc/passwd",
    "/static/../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2fetc/passwd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
]


@pytest.mark.parametrize("name", list(CONTENT_TYPES))
def test_static_file_is_served_by_proxy(stack, client, name):
    """Each static file comes from the proxy (not the app) with its bytes and content type."""
    marker = uuid.uuid4().hex
    response = client.get(f"/static/{name}", params={"m": marker})
    kind = response.headers.get("content-type", "")
    evidence = (
        f"{stack.id}: /static/{name} got {response.status_code}, Content-Type {kind!r}, "
        f"X-Instance {response.headers.get('x-instance')!r}, {len(response.content)} bytes"
    )
    assert response.status_code == 200, evidence
    assert response.content == (STATIC_SOURCE / name).read_bytes(), f"bytes differ; {evidence}"
    expected = CONTENT_TYPES[name]
    assert kind.startswith(expected) or expected in kind, f"want {expected!r}; {evidence}"
    assert "x-instance" not in response.headers, f"the app served it; {evidence}"
    assert seen_with(client, marker) == [], f"the request reached the app; {evidence}"


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_traversal_serves_no_file(stack, path):
    """A path climbing out of /static/ gets 404 or 400, never a file's contents."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host_header(stack)}\r\nConnection: close\r\n\r\n"
    response = exchange(stack, request.encode())
    evidence = f"{stack.id}: GET {path} got {response.status_line!r}, {response.body[:80]!r}"
    assert response.status in (400, 404), evidence
    hello = (STATIC_SOURCE / "hello.txt").read_bytes()
    assert b"root:" not in response.body and hello not in response.body, evidence


def test_folder_without_slash_redirects_to_the_public_url(stack, client):
    """A static folder asked for without its slash is redirected to the same scheme, host and
    port the client used (or answered 404), never to the port the proxy listens on inside.

    nginx builds an absolute Location from its own listen port unless `absolute_redirect
    off` (https://github.com/TrafeX/docker-php-nginx/pull/82,
    https://github.com/sclorg/nginx-container/issues/105); Apache with `UseCanonicalName On`
    takes ServerName and its own port instead of the client's Host.
    """
    response = client.get(FOLDER, follow_redirects=False)
    location = response.headers.get("location")
    evidence = f"{stack.id}: GET {FOLDER} got {response.status_code}, Location {location!r}"
    if response.status_code not in REDIRECTS:
        assert response.status_code in (200, 404), evidence
        return
    target = urljoin(f"{stack.url}{FOLDER}", location or "")
    assert target == f"{stack.url}{FOLDER}/", (
        f"{evidence}: it leads to {target}, not {stack.url}{FOLDER}/; the proxy's own "
        "redirects must keep the public origin (nginx: absolute_redirect off or "
        "port_in_redirect off; Apache: UseCanonicalName Off)"
    )
