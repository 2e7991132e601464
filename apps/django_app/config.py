"""The process environment of the contract, turned into Django settings values.

Pure functions of an environment mapping, so that ``settings.py`` stays a list of assignments
and every rule here can be tested without reloading Django.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

DEFAULT_ALLOWED_HOSTS = "localhost,127.0.0.1,deploy-harness.test"
DEFAULT_REDIS_URL = "redis://redis:6379/0"
DEFAULT_STATIC_ROOT = "/srv/static"

REDIS_CHANNEL_LAYER = "channels_redis.core.RedisChannelLayer"
MEMORY_CHANNEL_LAYER = "channels.layers.InMemoryChannelLayer"


@dataclass(frozen=True, slots=True)
class HarnessEnvironment:
    """The contract's process environment, with its documented defaults applied."""

    instance: str
    server: str
    redis_url: str
    proxy_hops: int
    trust: str
    allowed_hosts: tuple[str, ...]
    static_root: str
    channel_layer: str
    force_script_name: str | None = None


def read_environment(environ: Mapping[str, str]) -> HarnessEnvironment:
    """Read the contract's variables; a malformed value raises ``ImproperlyConfigured``."""
    return HarnessEnvironment(
        instance=environ.get("HARNESS_INSTANCE") or socket.gethostname(),
        server=environ.get("HARNESS_SERVER") or "unknown",
        redis_url=environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        proxy_hops=parse_proxy_hops(environ.get("HARNESS_PROXY_HOPS", "1")),
        trust=parse_trust(environ.get("HARNESS_TRUST") or "app"),
        allowed_hosts=parse_hosts(environ.get("HARNESS_ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS)),
        static_root=environ.get("HARNESS_STATIC_ROOT") or DEFAULT_STATIC_ROOT,
        channel_layer=parse_channel_layer(environ.get("HARNESS_CHANNEL_LAYER", "redis")),
        force_script_name=parse_script_name(environ.get("HARNESS_FORCE_SCRIPT_NAME", "")),
    )


def parse_script_name(value: str) -> str | None:
    """Parse ``HARNESS_FORCE_SCRIPT_NAME``: a path like ``/app`` (no trailing slash), or
    empty for none."""
    if not value:
        return None
    if not value.startswith("/") or value.endswith("/") or " " in value:
        raise ImproperlyConfigured(
            f"HARNESS_FORCE_SCRIPT_NAME={value!r}: expected a path like '/app' "
            "(leading '/', no trailing '/', no spaces), or empty for none"
        )
    return value


def parse_proxy_hops(value: str) -> int:
    """Parse ``HARNESS_PROXY_HOPS``: a whole number of trusted proxies, 0 or more."""
    try:
        hops = int(value)
    except ValueError:
        hops = -1
    if hops < 0:
        raise ImproperlyConfigured(
            f"HARNESS_PROXY_HOPS={value!r}: expected a whole number >= 0 "
            "(how many proxies in front of the app are trusted; 0 for none)"
        )
    return hops


TRUST_LAYERS = ("app", "server")


def parse_trust(value: str) -> str:
    """Parse ``HARNESS_TRUST``: ``app`` (Django applies X-Forwarded-*) or ``server``."""
    if value not in TRUST_LAYERS:
        raise ImproperlyConfigured(f"HARNESS_TRUST={value!r}: expected one of {TRUST_LAYERS}")
    return value


def applies_forwarded_headers(environment: HarnessEnvironment) -> bool:
    """Whether Django applies X-Forwarded-* itself: the app trust layer, with a proxy."""
    return environment.trust == "app" and environment.proxy_hops > 0


def parse_hosts(value: str) -> tuple[str, ...]:
    """Split the comma-separated ``HARNESS_ALLOWED_HOSTS``, dropping blanks."""
    return tuple(host.strip() for host in value.split(",") if host.strip())


def parse_channel_layer(value: str) -> str:
    """Map ``HARNESS_CHANNEL_LAYER`` (``redis`` or ``memory``) to a Channels backend path."""
    layers = {"redis": REDIS_CHANNEL_LAYER, "memory": MEMORY_CHANNEL_LAYER}
    try:
        return layers[value.strip().lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"HARNESS_CHANNEL_LAYER={value!r}: expected one of {sorted(layers)}"
        ) from None


def proxy_settings(applies: bool) -> dict[str, Any]:
    """Django's forwarded-header settings: on with the app trust layer, else Django's own
    defaults (the server has applied what it trusts, and the Host header is the Host)."""
    if not applies:
        return {
            "SECURE_PROXY_SSL_HEADER": None,
            "USE_X_FORWARDED_HOST": False,
            "USE_X_FORWARDED_PORT": False,
        }
    return {
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "USE_X_FORWARDED_HOST": True,
        "USE_X_FORWARDED_PORT": True,
    }


def csrf_trusted_origins(hosts: tuple[str, ...]) -> list[str]:
    """Both schemes of every allowed host; ``.example.com`` becomes ``*.example.com``.

    A bare ``*`` names no origin Django could match, so it adds nothing.
    """
    origins: list[str] = []
    for host in hosts:
        if host == "*":
            continue
        pattern = f"*{host}" if host.startswith(".") else host
        origins += [f"https://{pattern}", f"http://{pattern}"]
    return origins


def channel_layers(backend: str, redis_url: str) -> dict[str, Any]:
    """The ``CHANNEL_LAYERS`` setting: Redis across replicas, or in-process memory."""
    if backend == MEMORY_CHANNEL_LAYER:
        return {"default": {"BACKEND": backend}}
    # redis-py times socket reads out after 5 s, which is as long as channels-redis blocks
    # waiting for a message: an idle WebSocket's consumer would crash after 5 s.
    host = {"address": redis_url, "socket_timeout": 15}
    return {"default": {"BACKEND": backend, "CONFIG": {"hosts": [host]}}}
