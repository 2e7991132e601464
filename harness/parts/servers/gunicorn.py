"""gunicorn, with its sync, gthread and uvicorn worker classes; settings in gunicorn.conf.py."""

from __future__ import annotations

from types import MappingProxyType

from harness.parts.expectation import Expectation
from harness.parts.kinds import Interface, Protocol, ServerKind, Trust, WorkerClass
from harness.parts.kit import RootHandling, ServerChoice, ServerKit, ServerSettings, always
from harness.parts.reading.gunicorn import read_gunicorn


def _label(choice: ServerChoice) -> str:
    return f"gunicorn-{choice.worker_class}"


def _trust(choice: ServerChoice) -> Trust:
    """The uvicorn worker applies the client address and scheme itself; the WSGI workers
    apply only the scheme, so the framework applies them (Flask's and Django's guides)."""
    return Trust.SERVER if choice.worker_class == WorkerClass.UVICORN else Trust.APP


def _command(settings: ServerSettings) -> list[str]:
    return ["gunicorn", "-c", f"{settings.config_dir}/gunicorn.conf.py", settings.entry_point]


def _parser(choice: ServerChoice) -> str | None:
    return "gunicorn" if choice.worker_class != WorkerClass.UVICORN else None


def _sync(choice: ServerChoice) -> bool:
    return choice.worker_class == WorkerClass.SYNC


KIT = ServerKit(
    kind=ServerKind.GUNICORN,
    package="gunicorn",
    interfaces=frozenset(Interface),
    worker_classes=MappingProxyType(
        {
            WorkerClass.SYNC: Interface.WSGI,
            WorkerClass.GTHREAD: Interface.WSGI,
            WorkerClass.UVICORN: Interface.ASGI,
        }
    ),
    default_worker_class=WorkerClass.GTHREAD,
    http_parsers=frozenset(),
    protocols=frozenset({Protocol.HTTP}),
    label=_label,
    default_trust=_trust,
    command=_command,
    config_template="gunicorn.conf.py.j2",
    directives=MappingProxyType(
        {
            Expectation.MAX_HEADER_BYTES: "limit_request_field_size and limit_request_line",
            Expectation.WORKER: "timeout",
            Expectation.KEEPALIVE: "keepalive",
            Expectation.GRACEFUL: "graceful_timeout",
        }
    ),
    root_handling=RootHandling.SPLITS_OFF,
    root_setting='gunicorn.conf.py raw_env = ["SCRIPT_NAME={root}"]',
    parser_package=_parser,
    one_request_per_process=_sync,
    # gthread and uvicorn workers only check that the worker process is alive.
    ends_slow_requests=_sync,
    answers_expect=always(True),
    keeps_connections=always(True),
    write_timeout=None,
    keeps_idle_connections=None,
    read_config=read_gunicorn,
)
