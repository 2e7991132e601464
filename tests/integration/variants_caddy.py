"""Broken variants of the Caddy stack: each changes one line of the Caddyfile the harness
renders, as a user might, and the scenarios that run on Caddy catch it for its reason."""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant, cases_of, catching

CADDY = "caddy-uvicorn-django-asgi-tls"
STATIC_FILES = ("hello.txt", "style.css", "app.js", "data.json", "pixel.png")
LIMITS = "test_limits.py::"
IDLE = "test_websocket.py::test_idle_connection_survives_declared_idle_time"

CADDY_VARIANTS: tuple[Variant, ...] = (
    Variant(
        name="caddy-passes-client-forwarded-for",
        base=CADDY,
        misconfiguration="`header_up X-Forwarded-For {http.request.header.X-Forwarded-For}`: "
        "the client's own X-Forwarded-For goes on in place of the one Caddy set",
        edit=(
            "\t\t\t\theader_up X-Real-IP {remote_host}\n",
            "\t\t\t\theader_up X-Real-IP {remote_host}\n"
            "\t\t\t\theader_up X-Forwarded-For {http.request.header.X-Forwarded-For}\n",
        ),
        every=True,
        catches=(
            Catch(
                "test_forwarding.py::test_client_supplied_forwarded_for_is_not_client_address",
                r"app trusted the client's 203\.0\.113\.66",
            ),
        ),
    ),
    Variant(
        name="caddy-no-hsts",
        base=CADDY,
        misconfiguration="no `header Strict-Transport-Security` in the TLS site",
        edit=('\theader Strict-Transport-Security "max-age=63072000"\n', ""),
        catches=(
            Catch(
                "test_tls.py::test_hsts_on_every_response[/echo]",
                r"/echo answered 200 with HSTS None",
            ),
        ),
    ),
    Variant(
        name="caddy-static-proxied-to-app",
        base=CADDY,
        misconfiguration="the static files' handle_path names another path: /static/ goes "
        "to the app",
        edit=("\t\thandle_path /static/* {\n", "\t\thandle_path /assets/* {\n"),
        catches=catching(
            r"/static/\S+ got 404, .*X-Instance 'app-\d'",
            *cases_of("test_static.py::test_static_file_is_served_by_proxy", STATIC_FILES),
        ),
    ),
    Variant(
        name="caddy-body-limit-by-request-body-only",
        base=CADDY,
        misconfiguration="no `respond @too_large 413`: request_body alone lets a declared "
        "body over the limit start on its way to the app",
        edit=("\t\t\trespond @too_large 413\n", ""),
        catches=(
            Catch(
                "test_limits.py::test_body_over_declared_maximum_gets_413_from_proxy"
                "[content-length]",
                r"1048577-byte content-length body got (?!413)",
            ),
        ),
    ),
    Variant(
        name="caddy-no-gzip",
        base=CADDY,
        misconfiguration="`encode zstd` only: a client asking for gzip gets text uncompressed",
        edit=("\tencode gzip {\n", "\tencode zstd {\n"),
        catches=(
            Catch(
                "test_compression.py::test_text_is_gzipped_when_the_client_accepts_it",
                r"not compressed",
            ),
        ),
    ),
    Variant(
        name="caddy-long-response-header-timeout",
        base=CADDY,
        misconfiguration="response_header_timeout 30s: a slow answer is waited for long "
        "past the declared proxy_read",
        edit=("response_header_timeout 3s", "response_header_timeout 30s"),
        every=True,
        catches=(
            Catch(
                LIMITS + "test_request_past_proxy_read_timeout_gets_timeout_status[GET]",
                r"GET got 200 after [\d.]+ s \(bound",
            ),
        ),
    ),
    Variant(
        name="caddy-small-request-head",
        base=CADDY,
        misconfiguration="max_header_size 4096: a header line of the declared maximum is "
        "refused by Caddy itself",
        edit=("max_header_size 32768", "max_header_size 4096"),
        catches=(
            Catch(
                LIMITS + "test_header_line_at_declared_maximum_passes",
                "8192-byte header line got 431 ",
            ),
        ),
    ),
    Variant(
        name="caddy-small-response-head",
        base=CADDY,
        misconfiguration="max_response_header 4096: a session cookie and a CSP header "
        "together get 502",
        edit=("max_response_header 8192", "max_response_header 4096"),
        every=True,
        catches=(
            Catch(
                LIMITS + "test_response_head_of_declared_size_reaches_client",
                r"/headers\?size=3584 \(a 7168-byte X-Large and cookie\) got 50[02]",
            ),
        ),
    ),
    Variant(
        name="caddy-first-available-policy",
        base=CADDY,
        misconfiguration="lb_policy first: every request goes to the first replica that is up",
        edit=("lb_policy round_robin", "lb_policy first"),
        every=True,
        catches=(
            Catch(
                "test_balancing.py::test_requests_spread_over_replicas",
                r"\['app-2'\] never answered GET /echo",
            ),
        ),
    ),
    Variant(
        name="caddy-redirect-drops-path",
        base=CADDY,
        misconfiguration="the HTTP to HTTPS redirect sends every request to the home page",
        edit=("{{ public_https_port }}{uri} 301", "{{ public_https_port }}/ 301"),
        catches=(
            Catch(
                "test_tls.py::test_plain_http_redirects_to_https_keeping_path_and_query",
                r"http /echo/some/path\?q=1&r=caf%C3%A9 answered 301 to 'https://[^/']+/'",
            ),
        ),
    ),
    Variant(
        name="caddy-websocket-read-timeout-short",
        base=CADDY,
        misconfiguration="read_timeout 1s on the WebSocket route: an idle socket is cut "
        "before the server's ping",
        edit=("read_timeout 5s", "read_timeout 1s"),
        catches=(Catch(IDLE, r"after 4s idle: 'closed: "),),
    ),
)
