"""Every broken variant, gathered from one module per group of scenario families.

See variant_model.py for what a variant is and how it is built.
"""

from __future__ import annotations

from tests.integration.variant_model import Variant
from tests.integration.variants_edge import EDGE
from tests.integration.variants_fleet import FLEET
from tests.integration.variants_proxies import PROXIES

GUNICORN = "nginx-gunicorn-gthread-flask"
UWSGI = "nginx-uwsgi-flask"

CORE: tuple[Variant, ...] = (
    Variant(
        name="nginx-no-host-headers",
        base=GUNICORN,
        misconfiguration="nginx passes neither Host nor X-Forwarded-Host",
        edit=(
            "            proxy_set_header Host $http_host;\n"
            "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "            proxy_set_header X-Forwarded-Proto $scheme;\n"
            "            proxy_set_header X-Forwarded-Host $http_host;\n",
            "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "            proxy_set_header X-Forwarded-Proto $scheme;\n",
        ),
        catches=(
            "test_forwarding.py::test_forwarded_host_reaches_app",
            "test_forwarding.py::test_redirect_uses_public_host_and_port",
        ),
    ),
    Variant(
        name="nginx-no-forwarded-for",
        base=GUNICORN,
        misconfiguration="nginx does not send X-Forwarded-For",
        edit=("            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n", ""),
        catches=("test_forwarding.py::test_client_address_reaches_app",),
    ),
    Variant(
        name="nginx-hardcoded-https-proto",
        base=GUNICORN,
        misconfiguration="X-Forwarded-Proto hard-coded to https on a plain-HTTP proxy",
        edit=(
            "proxy_set_header X-Forwarded-Proto $scheme;",
            "proxy_set_header X-Forwarded-Proto https;",
        ),
        catches=("test_forwarding.py::test_forwarded_proto_reaches_app",),
    ),
    Variant(
        name="app-trusts-two-proxy-hops",
        base=GUNICORN,
        misconfiguration="the app trusts two proxy hops behind one proxy",
        env={"HARNESS_PROXY_HOPS": "2"},
        catches=("test_forwarding.py::test_client_supplied_forwarded_for_is_not_client_address",),
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
            f"test_correctness.py::test_methods_reach_app[{m}]"
            for m in ("PUT", "PATCH", "DELETE", "OPTIONS")
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
        catches=("test_correctness.py::test_head_reaches_app_as_head",),
    ),
    Variant(
        name="nginx-proxy-pass-uri-variable",
        base=GUNICORN,
        misconfiguration="proxy_pass http://app$uri: drops the query, passes the path decoded",
        edit=("proxy_pass http://app;", "proxy_pass http://app$uri;"),
        catches=(
            "test_correctness.py::test_query_string_keeps_percent_encoding_and_utf8",
            "test_correctness.py::test_path_keeps_percent_encoding_and_utf8",
        ),
    ),
    Variant(
        name="nginx-small-body-limit",
        base=GUNICORN,
        misconfiguration="client_max_body_size 512k, below the 1 MiB bodies the app takes",
        edit=("client_max_body_size 10485760;", "client_max_body_size 512k;"),
        catches=(
            "test_correctness.py::test_request_body_reaches_app_intact",
            "test_correctness.py::test_chunked_request_body_reaches_app_intact",
        ),
    ),
    Variant(
        name="nginx-no-keepalive",
        base=GUNICORN,
        misconfiguration="keepalive_timeout 0: every response closes the connection",
        edit=("keepalive_timeout 5s;", "keepalive_timeout 0;"),
        catches=("test_correctness.py::test_keep_alive_serves_several_requests_on_one_connection",),
    ),
    Variant(
        name="nginx-refuses-http-1-0",
        base=GUNICORN,
        misconfiguration="a rule that refuses HTTP/1.0 clients (e.g. old health checkers)",
        edit=(
            "        location / {\n",
            '        if ($server_protocol = "HTTP/1.0") { return 505; }\n        location / {\n',
        ),
        catches=("test_correctness.py::test_http_1_0_request_is_answered",),
    ),
)


VARIANTS: tuple[Variant, ...] = CORE + EDGE + FLEET + PROXIES
