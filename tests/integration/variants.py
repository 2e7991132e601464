"""Every broken variant, gathered from one module per group of scenario families, and the
scenario cases no variant can fail, each with the reason.

See variant_model.py for what a variant is and how it is built. Every scenario case is caught
by a variant or waived here (tests/unit/test_every_scenario_can_fail.py checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tests.integration.variant_model import Catch, Variant
from tests.integration.variants_cache import CACHE
from tests.integration.variants_caddy import CADDY_VARIANTS
from tests.integration.variants_edge import EDGE
from tests.integration.variants_fleet import FLEET
from tests.integration.variants_framing import FRAMING, FRAMING_WAIVERS
from tests.integration.variants_guides import GUIDES
from tests.integration.variants_http2 import CRUMBS_APART, HTTP2, HTTP2_WAIVERS
from tests.integration.variants_operator import OPERATOR
from tests.integration.variants_pki import PKI
from tests.integration.variants_prefix import PREFIXED
from tests.integration.variants_proxies import PROXIES
from tests.integration.variants_trust import TRUST

GUNICORN = "nginx-gunicorn-gthread-flask"
UWSGI = "nginx-uwsgi-flask"
METHODS_REACH_APP = "test_correctness.py::test_methods_reach_app"
METHODS = ("POST", "PUT", "PATCH", "DELETE", "OPTIONS")

CORE: tuple[Variant, ...] = (
    Variant(
        name="nginx-no-host-headers",
        base=GUNICORN,
        misconfiguration="nginx passes neither Host nor X-Forwarded-Host",
        edit=(
            "            proxy_set_header Host $http_host;\n"
            "            proxy_set_header X-Forwarded-For $remote_addr;\n"
            "            proxy_set_header X-Forwarded-Proto $scheme;\n"
            "            proxy_set_header X-Forwarded-Host $http_host;\n",
            "            proxy_set_header X-Forwarded-For $remote_addr;\n"
            "            proxy_set_header X-Forwarded-Proto $scheme;\n",
        ),
        # The app refuses Host `app` (nginx's default, the upstream's name) with 400, so
        # /echo answers no JSON for test_forwarded_host_reaches_app to read.
        catches=(Catch("test_forwarding.py::test_redirect_uses_public_host_and_port", "gave 400"),),
    ),
    Variant(
        name="nginx-forwarded-host-without-port",
        base=GUNICORN,
        misconfiguration="X-Forwarded-Host $host (not $http_host): the public port is lost",
        edit=(
            "proxy_set_header X-Forwarded-Host $http_host;",
            "proxy_set_header X-Forwarded-Host $host;",
        ),
        catches=(
            Catch(
                "test_forwarding.py::test_forwarded_host_reaches_app",
                r"app saw host '127\.0\.0\.1', not '127\.0\.0\.1:\d+'",
            ),
            Catch(
                "test_forwarding.py::test_redirect_uses_public_host_and_port",
                r"Location 'http://127\.0\.0\.1/echo\?redirected=1', expected "
                r"'http://127\.0\.0\.1:\d+/echo",
            ),
        ),
    ),
    Variant(
        name="nginx-no-forwarded-for",
        base=GUNICORN,
        misconfiguration="nginx does not send X-Forwarded-For",
        edit=("            proxy_set_header X-Forwarded-For $remote_addr;\n", ""),
        catches=(
            Catch(
                "test_forwarding.py::test_client_address_reaches_app",
                r"app saw client '[\d.]+', the proxy saw '[\d.]+'",
            ),
        ),
    ),
    Variant(
        name="nginx-hardcoded-https-proto",
        base=GUNICORN,
        misconfiguration="X-Forwarded-Proto hard-coded to https on a plain-HTTP proxy",
        edit=(
            "proxy_set_header X-Forwarded-Proto $scheme;",
            "proxy_set_header X-Forwarded-Proto https;",
        ),
        catches=(
            Catch(
                "test_forwarding.py::test_forwarded_proto_reaches_app",
                r"app saw scheme 'https', is_secure True",
            ),
        ),
    ),
    Variant(
        name="app-trusts-two-proxy-hops",
        base=GUNICORN,
        misconfiguration="the app trusts two proxy hops behind one proxy",
        env={"HARNESS_PROXY_HOPS": "2"},
        catches=(
            Catch(
                "test_forwarding.py::test_client_supplied_forwarded_for_is_not_client_address",
                # The edge proxy replaces X-Forwarded-For: one entry, where the app wants two.
                r"app saw '[\d.]+', proxy saw '[\d.]+'",
            ),
        ),
    ),
    Variant(
        name="nginx-method-allow-list",
        base=GUNICORN,
        misconfiguration="nginx allows only GET and POST (limit_except)",
        edit=(
            "            proxy_pass http://app;\n",
            "            proxy_pass http://app;\n            limit_except GET POST { deny all; }\n",
        ),
        catches=tuple(
            Catch(f"{METHODS_REACH_APP}[{method}]", f"{method} /echo gave 403")
            for method in ("PUT", "PATCH", "DELETE", "OPTIONS")
        ),
    ),
    Variant(
        name="nginx-head-as-get",
        base=GUNICORN,
        misconfiguration="nginx turns every upstream request into GET (proxy_method GET)",
        edit=(
            "            proxy_pass http://app;\n",
            "            proxy_pass http://app;\n            proxy_method GET;\n",
        ),
        catches=(
            Catch(
                "test_correctness.py::test_head_reaches_app_as_head",
                r"the app saw \['GET'\] for HEAD /echo/",
            ),
            *(Catch(f"{METHODS_REACH_APP}[{method}]", "app saw GET$") for method in METHODS),
        ),
    ),
    Variant(
        name="nginx-proxy-pass-uri-variable",
        base=GUNICORN,
        misconfiguration="proxy_pass http://app$uri: drops the query, passes the path decoded",
        edit=("proxy_pass http://app;", "proxy_pass http://app$uri;"),
        catches=(
            Catch(
                "test_correctness.py::test_query_string_keeps_percent_encoding_and_utf8",
                r"app saw ''",
            ),
            Catch("test_correctness.py::test_path_keeps_percent_encoding_and_utf8", r"got 400"),
        ),
    ),
    Variant(
        name="nginx-small-body-limit",
        base=GUNICORN,
        misconfiguration="client_max_body_size 512k, below the 1 MiB bodies the app takes",
        edit=("client_max_body_size 1048576;", "client_max_body_size 512k;"),
        catches=(
            Catch("test_correctness.py::test_request_body_reaches_app_intact", "upload gave 413"),
            Catch(
                "test_correctness.py::test_chunked_request_body_reaches_app_intact",
                "chunked upload gave 413",
            ),
        ),
    ),
    Variant(
        name="nginx-no-keepalive",
        base=GUNICORN,
        misconfiguration="keepalive_timeout 0: every response closes the connection",
        edit=("keepalive_timeout 5s;", "keepalive_timeout 0;"),
        catches=(
            Catch(
                "test_correctness.py::test_keep_alive_serves_several_requests_on_one_connection",
                "proxy closed the connection after request 1$",
            ),
        ),
    ),
    Variant(
        name="nginx-refuses-http-1-0",
        base=GUNICORN,
        misconfiguration="a rule that refuses HTTP/1.0 clients (e.g. old health checkers)",
        edit=(
            "        location / {\n",
            '        if ($server_protocol = "HTTP/1.0") { return 505; }\n        location / {\n',
        ),
        catches=(
            Catch(
                "test_correctness.py::test_http_1_0_request_is_answered",
                r"HTTP/1\.0 got 'HTTP/1\.1 505 ",
            ),
        ),
    ),
)


VARIANTS: tuple[Variant, ...] = (
    CORE
    + EDGE
    + FLEET
    + PROXIES
    + CADDY_VARIANTS
    + TRUST
    + PKI
    + OPERATOR
    + CACHE
    + FRAMING
    + PREFIXED
    + GUIDES
    + HTTP2
    + CRUMBS_APART
)


TRAVERSAL = "test_static.py::test_static_traversal_serves_no_file"
# Tried: nginx 1.22 with `location /static` (no slash) and merge_slashes off, Apache 2.4.68
# with AllowEncodedSlashes On and `Alias /static`, HAProxy 2.6 with `set-path %[path,url_dec]`
# before the Lua service, uWSGI 2.0.30 with `static-map` behind HAProxy in mode tcp.
_REFUSED_ABOVE_ROOT = (
    "A path above /: nginx 1.22 decodes %2E and %2F and removes dot segments while parsing "
    "the request, answering 400 before any location applies; Apache 2.4 does so for %2E "
    "(400), and answers an encoded slash with 404 (with AllowEncodedSlashes On it decodes "
    "and normalizes again); HAProxy forwards the path as is, but its file server here, the "
    "Lua service "
    "(haproxy-static.lua, which a stack file cannot replace), decodes and then refuses any "
    "`..` segment, and uWSGI's static-map serves only what resolves (realpath) inside its "
    "folder. Tried with every slip above: 400 or 404. No config of these images serves it."
)
WAIVERS: Mapping[str, str] = MappingProxyType(
    {
        f"{TRAVERSAL}[/static../etc/passwd]": (
            "The one slip that lets `/static../` through, a prefix without its slash in front "
            "of the folder (nginx `location /static` with `alias /srv/static/`, uWSGI "
            "`static-map = /static=...`), maps it to the folder's parent, and the static "
            "folder here is /srv/static: /srv/etc/passwd exists on no image (tried: 404). The "
            "case guards a folder right under / (`alias /static/`); on these images "
            "`/static../static/hello.txt` is the one that fails (nginx-static-off-by-slash)."
        ),
        f"{TRAVERSAL}[/static/../../etc/passwd]": _REFUSED_ABOVE_ROOT,
        f"{TRAVERSAL}[/static/%2e%2e/%2e%2e/etc/passwd]": _REFUSED_ABOVE_ROOT,
        f"{TRAVERSAL}[/static/..%2f..%2f..%2fetc/passwd]": _REFUSED_ABOVE_ROOT,
        f"{TRAVERSAL}[/static/%252e%252e/%252e%252e/etc/passwd]": (
            "Encoded twice, it reaches a file only through a second decoding, and nothing here "
            "decodes a path twice: nginx, Apache, uWSGI and the Lua service decode once and "
            "look for a folder literally named `%2e%2e` (404); HAProxy's "
            "`http-request set-path %[path,url_dec]` in front of the Lua service makes a "
            "second decoding, but the service refuses the `..` it yields (tried: 404)."
        ),
        "test_tls.py::test_certificate_matches_site_name[127.0.0.1]": (
            "A client that connects by address sends no SNI, and the stack's readiness check "
            "(harness/run/stack.py) is such a client: it fetches https://127.0.0.1:<port>/health "
            "verifying the test CA and the address. A certificate that fails this case fails "
            "readiness, so the stack never starts: an error, never a failed case."
        ),
        **FRAMING_WAIVERS,
        **HTTP2_WAIVERS,
    }
)
