"""Broken variants of an app under a URL prefix: the proxy strips the prefix but does not tell
the app, passes it on to a server that was not told, the server loses its root setting, static
files or WebSockets are not mapped below the prefix, or the app is published outside it too.
Each proxy form has its own (nginx's proxy_pass URI, Apache's ProxyPass, HAProxy's
replace-path)."""

from __future__ import annotations

from tests.integration.variant_model import Catch, Variant, catching

NGINX_FLASK = "nginx-gunicorn-gthread-flask-prefix"
APACHE_FLASK = "apache-gunicorn-gthread-flask-prefix"
HAPROXY_FLASK = "haproxy-gunicorn-gthread-flask-prefix"
NGINX_UVICORN = "nginx-uvicorn-django-asgi-prefix"
APACHE_DAPHNE = "apache-daphne-django-asgi-prefix"
PREFIX = "test_prefix.py::"
REACHED = PREFIX + "test_app_is_reached_below_the_prefix"
BUILT = PREFIX + "test_built_url_keeps_the_prefix"
REDIRECT = PREFIX + "test_redirect_keeps_the_prefix"
STATIC = PREFIX + "test_static_file_is_served_below_the_prefix"
WEBSOCKET = PREFIX + "test_websocket_connects_below_the_prefix"
OUTSIDE = PREFIX + "test_path_outside_the_prefix_does_not_reach_the_app"
NOT_TOLD = r"the app was not told the prefix /app: script_name ''"
ECHO_LOST = r"the app built 'http://127\.0\.0\.1:\d+/echo' for echo, expected .*/app/echo'"
STATIC_LOST = r"the app built '/static/hello\.txt' for static, expected '/app/static/hello\.txt'"
REDIRECT_LOST = r"with Location 'http://127\.0\.0\.1:\d+/echo\?redirected=1', expected"
APP_404 = r"answered 404 from the app \(app-\d\): the request did not reach the app's /echo"
OUTSIDE_REACHED = r"outside /app, answered \d+ from the app \(app-\d\)"
BESIDE = catching(OUTSIDE_REACHED, f"{OUTSIDE}[beside-the-prefix]")
EVERY_OUTSIDE = catching(
    OUTSIDE_REACHED, f"{OUTSIDE}[echo]", f"{OUTSIDE}[health]", f"{OUTSIDE}[beside-the-prefix]"
)
CADDY_FLASK = "caddy-gunicorn-gthread-flask-prefix"


def _not_forwarded(
    name: str, base: str, edit: tuple[str, str], directive: str, *, every: bool = False
) -> Variant:
    """The proxy strips the prefix but does not send X-Forwarded-Prefix: every URL the app
    builds (its own, a named route, static, a redirect) loses the prefix."""
    return Variant(
        name=name,
        base=base,
        misconfiguration=f"{directive}: the prefix is stripped and the app never told",
        edit=edit,
        every=every,
        catches=(
            Catch(REACHED, NOT_TOLD),
            Catch(f"{BUILT}[echo]", ECHO_LOST),
            Catch(f"{BUILT}[static]", STATIC_LOST),
            Catch(REDIRECT, REDIRECT_LOST),
        ),
    )


PREFIXED: tuple[Variant, ...] = (
    _not_forwarded(
        "nginx-prefix-not-forwarded",
        NGINX_FLASK,
        (
            'proxy_set_header X-Forwarded-Prefix "/app";',
            'proxy_set_header X-Forwarded-Prefix "";',
        ),
        'proxy_set_header X-Forwarded-Prefix "" in location /app/',
    ),
    _not_forwarded(
        "apache-prefix-not-forwarded",
        APACHE_FLASK,
        ('RequestHeader set X-Forwarded-Prefix "/app"', "RequestHeader unset X-Forwarded-Prefix"),
        "RequestHeader unset X-Forwarded-Prefix",
    ),
    _not_forwarded(
        "haproxy-prefix-not-forwarded",
        HAPROXY_FLASK,
        ("    http-request set-header X-Forwarded-Prefix /app\n", ""),
        "no http-request set-header X-Forwarded-Prefix",
    ),
    _not_forwarded(
        "caddy-prefix-not-forwarded",
        CADDY_FLASK,
        ("\t\t\t\theader_up X-Forwarded-Prefix /app\n", ""),
        "uri strip_prefix without header_up X-Forwarded-Prefix",
        every=True,
    ),
    Variant(
        name="nginx-prefix-appended-to-the-clients",
        base=NGINX_FLASK,
        misconfiguration="X-Forwarded-Prefix $http_x_forwarded_prefix/app: the client's own "
        "prefix is kept in front of ours",
        edit=(
            'proxy_set_header X-Forwarded-Prefix "/app";',
            'proxy_set_header X-Forwarded-Prefix "$http_x_forwarded_prefix/app";',
        ),
        catches=(
            Catch(
                PREFIX + "test_client_cannot_choose_the_prefix",
                r"answered 200, built 'http://127\.0\.0\.1:\d+/forged/app/echo'",
            ),
        ),
    ),
    Variant(
        name="nginx-prefix-not-stripped",
        base=NGINX_FLASK,
        misconfiguration="proxy_pass http://app; (no URI part): /app/echo reaches the app as "
        "/app/echo, which it has no route for",
        edit=("            proxy_pass http://app/;", "            proxy_pass http://app;"),
        catches=(
            Catch(REACHED, APP_404),
            Catch(REDIRECT, r"/app/redirect answered 404 from the app \(app-\d\)"),
        ),
    ),
    Variant(
        name="haproxy-prefix-not-stripped",
        base=HAPROXY_FLASK,
        misconfiguration="no http-request replace-path: /app/echo reaches the app as /app/echo",
        edit=("    http-request replace-path /app(/.*) \\1\n", ""),
        catches=(Catch(REACHED, APP_404),),
    ),
    Variant(
        name="caddy-prefix-not-stripped",
        base=CADDY_FLASK,
        misconfiguration="handle /app/* without uri strip_prefix (handle where handle_path was "
        "meant): /app/echo reaches the app as /app/echo",
        evidence="https://github.com/coollabsio/coolify/issues/3895",
        edit=("\t\turi strip_prefix /app\n", ""),
        catches=(Catch(REACHED, APP_404),),
    ),
    Variant(
        name="apache-prefix-not-stripped",
        base=APACHE_FLASK,
        misconfiguration="ProxyPass /app/ balancer://app/app/: the prefix goes on to a server "
        "that was not told it",
        edit=("    ProxyPass /app/ balancer://app/", "    ProxyPass /app/ balancer://app/app/"),
        catches=(Catch(REACHED, APP_404),),
    ),
    Variant(
        name="uvicorn-without-root-path",
        base=NGINX_UVICORN,
        misconfiguration="uvicorn without --root-path /app behind a proxy that strips it",
        file="args",
        edit=("--root-path /app", ""),
        catches=(
            Catch(REACHED, NOT_TOLD),
            Catch(f"{BUILT}[websocket]", r"the app built '/ws/echo' for websocket"),
            Catch(REDIRECT, REDIRECT_LOST),
        ),
    ),
    Variant(
        name="gunicorn-without-script-name",
        base=NGINX_FLASK,
        fields={"app": "django"},
        misconfiguration="gunicorn.conf.py without raw_env SCRIPT_NAME=/app behind a proxy that "
        "passes /app/... on: Django gets /app/echo",
        evidence="https://github.com/catmaid/CATMAID/issues/878",
        file="server",
        edit=('raw_env = ["SCRIPT_NAME=/app"]\n', ""),
        catches=(Catch(REACHED, APP_404), Catch(REDIRECT, r"answered 404 from the app")),
    ),
    Variant(
        name="nginx-static-outside-prefix",
        base=NGINX_UVICORN,
        misconfiguration="location /static/ left at the root: /app/static/ goes to the app",
        edit=("        location /app/static/ {", "        location /static/ {"),
        catches=(Catch(STATIC, r"/app/static/hello\.txt answered 404 from the app \(app-\d\)"),),
    ),
    Variant(
        name="apache-static-outside-prefix",
        base=APACHE_DAPHNE,
        misconfiguration='Alias /static/ "/srv/static/": /app/static/ is not mapped to files',
        edit=('    Alias /app/static/ "/srv/static/"', '    Alias /static/ "/srv/static/"'),
        catches=(
            Catch(STATIC, r"/app/static/hello\.txt answered 40[34] from the proxy \(no X-Inst"),
        ),
    ),
    Variant(
        name="haproxy-static-outside-prefix",
        base=HAPROXY_FLASK,
        misconfiguration="use-service lua.static if { path_beg /static/ }: /app/static/ goes "
        "to the app",
        edit=("path_beg /app/static/ }", "path_beg /static/ }"),
        catches=(Catch(STATIC, r"/app/static/hello\.txt answered 404 from the app \(app-\d\)"),),
    ),
    Variant(
        name="nginx-websocket-outside-prefix",
        base=NGINX_UVICORN,
        misconfiguration="the WebSocket location passes /app/ws/echo on unstripped "
        "(proxy_pass http://app;): uvicorn adds its root again",
        edit=("            proxy_pass http://app/ws/;", "            proxy_pass http://app;"),
        catches=(Catch(WEBSOCKET, r"/app/ws/echo handshake (answered \d+|failed)"),),
    ),
    Variant(
        name="apache-websocket-outside-prefix",
        base=APACHE_DAPHNE,
        misconfiguration="ProxyPass /ws/ balancer://ws/ left at the root: /app/ws/echo goes to "
        "the HTTP balancer, which does not upgrade",
        edit=("    ProxyPass /app/ws/ balancer://ws/", "    ProxyPass /ws/ balancer://ws/"),
        catches=(Catch(WEBSOCKET, r"/app/ws/echo handshake (answered \d+|failed)"),),
    ),
    Variant(
        name="nginx-app-also-at-root",
        base=NGINX_FLASK,
        misconfiguration="a leftover location / passes everything else to the app too",
        edit=(
            "        location /app/static/ {",
            "        location / {\n            proxy_set_header Host $http_host;\n"
            "            proxy_pass http://app;\n        }\n\n"
            "        location /app/static/ {",
        ),
        catches=EVERY_OUTSIDE,
    ),
    Variant(
        name="haproxy-app-also-at-root",
        base=HAPROXY_FLASK,
        misconfiguration="no http-request return 404 outside /app/: every path reaches the app",
        edit=(
            '    http-request return status 404 content-type text/plain string "not found" '
            "unless { path_beg /app/ }\n",
            "",
        ),
        catches=EVERY_OUTSIDE,
    ),
    Variant(
        name="apache-app-also-at-root",
        base=APACHE_FLASK,
        misconfiguration="a leftover ProxyPass / balancer://app/ after the prefix's",
        edit=(
            "    ProxyPass /app/ balancer://app/",
            "    ProxyPass /app/ balancer://app/\n    ProxyPass / balancer://app/",
        ),
        catches=EVERY_OUTSIDE,
    ),
    Variant(
        name="nginx-prefix-location-without-slash",
        base=NGINX_FLASK,
        misconfiguration="location /app (no trailing slash): /appx/ and /app-old/ reach the app",
        evidence="https://github.com/blockscout/blockscout/pull/11202",
        edit=("        location /app/ {\n", "        location /app {\n"),
        catches=BESIDE,
    ),
    Variant(
        name="haproxy-prefix-matched-without-slash",
        base=HAPROXY_FLASK,
        misconfiguration="path_beg /app (no trailing slash) in the 404 rule: /appx/ reaches "
        "the app",
        evidence="https://github.com/haproxy/haproxy/issues/1829",
        edit=("unless { path_beg /app/ }\n", "unless { path_beg /app }\n"),
        catches=BESIDE,
    ),
    Variant(
        name="caddy-prefix-matched-without-slash",
        base=CADDY_FLASK,
        misconfiguration="handle /app* (no slash before the wildcard): /appx/ reaches the app",
        evidence="https://caddyserver.com/docs/caddyfile/matchers#path-matchers",
        edit=("\thandle /app/* {\n", "\thandle /app* {\n"),
        catches=catching(
            # gunicorn refuses the request target Caddy makes (`x/echo`) with its own 400: the
            # request went past the proxy, though no app answered it.
            r"GET /appx/echo, outside /app, answered (\d+ from the app \(app-\d\)|400)",
            f"{OUTSIDE}[beside-the-prefix]",
        ),
    ),
)
