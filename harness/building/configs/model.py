"""The rendered shape of a stack's configs, independent of any proxy or server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from harness.parts.kit import HARNESS_ETC

# Values known only once a run publishes its ports. Our templates and users' files write them
# as `{{ name }}`; `harness render` leaves them as placeholders so its output can be reused.
RUN_PLACEHOLDERS = ("public_http_port", "public_https_port")

TLS_DIR = "/etc/harness/tls"
STATIC_DIR = "/srv/static"


__all__ = ["HARNESS_ETC", "STATIC_DIR", "TLS_DIR", "ConfigFile", "RunValues", "ServiceConfig"]


@dataclass(frozen=True, slots=True)
class RunValues:
    """What a run fills into configs: the ports published on 127.0.0.1."""

    public_http_port: str = "{{ public_http_port }}"
    public_https_port: str = "{{ public_https_port }}"

    def fill(self, text: str) -> str:
        """Replace each run placeholder in a config file's text with this run's value."""
        for name in RUN_PLACEHOLDERS:
            text = text.replace("{{ " + name + " }}", str(getattr(self, name)))
        return text


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A file copied into a container before it starts (never bind-mounted)."""

    path: str
    content: str
    source: str = "generated"


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """How one service runs: its command, its config files, its environment."""

    command: tuple[str, ...]
    files: tuple[ConfigFile, ...] = ()
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    check_command: tuple[str, ...] | None = None
