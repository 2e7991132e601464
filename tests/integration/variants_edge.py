"""Broken variants for the streaming, limits and timeouts, static, security, host families."""

from __future__ import annotations

from tests.integration.variant_model import Variant

GUNICORN = "nginx-gunicorn-gthread-flask"
UWSGI = "nginx-uwsgi-flask"
HAPROXY_UWSGI = "haproxy-uwsgi-flask-http"
HAPROXY_HYPERCORN = "haproxy-hypercorn-django-asgi"

STATIC_LOCATION = "        location /static/ {\n            alias /srv/static/;\n        }\n"
GZIP = "gzip on; gzip_types text/plain text/event-stream;"


def _family(test_module: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{test_module}::{name}" for name in names)


STREAMING: tuple[Variant, ...] = (
    Variant(
        name="nginx-gzip-buffered-stream",
        base=GUNICORN,
        misconfiguration="proxy_buffering on with gzip for text types: compressed streams wait",
        edit=("proxy_buffering off;", f"proxy_buffering on; {GZIP}"),
        catches=_family(
            "test_streaming.py",
            "test_stream_lines_arrive_incrementally[gzip]",
            "test_sse_events_arrive_incrementally[gzip]",
        ),
    ),
    Variant(
        name="nginx-uwsgi-gzip-buffered-stream",
        base=UWSGI,
        misconfiguration="uwsgi_buffering on with gzip for text types: compressed streams wait",
        edit=("uwsgi_buffering off;", f"uwsgi_buffering on; {GZIP}"),
        catches=_family(
            "test_streaming.py",
            "test_stream_lines_arrive_incrementally[gzip]",
            "test_sse_events_arrive_incrementally[gzip]",
        ),
    ),
    Variant(
        name="haproxy-waits-for-response-body",
        base=HAPROXY_HYPERCORN,
        misconfiguration="http-response wait-for-body (to inspect bodies): every answer is held",
        edit=(
            "    default_backend app\n",
            "    http-response wait-for-body time 10s\n    default_backend app\n",
        ),
        catches=_family(
            "test_streaming.py",
            "test_stream_lines_arrive_incrementally[identity]",
            "test_sse_events_arrive_incrementally[identity]",
        ),
    ),
)

LIMITS: tuple[Variant, ...] = (
    Variant(
        name="nginx-body-limit-decimal-megabytes",
        base=GUNICORN,
        misconfiguration="client_max_body_size 10000000 (10 MB) below the declared 10 MiB",
        edit=("client_max_body_size 10485760;", "client_max_body_size 10000000;"),
        catches=_family("test_limits.py", "test_body_at_declared_maximum_is_accepted"),
    ),
    Variant(
        name="nginx-body-limit-unlimited",
        base=GUNICORN,
        misconfiguration="client_max_body_size 0: no body limit, the app gets any size",
        edit=("client_max_body_size 10485760;", "client_max_body_size 0;"),
        catches=_family("test_limits.py", "test_body_over_declared_maximum_gets_413_from_proxy"),
    ),
    Variant(
        name="nginx-header-buffers-too-small",
        base=UWSGI,
        misconfiguration="large_client_header_buffers 4 4k, below the declared 8 KiB line",
        edit=("large_client_header_buffers 4 8192;", "large_client_header_buffers 4 4k;"),
        catches=_family("test_limits.py", "test_header_line_at_declared_maximum_passes"),
    ),
    Variant(
        name="uwsgi-default-buffer-size",
        base=UWSGI,
        misconfiguration="uWSGI's default buffer-size (4 KiB) behind 8 KiB header lines: 502",
        file="server",
        edit=("buffer-size = 32768", "buffer-size = 4096"),
        catches=_family("test_limits.py", "test_header_line_at_declared_maximum_passes"),
    ),
    Variant(
        name="nginx-uwsgi-header-buffers-above-server",
        base=UWSGI,
        misconfiguration="large_client_header_buffers 4 128k: lines past the limit and URLs "
        "past uWSGI's buffer-size get through (200, or 502 from the server)",
        edit=("large_client_header_buffers 4 8192;", "large_client_header_buffers 4 128k;"),
        catches=(
            "test_limits.py::test_header_line_over_declared_maximum_gets_4xx",
            "test_security.py::test_malformed_request_gets_4xx[url-64k]",
        ),
    ),
    Variant(
        name="nginx-read-timeout-below-declared",
        base=GUNICORN,
        misconfiguration="proxy_read_timeout 3s, below the declared 5 s: slow answers get 504",
        edit=("proxy_read_timeout 5s;", "proxy_read_timeout 3s;"),
        catches=_family("test_limits.py", "test_request_inside_every_timeout_succeeds"),
    ),
    Variant(
        name="nginx-read-timeout-default-60s",
        base=GUNICORN,
        misconfiguration="proxy_read_timeout 60s (nginx's default): a stuck upstream holds on",
        edit=("proxy_read_timeout 5s;", "proxy_read_timeout 60s;"),
        catches=_family(
            "test_limits.py", "test_request_past_proxy_read_timeout_gets_timeout_status"
        ),
    ),
    Variant(
        name="uwsgi-read-timeout-default-60s",
        base=UWSGI,
        misconfiguration="uwsgi_read_timeout 60s (nginx's default): a stuck worker holds on",
        edit=("uwsgi_read_timeout 5s;", "uwsgi_read_timeout 60s;"),
        catches=_family(
            "test_limits.py", "test_request_past_proxy_read_timeout_gets_timeout_status"
        ),
    ),
    Variant(
        name="uwsgi-without-harakiri",
        base=UWSGI,
        fields={"timeouts.worker": 2},
        misconfiguration="a 2 s worker timeout declared, but uWSGI runs without harakiri",
        file="server",
        edit=("harakiri = 2\n", ""),
        catches=_family("test_limits.py", "test_request_past_worker_timeout_gets_502"),
    ),
)

STATIC: tuple[Variant, ...] = (
    Variant(
        name="nginx-static-off-by-slash",
        base=GUNICORN,
        misconfiguration="location /static (no trailing slash) with alias /srv/static/: "
        "/static../ escapes the folder",
        edit=("        location /static/ {\n", "        location /static {\n"),
        catches=(
            "test_static.py::test_static_traversal_serves_no_file[/static../static/hello.txt]",
        ),
    ),
    Variant(
        name="nginx-no-static-location",
        base=GUNICORN,
        misconfiguration="no location for /static/: requests for static files reach the app",
        edit=(STATIC_LOCATION, ""),
        catches=("test_static.py::test_static_file_is_served_by_proxy",),
    ),
    Variant(
        name="nginx-no-mime-types",
        base=UWSGI,
        misconfiguration="mime.types not included: every static file is application/octet-stream",
        edit=("    include /etc/nginx/mime.types;\n", ""),
        catches=("test_static.py::test_static_file_is_served_by_proxy",),
    ),
)

SECURITY: tuple[Variant, ...] = (
    Variant(
        name="haproxy-tcp-mode-before-uwsgi-http",
        base=HAPROXY_UWSGI,
        misconfiguration="HAProxy in mode tcp: uWSGI's lax HTTP parser frames requests itself",
        edit=("    mode http\n", "    mode tcp\n"),
        catches=(
            "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing[te-folded]",
            "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing[te-xchunked]",
            "test_security.py::test_malformed_request_gets_4xx[invalid-method]",
            "test_security.py::test_malformed_request_gets_4xx[nul-in-header]",
        ),
    ),
    Variant(
        name="nginx-blank-content-length",
        base=GUNICORN,
        misconfiguration='proxy_set_header Content-Length "" (from an auth_request recipe): '
        "the body follows a request that declares none",
        edit=(
            "            proxy_set_header X-Real-IP $remote_addr;\n",
            "            proxy_set_header X-Real-IP $remote_addr;\n"
            '            proxy_set_header Content-Length "";\n',
        ),
        catches=(
            "test_security.py::test_request_in_a_body_stays_in_the_body[content-length]",
            "test_security.py::test_request_in_a_body_stays_in_the_body[chunked]",
        ),
    ),
    Variant(
        name="nginx-and-gunicorn-pass-underscore-headers",
        base=GUNICORN,
        misconfiguration="underscores_in_headers on, and gunicorn's header_map dangerous (set "
        "for a legacy client): X_Forwarded_Host lands in HTTP_X_FORWARDED_HOST",
        edit=(
            "    server_tokens off;\n",
            "    server_tokens off;\n    underscores_in_headers on;\n",
        ),
        env={"GUNICORN_CMD_ARGS": "--header-map dangerous"},
        catches=("test_security.py::test_underscore_headers_cannot_pose_as_forwarded_headers",),
    ),
)


HOST: tuple[Variant, ...] = (
    Variant(
        name="app-allows-any-host",
        base=GUNICORN,
        misconfiguration="HARNESS_ALLOWED_HOSTS=*: the app builds URLs from any Host",
        env={"HARNESS_ALLOWED_HOSTS": "*"},
        catches=("test_host.py::test_poisoned_host_never_reaches_absolute_urls",),
    ),
    Variant(
        name="nginx-passes-client-forwarded-host",
        base=GUNICORN,
        misconfiguration="X-Forwarded-Host not set by nginx: the client's passes through",
        edit=("            proxy_set_header X-Forwarded-Host $http_host;\n", ""),
        catches=("test_host.py::test_client_forwarded_host_is_overwritten_by_proxy",),
    ),
    Variant(
        name="nginx-host-allow-list-blocks-health",
        base=GUNICORN,
        misconfiguration="a Host allow-list in nginx that also refuses health probes",
        edit=(
            "        location /static/ {\n",
            "        if ($host !~* ^(localhost|127\\.0\\.0\\.1|deploy-harness\\.test)$) "
            "{ return 400; }\n        location /static/ {\n",
        ),
        catches=("test_host.py::test_health_answers_for_any_host",),
    ),
)

EDGE: tuple[Variant, ...] = STREAMING + LIMITS + STATIC + SECURITY + HOST
