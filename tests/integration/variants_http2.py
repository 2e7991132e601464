"""Broken variants of the HTTP/2 family and of the h2c guarantee, and the HTTP/2 cases no
config of a shipped proxy can fail, with the reason.

The protocol axis adds no assertion of its own: a `-h2` case runs its scenario's assertions
over HTTP/2, so the variant that fails the HTTP/1.1 case proves those assertions can fail
(tests/unit/test_every_scenario_can_fail.py counts it so). What fails only over HTTP/2 is on
record as known incompatibilities (harness/known/incompatibilities.py, `[h2]` cases).
"""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant
from tests.integration.variants_fleet import WS_TIMEOUTS
from tests.integration.variants_proxies import HAPROXY_ASGI

NGINX_TLS = "nginx-uvicorn-django-asgi-tls"
CADDY = "caddy-uvicorn-django-asgi-tls"
H3_SERVED = "test_tls.py::test_http3_is_served_where_offered"
H2C = "test_security.py::test_h2c_upgrade_is_never_forwarded"
FORBIDDEN = "test_http2.py::test_connection_specific_field_never_reaches_app"
WEBSOCKET_ON_H2 = "test_http2.py::test_websocket_works_for_a_client_on_http2"
COOKIES = "test_http2.py::test_cookie_crumbs_reach_app_as_one_cookie_header"
DOWNGRADE = "test_http2.py::test_downgrade_probe_reaches_app_as_stated_or_not_at_all"

NGINX_GRANIAN = "nginx-granian-asgi-django-cache-least-conn"
EVERY_UPGRADE = (
    "the WebSocket copy-paste on every location: `proxy_set_header Upgrade $http_upgrade; "
    "proxy_set_header Connection $connection_upgrade` with `map $http_upgrade "
    "$connection_upgrade { default upgrade; }`"
)
PASS_EVERY_UPGRADE = (
    "    map $http_upgrade $upgrade_websocket {\n"
    "        ~*^websocket$ websocket;\n"
    '        default       "";\n'
    "    }\n"
    "    map $upgrade_websocket $connection_upgrade {\n"
    "        websocket upgrade;\n"
    '        default   "";\n'
    "    }",
    "    map $http_upgrade $upgrade_websocket {\n"
    "        default $http_upgrade;\n"
    "    }\n"
    "    map $http_upgrade $connection_upgrade {\n"
    "        default upgrade;\n"
    '        ""      "";\n'
    "    }",
)

HTTP2: tuple[Variant, ...] = (
    Variant(
        name="nginx-passes-every-upgrade",
        base=NGINX_TLS,
        misconfiguration=EVERY_UPGRADE,
        edit=PASS_EVERY_UPGRADE,
        catches=(Catch(f"{FORBIDDEN}[upgrade]", r"upgrade: h2c over h2 reached the app as 'h2c'"),),
    ),
    Variant(
        name="nginx-passes-every-upgrade-to-granian",
        base=NGINX_GRANIAN,
        misconfiguration=EVERY_UPGRADE + ", in front of granian, which speaks h2c",
        edit=PASS_EVERY_UPGRADE,
        catches=(
            Catch(
                H2C,
                r"(the server switched to h2c|the server was asked to switch: Upgrade 'h2c')",
            ),
        ),
    ),
    Variant(
        name="nginx-passes-proxy-connection",
        base=NGINX_TLS,
        misconfiguration='no `proxy_set_header Proxy-Connection ""`: nginx passes the field '
        "on from HTTP/2 requests",
        edit=('            proxy_set_header Proxy-Connection "";\n', ""),
        every=True,
        catches=(
            Catch(
                f"{FORBIDDEN}[proxy-connection]",
                r"proxy-connection: h2c over h2 reached the app as 'h2c'",
            ),
        ),
    ),
    Variant(
        name="haproxy-passes-h2c-upgrade",
        base=HAPROXY_ASGI,
        misconfiguration="no `http-request del-header Upgrade` (nor Connection) for upgrades "
        "other than websocket, in front of hypercorn, which speaks h2c",
        edit=(
            "    http-request del-header Connection if foreign_upgrade !websocket_upgrade\n"
            "    http-request del-header Upgrade if foreign_upgrade !websocket_upgrade\n",
            "",
        ),
        catches=(Catch(H2C, r"got 'HTTP/1\.1 101 ?\w*': the server switched to h2c"),),
    ),
    Variant(
        name="nginx-tls-ws-no-upgrade-headers",
        base=NGINX_TLS,
        misconfiguration="the /ws/ location does not pass Upgrade and Connection upstream: "
        "nginx has no RFC 8441, so a browser on HTTP/2 opens its WebSocket over HTTP/1.1, "
        "where the upgrade then fails",
        edit=(
            "            proxy_set_header Upgrade $upgrade_websocket;\n"
            "            proxy_set_header Connection $connection_upgrade;\n" + WS_TIMEOUTS,
            WS_TIMEOUTS,
        ),
        catches=(
            Catch(
                WEBSOCKET_ON_H2,
                r"no RFC 8441 on HTTP/2, and a WebSocket over a separate HTTP/1\.1 "
                r"connection \(ALPN http/1\.1\) failed",
            ),
        ),
    ),
)

# Caddy speaking HTTP/2 to an ASGI server, in a config of its own (a known incompatibility
# when the stack declares protocol = "h2c"; here the stack says http, so the case is plain).
CADDY_GRANIAN_TLS = "caddy-granian-asgi-django-tls"
CRUMBS_APART: tuple[Variant, ...] = (
    Variant(
        name="caddy-no-http3",
        base=CADDY,
        misconfiguration="`protocols h1 h2` in the servers options: the stack still says it "
        "offers HTTP/3 (its kit), and Caddy no longer serves it",
        edit=("\t\tprotocols h1 h2 h3\n", "\t\tprotocols h1 h2\n"),
        catches=(Catch(H3_SERVED, r"no HTTP/3 answer on UDP port \d+"),),
    ),
    Variant(
        name="caddy-h2c-to-asgi-crumbs-apart",
        base=CADDY_GRANIAN_TLS,
        misconfiguration="`versions h2c` in reverse_proxy's transport, to granian's ASGI: "
        "Caddy passes cookie crumbs on as separate fields, which reach the app apart",
        edit=("\t\t\t\ttransport http {\n", "\t\t\t\ttransport http {\n\t\t\t\t\tversions h2c\n"),
        every=True,
        catches=(Catch(COOKIES, r"reached the app as Cookie 'a=1, b=2, session=x y'"),),
    ),
)

_HTTP2_LAYER = (
    "every shipped proxy's HTTP/2 layer refuses the request or repairs it before any config "
    "applies (nginx 1.22, Apache 2.4 mod_http2, HAProxy 2.6 and 3.0, Caddy 2.6, seen "
    "2026-12-07): no config of theirs can pass it on; the case guards your own proxy and "
    "other versions"
)
HTTP2_WAIVERS = {
    f"{FORBIDDEN}[connection]": _HTTP2_LAYER,
    f"{FORBIDDEN}[keep-alive]": _HTTP2_LAYER,
    **{
        f"{DOWNGRADE}[{name}]": _HTTP2_LAYER
        for name in (
            "h2-cl-short",
            "h2-cl-zero",
            "h2-cl-long",
            "h2-te-chunked",
            "h2-crlf-in-value",
            "h2-crlf-in-name",
            "h2-colon-in-name",
            "h2-crlf-in-path",
        )
    },
}
