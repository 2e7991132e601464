"""Broken variants of the Caddy stack: each changes one line of the Caddyfile the harness
renders, as a user might, and the scenarios that run on Caddy catch it for its reason."""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant, cases_of, catching

CADDY = "caddy-uvicorn-django-asgi-tls"
STATIC_FILES = ("hello.txt", "style.css", "app.js", "data.json", "pixel.png")

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
)
