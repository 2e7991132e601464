"""Broken variants for the streaming, limits and timeouts, static, security, host families."""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant, cases_of, catching

GUNICORN = "nginx-gunicorn-gthread-flask"
UWSGI = "nginx-uwsgi-flask"
HAPROXY_UWSGI = "haproxy-uwsgi-flask-http"
HAPROXY_HYPERCORN = "haproxy-hypercorn-django-asgi"

STATIC_LOCATION = "        location /static/ {\n            alias /srv/static/;\n        }\n"
GZIP = "            gzip on; gzip_types text/plain text/event-stream;\n"
# The comment above `proxy_pass` / `uwsgi_pass` in location /: answers are buffered there.
BUFFERED = (
    "            # Answers are buffered (the default), so a slow client never holds a worker; the\n"
)
STREAM = "test_streaming.py::test_stream_lines_arrive_incrementally"
SSE = "test_streaming.py::test_sse_events_arrive_incrementally"
BODY_AT_MAXIMUM = "test_limits.py::test_body_at_declared_maximum_is_accepted"
BODY_OVER_MAXIMUM = "test_limits.py::test_body_over_declared_maximum_gets_413_from_proxy"
HEADER_AT_MAXIMUM = "test_limits.py::test_header_line_at_declared_maximum_passes"
PAST_PROXY_READ = "test_limits.py::test_request_past_proxy_read_timeout_gets_timeout_status"
FRAMINGS = ("content-length", "chunked")
SMUGGLING = "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing"
MALFORMED = "test_security.py::test_malformed_request_gets_4xx"
STATIC_FILES = ("hello.txt", "style.css", "app.js", "data.json", "pixel.png")
APACHE = "apache-gunicorn-gthread-flask"
CADDY = "caddy-gunicorn-gthread-flask"
APACHE_OPTIONS = "        Options None\n"
STATIC_ALIAS = "            alias /srv/static/;\n"
CADDY_FILE_SERVER = "\t\t\troot * /srv/static\n\t\t\tfile_server\n"
LISTED = catching(
    r"GET /static/ got 200 naming \[.*'hello\.txt'.*\]: the proxy lists the folder",
    "test_static.py::test_folder_without_index_lists_nothing",
)
BESIDE_SERVED = catching(
    r"GET /statichello\.txt got 200 with the bytes of /static/hello\.txt",
    "test_static.py::test_path_beside_the_static_location_serves_no_file",
)
MISSING_ANSWERED = catching(
    r"/static/\w+-missing(\.js|\.css|/) got 200 .*not 404: a fallback answers",
    "test_static.py::test_missing_file_gets_404[missing.js]",
    "test_static.py::test_missing_file_gets_404[missing.css]",
    "test_static.py::test_missing_file_gets_404[missing/]",
)


def held_back(encoding: str) -> tuple[Catch, ...]:
    """/stream and /sse held back by the proxy: late first line, or all lines together."""
    return (
        Catch(f"{STREAM}[{encoding}]", r"(first line late \(held back\?\)|lines arrived together)"),
        Catch(f"{SSE}[{encoding}]", r"(first event late \(held back\?\)|events arrived together)"),
    )


def not_refused(expect: str, *probes: str) -> tuple[Catch, ...]:
    """Smuggling probes answered by the app, each as `expect` (with {probe}) says."""
    return tuple(Catch(f"{SMUGGLING}[{probe}]", expect.format(probe=probe)) for probe in probes)


STREAMING: tuple[Variant, ...] = (
    Variant(
        name="nginx-gzip-buffered-stream",
        base=GUNICORN,
        misconfiguration="gzip for text types, and proxy_ignore_headers X-Accel-Buffering: "
        "streams are buffered, and compressed streams wait for the end",
        edit=(BUFFERED, f"            proxy_ignore_headers X-Accel-Buffering;\n{GZIP}{BUFFERED}"),
        catches=held_back("gzip"),
    ),
    Variant(
        name="nginx-uwsgi-ignores-accel-buffering",
        base=UWSGI,
        misconfiguration="uwsgi_ignore_headers X-Accel-Buffering: nginx buffers the streams "
        "the app asked it not to, whole",
        edit=(BUFFERED, f"            uwsgi_ignore_headers X-Accel-Buffering;\n{BUFFERED}"),
        catches=held_back("identity") + held_back("gzip"),
    ),
    Variant(
        name="haproxy-waits-for-response-body",
        base=HAPROXY_HYPERCORN,
        misconfiguration="http-response wait-for-body (to inspect bodies): every answer is held",
        edit=(
            "    default_backend app\n",
            "    http-response wait-for-body time 10s\n    default_backend app\n",
        ),
        catches=held_back("identity"),
    ),
)

LIMITS: tuple[Variant, ...] = (
    Variant(
        name="nginx-body-limit-decimal-megabytes",
        base=GUNICORN,
        misconfiguration="client_max_body_size 1000000 (1 MB) below the declared 1 MiB",
        edit=("client_max_body_size 1048576;", "client_max_body_size 1000000;"),
        catches=catching(
            r"1048576-byte (content-length|chunked) body got 413",
            *cases_of(BODY_AT_MAXIMUM, FRAMINGS),
        ),
    ),
    Variant(
        name="nginx-body-limit-unlimited",
        base=GUNICORN,
        misconfiguration="client_max_body_size 0: no body limit, the app gets any size",
        edit=("client_max_body_size 1048576;", "client_max_body_size 0;"),
        catches=catching(
            r"1048577-byte (content-length|chunked) body got 200, X-Instance 'app-\d'",
            *cases_of(BODY_OVER_MAXIMUM, FRAMINGS),
        ),
    ),
    Variant(
        name="nginx-header-buffers-too-small",
        base=UWSGI,
        misconfiguration="large_client_header_buffers 4 4k, below the declared 8 KiB line",
        edit=("large_client_header_buffers 4 8192;", "large_client_header_buffers 4 4k;"),
        catches=(Catch(HEADER_AT_MAXIMUM, "8192-byte header line got 400 "),),
    ),
    Variant(
        name="uwsgi-default-buffer-size",
        base=UWSGI,
        misconfiguration="uWSGI's default buffer-size (4 KiB) behind 8 KiB header lines: 502",
        file="server",
        edit=("buffer-size = 32768", "buffer-size = 4096"),
        catches=(Catch(HEADER_AT_MAXIMUM, "8192-byte header line got 502 "),),
    ),
    Variant(
        name="nginx-uwsgi-header-buffers-above-server",
        base=UWSGI,
        misconfiguration="large_client_header_buffers 4 128k: header lines past the limit "
        "reach uWSGI (200), and a 64 KiB URL no longer fits a uwsgi packet (500 from nginx)",
        edit=("large_client_header_buffers 4 8192;", "large_client_header_buffers 4 128k;"),
        catches=(
            Catch(
                "test_limits.py::test_header_line_over_declared_maximum_gets_4xx",
                r"8193-byte header line got (200|502)",
            ),
            Catch(f"{MALFORMED}[url-64k]", r"url-64k got 'HTTP/1\.1 5\d\d "),
        ),
    ),
    Variant(
        name="nginx-read-timeout-below-declared",
        base=GUNICORN,
        misconfiguration="proxy_read_timeout 1s, below the declared 3 s: slow answers get 504",
        evidence="https://github.com/aws/sagemaker-containers/pull/185",
        edit=("proxy_read_timeout 3s;", "proxy_read_timeout 1s;"),
        catches=catching(
            r"(GET|POST) /sleep 2\.0 s \(proxy_read 3 s, worker \d+ s\) got 504",
            "test_limits.py::test_request_inside_every_timeout_succeeds[GET]",
            "test_limits.py::test_request_inside_every_timeout_succeeds[POST]",
        ),
    ),
    Variant(
        name="nginx-read-timeout-default-60s",
        base=GUNICORN,
        misconfiguration="proxy_read_timeout 60s (nginx's default): a stuck upstream holds on",
        edit=("proxy_read_timeout 3s;", "proxy_read_timeout 60s;"),
        catches=catching(
            r"(GET|POST) got 200 after [\d.]+ s \(bound",
            f"{PAST_PROXY_READ}[GET]",
            f"{PAST_PROXY_READ}[POST]",
        ),
    ),
    Variant(
        name="uwsgi-read-timeout-default-60s",
        base=UWSGI,
        misconfiguration="uwsgi_read_timeout 60s (nginx's default): a stuck worker holds on",
        # uWSGI's harakiri (the declared 5 s worker timeout, checked once a second) could end
        # the 4.5 s request first; with 10 s only nginx's read timeout is under test.
        fields={"timeouts.worker": 10},
        edit=("uwsgi_read_timeout 3s;", "uwsgi_read_timeout 60s;"),
        catches=catching(
            r"(GET|POST) got 200 after [\d.]+ s \(bound",
            f"{PAST_PROXY_READ}[GET]",
            f"{PAST_PROXY_READ}[POST]",
        ),
    ),
    Variant(
        name="uwsgi-without-harakiri",
        base=UWSGI,
        fields={"timeouts.worker": 2, "timeouts.proxy_read": 5},
        misconfiguration="a 2 s worker timeout declared, but uWSGI runs without harakiri",
        file="server",
        edit=("harakiri = 2\n", ""),
        catches=(
            Catch(
                "test_limits.py::test_request_past_worker_timeout_gets_502",
                r"got 504 after [\d.]+ s; worker timeout 2(\.0)? s",
            ),
        ),
    ),
)

STATIC: tuple[Variant, ...] = (
    Variant(
        name="nginx-static-off-by-slash",
        base=GUNICORN,
        misconfiguration="location /static (no trailing slash) with alias /srv/static/: "
        "/static../ escapes the folder",
        evidence="https://github.com/membermatters/MemberMatters/issues/109",
        edit=("        location /static/ {\n", "        location /static {\n"),
        catches=(
            Catch(
                "test_static.py::test_static_traversal_serves_no_file[/static../static/hello.txt]",
                r"GET /static\.\./static/hello\.txt got 'HTTP/1\.1 200 OK', b'hello from",
            ),
            *BESIDE_SERVED,
        ),
    ),
    Variant(
        name="nginx-static-autoindex",
        base=GUNICORN,
        misconfiguration="autoindex on in the static location: /static/ lists every file",
        evidence="https://github.com/modoboa/modoboa-installer/issues/64",
        edit=(STATIC_ALIAS, STATIC_ALIAS + "            autoindex on;\n"),
        catches=LISTED,
    ),
    Variant(
        name="caddy-static-browse",
        base=CADDY,
        misconfiguration="file_server browse: /static/ lists every file",
        evidence="https://github.com/caddyserver/caddy/issues/1287",
        edit=(CADDY_FILE_SERVER, "\t\t\troot * /srv/static\n\t\t\tfile_server browse\n"),
        catches=LISTED,
    ),
    Variant(
        name="caddy-static-matcher-without-slash",
        base=CADDY,
        misconfiguration="handle_path /static* (no slash before the wildcard): /statichello.txt "
        "serves /srv/static/hello.txt",
        evidence="https://github.com/miguelgrinberg/Flask-SocketIO/pull/1966",
        edit=("\t\thandle_path /static/* {\n", "\t\thandle_path /static* {\n"),
        catches=BESIDE_SERVED,
    ),
    Variant(
        name="nginx-static-falls-back-to-a-page",
        base=GUNICORN,
        misconfiguration="try_files $uri $uri/ /static/guide/index.html in the static location "
        "(an SPA fallback): a missing script gets a page, 200",
        evidence="https://github.com/18F/culper/issues/404",
        edit=(
            STATIC_ALIAS,
            STATIC_ALIAS + "            try_files $uri $uri/ /static/guide/index.html;\n",
        ),
        catches=MISSING_ANSWERED,
    ),
    Variant(
        name="caddy-static-falls-back-to-a-page",
        base=CADDY,
        misconfiguration="try_files {path} /guide/index.html before file_server (an SPA "
        "fallback): a missing script gets a page, 200",
        evidence="https://github.com/commaai/connect/pull/332",
        edit=(
            CADDY_FILE_SERVER,
            "\t\t\troot * /srv/static\n\t\t\ttry_files {path} /guide/index.html\n"
            "\t\t\tfile_server\n",
        ),
        catches=MISSING_ANSWERED,
    ),
    Variant(
        name="nginx-static-types-block",
        base=GUNICORN,
        misconfiguration="a types { } block in the static location (to add one type): it "
        "replaces the whole map, so every other file is application/octet-stream",
        evidence="https://github.com/hestiacp/hestiacp/issues/2007",
        edit=(STATIC_ALIAS, STATIC_ALIAS + "            types { image/webp webp; }\n"),
        catches=catching(
            r"want '[^']+'; .*Content-Type 'application/octet-stream'",
            *cases_of("test_static.py::test_static_file_is_served_by_proxy", STATIC_FILES),
        ),
    ),
    Variant(
        name="nginx-no-mime-types",
        base=UWSGI,
        misconfiguration="mime.types not included: every static file is application/octet-stream",
        edit=("    include /etc/nginx/mime.types;\n", ""),
        catches=catching(
            r"want '[^']+'; .*Content-Type 'application/octet-stream'",
            *cases_of("test_static.py::test_static_file_is_served_by_proxy", STATIC_FILES),
        ),
    ),
)

SECURITY: tuple[Variant, ...] = (
    Variant(
        name="haproxy-tcp-mode-before-uwsgi-http",
        base=HAPROXY_UWSGI,
        misconfiguration="HAProxy in mode tcp: uWSGI's lax HTTP parser frames requests itself",
        edit=("    mode http\n", "    mode tcp\n"),
        catches=(
            # uWSGI's parser frames each by itself, answers once and closes: never a refusal.
            *not_refused(
                r"not refused; .*probe {probe} got 'HTTP/1\.1 200 OK', 1 answer\(s\), "
                "connection closed",
                "duplicate-cl",
                "te-xchunked",
                "te-space-before-colon",
                "te-folded",
                "te-chunked-identity",
                "bad-chunk-size",
            ),
            Catch(f"{MALFORMED}[invalid-method]", r"invalid-method got 'HTTP/1\.1 200 OK', X-In"),
            Catch(f"{MALFORMED}[nul-in-header]", r"nul-in-header got 'HTTP/1\.1 200 OK', X-In"),
            # uWSGI closes the connection without an answer, never a 400.
            Catch(f"{MALFORMED}[header-without-colon]", r"header-without-colon got '', X-Ins"),
        ),
    ),
    Variant(
        name="haproxy-tcp-mode-before-hypercorn",
        base=HAPROXY_HYPERCORN,
        misconfiguration="HAProxy in mode tcp: hypercorn's parser (h11) answers a request "
        "framed by both Content-Length and chunked and keeps the connection open (RFC 9112 "
        "§6.3: refuse it, or close after answering)",
        edit=("    mode http\n", "    mode tcp\n"),
        catches=not_refused(
            r"not refused; .*probe {probe} got 'HTTP/1\.1 200 ?', 1 answer\(s\), "
            "connection kept open",
            "cl-te",
            "te-cl",
            "te-tab",
        ),
    ),
    Variant(
        name="haproxy-accepts-invalid-requests",
        base=HAPROXY_UWSGI,
        misconfiguration="option accept-invalid-http-request (for a legacy client): HAProxy "
        "takes `Transfer-Encoding : chunked` for an unknown header, frames the body by its "
        "Content-Length and forwards both",
        edit=("    mode http\n", "    mode http\n    option accept-invalid-http-request\n"),
        catches=not_refused(
            r"not refused; .*probe {probe} got 'HTTP/1\.1 200 OK', 1 answer\(s\), "
            "connection kept open",
            "te-space-before-colon",
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
        catches=catching(
            r"(content-length|chunked) POST got \d+, the app read (0|None) of \d+ body bytes",
            *cases_of("test_security.py::test_request_in_a_body_stays_in_the_body", FRAMINGS),
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
        catches=(
            Catch(
                "test_security.py::test_underscore_headers_cannot_pose_as_forwarded_headers",
                r"app believed \('evil\.example'|with \{.*\} got 400",
            ),
        ),
    ),
)


HOST: tuple[Variant, ...] = (
    Variant(
        name="app-allows-any-host",
        base=GUNICORN,
        misconfiguration="HARNESS_ALLOWED_HOSTS=*: the app builds URLs from any Host",
        env={"HARNESS_ALLOWED_HOSTS": "*"},
        catches=(
            Catch(
                "test_host.py::test_poisoned_host_never_reaches_absolute_urls",
                r"Host evil\.example got 302, Location 'http://evil\.example",
            ),
        ),
    ),
    Variant(
        name="nginx-passes-client-forwarded-host",
        base=GUNICORN,
        misconfiguration="X-Forwarded-Host not set by nginx: the client's passes through",
        edit=("            proxy_set_header X-Forwarded-Host $http_host;\n", ""),
        catches=(
            Catch(
                "test_host.py::test_client_forwarded_host_is_overwritten_by_proxy",
                # The app takes the client's host, and refuses it (TRUSTED_HOSTS).
                r"with X-Forwarded-Host evil\.example, got 400 '",
            ),
        ),
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
        catches=(
            Catch(
                "test_host.py::test_health_answers_for_any_host",
                r"/health with Host 10\.11\.12\.13:8080 got 400",
            ),
        ),
    ),
)

EDGE: tuple[Variant, ...] = STREAMING + LIMITS + STATIC + SECURITY + HOST
