"""Broken variants for the balancing, lifecycle, websocket, tls families."""

from __future__ import annotations

import trustme

from tests.integration.variant_model import Catch, Variant, catching

GUNICORN = "nginx-gunicorn-gthread-flask"
APACHE = "apache-gunicorn-gthread-flask"
UWSGI = "nginx-uwsgi-flask"
HAPROXY = "haproxy-hypercorn-django-asgi"
ASGI = "nginx-gunicorn-uvicorn-django-asgi"
TLS = "nginx-gunicorn-gthread-flask-tls"
NEXT_UPSTREAM = "            proxy_pass http://app;\n"  # the first one: location /
TLS_SERVER = "    server {\n        listen 443 ssl http2;\n"
HTTP_BLOCK_END = "        }\n    }\n}\n"  # the last location, the last server, http
WS_TIMEOUTS = "            proxy_connect_timeout 1s;\n            proxy_read_timeout 5s;\n"
STATIC_AND_APP_LOCATIONS = (
    "        location /static/ {\n            alias /srv/static/;\n        }\n\n"
    "        location / {\n"
)
NOSNIFF = "            add_header X-Content-Type-Options nosniff always;\n"
REPLICA_DOWN = "test_balancing.py::test_gets_keep_succeeding_with_replica_down"
ROLLING_RESTART = "test_lifecycle.py::test_rolling_restart_gives_no_errors"
IN_FLIGHT = "test_lifecycle.py::test_request_in_flight_finishes_when_its_replica_stops"
IDLE = "test_websocket.py::test_idle_connection_survives_declared_idle_time"
WS_STOP = "test_websocket.py::test_stopping_replica_closes_its_sockets_cleanly"
TLS_VERSION = "test_tls.py::test_tls_version_policy"
HSTS = "test_tls.py::test_hsts_on_every_response"
# A failed GET while a replica is down, after the proxy's detection window.
GET_FAILED = r"app-1 {outage}; \d+ GETs .* failures: \['"


def stale_certificate_server() -> str:
    """An nginx server block for the site's names that serves a stale certificate: issued by
    another CA, for another name. It comes after the site's own block, which stays the
    default server: a handshake without a name (by address) gets the right certificate, so
    the stack starts and only the named handshakes go wrong."""
    stale = trustme.CA(organization_name="stale CA").issue_cert("stale.example")
    certificate = stale.cert_chain_pems[0].bytes().decode()
    key = stale.private_key_pem.bytes().decode()
    return (
        "\n"
        f'    map $ssl_server_name $stale_certificate {{ default "{certificate}"; }}\n'
        f'    map $ssl_server_name $stale_key {{ default "{key}"; }}\n'
        f"{TLS_SERVER}"
        "        server_name localhost deploy-harness.test;\n"
        "        ssl_certificate data:$stale_certificate;\n"
        "        ssl_certificate_key data:$stale_key;\n"
        "        location / {\n            proxy_pass http://app;\n        }\n"
        "    }\n"
    )


def replica_down_fails() -> tuple[Catch, ...]:
    """GETs keep failing after the detection window, with app-1 stopped or paused."""
    return tuple(
        Catch(f"{REPLICA_DOWN}[{outage}]", GET_FAILED.format(outage=outage))
        for outage in ("stopped", "paused")
    )


# The replica stopped mid-request, killing it: the proxy answers its error, or (nginx, for a
# GET) runs the request again on the other replica, which answers it.
STOPPED_MID_REQUEST = (
    r"stopped (app-\d) while it ran /sleep\S*: got (5\d\d from None|200 from '(?!\1)app-\d', "
    r"the app ran it 2 times)"
)
IDLE_CUT = r"after 4s idle: 'closed: "


# Apache's refusal at the front of a Transfer-Encoding other than chunked, removed; and what
# the refused-requests scenario then says: the member mod_proxy_http put in error was missed.
APACHE_REFUSES_OTHER_CODINGS = (
    '    RewriteCond %{HTTP:Transfer-Encoding} !=""\n'
    "    RewriteCond %{HTTP:Transfer-Encoding} !^chunked$ [NC]\n"
    "    RewriteRule ^ - [R=400,L]\n",
    "",
)
REFUSALS_TOOK_A_MEMBER_OUT = Catch(
    "test_balancing.py::test_refused_requests_take_no_replica_out_of_rotation",
    r"\(answered \[\[500\], \[500\], \[500\]\]\), then 4 GETs: failures \[\], "
    r"replicas not reached \['app-\d'\]",
)


BALANCING: tuple[Variant, ...] = (
    Variant(
        name="nginx-single-upstream",
        base=GUNICORN,
        misconfiguration="the upstream lists one replica: the other never gets traffic",
        edit=("        server app-2:8000 max_fails=2 fail_timeout=1s;\n", ""),
        # The failover scenario first needs every replica in view: app-2 never is.
        catches=tuple(
            Catch(f"{REPLICA_DOWN}[{outage}]", r"\['app-2'\] never answered GET /echo")
            for outage in ("stopped", "paused")
        ),
    ),
    Variant(
        name="nginx-weighted-upstream",
        base=GUNICORN,
        misconfiguration="weight=9 left on one replica (from a canary rollout): the other "
        "gets a tenth of the traffic",
        edit=(
            "server app-1:8000 max_fails=2 fail_timeout=1s;",
            "server app-1:8000 weight=9 max_fails=2 fail_timeout=1s;",
        ),
        catches=(
            Catch(
                "test_balancing.py::test_requests_spread_over_replicas",
                r"60 GETs went \{'app-1': \d+, 'app-2': \d\}, every replica should get at "
                "least 15",
            ),
        ),
    ),
    Variant(
        name="nginx-no-next-upstream",
        base=GUNICORN,
        misconfiguration="proxy_next_upstream off: a request to a dead replica fails, not retried",
        edit=(NEXT_UPSTREAM, NEXT_UPSTREAM + "            proxy_next_upstream off;\n"),
        catches=(
            *replica_down_fails(),
            Catch(ROLLING_RESTART, r"rolling restart: \["),
        ),
    ),
    Variant(
        name="uwsgi-no-next-upstream",
        base=UWSGI,
        misconfiguration="uwsgi_next_upstream off: a request to a dead replica fails",
        edit=(
            "            uwsgi_pass app;\n",
            "            uwsgi_next_upstream off;\n            uwsgi_pass app;\n",
        ),
        catches=replica_down_fails(),
    ),
    Variant(
        name="nginx-long-fail-timeout",
        base=GUNICORN,
        misconfiguration="fail_timeout=300s: a replica that failed once is shunned for 5 minutes",
        edit=(
            "server app-1:8000 max_fails=2 fail_timeout=1s;",
            "server app-1:8000 max_fails=2 fail_timeout=300s;",
        ),
        catches=(
            Catch(
                "test_balancing.py::test_replica_rejoins_after_restart",
                r"app-1 not answering [\d.]+s after its restart",
            ),
        ),
    ),
    Variant(
        name="nginx-retries-post",
        base=GUNICORN,
        misconfiguration="proxy_next_upstream ... non_idempotent: a timed-out POST is sent again",
        evidence="https://github.com/wazuh/wazuh/issues/38156",
        edit=(
            NEXT_UPSTREAM,
            NEXT_UPSTREAM + "            proxy_next_upstream error timeout non_idempotent;\n",
        ),
        catches=(
            Catch(
                "test_balancing.py::test_post_not_repeated_when_upstream_times_out",
                # app-1 paused: the POST timed out there, and app-2 ran and answered it.
                r"hung on app-1 \(\+[\d.]+s 200 from app-2 in [\d.]+s\), then ran [12] "
                r"times .*: the proxy retried a POST",
            ),
            Catch(
                "test_limits.py::test_request_past_proxy_read_timeout_gets_timeout_status[POST]",
                r"the proxy answered late \(sent the POST again to another replica\)",
            ),
        ),
    ),
    Variant(
        name="haproxy-retries-post",
        base="haproxy-gunicorn-gthread-flask",
        misconfiguration="retry-on response-timeout without disable-l7-retry for methods that "
        "are not idempotent: a timed-out POST is sent again",
        evidence="https://github.com/wazuh/wazuh/issues/38156",
        edit=("    http-request disable-l7-retry unless METH_GET || METH_OPTIONS\n", ""),
        catches=(
            Catch(
                "test_balancing.py::test_post_not_repeated_when_upstream_times_out",
                r"then ran [12] times .*: the proxy retried a POST",
            ),
        ),
    ),
    Variant(
        name="nginx-sticky-without-ip-hash",
        base=GUNICORN,
        fields={"balancing": "sticky"},
        misconfiguration="a sticky stack whose upstream lost ip_hash: clients are not pinned",
        edit=("        ip_hash;\n", ""),
        catches=(
            Catch(
                "test_balancing.py::test_sticky_policy_pins_client",
                r"one client's 20 GETs were answered by \{'app-\d', 'app-\d'\}",
            ),
        ),
    ),
    Variant(
        name="apache-passes-any-transfer-coding",
        base=APACHE,
        misconfiguration="no refusal of a Transfer-Encoding other than chunked at the front: "
        "mod_proxy_http answers `gzip, chunked` with 500 and puts the member it picked in error",
        edit=APACHE_REFUSES_OTHER_CODINGS,
        catches=(REFUSALS_TOOK_A_MEMBER_OUT,),
    ),
    Variant(
        name="apache-sticky-passes-any-transfer-coding",
        base=APACHE,
        fields={"balancing": "sticky"},
        misconfiguration="no refusal of a Transfer-Encoding other than chunked at the front, on "
        "a stack sticky by a cookie: new visitors are balanced, and none reaches the member "
        "mod_proxy_http put in error there too",
        edit=APACHE_REFUSES_OTHER_CODINGS,
        catches=(REFUSALS_TOOK_A_MEMBER_OUT,),
    ),
)

LIFECYCLE: tuple[Variant, ...] = (
    Variant(
        name="gunicorn-no-graceful-timeout",
        base=GUNICORN,
        misconfiguration="graceful_timeout = 0: a stop kills the workers mid-request",
        file="server",
        edit=("graceful_timeout = 3", "graceful_timeout = 0"),
        catches=(Catch(IN_FLIGHT, STOPPED_MID_REQUEST),),
    ),
)

LIFECYCLE += (
    Variant(
        name="uwsgi-die-on-term",
        base=UWSGI,
        misconfiguration="uWSGI's die-on-term instead of a graceful stop: SIGTERM kills workers",
        file="server",
        edit=("hook-master-start = unix_signal:15 gracefully_kill_them_all", "die-on-term = true"),
        catches=(Catch(IN_FLIGHT, STOPPED_MID_REQUEST),),
    ),
    Variant(
        name="haproxy-no-resolvers",
        base=HAPROXY,
        misconfiguration="HAProxy resolves replica names once, at start (no `resolvers`)",
        edit=(
            "    default-server check inter 1s downinter 250ms fall 2 rise 1 resolvers docker "
            "init-addr libc,none",
            "    default-server check inter 1s downinter 250ms fall 2 rise 1",
        ),
        catches=(
            Catch(
                "test_lifecycle.py::test_recreated_replica_is_reached_again",
                r"app-1 moved from \S+ to \S+(, and .* still sent GET /echo to the old "
                r"address| and got no request in)",
            ),
        ),
    ),
)

WEBSOCKET: tuple[Variant, ...] = (
    Variant(
        name="nginx-ws-no-upgrade-headers",
        base=ASGI,
        misconfiguration="the /ws/ location does not pass Upgrade and Connection upstream",
        edit=(
            "            proxy_set_header Upgrade $upgrade_websocket;\n"
            "            proxy_set_header Connection $connection_upgrade;\n" + WS_TIMEOUTS,
            WS_TIMEOUTS,
        ),
        catches=catching(
            r"/ws/\S+ handshake (answered \d+|failed: )",
            "test_websocket.py::test_upgrade_answers_101",
            *(
                f"test_websocket.py::test_messages_echo_unchanged[{message}]"
                for message in ("text", "binary", "text-1MiB", "binary-1MiB")
            ),
            "test_websocket.py::test_ping_is_answered_with_pong",
            "test_websocket.py::test_app_close_code_reaches_client",
            WS_STOP,
        ),
    ),
    Variant(
        name="nginx-ws-short-read-timeout",
        base=ASGI,
        misconfiguration="proxy_read_timeout 2s on /ws/: below the declared 5 s idle time",
        edit=(WS_TIMEOUTS, WS_TIMEOUTS.replace("read_timeout 5s", "read_timeout 2s")),
        catches=(Catch(IDLE, IDLE_CUT),),
    ),
    Variant(
        name="django-any-origin",
        base=ASGI,
        misconfiguration="ALLOWED_HOSTS = * : the WebSocket origin check lets every site in",
        env={"HARNESS_ALLOWED_HOSTS": "*"},
        catches=(
            Catch(
                "test_websocket.py::test_foreign_origin_refused_and_own_accepted",
                r"Origin https://attacker\.example got accepted \(101\)",
            ),
        ),
    ),
    Variant(
        name="channels-in-memory-layer",
        base=ASGI,
        misconfiguration="InMemoryChannelLayer: rooms do not reach members on other replicas",
        env={"HARNESS_CHANNEL_LAYER": "memory"},
        # The scenario waits twice for a delivery that never comes; past the stack's idle
        # time (5 s by default) the proxy drops the sockets, and closing them raises before
        # the scenario's assertion: a longer declared idle time lets the assertion speak.
        fields={"timeouts.websocket_idle": 30},
        catches=(
            Catch(
                "test_websocket.py::test_room_message_reaches_members_on_other_replicas",
                r"members on app-\d and app-\d \(\d+ tries\): app-\d got None",
            ),
        ),
    ),
    Variant(
        name="gunicorn-uvicorn-no-graceful-timeout",
        base=ASGI,
        misconfiguration="graceful_timeout = 0: a stop kills the workers, dropping WebSockets",
        file="server",
        edit=("graceful_timeout = 3", "graceful_timeout = 0"),
        catches=(Catch(WS_STOP, r"closed its WebSocket with 1006 \(1006: dropped"),),
    ),
)

TLS_VARIANTS: tuple[Variant, ...] = (
    Variant(
        name="nginx-tls-legacy-protocols",
        base=TLS,
        misconfiguration="TLS 1.0 and 1.1 enabled (with the ciphers they need)",
        edit=(
            "ssl_protocols TLSv1.2 TLSv1.3;",
            "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n"
            "        ssl_ciphers DEFAULT:@SECLEVEL=0;",
        ),
        catches=(
            Catch(f"{TLS_VERSION}[1.0]", r"TLS 1\.0 should be refused: agreed TLSv1(\.0)?,"),
            Catch(f"{TLS_VERSION}[1.1]", r"TLS 1\.1 should be refused: agreed TLSv1\.1,"),
        ),
    ),
    Variant(
        name="nginx-tls-1-3-only",
        base=TLS,
        misconfiguration="ssl_protocols TLSv1.3 on a stack that declares TLS 1.2 too",
        edit=("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.3;"),
        catches=(Catch(f"{TLS_VERSION}[1.2]", r"TLS 1\.2 should be accepted: agreed None"),),
    ),
    Variant(
        name="nginx-tls-1-2-only",
        base=TLS,
        misconfiguration="ssl_protocols TLSv1.2 (from an old hardening guide): TLS 1.3 refused",
        edit=("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.2;"),
        catches=(Catch(f"{TLS_VERSION}[1.3]", r"TLS 1\.3 should be accepted: agreed None"),),
    ),
    Variant(
        name="nginx-stale-named-certificate",
        base=TLS,
        misconfiguration="the site's named server block serves another CA's certificate",
        edit=(HTTP_BLOCK_END, HTTP_BLOCK_END[:-2] + stale_certificate_server() + "}\n"),
        catches=(
            Catch(
                "test_tls.py::test_chain_verifies_with_only_the_test_ca",
                r"with only the test CA trusted: SSLCertVerificationError",
            ),
            *catching(
                r"the proxy served a certificate for \['stale\.example'\]",
                "test_tls.py::test_certificate_matches_site_name[localhost]",
                "test_tls.py::test_certificate_matches_site_name[deploy-harness.test]",
            ),
        ),
    ),
    Variant(
        name="nginx-no-http2",
        base=TLS,
        misconfiguration="listen without http2: ALPN never offers h2",
        edit=("listen 443 ssl http2;", "listen 443 ssl;"),
        catches=(Catch("test_tls.py::test_alpn_offers_h2", r"ALPN chose 'http/1\.1'"),),
    ),
    Variant(
        name="nginx-hsts-without-always",
        base=TLS,
        misconfiguration="add_header HSTS without `always`: error responses lack it",
        edit=('"max-age=63072000" always;', '"max-age=63072000";'),
        catches=(
            Catch(f"{HSTS}[/no-such-page]", r"/no-such-page answered 404 with HSTS None"),
            Catch(f"{HSTS}[/upload]", r"/upload answered 413 with HSTS None"),
        ),
    ),
    Variant(
        name="nginx-location-headers-drop-hsts",
        base=TLS,
        misconfiguration="add_header in each location (nosniff): nginx then inherits no "
        "add_header from the server block, so HSTS is gone everywhere",
        evidence="https://github.com/alphagov/govuk-helm-charts/pull/4022",
        edit=(STATIC_AND_APP_LOCATIONS, STATIC_AND_APP_LOCATIONS.replace("{\n", "{\n" + NOSNIFF)),
        catches=tuple(
            Catch(f"{HSTS}[{path}]", rf"{path} answered {status} with HSTS None")
            for path, status in (
                ("/echo", 200),
                ("/static/hello.txt", 200),
                ("/no-such-page", 404),
                ("/upload", 413),
            )
        ),
    ),
    Variant(
        name="nginx-redirect-drops-path",
        base=TLS,
        misconfiguration="the HTTP to HTTPS redirect sends every request to the home page",
        edit=("{{ public_https_port }}$request_uri;", "{{ public_https_port }}/;"),
        catches=(
            Catch(
                "test_tls.py::test_plain_http_redirects_to_https_keeping_path_and_query",
                r"http /echo/some/path\?q=1&r=caf%C3%A9 answered 301 to 'https://[^/']+/'",
            ),
        ),
    ),
    Variant(
        name="nginx-tls-forwards-http-proto",
        base=TLS,
        misconfiguration="X-Forwarded-Proto hard-coded to http behind the TLS proxy",
        edit=(
            "proxy_set_header X-Forwarded-Proto $scheme;",
            "proxy_set_header X-Forwarded-Proto http;",
        ),
        catches=(
            Catch(
                "test_tls.py::test_app_sees_https_and_marks_cookies_secure",
                r"app saw scheme 'http', is_secure False",
            ),
        ),
    ),
)

FLEET: tuple[Variant, ...] = BALANCING + LIFECYCLE + WEBSOCKET + TLS_VARIANTS
