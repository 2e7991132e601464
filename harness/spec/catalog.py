"""Built-in stacks and the profiles that group them.

A profile is a named list of stack ids:

- `default` runs locally in minutes: every proxy and every server (each gunicorn worker class,
  granian for WSGI and ASGI, uWSGI over both protocols, waitress) at least once, Flask and
  Django, WSGI and ASGI, each proxy with and without TLS, and each non-default balancing somewhere.
- `ci` is a smaller slice of `default`: each proxy once, WSGI and ASGI, TLS and plain.
- `nightly` is every valid combination of proxy, server (and worker class), app, interface,
  protocol, TLS and Debian suite, generated from the enums and filtered by
  `StackSpec.problems()`. Balancing changes only the proxy's config, so it is crossed with the
  proxy's own axes (proxy, TLS, suite) on one server rather than with every server. The
  proxy's cache (`cache = true`) is likewise on once per proxy, on one server.

The nightly profile also holds the version axes (harness/spec/version_axes.py): servers pinned to
published versions on both sides of a framing bug, behind every proxy, for the `framing`
family only.

Every stack of every profile is in `STACKS`, so `--stack GLOB` can pick any of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from harness.errors import ConfigError
from harness.parts import server_kit
from harness.spec.model import (
    Balancing,
    Framework,
    Interface,
    Protocol,
    ProxyKind,
    ServerKind,
    StackSpec,
    Suite,
    WorkerClass,
)
from harness.spec.version_axes import version_axes

NGINX, APACHE, HAPROXY, CADDY = (
    ProxyKind.NGINX,
    ProxyKind.APACHE,
    ProxyKind.HAPROXY,
    ProxyKind.CADDY,
)
FLASK, DJANGO = Framework.FLASK, Framework.DJANGO
GUNICORN, UWSGI = ServerKind.GUNICORN, ServerKind.UWSGI
SYNC, GTHREAD, UVICORN_WORKER = WorkerClass.SYNC, WorkerClass.GTHREAD, WorkerClass.UVICORN
URL_PREFIX = "/app"


def _stack(**fields: Any) -> StackSpec:
    """A built-in stack; one balanced otherwise than round-robin has it in its id, before the
    suite (`haproxy-granian-wsgi-flask-sticky`, `...-tls-least-conn-trixie`), which the
    derived id leaves out."""
    spec = StackSpec(**fields)
    if spec.balancing == Balancing.ROUND_ROBIN:
        return spec
    suite = "" if spec.suite == Suite.BOOKWORM else f"-{spec.suite}"
    return spec.with_changes(id=f"{spec.id.removesuffix(suite)}-{spec.balancing}{suite}")


# The stacks of the `default` profile, in the order they run.
DEFAULT_STACKS: tuple[StackSpec, ...] = (
    _stack(proxy=NGINX, server=GUNICORN, worker_class=GTHREAD, framework=FLASK),
    _stack(proxy=NGINX, server=UWSGI, framework=FLASK, protocol=Protocol.UWSGI),
    _stack(proxy=NGINX, server=GUNICORN, worker_class=SYNC, framework=DJANGO),
    _stack(proxy=NGINX, server=ServerKind.UVICORN, framework=DJANGO, tls=True),
    _stack(proxy=NGINX, server=ServerKind.WAITRESS, framework=FLASK),
    _stack(
        proxy=NGINX,
        server=ServerKind.GRANIAN,
        framework=DJANGO,
        balancing=Balancing.LEAST_CONN,
        cache=True,
    ),
    _stack(proxy=APACHE, server=GUNICORN, worker_class=GTHREAD, framework=DJANGO, tls=True),
    _stack(proxy=APACHE, server=UWSGI, framework=FLASK, protocol=Protocol.UWSGI),
    _stack(proxy=APACHE, server=ServerKind.DAPHNE, framework=DJANGO),
    _stack(
        proxy=APACHE,
        server=GUNICORN,
        worker_class=UVICORN_WORKER,
        framework=DJANGO,
        tls=True,
        balancing=Balancing.STICKY,
    ),
    _stack(proxy=HAPROXY, server=ServerKind.HYPERCORN, framework=DJANGO),
    _stack(proxy=HAPROXY, server=ServerKind.GRANIAN, framework=FLASK, balancing=Balancing.STICKY),
    _stack(proxy=HAPROXY, server=ServerKind.DAPHNE, framework=DJANGO, tls=True),
    _stack(proxy=HAPROXY, server=UWSGI, framework=FLASK, protocol=Protocol.HTTP),
    # Caddy in front of FastAPI-style ASGI with TLS and WebSockets, as many teams now run it.
    _stack(proxy=CADDY, server=ServerKind.UVICORN, framework=DJANGO, tls=True),
    # Runs the prefix family only: the proxy strips /app, uvicorn adds its --root-path back.
    _stack(proxy=NGINX, server=ServerKind.UVICORN, framework=DJANGO, prefix=URL_PREFIX),
)

CI_STACK_IDS: tuple[str, ...] = (
    "nginx-gunicorn-gthread-flask",
    "nginx-uvicorn-django-asgi-tls",
    "apache-uwsgi-flask",
    "haproxy-daphne-django-asgi-tls",
    "caddy-uvicorn-django-asgi-tls",
)


def _server_modes() -> Iterator[tuple[ServerKind, WorkerClass | None]]:
    """Each server, and each of its worker classes (gunicorn's), in enum order."""
    for server in ServerKind:
        classes: tuple[WorkerClass | None, ...] = tuple(server_kit(server).worker_classes) or (
            None,
        )
        for worker_class in classes:
            yield server, worker_class


def valid_combinations() -> Iterator[StackSpec]:
    """Every valid round-robin stack over the enums, in a fixed order."""
    for suite, proxy, (
        server,
        worker_class,
    ), framework, interface, protocol, tls in itertools.product(
        Suite, ProxyKind, list(_server_modes()), Framework, Interface, Protocol, (False, True)
    ):
        spec = StackSpec(
            proxy=proxy,
            server=server,
            worker_class=worker_class,
            framework=framework,
            interface=interface,
            protocol=protocol,
            tls=tls,
            suite=suite,
        )
        if not spec.problems():
            yield spec


def _valid(spec: StackSpec) -> Iterator[StackSpec]:
    """The spec, unless it asks a part for what its kit says it cannot do (`problems()`):
    Caddy has no shared cache, so no Caddy cache stack is generated."""
    if not spec.problems():
        yield spec


def balancing_variants() -> Iterator[StackSpec]:
    """Each non-default balancing on each proxy, with and without TLS, on each suite."""
    others = [balancing for balancing in Balancing if balancing != Balancing.ROUND_ROBIN]
    for suite, proxy, balancing, tls in itertools.product(Suite, ProxyKind, others, (False, True)):
        # A server that reads a chunked body behind any proxy, so that only the balancing
        # differs from the round-robin stack of the same parts.
        yield from _valid(
            _stack(
                proxy=proxy,
                server=GUNICORN,
                worker_class=GTHREAD,
                framework=FLASK,
                balancing=balancing,
                tls=tls,
                suite=suite,
            )
        )


def cache_variants() -> Iterator[StackSpec]:
    """Each proxy with its cache on, in front of the same server and app; the `default`
    profile carries one cached stack of its own (speed budget), these run nightly. A proxy
    without a shared cache of its own (Caddy without a plugin) has none."""
    for proxy in ProxyKind:
        yield from _valid(
            _stack(proxy=proxy, server=GUNICORN, worker_class=GTHREAD, framework=FLASK, cache=True)
        )


def prefix_variants() -> Iterator[StackSpec]:
    """The app under a URL prefix, each proxy told in each way (harness/spec/prefix.py):
    X-Forwarded-Prefix to Flask's ProxyFix, and the server's own root (gunicorn's SCRIPT_NAME,
    daphne's and hypercorn's --root-path, uvicorn's, which adds it back) with Django,
    WebSockets included. They run the prefix family only; the `default` profile carries the
    last one (speed budget)."""
    for proxy in ProxyKind:
        yield from _valid(
            _stack(
                proxy=proxy,
                server=GUNICORN,
                worker_class=GTHREAD,
                framework=FLASK,
                prefix=URL_PREFIX,
            )
        )
    yield _stack(
        proxy=APACHE, server=GUNICORN, worker_class=SYNC, framework=DJANGO, prefix=URL_PREFIX
    )
    yield _stack(proxy=APACHE, server=ServerKind.DAPHNE, framework=DJANGO, prefix=URL_PREFIX)
    yield _stack(proxy=HAPROXY, server=ServerKind.HYPERCORN, framework=DJANGO, prefix=URL_PREFIX)
    yield _stack(proxy=NGINX, server=ServerKind.UVICORN, framework=DJANGO, prefix=URL_PREFIX)


def _by_id(*groups: Iterable[StackSpec]) -> dict[str, StackSpec]:
    """Stacks by id, first occurrence first; a later stack with a known id must be equal."""
    stacks: dict[str, StackSpec] = {}
    for spec in itertools.chain(*groups):
        known = stacks.setdefault(spec.id, spec)
        if known != spec:
            raise ConfigError(f"catalog: two different built-in stacks share the id {spec.id!r}")
    return stacks


NIGHTLY_STACKS: tuple[StackSpec, ...] = tuple(
    _by_id(
        (
            *valid_combinations(),
            *balancing_variants(),
            *cache_variants(),
            *prefix_variants(),
            *version_axes(),
            *DEFAULT_STACKS,
        )
    ).values()
)

STACKS: Mapping[str, StackSpec] = MappingProxyType(_by_id(DEFAULT_STACKS, NIGHTLY_STACKS))
# Kept for callers that list the hand-picked stacks: the `default` profile's, in order.
BUILT_IN: tuple[StackSpec, ...] = DEFAULT_STACKS

PROFILES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "default": tuple(spec.id for spec in DEFAULT_STACKS),
        "ci": CI_STACK_IDS,
        "nightly": tuple(spec.id for spec in NIGHTLY_STACKS),
    }
)
