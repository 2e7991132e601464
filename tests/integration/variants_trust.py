"""Broken variants of the trust layer: a server that distrusts the proxy it should trust, one
that trusts it while the app also does, a proxy that rewrites Host, and an edge proxy that
appends to a client's X-Forwarded-For in front of a server that reads the leftmost entry."""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant, catching

FORWARDING = "test_forwarding.py::"
UVICORN_SERVER_LAYER = "nginx-uvicorn-django-asgi-tls"  # trust = server
GUNICORN_APP_LAYER_TLS = "apache-gunicorn-gthread-django-tls"  # trust = app
GUNICORN_APP_LAYER = "nginx-gunicorn-gthread-flask"  # trust = app

TRUST: tuple[Variant, ...] = (
    Variant(
        name="uvicorn-distrusts-its-proxy",
        base=UVICORN_SERVER_LAYER,
        misconfiguration="trust = server, but uvicorn --forwarded-allow-ips 127.0.0.1: the "
        "proxy's X-Forwarded-* are ignored",
        file="args",
        edit=("*", "127.0.0.1"),
        catches=(
            Catch(
                f"{FORWARDING}test_forwarded_headers_are_applied_by_the_declared_layer_only",
                r"trust = server, but the server gave the app",
            ),
            Catch(
                f"{FORWARDING}test_client_address_reaches_app",
                r"app saw client '.*', the "
                r"proxy saw",
            ),
            Catch(f"{FORWARDING}test_forwarded_proto_reaches_app", r"app saw scheme 'http'"),
        ),
    ),
    Variant(
        name="gunicorn-trusts-proxy-under-app-layer",
        base=GUNICORN_APP_LAYER_TLS,
        misconfiguration='trust = app, but gunicorn forwarded_allow_ips = "*": both layers '
        "apply X-Forwarded-Proto",
        file="server",
        edit=('forwarded_allow_ips = "127.0.0.1"', 'forwarded_allow_ips = "*"'),
        catches=catching(
            r"trust = app, but the server already applied",
            f"{FORWARDING}test_forwarded_headers_are_applied_by_the_declared_layer_only",
        ),
    ),
    Variant(
        name="nginx-host-without-port",
        base=GUNICORN_APP_LAYER,
        misconfiguration="proxy_set_header Host $host: the Host header loses the public port "
        "(the app layer's X-Forwarded-Host hides it from Flask, not from a default Django)",
        edit=(
            "            proxy_set_header Host $http_host;\n",
            "            proxy_set_header Host $host;\n",
        ),
        catches=catching(
            r"the app received Host '127\.0\.0\.1', the client sent '127\.0\.0\.1:\d+'",
            f"{FORWARDING}test_host_header_reaches_app_as_the_client_sent_it",
        ),
    ),
    Variant(
        name="nginx-appends-client-forwarded-for",
        base=UVICORN_SERVER_LAYER,
        misconfiguration="$proxy_add_x_forwarded_for at the edge, in front of uvicorn trusting "
        "the proxy: uvicorn takes the leftmost entry, which the client wrote",
        edit=(
            "            proxy_set_header X-Forwarded-For $remote_addr;\n",
            "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n",
        ),
        catches=catching(
            r"app trusted the client's 203\.0\.113\.66",
            f"{FORWARDING}test_client_supplied_forwarded_for_is_not_client_address",
        ),
    ),
)
