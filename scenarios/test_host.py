"""The Host the client sends cannot poison what the app builds, nor break health checks."""

import pytest

from harness.clients.probes import host_header

pytestmark = pytest.mark.host

POISONED = "evil.example"
# What a load balancer or orchestrator probe typically sends: an address the app never lists.
PROBE_HOST = "10.11.12.13:8080"


def test_poisoned_host_never_reaches_absolute_urls(stack, client):
    """A Host the app does not allow gets 400, or at least never appears in a built URL."""
    response = client.get("/redirect", headers={"Host": POISONED})
    location = response.headers.get("location", "")
    evidence = f"{stack.id}: Host {POISONED} got {response.status_code}, Location {location!r}"
    assert response.status_code == 400 or POISONED not in location, evidence
    assert response.status_code < 500, evidence


def test_client_forwarded_host_is_overwritten_by_proxy(stack, client):
    """A client's own X-Forwarded-Host does not change the host the app believes."""
    public = host_header(stack)
    response = client.get("/echo", headers={"X-Forwarded-Host": POISONED})
    evidence = f"{stack.id}: with X-Forwarded-Host {POISONED}, got {response.status_code}"
    assert response.status_code == 200, f"{evidence} {response.text[:160]!r}"
    seen = response.json()
    assert (seen["host"], POISONED in seen["url"]) == (public, False), (
        f"{evidence}; app believed host {seen['host']!r}, url {seen['url']!r}"
    )


def test_health_answers_for_any_host(stack, client):
    """/health answers 200 `ok` through the proxy even for a Host the app refuses elsewhere."""
    health = client.get("/health", headers={"Host": PROBE_HOST})
    refused = client.get("/echo", headers={"Host": PROBE_HOST})
    assert (health.status_code, health.text) == (200, "ok"), (
        f"{stack.id}: /health with Host {PROBE_HOST} got {health.status_code} "
        f"{health.text[:120]!r} (/echo with it got {refused.status_code})"
    )
