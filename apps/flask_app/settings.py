"""The process settings of the app contract, read from the environment when the app is built.

Nothing here reads the environment at import time: `Settings.from_env` is called by the
entry points (`flask_app.wsgi`, `flask_app.asgi`) or by a test that passes its own mapping.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Settings", "SettingsError"]

DEFAULT_REDIS_URL = "redis://redis:6379/0"
DEFAULT_PROXY_HOPS = "1"
DEFAULT_ALLOWED_HOSTS = "localhost,127.0.0.1,deploy-harness.test"
INTERFACES = ("wsgi", "asgi")
# Where X-Forwarded-* are applied: by this app (ProxyFix), or by the server in front of it.
TRUST_LAYERS = ("app", "server")


class SettingsError(ValueError):
    """An environment variable has a value the app contract does not allow."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Who this replica is and what it trusts.

    `allowed_hosts` is None when every Host is accepted (the value `*`), as Django reads it.
    """

    instance: str
    server: str
    interface: str
    redis_url: str
    proxy_hops: int
    allowed_hosts: tuple[str, ...] | None
    trust: str = "app"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, default_interface: str = "wsgi"
    ) -> Settings:
        """Build the settings from `environ` (the process environment if None).

        `default_interface` is what the entry point knows it serves; `HARNESS_INTERFACE`,
        when the harness sets it, wins.
        """
        env = os.environ if environ is None else environ
        return cls(
            instance=env.get("HARNESS_INSTANCE") or socket.gethostname(),
            server=env.get("HARNESS_SERVER") or "unknown",
            interface=_interface(env.get("HARNESS_INTERFACE") or default_interface),
            redis_url=env.get("REDIS_URL") or DEFAULT_REDIS_URL,
            proxy_hops=_proxy_hops(env.get("HARNESS_PROXY_HOPS", DEFAULT_PROXY_HOPS)),
            allowed_hosts=_allowed_hosts(env.get("HARNESS_ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS)),
            trust=_trust(env.get("HARNESS_TRUST") or "app"),
        )

    @property
    def applies_forwarded_headers(self) -> bool:
        """Whether this app applies X-Forwarded-* itself (the app trust layer)."""
        return self.trust == "app" and self.proxy_hops > 0


def _interface(value: str) -> str:
    """Return `value` if it names an interface the contract knows."""
    if value not in INTERFACES:
        raise SettingsError(
            f"HARNESS_INTERFACE is {value!r}; expected one of {', '.join(INTERFACES)}"
        )
    return value


def _trust(value: str) -> str:
    """Return `value` if it names a trust layer."""
    if value not in TRUST_LAYERS:
        allowed = ", ".join(TRUST_LAYERS)
        raise SettingsError(f"HARNESS_TRUST is {value!r}; expected one of {allowed}")
    return value


def _proxy_hops(value: str) -> int:
    """Parse the number of trusted proxies: a non-negative integer."""
    hops = value.strip()
    if not (hops.isascii() and hops.isdigit()):
        raise SettingsError(
            f"HARNESS_PROXY_HOPS is {value!r}; expected a non-negative integer "
            "(0 when no proxy is trusted)"
        )
    return int(hops)


def _allowed_hosts(value: str) -> tuple[str, ...] | None:
    """Split the comma-separated host names; `*` alone accepts every host.

    An empty list is refused rather than read as "allow all", which is what Flask's
    `TRUSTED_HOSTS` would silently make of it.
    """
    hosts = tuple(host.strip().lower() for host in value.split(",") if host.strip())
    if hosts == ("*",):
        return None
    if not hosts or "*" in hosts:
        raise SettingsError(
            f"HARNESS_ALLOWED_HOSTS is {value!r}; expected comma-separated host names "
            "(a leading dot matches subdomains) or '*' alone for every host"
        )
    return hosts
