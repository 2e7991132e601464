"""Broken variants of Apache and HAProxy stacks: the scenarios catch their misconfigurations
as they catch nginx's (variants.py, variants_edge.py and variants_fleet.py are mostly nginx)."""

from __future__ import annotations

from tests.integration.variant_model import Variant

APACHE_TLS = "apache-gunicorn-gthread-flask-tls"
APACHE_ASGI = "apache-uvicorn-django-asgi"
HAPROXY_UWSGI = "haproxy-uwsgi-flask-http"
HAPROXY_ASGI = "haproxy-hypercorn-django-asgi"

APACHE: tuple[Variant, ...] = (
    Variant(
        name="apache-hsts-not-always",
        base=APACHE_TLS,
        misconfiguration="`Header set` instead of `Header always set`: Apache's own error "
        "answers (413) carry no HSTS",
        edit=("Header always set Strict-", "Header set Strict-"),
        catches=("test_tls.py::test_hsts_on_every_response[/upload]",),
    ),
    Variant(
        name="apache-no-forwarded-proto",
        base=APACHE_TLS,
        misconfiguration="no `RequestHeader set X-Forwarded-Proto`: the app believes http",
        edit=('    RequestHeader set X-Forwarded-Proto "https"\n', ""),
        catches=(
            "test_forwarding.py::test_forwarded_proto_reaches_app",
            "test_tls.py::test_app_sees_https_and_marks_cookies_secure",
        ),
    ),
    Variant(
        name="apache-static-proxied-to-app",
        base=APACHE_ASGI,
        misconfiguration="no `ProxyPass /static/ !`: static files go to the app",
        edit=("    ProxyPass /static/ !\n", ""),
        catches=("test_static.py::test_static_file_is_served_by_proxy",),
    ),
    Variant(
        name="apache-websocket-through-http-route",
        base=APACHE_ASGI,
        misconfiguration="no `ProxyPass /ws/` of its own: WebSockets go through the HTTP "
        "balancer (mod_proxy_http upgrades them by default) and get its 5 s read timeout",
        edit=("    ProxyPass /ws/ balancer://ws/\n", ""),
        catches=("test_websocket.py::test_idle_connection_survives_declared_idle_time",),
    ),
)

HAPROXY: tuple[Variant, ...] = (
    Variant(
        name="haproxy-forwards-nul-in-header",
        base=HAPROXY_UWSGI,
        misconfiguration="no rule refusing a NUL in a header value: HAProxy forwards it, "
        "uWSGI hands it to the app",
        edit=(
            "    http-request deny deny_status 400 if { req.hdrs,hex -m reg ^([0-9A-F]{2})*00 }\n",
            "",
        ),
        catches=("test_security.py::test_malformed_request_gets_4xx[nul-in-header]",),
    ),
    Variant(
        name="haproxy-no-forwardfor",
        base=HAPROXY_UWSGI,
        misconfiguration="no `option forwardfor`: the app sees HAProxy's address as the client",
        edit=("    option forwardfor\n", ""),
        catches=("test_forwarding.py::test_client_address_reaches_app",),
    ),
    Variant(
        name="haproxy-tunnel-timeout-short",
        base=HAPROXY_ASGI,
        misconfiguration="timeout tunnel 1s: idle WebSockets are cut before the declared 10 s",
        edit=("    timeout tunnel 10s\n", "    timeout tunnel 1s\n"),
        catches=("test_websocket.py::test_idle_connection_survives_declared_idle_time",),
    ),
)

PROXIES: tuple[Variant, ...] = APACHE + HAPROXY
