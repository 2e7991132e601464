"""HTTP routes of the contract; ``/health`` never reaches them (``HealthCheckMiddleware``)."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from django_app import caching, shared_state, streaming, views

urlpatterns: list[URLPattern] = [
    # /echo, /echo/ and /echo/<anything>, newlines included ([\s\S], not the (?s) flag,
    # which reverse() refuses for every route): the path is the probe.
    re_path(r"^echo(?:/[\s\S]*)?\Z", views.echo, name="echo"),
    path("upload", views.upload, name="upload"),
    path("stream", streaming.stream, name="stream"),
    path("sse", streaming.sse, name="sse"),
    path("sleep", views.sleep, name="sleep"),
    path("redirect", views.redirect, name="redirect"),
    path("urls", views.built_urls, name="urls"),
    path("headers", views.large_headers, name="headers"),
    path("bytes", views.payload_bytes, name="bytes"),
    path("cookie", views.cookie, name="cookie"),
    path("form", views.form, name="form"),
    path("counter", shared_state.counter, name="counter"),
    path("seen", shared_state.seen, name="seen"),
    path("cacheable", caching.cacheable, name="cacheable"),
    path("private", caching.private, name="private"),
    path("no-store", caching.no_store, name="no-store"),
    path("with-cookie", caching.with_cookie, name="with-cookie"),
    path("vary", caching.vary, name="vary"),
    path("revalidate", caching.revalidate, name="revalidate"),
    path("archive", caching.archive, name="archive"),
]
