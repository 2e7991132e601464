"""What the app believes about the client and the public URL, through the proxy."""

import pytest

pytestmark = pytest.mark.forwarding


def test_client_address_reaches_app(stack, client):
    """The app's client address is the test client's, as the proxy saw it."""
    seen = client.get("/echo").json()
    expected = stack.client_address
    assert seen["remote_addr"] == expected, (
        f"{stack.id}: app saw client {seen['remote_addr']!r}, the proxy saw {expected!r}"
    )


def test_forwarded_proto_reaches_app(stack, client):
    """The app sees the scheme the client used (X-Forwarded-Proto from the proxy)."""
    expected = "https" if stack.spec.tls else "http"
    seen = client.get("/echo").json()
    assert (seen["scheme"], seen["is_secure"]) == (expected, expected == "https"), (
        f"{stack.id}: app saw scheme {seen['scheme']!r}, is_secure {seen['is_secure']}"
    )


def test_forwarded_host_reaches_app(stack, client):
    """The app sees the public host and port the client used."""
    public = stack.url.split("://", 1)[1]
    seen = client.get("/echo").json()
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
    """A client's own X-Forwarded-For does not become the app's client address."""
    spoofed = "203.0.113.66"
    seen = client.get("/echo", headers={"X-Forwarded-For": spoofed}).json()
    assert seen["remote_addr"] != spoofed, f"{stack.id}: app trusted the client's {spoofed}"
    assert seen["remote_addr"] == stack.client_address, (
        f"{stack.id}: app saw {seen['remote_addr']!r}, proxy saw {stack.client_address!r}"
    )
