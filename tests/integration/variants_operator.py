"""Broken variants of what a careful operator ships: response buffering turned off in front
of sync workers (a slow client then holds a worker)."""

from __future__ import annotations

from tests.integration.variant_model import Variant, catching

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
            r"GET /echo got ReadTimeout after 3\.0 s: every sync worker is held by a slow client",
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
            r"GET /echo got ReadTimeout after 3\.0 s: every sync worker is held by a slow client",
            "test_streaming.py::test_slow_clients_do_not_hold_sync_workers",
        ),
    ),
)
