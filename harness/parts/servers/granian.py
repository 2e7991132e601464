"""granian (Rust), for WSGI and ASGI: no forwarded-header handling, no keep-alive timeout."""

from __future__ import annotations

from types import MappingProxyType

from harness.parts.expectation import Expectation
from harness.parts.kinds import Interface, Protocol, ServerKind, Trust
from harness.parts.kit import RootHandling, ServerChoice, ServerKit, ServerSettings, always


def _label(choice: ServerChoice) -> str:
    return f"granian-{choice.interface}"


def _command(settings: ServerSettings) -> list[str]:
    # ASGI and RSGI workers take one blocking thread.
    choice = settings.choice
    threads = choice.threads if choice.interface == Interface.WSGI else 1
    return [
        "granian", "--interface", str(choice.interface), "--host", "0.0.0.0",
        "--port", str(settings.port), "--workers", str(settings.workers),
        "--blocking-threads", str(threads),
        "--workers-kill-timeout", str(settings.graceful),
        "--respawn-failed-workers", "--log", "--access-log",
        *settings.root_args("--url-path-prefix"),
        settings.entry_point,
    ]  # fmt: skip


KIT = ServerKit(
    kind=ServerKind.GRANIAN,
    package="granian",
    interfaces=frozenset(Interface),
    worker_classes=MappingProxyType({}),
    default_worker_class=None,
    http_parsers=frozenset(),
    # HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on the same port.
    protocols=frozenset({Protocol.HTTP, Protocol.H2C}),
    label=_label,
    default_trust=always(Trust.APP),  # the framework applies them (ProxyFix, Django settings)
    command=_command,
    config_template=None,
    directives=MappingProxyType({Expectation.GRACEFUL: "--workers-kill-timeout"}),
    root_handling=RootHandling.SPLITS_OFF,
    root_setting="granian --url-path-prefix {root}",
    parser_package=always(None),  # hyper, in Rust
    one_request_per_process=always(False),
    ends_slow_requests=always(False),
    answers_expect=always(True),
    keeps_connections=always(True),
    write_timeout=None,
    keeps_idle_connections="granian has no keep-alive timeout",
    read_config=None,
)
