"""uWSGI (pyuwsgi wheels), over HTTP or its own uwsgi protocol; settings in uwsgi.ini."""

from __future__ import annotations

from types import MappingProxyType

from harness.parts.expectation import Expectation
from harness.parts.kinds import Interface, Protocol, ServerKind, Trust
from harness.parts.kit import RootHandling, ServerChoice, ServerKit, ServerSettings, always


def _trust(choice: ServerChoice) -> Trust:
    """Over its own protocol uWSGI gets the client address and scheme from the proxy
    (REMOTE_ADDR, HTTPS); over HTTP it applies none, and the framework does."""
    return Trust.SERVER if choice.protocol == Protocol.UWSGI else Trust.APP


def _command(settings: ServerSettings) -> list[str]:
    return ["uwsgi", "--ini", f"{settings.config_dir}/uwsgi.ini"]


def _one_request_per_process(choice: ServerChoice) -> bool:
    return choice.threads == 1


def _answers_expect(choice: ServerChoice) -> bool:
    """uWSGI's http-socket ignores `Expect: 100-continue` (its `http-manage-expect` is for
    the HTTP router only): a proxy that passes it on must answer it itself."""
    return choice.protocol != Protocol.HTTP


def _keeps_connections(choice: ServerChoice) -> bool:
    """Its http-socket answers one request per connection, HTTP/1.0 style (uwsgi.ini.j2)."""
    return choice.protocol != Protocol.HTTP


KIT = ServerKit(
    kind=ServerKind.UWSGI,
    package="pyuwsgi",
    interfaces=frozenset({Interface.WSGI}),
    worker_classes=MappingProxyType({}),
    default_worker_class=None,
    http_parsers=frozenset(),
    protocols=frozenset({Protocol.HTTP, Protocol.UWSGI}),
    label=always("uwsgi"),
    default_trust=_trust,
    command=_command,
    config_template="uwsgi.ini.j2",
    directives=MappingProxyType(
        {
            Expectation.MAX_HEADER_BYTES: "buffer-size",
            Expectation.WORKER: "harakiri",
            Expectation.GRACEFUL: "worker-reload-mercy",
        }
    ),
    # `mount` and `manage-script-name` are not rendered yet: only Flask on the app layer
    # (ProxyFix) runs a prefix behind uWSGI.
    root_handling=RootHandling.NONE,
    root_setting="uwsgi.ini mount = {root}=... with manage-script-name = true",
    parser_package=always(None),
    one_request_per_process=_one_request_per_process,
    ends_slow_requests=always(True),  # harakiri
    answers_expect=_answers_expect,
    keeps_connections=_keeps_connections,
    write_timeout=4.0,  # socket-timeout, its default
    keeps_idle_connections=None,
    read_config=None,
)
