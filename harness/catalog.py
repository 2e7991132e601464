"""Built-in stacks and the profiles that group them.

A profile is a named list of stack ids: `default` runs locally in minutes, `ci` keeps CI
short, `nightly` holds every valid combination the catalog knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from harness.specs import Framework, ProxyKind, ServerKind, StackSpec, Protocol, WorkerClass

BUILT_IN: tuple[StackSpec, ...] = (
    StackSpec(
        proxy=ProxyKind.NGINX,
        server=ServerKind.GUNICORN,
        worker_class=WorkerClass.GTHREAD,
        framework=Framework.FLASK,
    ),
    StackSpec(
        proxy=ProxyKind.NGINX,
        server=ServerKind.UWSGI,
        protocol=Protocol.UWSGI,
        framework=Framework.FLASK,
    ),
)

STACKS: Mapping[str, StackSpec] = MappingProxyType({spec.id: spec for spec in BUILT_IN})

PROFILES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "default": ("nginx-gunicorn-gthread-flask", "nginx-uwsgi-flask"),
        "ci": ("nginx-gunicorn-gthread-flask", "nginx-uwsgi-flask"),
        "nightly": tuple(STACKS),
    }
)
