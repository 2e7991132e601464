"""waitress as a WSGI server: its command line on each trust layer, and its place in the
catalogue. No Docker: specs and rendered command lines only (tests/integration runs it)."""

import itertools

from harness.building.configs import render_stack
from harness.spec.catalog import PROFILES, STACKS
from harness.spec.model import Framework, Interface, ProxyKind, ServerKind, StackSpec, Suite, Trust


def waitress(**fields: object) -> StackSpec:
    return StackSpec(proxy=ProxyKind.NGINX, server=ServerKind.WAITRESS, **fields)  # type: ignore[arg-type]


def test_server_layer_trusts_the_proxy_for_address_and_scheme_only():
    spec = waitress(framework=Framework.FLASK)
    assert (spec.id, spec.trust, spec.interface) == ("nginx-waitress-flask", Trust.SERVER,
                                                     Interface.WSGI)  # fmt: skip
    command = render_stack(spec).app.command
    assert command[0] == "waitress-serve" and command[-1] == "flask_app.wsgi:app", command
    assert "--trusted-proxy=*" in command and "--trusted-proxy-count=1" in command, command
    assert "--trusted-proxy-headers=x-forwarded-for x-forwarded-proto" in command, command
    assert "--clear-untrusted-proxy-headers" in command, command
    assert "--threads=4" in command and "--channel-timeout=5" in command, command
    assert "--cleanup-interval=1" in command, "idle connections would live up to 35 s"
    assert render_stack(spec).app.env["HARNESS_TRUST"] == "server"


def test_app_layer_trusts_no_proxy_and_keeps_forwarded_headers_for_the_app():
    """waitress 3 clears untrusted X-Forwarded-* by default: the app layer would see none."""
    spec = waitress(framework=Framework.DJANGO, trust=Trust.APP)
    assert spec.id == "nginx-waitress-django-trust-app"
    command = render_stack(spec).app.command
    assert not [arg for arg in command if arg.startswith("--trusted-proxy")], command
    assert "--no-clear-untrusted-proxy-headers" in command, command
    assert command[-1] == "django_app.wsgi:application"
    assert render_stack(spec).app.env["HARNESS_TRUST"] == "app"


def test_waitress_serves_wsgi_only():
    problems = waitress(framework=Framework.DJANGO, interface=Interface.ASGI).problems()
    assert ("interface", "asgi", "wsgi: waitress serves WSGI only") in problems


def test_nightly_has_every_waitress_stack_and_default_one():
    expected = {
        StackSpec(proxy=proxy, server=ServerKind.WAITRESS, framework=framework, tls=tls,
                  suite=suite).id
        for proxy, framework, tls, suite in itertools.product(
            ProxyKind, Framework, (False, True), Suite
        )
    }  # fmt: skip
    nightly = {
        s for s in PROFILES["nightly"]
        if STACKS[s].server == ServerKind.WAITRESS and not STACKS[s].families
    }  # fmt: skip
    assert nightly == expected and len(expected) == 8 * len(ProxyKind)
    assert [s for s in PROFILES["default"] if "waitress" in s] == ["nginx-waitress-flask"]
    assert not [s for s in PROFILES["ci"] if "waitress" in s]
