"""Broken variants of the trust layer: a server that distrusts the proxy it should trust, one
that trusts it while the app also does, a proxy that rewrites Host, and an edge proxy that
appends to a client's X-Forwarded-For in front of a server that reads the leftmost entry."""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant, catching

FORWARDING = "test_forwarding.py::"
UVICORN_SERVER_LAYER = "nginx-uvicorn-django-asgi-tls"  # trust = server
GUNICORN_APP_LAYER_TLS = "apache-gunicorn-gthread-django-tls"  # trust = app
GUNICORN_APP_LAYER = "nginx-gunicorn-gthread-flask"  # trust = app
HAPROXY_APP_LAYER = "haproxy-gunicorn-gthread-flask"  # trust = app
FORGED = FORWARDING + "test_client_forwarded_header_changes_nothing"
CHANGED = r"a client's own {header}: {value} changed what the app believes: .*'{belief}'"


def forged(name: str, header: str, value: str, belief: str) -> tuple[Catch, ...]:
    """The case for `name` fails: the client's own header changed the app's `belief`."""
    return (Catch(f"{FORGED}[{name}]", CHANGED.format(header=header, value=value, belief=belief)),)


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
        evidence="https://github.com/xr843/fojin/pull/545",
        edit=(
            "            proxy_set_header X-Forwarded-For $remote_addr;\n",
            "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n",
        ),
        catches=catching(
            r"app trusted the client's 203\.0\.113\.66",
            f"{FORWARDING}test_client_supplied_forwarded_for_is_not_client_address",
        ),
    ),
    Variant(
        name="nginx-passes-client-forwarded-proto",
        base=GUNICORN_APP_LAYER,
        misconfiguration="proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto (as "
        "behind a load balancer) at the edge: a client on plain HTTP says https",
        evidence="https://github.com/aptible/docker-nginx/pull/69",
        edit=(
            "proxy_set_header X-Forwarded-Proto $scheme;",
            "proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;",
        ),
        catches=forged("x-forwarded-proto", "X-Forwarded-Proto", "https", "scheme"),
    ),
    Variant(
        name="haproxy-forwarded-proto-only-over-tls",
        base=HAPROXY_APP_LAYER,
        misconfiguration="X-Forwarded-Proto set only `if { ssl_fc }`: on plain HTTP the "
        "client's own passes",
        evidence="https://github.com/docker-archive/dockercloud-haproxy/issues/152",
        edit=(
            "    http-request set-header X-Forwarded-Proto http\n",
            "    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n",
        ),
        catches=forged("x-forwarded-proto", "X-Forwarded-Proto", "https", "scheme"),
    ),
    Variant(
        name="gunicorn-default-secure-scheme-headers",
        base=GUNICORN_APP_LAYER,
        fields={"trust": "server"},
        misconfiguration="gunicorn's default secure_scheme_headers, which also read "
        "X-Forwarded-Ssl and X-Forwarded-Protocol, headers the proxy never sets: a client's "
        "own contradicts the proxy's X-Forwarded-Proto and gets 400",
        evidence="https://github.com/benoitc/gunicorn/issues/2350",
        file="server",
        edit=('secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}\n', ""),
        catches=catching(
            r"a client's own X-Forwarded-(Ssl: on|Protocol: ssl) got 400",
            f"{FORGED}[x-forwarded-ssl]",
            f"{FORGED}[x-forwarded-protocol]",
        ),
    ),
    Variant(
        name="nginx-passes-client-forwarded-port",
        base=GUNICORN_APP_LAYER,
        misconfiguration='no proxy_set_header X-Forwarded-Port "": the client\'s own reaches '
        "ProxyFix (x_port), and the app builds URLs on its port",
        edit=('            proxy_set_header X-Forwarded-Port "";\n', ""),
        catches=forged("x-forwarded-port", "X-Forwarded-Port", "9999", "url"),
    ),
    Variant(
        name="haproxy-passes-client-forwarded-port",
        base=HAPROXY_APP_LAYER,
        misconfiguration="no http-request del-header X-Forwarded-Port: the client's own reaches "
        "ProxyFix (x_port)",
        edit=("    http-request del-header X-Forwarded-Port\n", ""),
        catches=forged("x-forwarded-port", "X-Forwarded-Port", "9999", "url"),
    ),
    Variant(
        name="nginx-real-ip-from-anyone",
        base=GUNICORN_APP_LAYER,
        misconfiguration="set_real_ip_from 0.0.0.0/0 with real_ip_header X-Real-IP: any "
        "client names its own address",
        evidence="https://github.com/makeplane/plane/pull/8935",
        edit=(
            "        absolute_redirect off;\n",
            "        absolute_redirect off;\n        set_real_ip_from 0.0.0.0/0;\n"
            "        real_ip_header X-Real-IP;\n",
        ),
        catches=forged("x-real-ip", "X-Real-IP", "203.0.113.77", "remote_addr"),
    ),
)
