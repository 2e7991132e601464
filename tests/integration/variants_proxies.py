"""Broken variants of Apache and HAProxy stacks: the scenarios catch their misconfigurations
as they catch nginx's (variants.py, variants_edge.py and variants_fleet.py are mostly nginx)."""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant, cases_of, catching

APACHE_TLS = "apache-gunicorn-gthread-flask-tls"
APACHE_ASGI = "apache-uvicorn-django-asgi"
HAPROXY_UWSGI = "haproxy-uwsgi-flask-http"
HAPROXY_ASGI = "haproxy-hypercorn-django-asgi"
APACHE_UWSGI = "apache-uwsgi-flask"
STATIC_FILES = ("hello.txt", "style.css", "app.js", "data.json", "pixel.png")
IDLE = "test_websocket.py::test_idle_connection_survives_declared_idle_time"
IDLE_CUT = r"after 4s idle: 'closed: "
MALFORMED = "test_security.py::test_malformed_request_gets_4xx"

APACHE: tuple[Variant, ...] = (
    Variant(
        name="apache-hsts-not-always",
        base=APACHE_TLS,
        misconfiguration="`Header set` instead of `Header always set`: Apache's own error "
        "answers (413) carry no HSTS",
        edit=("Header always set Strict-", "Header set Strict-"),
        catches=(
            Catch(
                "test_tls.py::test_hsts_on_every_response[/upload]",
                r"/upload answered 413 with HSTS None",
            ),
        ),
    ),
    Variant(
        name="apache-no-forwarded-proto",
        base=APACHE_TLS,
        misconfiguration="no `RequestHeader set X-Forwarded-Proto`: the app believes http",
        edit=('    RequestHeader set X-Forwarded-Proto "https"\n', ""),
        catches=catching(
            r"app saw scheme 'http', is_secure False",
            "test_forwarding.py::test_forwarded_proto_reaches_app",
            "test_tls.py::test_app_sees_https_and_marks_cookies_secure",
        ),
    ),
    Variant(
        name="apache-static-proxied-to-app",
        base=APACHE_ASGI,
        misconfiguration="no `ProxyPass /static/ !`: static files go to the app",
        edit=("    ProxyPass /static/ !\n", ""),
        catches=catching(
            r"/static/\S+ got 404, .*X-Instance 'app-\d'",
            *cases_of("test_static.py::test_static_file_is_served_by_proxy", STATIC_FILES),
        ),
    ),
    Variant(
        name="apache-websocket-through-http-route",
        base=APACHE_ASGI,
        misconfiguration="no `ProxyPass /ws/` of its own: WebSockets go to the HTTP "
        "balancer, whose members lack upgrade=websocket: the app answers the handshake 404",
        edit=("    ProxyPass /ws/ balancer://ws/\n", ""),
        catches=(
            Catch("test_websocket.py::test_upgrade_answers_101", "/ws/echo handshake answered 404"),
        ),
    ),
)

APACHE += (
    Variant(
        name="apache-unsafe-http-protocol",
        base=APACHE_UWSGI,
        misconfiguration="HttpProtocolOptions Unsafe (for a legacy client): Apache forwards "
        "a request whose method is not a token",
        edit=("TraceEnable Off\n", "TraceEnable Off\nHttpProtocolOptions Unsafe\n"),
        catches=(
            Catch(f"{MALFORMED}[invalid-method]", r"invalid-method got 'HTTP/1\.1 200 OK', X-In"),
        ),
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
        catches=(
            Catch(f"{MALFORMED}[nul-in-header]", r"nul-in-header got 'HTTP/1\.1 200 OK', X-In"),
        ),
    ),
    Variant(
        name="haproxy-no-forwardfor",
        base=HAPROXY_UWSGI,
        misconfiguration="no X-Forwarded-For from HAProxy: the app sees HAProxy's address as the "
        "client",
        edit=("    http-request set-header X-Forwarded-For %[src]\n", ""),
        catches=(
            Catch(
                "test_forwarding.py::test_client_address_reaches_app",
                r"app saw client '[\d.]+', the proxy saw '[\d.]+'",
            ),
        ),
    ),
    Variant(
        name="haproxy-tunnel-timeout-short",
        base=HAPROXY_ASGI,
        misconfiguration="timeout tunnel 1s: idle WebSockets are cut before the declared 5 s",
        edit=("    timeout tunnel 5s\n", "    timeout tunnel 1s\n"),
        catches=(Catch(IDLE, IDLE_CUT),),
    ),
)

PROXIES: tuple[Variant, ...] = APACHE + HAPROXY
