"""Broken variants of what a careful operator ships: response buffering turned off in front
of sync workers (a slow client then holds a worker); idle upstream connections kept as long
as the server keeps them (a request races the server's close); one failed attempt resting a
replica (one slow GET, tried on each replica, rests them all)."""

from __future__ import annotations

from tests.integration.variant_model import Variant, catching

REUSE = "test_limits.py::test_proxy_does_not_reuse_upstream_connections_the_server_is_closing"
REUSED = r"idle \(the server's keep-alive is 5s\) the proxy sent GETs to .* over old upstream"
IDLE_KEPT = "test_limits.py::test_server_keeps_an_idle_connection_for_its_declared_keepalive"
CLOSED_SOONER = (
    r"the server closed the idle connection after [\d.]+ s, before the declared keep-alive"
)
BUFFERED = (
    "            # Answers are buffered (the default), so a slow client never holds a worker; the\n"
)

OPERATOR: tuple[Variant, ...] = (
    Variant(
        name="nginx-unbuffered-before-sync-workers",
        base="nginx-gunicorn-sync-django",
        misconfiguration="proxy_buffering off for every route, in front of gunicorn sync workers",
        edit=(BUFFERED, "            proxy_buffering off;\n"),
        catches=catching(
            r"GET /echo got ReadTimeout after \d\.\d s: every sync worker is held by a slow client",
            "test_streaming.py::test_slow_clients_do_not_hold_sync_workers",
        ),
    ),
    Variant(
        name="nginx-uwsgi-unbuffered-before-sync-workers",
        base="nginx-uwsgi-flask",
        misconfiguration="uwsgi_buffering off for every route, in front of single-threaded "
        "uWSGI workers",
        edit=(BUFFERED, "            uwsgi_buffering off;\n"),
        fields={"threads": 1},
        catches=catching(
            r"GET /echo got ReadTimeout after \d\.\d s: every sync worker is held by a slow client",
            "test_streaming.py::test_slow_clients_do_not_hold_sync_workers",
        ),
    ),
    Variant(
        name="nginx-memory-buffers-only-short-send-timeout",
        base="nginx-gunicorn-sync-django",
        misconfiguration="proxy_max_temp_file_size 0 (no spooling to disk: nginx stops "
        "reading the worker once its memory buffers are full) with send_timeout 2s, in front "
        "of gunicorn sync workers: the workers come free only when nginx gives up on the "
        "slow clients",
        edit=(BUFFERED, "            proxy_max_temp_file_size 0;\n            send_timeout 2s;\n"),
        catches=catching(
            r"slow clients got only \[.*\] of their \d+ bytes: the proxy freed the workers by "
            "giving up on their clients",
            "test_streaming.py::test_slow_clients_do_not_hold_sync_workers",
        ),
    ),
    Variant(
        name="nginx-upstream-keepalive-default",
        base="nginx-gunicorn-gthread-flask",
        misconfiguration="no keepalive_timeout in the upstream block: nginx keeps idle "
        "upstream connections 60s, gunicorn closes them after 5s",
        evidence="https://github.com/conbench/conbench/issues/1156",
        edit=("        keepalive_timeout 3s;\n", ""),
        catches=catching(REUSED, REUSE),
    ),
    Variant(
        name="apache-pooled-connections-without-ttl",
        base="apache-gunicorn-gthread-django-tls",
        misconfiguration="BalancerMembers without ttl=: Apache reuses a pooled connection "
        "however long it idled",
        edit=(" ttl=3", ""),
        every=True,
        catches=catching(REUSED, REUSE),
    ),
    Variant(
        name="haproxy-server-connections-kept-with-the-client",
        base="haproxy-hypercorn-django-asgi",
        misconfiguration="no option http-server-close: a replica's connection idles as long "
        "as the client's keep-alive, the server's own",
        evidence="https://github.com/haproxy/haproxy/issues/1236",
        edit=("    option http-server-close\n", ""),
        catches=catching(REUSED, REUSE),
    ),
    Variant(
        name="nginx-upstream-failure-defaults",
        base="nginx-gunicorn-gthread-flask",
        misconfiguration="server lines with nginx's defaults, max_fails=1 fail_timeout=10s: "
        "one slow GET, tried on each replica in turn, rests them all",
        edit=(" max_fails=2 fail_timeout=1s", ""),
        every=True,
        catches=catching(
            r"one slow GET rested the replicas",
            "test_limits.py::test_request_past_proxy_read_timeout_gets_timeout_status[GET]",
        ),
    ),
    Variant(
        name="gunicorn-keepalive-default",
        base="nginx-gunicorn-gthread-flask",
        misconfiguration="gunicorn keepalive = 2 (its default) where the stack declares 5 s: "
        "the proxy keeps upstream connections the server is closing",
        evidence="https://github.com/conbench/conbench/issues/1156",
        file="server",
        edit=("keepalive = 5\n", "keepalive = 2\n"),
        catches=catching(CLOSED_SOONER, IDLE_KEPT),
    ),
    Variant(
        name="uvicorn-keepalive-below-declared",
        base="nginx-uvicorn-django-asgi-tls",
        misconfiguration="uvicorn --timeout-keep-alive 2 where the stack declares 5 s",
        evidence="https://github.com/lsst-sqre/phalanx/pull/5103",
        file="args",
        edit=("--timeout-keep-alive 5", "--timeout-keep-alive=2"),
        catches=catching(CLOSED_SOONER, IDLE_KEPT),
    ),
    Variant(
        name="caddy-transport-keepalive-default",
        base="caddy-gunicorn-gthread-flask",
        misconfiguration="no keepalive in the http transport: Caddy keeps idle upstream "
        "connections 2 minutes, past the server's 5 s",
        evidence="https://github.com/caddyserver/caddy/issues/6452",
        edit=("\t\t\t\t\tkeepalive 3s\n", ""),
        every=True,
        catches=catching(REUSED, REUSE),
    ),
)
