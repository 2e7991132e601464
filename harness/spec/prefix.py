"""Mounting the app under a URL prefix (`prefix = "/app"`): who strips it and who tells the app.

A real deployment serves an app below a path (`location /app/`, `ProxyPass /app/`) and must
tell the app so, or every URL the app builds (links, redirects, static files, WebSockets)
loses the prefix. Exactly one layer tells it, the way each server and framework documents:

- `FORWARDED`: the proxy strips the prefix and sends `X-Forwarded-Prefix`; the app trusts it
  (werkzeug's ProxyFix `x_prefix`). Flask on the app trust layer.
- `ADDED_ROOT`: the proxy strips the prefix and the server, given the root, adds it back in
  front of the path (uvicorn `--root-path`: since 0.26 the ASGI path includes root_path).
- `SERVER_ROOT`: the proxy passes the whole path and the server, given the root, splits it
  off into SCRIPT_NAME / root_path (gunicorn's `SCRIPT_NAME` environment, daphne and
  hypercorn `--root-path`, granian `--url-path-prefix`, waitress `--url-prefix`).

gunicorn's uvicorn worker has no root setting (UvicornWorker passes no root_path), and
Django's `FORCE_SCRIPT_NAME` cannot stand in under ASGI: Django takes request.path from the
scope's path (which must then keep the prefix) while Channels routes WebSockets by the scope's
root_path (which stays empty), so one of the two loses. It is refused with a prefix.

uWSGI (its `mount` and `manage-script-name`) and the uwsgi protocol (SCRIPT_NAME as a
uwsgi_param) are not rendered yet: only Flask on the app layer, over HTTP, runs a prefix
behind uWSGI (ProxyFix).
"""

from __future__ import annotations

import re
import typing
from enum import StrEnum
from typing import assert_never

from harness.parts import server_kit
from harness.parts.kinds import Framework, Protocol, ServerKind, Trust, WorkerClass
from harness.parts.kit import RootHandling


class Prefixed(typing.Protocol):
    """What of a stack spec (harness/spec/model.py) decides how its prefix is told; a
    Protocol, so that this module, which the spec's own module uses, needs nothing of it."""

    @property
    def prefix(self) -> str | None: ...
    @property
    def protocol(self) -> Protocol: ...
    @property
    def framework(self) -> Framework: ...
    @property
    def trust(self) -> Trust | None: ...
    @property
    def worker_class(self) -> WorkerClass | None: ...
    @property
    def server(self) -> ServerKind: ...
    @property
    def contract_prefix(self) -> str | None: ...
    @property
    def server_label(self) -> str: ...
    @property
    def app_mode(self) -> str: ...


# The scenario family (pytest marker) of scenarios/test_prefix.py.
PREFIX_FAMILY = "prefix"
# A path of one or more segments, no trailing slash, no spaces or characters a proxy config
# would have to quote.
PREFIX_PATTERN = re.compile(r"(/[A-Za-z0-9._~-]+)+")
PREFIX_ALLOWED = "a path like '/app': starts with '/', no trailing '/', letters, digits, . _ ~ -"


class PrefixHandling(StrEnum):
    FORWARDED = "forwarded"  # proxy strips, X-Forwarded-Prefix, app's ProxyFix
    ADDED_ROOT = "added-root"  # proxy strips, server adds its root back (uvicorn)
    SERVER_ROOT = "server-root"  # proxy keeps the path, server splits its root off

    @property
    def proxy_strips(self) -> bool:
        """Whether the proxy removes the prefix before passing the request on."""
        return self != PrefixHandling.SERVER_ROOT


def prefix_handling(spec: Prefixed) -> PrefixHandling | None:
    """How a stack with a prefix tells its app; None without a prefix or where not supported."""
    if not spec.prefix or spec.protocol == Protocol.UWSGI:
        return None
    if spec.framework == Framework.FLASK and spec.trust == Trust.APP:
        return PrefixHandling.FORWARDED
    if spec.worker_class == WorkerClass.UVICORN:
        return None
    match server_kit(spec.server).root_handling:
        case RootHandling.ADDS_BACK:
            return PrefixHandling.ADDED_ROOT
        case RootHandling.SPLITS_OFF:
            return PrefixHandling.SERVER_ROOT
        case RootHandling.NONE:
            return None
        case _:
            assert_never(server_kit(spec.server).root_handling)


def prefix_problems(spec: Prefixed) -> list[tuple[str, str, str]]:
    """The prefix field's problems as (field, given, allowed)."""
    if spec.prefix is None:
        return []
    if not PREFIX_PATTERN.fullmatch(spec.prefix):
        return [("prefix", repr(spec.prefix), PREFIX_ALLOWED)]
    if spec.contract_prefix is not None:
        return [("prefix", repr(spec.prefix), "no prefix with overrides.contract_prefix")]
    if prefix_handling(spec) is None:
        allowed = (
            "protocol = http; with uWSGI, only Flask on trust = app (ProxyFix reads "
            "X-Forwarded-Prefix); not gunicorn's uvicorn worker (no root setting: use uvicorn "
            "itself, --root-path)"
        )
        return [("prefix", f"{spec.prefix!r} ({spec.server_label}, {spec.app_mode})", allowed)]
    return []
