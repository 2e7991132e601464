"""Static files come from the proxy, byte for byte, typed, and nothing outside them does."""

import posixpath
import uuid
from urllib.parse import urljoin

import pytest

from harness.clients.evidence import seen_with
from harness.clients.probes import exchange, host_header
from harness.clients.static_files import (
    declared_files,
    site_url,
    static_file,
    static_folder,
    static_root,
)

pytestmark = pytest.mark.static

REDIRECTS = (301, 302, 303, 307, 308)
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


def _own_files_or_skip(stack):
    """On your own app, the static files its stack file names; skip when it names none."""
    if stack.spec.overrides.contract_prefix is not None and not declared_files(stack):
        pytest.skip(
            f"{stack.id}: your stack file names no static files of your app "
            '(overrides.static_files = { "/static/css/site.css" = "static/css/site.css" })'
        )


@pytest.mark.parametrize("name", list(CONTENT_TYPES))
def test_static_file_is_served_by_proxy(stack, client, name):
    """For every kind of static file (text, CSS, JavaScript, JSON, PNG), the file comes from
    the proxy (not the app) with its bytes and content type."""
    _own_files_or_skip(stack)
    served = static_file(stack, name)
    if served is None:
        pytest.skip(f"{stack.id}: no {name.rsplit('.', 1)[-1]} file in overrides.static_files")
    marker = uuid.uuid4().hex
    response = client.get(site_url(stack, served.url), params={"m": marker})
    kind = response.headers.get("content-type", "")
    evidence = (
        f"{stack.id}: {served.url} got {response.status_code}, Content-Type {kind!r}, "
        f"X-Instance {response.headers.get('x-instance')!r}, {len(response.content)} bytes"
    )
    assert response.status_code == 200, evidence
    assert response.content == served.content, f"bytes differ; {evidence}"
    expected = CONTENT_TYPES[name]
    assert kind.startswith(expected) or expected in kind, f"want {expected!r}; {evidence}"
    assert "x-instance" not in response.headers, f"the app served it; {evidence}"
    assert seen_with(client, marker) == [], f"the request reached the app; {evidence}"


def _climbing(stack, path):
    """The traversal `path` from the stack's static folder (ours: /static/), and a file that
    must not come back (ours: hello.txt; yours: the first your stack file names)."""
    known = static_file(stack, "hello.txt") or declared_files(stack)[0]
    root = static_root(stack)
    beside = known.url.lstrip("/")
    return path.replace("static/hello.txt", beside).replace("/static", root, 1), known


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_traversal_serves_no_file(stack, path):
    """For every path that climbs out of the static folder, raw, percent-encoded or encoded
    twice, with or without the folder's slash, the answer is 404 or 400, never a file's
    contents."""
    _own_files_or_skip(stack)
    path, known = _climbing(stack, path)
    request = f"GET {path} HTTP/1.1\r\nHost: {host_header(stack)}\r\nConnection: close\r\n\r\n"
    response = exchange(stack, request.encode())
    evidence = f"{stack.id}: GET {path} got {response.status_line!r}, {response.body[:80]!r}"
    assert response.status in (400, 404), evidence
    assert b"root:" not in response.body and known.content not in response.body, evidence


def test_folder_without_index_lists_nothing(stack, client):
    """For the static root, a folder with no index file: asking for it never lists the files
    in it (nginx `autoindex on`, Apache `Options Indexes`, Caddy `file_server browse`)."""
    _own_files_or_skip(stack)
    root = static_root(stack)
    names = [
        posixpath.basename(f.url)
        for f in ([static_file(stack, n) for n in CONTENT_TYPES] + declared_files(stack))
        if f is not None and posixpath.dirname(f.url) == root
    ]
    response = client.get(site_url(stack, f"{root}/"), follow_redirects=False)
    listed = sorted({name for name in names if name in response.text})
    if response.status_code == 200 and listed:  # the folder's own index page names files too
        index = client.get(site_url(stack, f"{root}/index.html"), follow_redirects=False)
        listed = [] if index.status_code == 200 and index.content == response.content else listed
    assert not (response.status_code == 200 and listed), (
        f"{stack.id}: GET {root}/ got 200 naming {listed}: the proxy lists the folder; turn "
        "listings off (nginx: no autoindex; Apache: Options -Indexes; Caddy: file_server "
        "without browse)"
    )


def test_path_beside_the_static_location_serves_no_file(stack, client):
    """For a path that begins with the static root's letters but not its folder
    (`/statichello.txt` beside `/static/hello.txt`), no static file comes back: the location
    ends at its slash."""
    _own_files_or_skip(stack)
    known = static_file(stack, "hello.txt") or declared_files(stack)[0]
    root = static_root(stack)
    beside = root + known.url.removeprefix(f"{root}/")
    response = client.get(site_url(stack, beside), follow_redirects=False)
    assert response.content != known.content, (
        f"{stack.id}: GET {beside} got {response.status_code} with the bytes of {known.url}: "
        f"the static location matches without its slash; end it with one (nginx: location "
        f"{root}/; Caddy: handle_path {root}/*)"
    )


@pytest.mark.parametrize("name", ["missing.js", "missing.css", "missing/"])
def test_missing_file_gets_404(stack, client, name):
    """For every kind of path below the static root that names no file (a script, a
    stylesheet, a folder), the answer is 404, from the proxy or from an app that answers it
    so: never a fallback page in its place (200), which a browser would take for the script
    or stylesheet it asked for."""
    _own_files_or_skip(stack)
    path = f"{static_root(stack)}/{uuid.uuid4().hex}-{name}"
    response = client.get(site_url(stack, path), follow_redirects=False)
    kind = response.headers.get("content-type")
    assert response.status_code == 404, (
        f"{stack.id}: GET {path} got {response.status_code} (Content-Type {kind!r}, "
        f"{len(response.content)} bytes), not 404: a fallback answers in the missing file's "
        "place; end the static location with 404 (nginx: no try_files fallback to a page; "
        "Caddy: no try_files to an index; Apache: no FallbackResource)"
    )


def test_folder_without_slash_redirects_to_the_public_url(stack, client):
    """A static folder asked for without its slash is redirected to the same scheme, host and
    port the client used (or answered 404), never to the port the proxy listens on inside.

    nginx builds an absolute Location from its own listen port unless `absolute_redirect
    off` (https://github.com/TrafeX/docker-php-nginx/pull/82,
    https://github.com/sclorg/nginx-container/issues/105); Apache with `UseCanonicalName On`
    takes ServerName and its own port instead of the client's Host.
    """
    _own_files_or_skip(stack)
    path = static_folder(stack) or ""
    folder = site_url(stack, path)
    response = client.get(folder, follow_redirects=False)
    location = response.headers.get("location")
    evidence = f"{stack.id}: GET {path} got {response.status_code}, Location {location!r}"
    if response.status_code not in REDIRECTS:
        assert response.status_code in (200, 403, 404), evidence
        return
    target = urljoin(folder, location or "")
    assert target == f"{folder}/", (
        f"{evidence}: it leads to {target}, not {folder}/; the proxy's own "
        "redirects must keep the public origin (nginx: absolute_redirect off or "
        "port_in_redirect off; Apache: UseCanonicalName Off)"
    )
