"""What the app believes about the client and the public URL, through the proxy.

The app's view rests on one trust layer, declared per stack (`trust`): the server applies
X-Forwarded-* (gunicorn's forwarded_allow_ips, uvicorn's and daphne's proxy headers), or the
app does (werkzeug's ProxyFix, Django's settings). Never both: a layer that re-applies them
hides the other's mistakes. /echo shows the server's own view beside the framework's.
"""

from urllib.parse import urlsplit

import pytest

from harness.clients.probes import host_header
from harness.spec.model import Trust

pytestmark = pytest.mark.forwarding

CSRF_HINT = (
    "the proxy must pass the scheme (X-Forwarded-Proto) and the Host with its port, and the "
    "trust layer apply them (Django SECURE_PROXY_SSL_HEADER, werkzeug ProxyFix, or the "
    "server's forwarded-allow-ips); listing the origin in CSRF_TRUSTED_ORIGINS only hides that"
)


# Forwarded headers a client can send itself, each with a value that would change what the
# app believes if a layer trusted it: (header, value on a plain stack, value over TLS).
FORGED = {
    "x-forwarded-proto": ("X-Forwarded-Proto", "https", "http"),
    "x-forwarded-ssl": ("X-Forwarded-Ssl", "on", "off"),
    "x-forwarded-protocol": ("X-Forwarded-Protocol", "ssl", "http"),
    "x-forwarded-port": ("X-Forwarded-Port", "9999", "9999"),
    "x-real-ip": ("X-Real-IP", "203.0.113.77", "203.0.113.77"),
}
# What the app believes about the request, as /echo shows it.
BELIEFS = ("remote_addr", "scheme", "is_secure", "host", "url")


def echo(stack, client, headers=None):
    """What the app saw of a GET /echo; a refused request fails with its status and body."""
    response = client.get("/echo", headers=headers)
    assert response.status_code == 200, (
        f"{stack.id}: GET /echo got {response.status_code} {response.text[:160]!r}"
    )
    return response.json()


def test_client_address_reaches_app(stack, client):
    """The app's client address is the test client's, as the proxy saw it."""
    seen = echo(stack, client)
    expected = stack.client_address
    assert seen["remote_addr"] == expected, (
        f"{stack.id}: app saw client {seen['remote_addr']!r}, the proxy saw {expected!r}"
    )


def test_forwarded_proto_reaches_app(stack, client):
    """The app sees the scheme the client used (X-Forwarded-Proto from the proxy)."""
    expected = "https" if stack.spec.tls else "http"
    seen = echo(stack, client)
    assert (seen["scheme"], seen["is_secure"]) == (expected, expected == "https"), (
        f"{stack.id}: app saw scheme {seen['scheme']!r}, is_secure {seen['is_secure']}"
    )


def test_forwarded_host_reaches_app(stack, client):
    """The app sees the public host and port the client used."""
    public = host_header(stack)
    seen = echo(stack, client)
    assert seen["host"] == public, f"{stack.id}: app saw host {seen['host']!r}, not {public!r}"


def test_redirect_uses_public_host_and_port(stack, client):
    """An absolute URL built by the framework points at the public host, port and scheme."""
    response = client.get("/redirect")
    expected = f"{stack.url}/echo?redirected=1"
    assert response.status_code == 302, f"{stack.id}: /redirect gave {response.status_code}"
    assert response.headers["location"] == expected, (
        f"{stack.id}: Location {response.headers['location']!r}, expected {expected!r}"
    )


def test_client_supplied_forwarded_for_is_not_client_address(stack, client):
    """For a client that sends its own X-Forwarded-For, the app's client address is still the
    one the proxy saw."""
    spoofed = "203.0.113.66"
    seen = echo(stack, client, {"X-Forwarded-For": spoofed})
    assert seen["remote_addr"] != spoofed, f"{stack.id}: app trusted the client's {spoofed}"
    assert seen["remote_addr"] == stack.client_address, (
        f"{stack.id}: app saw {seen['remote_addr']!r}, proxy saw {stack.client_address!r}"
    )


@pytest.mark.parametrize("name", list(FORGED))
def test_client_forwarded_header_changes_nothing(stack, client, name):
    """For every forwarded header a client can send itself (X-Forwarded-Proto, -Ssl, -Protocol,
    -Port, X-Real-IP; X-Forwarded-For, -Host and -Prefix have cases of their own), the request
    is answered and the app believes what it believes without it: the same client address,
    scheme, host and URL of its own."""
    header, on_plain, on_tls = FORGED[name]
    value = on_tls if stack.spec.tls else on_plain
    honest = echo(stack, client)
    response = client.get("/echo", headers={header: value})
    fix = (
        "the proxy must overwrite or remove it (nginx proxy_set_header, HAProxy set-header or "
        "del-header, Apache RequestHeader) and the trust layer read only what the proxy sets "
        "(gunicorn secure_scheme_headers, nginx set_real_ip_from)"
    )
    assert response.status_code == 200, (
        f"{stack.id}: a client's own {header}: {value} got {response.status_code} "
        f"{response.text[:120]!r}, where the same GET without it got 200; {fix}"
    )
    forged = response.json()
    changed = {
        k: f"{honest.get(k)!r} -> {forged.get(k)!r}"
        for k in BELIEFS
        if honest.get(k) != forged.get(k)
    }
    assert not changed, (
        f"{stack.id}: a client's own {header}: {value} changed what the app believes: "
        f"{changed}; {fix}"
    )


def test_forwarded_headers_are_applied_by_the_declared_layer_only(stack, client):
    """With `trust = server` the server gives the app the client's address and scheme; with
    `trust = app` it gives the proxy's own, and only the app applies X-Forwarded-*."""
    server = echo(stack, client)["server_view"]
    given = (server["remote_addr"], server["scheme"])
    public = (stack.client_address, "https" if stack.spec.tls else "http")
    if stack.spec.trust == Trust.SERVER:
        assert given == public, (
            f"{stack.id}: trust = server, but the server gave the app {given}, not the "
            f"client's {public}: it does not apply the proxy's X-Forwarded-* (gunicorn "
            "forwarded_allow_ips, uvicorn --proxy-headers --forwarded-allow-ips, daphne "
            "--proxy-headers, hypercorn ProxyFixMiddleware, uwsgi_param REMOTE_ADDR)"
        )
    else:
        applied = given[0] == public[0] or (stack.spec.tls and given[1] == "https")
        assert not applied, (
            f"{stack.id}: trust = app, but the server already applied X-Forwarded-* "
            f"(it gave the app {given}): two layers hide each other's mistakes; make the "
            "server trust no proxy (gunicorn forwarded_allow_ips, uvicorn --no-proxy-headers)"
        )


def test_host_header_reaches_app_as_the_client_sent_it(stack, client):
    """The Host header itself, not only X-Forwarded-Host, is the public host and port: Django
    ignores X-Forwarded-Host by default, so a proxy that rewrites Host breaks real apps."""
    public = host_header(stack)
    received = echo(stack, client)["server_view"]["host_header"]
    assert received == public, (
        f"{stack.id}: the app received Host {received!r}, the client sent {public!r} "
        "(nginx: proxy_set_header Host $http_host; Apache: ProxyPreserveHost On)"
    )


def test_same_origin_form_post_passes_csrf(stack, client):
    """A form POST from the site's own page (Origin: the public scheme, host and port; the
    CSRF cookie and token) is accepted: the app's CSRF check knows the origin users see.

    Behind a TLS-terminating proxy Django 4.0+ refuses it ("Origin checking failed") when
    the app believes http or another port: https://github.com/tournesol-app/tournesol/pull/553,
    https://github.com/healthchecks/healthchecks/issues/825.
    """
    public = "{0.scheme}://{0.netloc}".format(urlsplit(stack.url))
    token = client.get("/form").json()["token"]
    headers = {"Origin": public, "Referer": f"{public}/form", "X-CSRFToken": token}
    response = client.post("/form", headers=headers)
    seen = echo(stack, client)
    assert response.status_code == 200, (
        f"{stack.id}: POST /form from Origin {public} got {response.status_code}; the app "
        f"believes its origin is {seen['scheme']}://{seen['host']}; {CSRF_HINT}"
    )
