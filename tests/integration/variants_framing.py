"""Broken variants of the framing family: a proxy that passes bytes through unparsed, in front
of a server version with a published framing bug, so that the server's lenient reading
reaches the app as a hidden request (see scenarios/test_framing.py).

The base stacks are the nightly profile's version axes (harness/spec/version_axes.py). HAProxy's
public port becomes a `mode tcp` listener straight to the one replica, the misconfiguration
of a proxy put in front "for TLS and balancing only"; its HTTP frontend moves aside.
"""

from __future__ import annotations

from tests.integration.variant_model import Variant, cases_of, catching

PROBE_CASE = "test_framing.py::test_proxied_probe_reaches_app_as_stated_or_not_at_all"
DESYNC = r"desync through the proxy; .*proxied: desync"
PASSTHROUGH = (
    "frontend public\n    bind :80\n",
    "listen passthrough\n    mode tcp\n    bind :80\n    server app-1 app-1:8000\n\n"
    "frontend public\n    bind :8081\n",
)
# Measured direct (issue 13): gunicorn 21.2.0 frames these so the hidden request runs.
GUNICORN_21_DESYNCS = (
    "te-cl",
    "te-list-gzip-chunked",
    "te-chunked-then-gzip",
    "chunk-size-0x",
    "chunk-size-plus",
)
# Measured direct: Twisted 22.2.0 under daphne 3.0.2 (CVE-2022-24801) and waitress 1.3.1
# (CVE-2019-16786, CVE-2019-16792, CVE-2022-24761).
TWISTED_22_2_DESYNCS = ("cl-plus", "chunk-size-0x", "chunk-size-plus")
WAITRESS_1_3_DESYNCS = (
    "te-list-gzip-chunked",
    "te-chunked-twice",
    "cl-duplicate-same",
    "cl-duplicate-different",
)

FRAMING: tuple[Variant, ...] = (
    Variant(
        name="haproxy-tcp-passthrough-gunicorn-21",
        base="haproxy-gunicorn-gthread-flask-gunicorn-21.2.0",
        misconfiguration="HAProxy in mode tcp (no HTTP parsing) before gunicorn 21.2.0",
        edit=PASSTHROUGH,
        catches=catching(DESYNC, *cases_of(PROBE_CASE, GUNICORN_21_DESYNCS)),
    ),
    Variant(
        name="haproxy-tcp-passthrough-h11-0.14",
        base="haproxy-uvicorn-h11-django-asgi-h11-0.14.0",
        misconfiguration="HAProxy in mode tcp (no HTTP parsing) before uvicorn on h11 0.14.0",
        edit=PASSTHROUGH,
        catches=catching(DESYNC, *cases_of(PROBE_CASE, ("chunk-bad-terminator",))),
    ),
    Variant(
        name="haproxy-tcp-passthrough-twisted-22.2",
        base="haproxy-daphne-django-asgi-daphne-3.0.2-twisted-22.2.0",
        misconfiguration="HAProxy in mode tcp (no HTTP parsing) before daphne on Twisted 22.2.0",
        edit=PASSTHROUGH,
        catches=catching(DESYNC, *cases_of(PROBE_CASE, TWISTED_22_2_DESYNCS)),
    ),
    Variant(
        name="haproxy-tcp-passthrough-waitress-1.3.1",
        base="haproxy-waitress-flask-waitress-1.3.1",
        misconfiguration="HAProxy in mode tcp (no HTTP parsing) before waitress 1.3.1",
        edit=PASSTHROUGH,
        catches=catching(DESYNC, *cases_of(PROBE_CASE, WAITRESS_1_3_DESYNCS)),
    ),
)

# Probes whose every reading by a server here is the stated one or a refusal: accepting them
# leniently reads exactly the stated body and runs nothing hidden, so even a passthrough proxy
# before the most lenient server measured cannot make the proxied hop desync. The leniency
# shows on the direct hop instead, as recorded data (results.json observations).
_SAME_READING = (
    "Measured direct on gunicorn 21.2.0 and 27.0.1, h11 0.14.0 and 0.16.0, Twisted 22.2.0 "
    "(daphne 3.0.2), waitress 1.3.1, 2.1.0 and 3.0.2 (issue 13): a server either refuses this "
    "probe or reads exactly its stated body with nothing hidden, so no proxy config, not even "
    "raw TCP passthrough, makes the proxied hop desync; what the server alone does is "
    "recorded on the direct hop, not asserted."
)
FRAMING_WAIVERS = {
    f"{PROBE_CASE}[{name}]": _SAME_READING
    for name in (
        "cl-leading-zeros",
        "chunk-extension-invalid",
        "chunk-bare-lf",
        "bare-lf",
        "obs-fold",
        "nul-in-header",
        "cr-in-header",
        "pipelined",
    )
}
