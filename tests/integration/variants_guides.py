"""Broken variants for the failure classes of issue 16 (3), taken from the deployment guides
and the issues users open about 502s: each class is caught on at least two proxies or servers.
"""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant

RESPONSE_HEAD = "test_limits.py::test_response_head_of_declared_size_reaches_client"
# The message of that case when the proxy refuses the head: a 502 (HAProxy: 500 or 502).
HEAD_REFUSED = r"/headers\?size=3584 \(a 7168-byte X-Large and cookie\) got 50[02]"

RESPONSE_HEADS: tuple[Variant, ...] = (
    Variant(
        name="nginx-response-head-buffer-default",
        base="nginx-gunicorn-gthread-flask",
        misconfiguration="no proxy_buffer_size: nginx's one-page default (4 KiB) cannot hold "
        'a 7 KiB response head, and nginx answers 502 "upstream sent too big header"',
        edit=("    proxy_buffer_size 8192;\n", ""),
        catches=(Catch(RESPONSE_HEAD, HEAD_REFUSED),),
    ),
    Variant(
        name="nginx-uwsgi-response-head-buffer-small",
        base="nginx-uwsgi-django",
        misconfiguration="uwsgi_buffer_size 4k, copied from a guide that shrinks buffers: "
        "the response head does not fit and nginx answers 502",
        edit=("    uwsgi_buffer_size 8192;\n", "    uwsgi_buffer_size 4k;\n"),
        catches=(Catch(RESPONSE_HEAD, HEAD_REFUSED),),
    ),
    Variant(
        name="haproxy-bufsize-below-response-head",
        base="haproxy-hypercorn-django-asgi",
        misconfiguration="tune.bufsize 8192 to save memory: less tune.maxrewrite (1024) it "
        "holds no 7 KiB response head, and HAProxy answers 502",
        edit=("    tune.bufsize 33792\n", "    tune.bufsize 8192\n"),
        catches=(Catch(RESPONSE_HEAD, HEAD_REFUSED),),
    ),
)

CONTINUE = "test_correctness.py::test_expect_100_continue_is_answered_at_once"
NO_CONTINUE = r"POST /upload with Expect: 100-continue heard 'nothing' after 2\.\d\ds"

EXPECT_CONTINUE: tuple[Variant, ...] = (
    Variant(
        name="haproxy-passes-expect-to-uwsgi",
        base="haproxy-uwsgi-flask-http",
        misconfiguration="no `option http-buffer-request` in front of uWSGI's http-socket: "
        "HAProxy passes `Expect: 100-continue` on, uWSGI ignores it, curl waits 1 s",
        edit=("    option http-buffer-request\n", ""),
        catches=(Catch(CONTINUE, NO_CONTINUE),),
    ),
    Variant(
        name="apache-passes-expect-to-uwsgi",
        base="apache-uwsgi-flask-http",
        misconfiguration="no `Proxy100Continue Off` in front of uWSGI's http-socket: Apache "
        "(2.4.40+) waits for the server's 100 Continue, which never comes: the client waits, "
        "then gets 408",
        edit=("    Proxy100Continue Off\n", ""),
        catches=(Catch(CONTINUE, NO_CONTINUE),),
    ),
)

CSRF = "test_forwarding.py::test_same_origin_form_post_passes_csrf"
CSRF_AS_HTTP = r"POST /form from Origin https://\S+ got 403; the app believes its origin is http://"
PROTO_LINE = "            proxy_set_header X-Forwarded-Proto $scheme;\n"

CSRF_ORIGIN: tuple[Variant, ...] = (
    Variant(
        name="nginx-django-tls-without-forwarded-proto",
        base="nginx-gunicorn-sync-django-tls",
        misconfiguration="no X-Forwarded-Proto from the TLS proxy: Django believes http, and "
        "its CSRF check refuses the https Origin of every form",
        edit=(PROTO_LINE, ""),
        catches=(Catch(CSRF, CSRF_AS_HTTP),),
    ),
    Variant(
        name="apache-django-tls-without-forwarded-proto",
        base="apache-gunicorn-gthread-django-tls",
        misconfiguration="no `RequestHeader set X-Forwarded-Proto`: Django believes http, and "
        "its CSRF check refuses the https Origin of every form",
        edit=('    RequestHeader set X-Forwarded-Proto "https"\n', ""),
        catches=(Catch(CSRF, CSRF_AS_HTTP),),
    ),
    Variant(
        name="nginx-flask-tls-without-forwarded-proto",
        base="nginx-gunicorn-sync-flask-tls",
        misconfiguration="no X-Forwarded-Proto from the TLS proxy: Flask believes http, and "
        "the form's origin check refuses the https Origin",
        edit=(PROTO_LINE, ""),
        catches=(Catch(CSRF, CSRF_AS_HTTP),),
    ),
    Variant(
        name="nginx-django-host-without-port",
        base="nginx-gunicorn-sync-django-tls",
        misconfiguration="Host and X-Forwarded-Host from nginx's $host, without the public "
        "port: Django's own origin lacks it, and the CSRF check refuses the form",
        edit=("$http_host;", "$host;"),
        every=True,
        catches=(Catch(CSRF, r"got 403; the app believes its origin is https://127\.0\.0\.1;"),),
    ),
)

FOLDER_REDIRECT = "test_static.py::test_folder_without_slash_redirects_to_the_public_url"
OFF_ORIGIN = r"GET /static/guide got 301, Location '\S+': it leads to http://[^ ]+, not "

PROXY_REDIRECTS: tuple[Variant, ...] = (
    Variant(
        name="nginx-absolute-redirect",
        base="nginx-gunicorn-gthread-flask",
        misconfiguration="nginx's default absolute_redirect: a folder's redirect names "
        "nginx's listen port inside the container, not the published one",
        edit=("        absolute_redirect off;\n", ""),
        catches=(Catch(FOLDER_REDIRECT, OFF_ORIGIN),),
    ),
    Variant(
        name="apache-canonical-name",
        base="apache-daphne-django-asgi",
        misconfiguration="mod_dir loaded (as Debian's default config does) with "
        "UseCanonicalName On: Apache builds a folder's redirect from ServerName and its "
        "listen port, not from the Host the client sent",
        evidence="https://github.com/puppetlabs/puppetlabs-apache/issues/511",
        edit=(
            "ServerName localhost\n",
            "ServerName localhost\nUseCanonicalName On\n"
            "LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so\n",
        ),
        catches=(Catch(FOLDER_REDIRECT, OFF_ORIGIN),),
    ),
)

SLOW_UPLOADS = "test_streaming.py::test_slow_uploads_do_not_hold_sync_workers"
WORKERS_HELD = r"halfway through a 49152-byte upload .*GET /echo got ReadTimeout after 1\.\d s"

REQUEST_BUFFERING: tuple[Variant, ...] = (
    Variant(
        name="nginx-request-buffering-off",
        base="nginx-gunicorn-sync-django",
        misconfiguration="proxy_request_buffering off (for large uploads, as guides say) in "
        "front of gunicorn's sync workers: each slow upload holds a worker",
        edit=(
            "            proxy_http_version 1.1;\n",
            "            proxy_http_version 1.1;\n            proxy_request_buffering off;\n",
        ),
        catches=(Catch(SLOW_UPLOADS, WORKERS_HELD),),
    ),
    Variant(
        name="haproxy-streams-uploads-to-sync-workers",
        base="haproxy-gunicorn-sync-flask",
        misconfiguration="no `option http-buffer-request` in front of gunicorn's sync workers: "
        "HAProxy streams each body as it arrives, and a slow upload holds a worker",
        edit=("    option http-buffer-request\n", ""),
        catches=(Catch(SLOW_UPLOADS, WORKERS_HELD),),
    ),
)

GUIDES: tuple[Variant, ...] = (
    RESPONSE_HEADS + EXPECT_CONTINUE + CSRF_ORIGIN + PROXY_REDIRECTS + REQUEST_BUFFERING
)
