"""TLS termination at the proxy: versions, chain, names, ALPN, HSTS, redirects, secure cookies."""

from urllib.parse import urlsplit

import httpx
import pytest

from harness.clients.h2wire import h2_announced_upload
from harness.clients.http import client_for
from harness.clients.probes import exchange
from harness.clients.tlsprobe import handshake, legacy_server_hello, served_names, version_offered
from harness.parts import proxy_kit
from harness.parts.kinds import ClientProtocol
from harness.spec.model import TEST_HOST_NAME

pytestmark = [pytest.mark.tls, pytest.mark.tls_only]

LEGACY_VERSIONS = ("1.0", "1.1")
SERVER_NAMES = ("localhost", "127.0.0.1", TEST_HOST_NAME)
# Proxies that speak HTTP/2 and offer it by ALPN (Apache through mod_http2).
HSTS_MIN_AGE = 31536000  # one year, the HSTS preload list's minimum


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.3"])
def test_tls_version_policy(stack, version):
    """TLS 1.0 and 1.1 are refused; 1.2 and 1.3 are accepted (1.2 unless the stack
    declares 1.3 as its minimum)."""
    wanted = version in stack.spec.tls_versions
    if version in LEGACY_VERSIONS and not version_offered(stack, version):
        result = legacy_server_hello(stack, version)  # this host cannot offer it: by hand
    else:
        result = handshake(stack, version=version)
    assert result.ok == wanted, (
        f"{stack.id}: TLS {version} should be {'accepted' if wanted else 'refused'}: "
        f"agreed {result.version}, error {result.error or 'none'}"
    )


def test_chain_verifies_with_only_the_test_ca(stack):
    """The served chain is complete: a client that trusts only the run's root CA verifies it,
    for the site's name (the proxy sends the leaf and the intermediate that signed it)."""
    result = handshake(stack, server_hostname=TEST_HOST_NAME)
    assert result.ok, (
        f"{stack.id}: with only the test CA trusted: {result.error} (the root alone is "
        "trusted: serve the leaf followed by its intermediate, e.g. fullchain.pem, not cert.pem)"
    )


@pytest.mark.parametrize("name", SERVER_NAMES)
def test_certificate_matches_site_name(stack, name):
    """The certificate served for each of the site's names carries that name and verifies."""
    names = served_names(stack, name)
    result = handshake(stack, server_hostname=name)
    assert name in names and result.ok, (
        f"{stack.id}: for {name} the proxy served a certificate for {names}; {result.error}"
    )


def test_alpn_offers_h2(stack):
    """A client offering h2 and http/1.1 by ALPN gets h2."""
    if not proxy_kit(stack.spec.proxy).features.http2:
        pytest.skip(f"{stack.id}: {stack.spec.proxy} does not speak HTTP/2")
    result = handshake(stack, alpn=["h2", "http/1.1"])
    assert result.alpn == "h2", f"{stack.id}: ALPN chose {result.alpn!r}; {result.error}"


@pytest.mark.http1_only("it asks for HTTP/3 itself, on the stacks that offer it")
def test_http3_is_served_where_offered(stack):
    """A stack whose proxy offers HTTP/3 (its kit, or `client_protocols`) answers over QUIC
    on its TLS port's number, as a browser that has learnt h3 from Alt-Svc asks."""
    if ClientProtocol.H3 not in stack.spec.offered_protocols:
        pytest.skip(f"{stack.id}: the proxy offers no HTTP/3 (client_protocols)")
    port = urlsplit(stack.url).port
    try:
        with client_for(stack, timeout=5, protocol=ClientProtocol.H3) as h3:
            response = h3.get("/health")
    except (httpx.HTTPError, TimeoutError) as error:
        raise AssertionError(
            f"{stack.id}: no HTTP/3 answer on UDP port {port} ({type(error).__name__}: "
            f"{error}); the proxy does not serve HTTP/3 there (Caddy: servers {{ protocols h1 "
            "h2 h3 }}), or declare client_protocols without h3"
        ) from None
    assert response.status_code == 200, f"{stack.id}: GET /health over HTTP/3 gave {response}"


@pytest.mark.parametrize("path", ["/echo", "/no-such-page", "/static/hello.txt", "/upload"])
def test_hsts_on_every_response(stack, client, protocol, path):
    """Every HTTPS response carries Strict-Transport-Security for at least a year: app
    answers, app errors, static files and the proxy's own errors (413)."""
    if path == "/upload" and protocol == ClientProtocol.H1:  # refused before any body
        response = too_large_upload(stack)
        status, hsts = response.status, response.header("strict-transport-security")
    elif path == "/upload" and protocol == ClientProtocol.H2:  # announced on a stream
        answer = h2_announced_upload(stack, stack.spec.limits.max_body_bytes + 1)
        status, hsts = answer.status, answer.header("strict-transport-security")
    elif path == "/upload":  # HTTP/3: the body goes whole, the 413 comes back on its stream
        answer = client.post(path, content=bytes(stack.spec.limits.max_body_bytes + 1))
        status, hsts = answer.status_code, answer.headers.get("strict-transport-security")
    else:
        answer = client.get(path)
        status, hsts = answer.status_code, answer.headers.get("strict-transport-security")
    age = int(hsts.split("max-age=")[1].split(";")[0]) if hsts and "max-age=" in hsts else 0
    assert age >= HSTS_MIN_AGE, f"{stack.id}: {path} answered {status} with HSTS {hsts!r}"


def too_large_upload(stack):
    length = stack.spec.limits.max_body_bytes + 1
    host = urlsplit(stack.url).netloc
    request = f"POST /upload HTTP/1.1\r\nHost: {host}\r\nContent-Length: {length}\r\n"
    return exchange(stack, (request + "Connection: close\r\n\r\n").encode(), head_only=True)


def test_plain_http_redirects_to_https_keeping_path_and_query(stack):
    """Plain HTTP answers with a permanent redirect to the same path and query on HTTPS."""
    target = "/echo/some/path?q=1&r=caf%C3%A9"
    response = httpx.get(stack.http_url + target, follow_redirects=False, timeout=10)
    location = response.headers.get("location")
    assert response.status_code in (301, 308) and location == stack.https_url + target, (
        f"{stack.id}: http {target} answered {response.status_code} to {location!r}"
    )


def test_app_sees_https_and_marks_cookies_secure(stack, client):
    """Behind the TLS proxy the app sees https, and the cookies it sets are Secure."""
    seen = client.get("/echo").json()
    response = client.get("/cookie")
    cookie = response.headers.get("set-cookie", "")
    assert (seen["scheme"], seen["is_secure"]) == ("https", True), (
        f"{stack.id}: app saw scheme {seen['scheme']!r}, is_secure {seen['is_secure']}"
    )
    assert response.json()["secure"] and "secure" in cookie.lower(), (
        f"{stack.id}: /cookie said {response.json()}, Set-Cookie {cookie!r}"
    )
