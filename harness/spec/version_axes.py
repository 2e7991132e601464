"""The nightly profile's version axes: servers at published versions, for the framing family.

Each axis is a server at versions on both sides of a published framing bug (the advisories
in harness/clients/framing/advisories.py), pinned through `packages` (each pin set is an app image
of its own). They are crossed with every proxy, because the question is hop by hop (does the
server alone let the probe through, and does this proxy protect it?), but with one app only,
and they run the `framing` family only (`StackSpec.families`): a pin changes the server's
parser, not what the other families check, so those would only multiply the run.

The current versions of each server are the unpinned ones of docker/requirements.txt; where
the nightly profile's own combinations already run them (gunicorn, waitress, daphne,
hypercorn, uvicorn on httptools, its default parser here), the framing family runs there too.
uvicorn on h11 is no combination of its own, so both its versions are here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from harness.spec.model import (
    Framework,
    HttpParser,
    ProxyKind,
    ServerKind,
    StackSpec,
    Trust,
    WorkerClass,
)
from harness.spec.pins import Pin

__all__ = ["VERSION_AXES", "VersionAxis", "version_axes"]

FRAMING = ("framing",)


@dataclass(frozen=True, slots=True)
class VersionAxis:
    """A server (and parser) at one pin set, for the framing family."""

    server: ServerKind
    framework: Framework
    pins: tuple[Pin, ...]
    worker_class: WorkerClass | None = None
    http_parser: HttpParser | None = None
    trust: Trust | None = None


def _pins(**versions: str) -> tuple[Pin, ...]:
    return tuple(sorted(Pin(name.replace("_", "-"), version) for name, version in versions.items()))


VERSION_AXES: tuple[VersionAxis, ...] = (
    # gunicorn before 22.0: CVE-2024-1135, CVE-2024-6827; 22.0.0 the first fixed release.
    VersionAxis(
        ServerKind.GUNICORN, Framework.FLASK, _pins(gunicorn="21.2.0"), WorkerClass.GTHREAD
    ),
    VersionAxis(
        ServerKind.GUNICORN, Framework.FLASK, _pins(gunicorn="22.0.0"), WorkerClass.GTHREAD
    ),
    # h11 before 0.16: CVE-2025-43859, reached by uvicorn --http h11 and by hypercorn.
    VersionAxis(
        ServerKind.UVICORN, Framework.DJANGO, _pins(h11="0.14.0"), http_parser=HttpParser.H11
    ),
    VersionAxis(ServerKind.UVICORN, Framework.DJANGO, (), http_parser=HttpParser.H11),
    # hypercorn 0.14 has no ProxyFixMiddleware (the server layer here): the app layer applies
    # the forwarded headers instead, which the framing family does not look at.
    VersionAxis(
        ServerKind.HYPERCORN,
        Framework.DJANGO,
        _pins(hypercorn="0.14.4", h11="0.14.0"),
        trust=Trust.APP,
    ),
    # Twisted before 22.4 (CVE-2022-24801) needs a daphne before 4.0, which asked for less.
    VersionAxis(ServerKind.DAPHNE, Framework.DJANGO, _pins(daphne="3.0.2", twisted="22.2.0")),
    # waitress before 2.1.1: CVE-2022-24761; before 1.4.0 also CVE-2019-16786 and
    # CVE-2019-16792 (Transfer-Encoding and a doubled Content-Length).
    VersionAxis(ServerKind.WAITRESS, Framework.FLASK, _pins(waitress="2.1.0")),
    VersionAxis(ServerKind.WAITRESS, Framework.FLASK, _pins(waitress="1.3.1")),
)


def version_axes() -> Iterator[StackSpec]:
    """Every version axis behind every proxy: one replica, the framing family only."""
    for axis in VERSION_AXES:
        for proxy in ProxyKind:
            yield StackSpec(
                proxy=proxy,
                server=axis.server,
                worker_class=axis.worker_class,
                framework=axis.framework,
                packages=axis.pins,
                http_parser=axis.http_parser,
                trust=axis.trust,
                replicas=1,
                families=FRAMING,
            )
