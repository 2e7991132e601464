"""The server that runs a project's app, its config file, gunicorn's worker class, the
interface it serves, and the command line a stack runs it with (`overrides.server_args`).

The server is the one the image starts (init/launch.py), else the one a server config file is
for (gunicorn.conf.py, uwsgi.ini), else the one the requirements name. The command line is the
image's own, made to listen on 0.0.0.0:8000 and to read the server config from the copy the
harness puts in /etc/harness; else one init builds for the app object it found.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from harness.commands.init.app import AppFramework
from harness.commands.init.binding import rebound
from harness.commands.init.command import (
    LISTEN,
    config_path_in,
    harness_config_path,
    option_values,
    with_harness_config,
)
from harness.commands.init.launch import Launch
from harness.commands.init.requirements import Packages
from harness.commands.init.scan import Found, ProjectFiles, also, where
from harness.errors import ConfigError
from harness.spec.model import APP_PORT, Interface, ServerKind, WorkerClass

KNOWN_SERVERS = "gunicorn, uwsgi, uvicorn, daphne, hypercorn, granian or waitress"
_PACKAGES = {
    "gunicorn": ServerKind.GUNICORN, "uwsgi": ServerKind.UWSGI, "pyuwsgi": ServerKind.UWSGI,
    "uvicorn": ServerKind.UVICORN, "daphne": ServerKind.DAPHNE,
    "hypercorn": ServerKind.HYPERCORN, "granian": ServerKind.GRANIAN,
    "waitress": ServerKind.WAITRESS,
}  # fmt: skip
_ASGI_ONLY = {ServerKind.UVICORN, ServerKind.DAPHNE, ServerKind.HYPERCORN}
_WSGI_ONLY = {ServerKind.UWSGI, ServerKind.WAITRESS}
CONFIG_NAMES = {
    ServerKind.GUNICORN: ("gunicorn.conf.py", "gunicorn_conf.py", "gunicorn_config.py",
                          "gunicorn.py"),
    ServerKind.UWSGI: ("uwsgi.ini",),
}  # fmt: skip


def choose_server(
    files: ProjectFiles,
    launch: Launch | None,
    packages: Packages,
    framework: AppFramework | None,
) -> tuple[Found[ServerKind], list[str]]:
    """The server, and what to tell the user when the image runs another one."""
    if launch is not None and launch.server.server is not None:
        return Found(launch.server.server, launch.where), []
    candidates = [
        Found(kind, f"found: {path.as_posix()}")
        for kind, names in CONFIG_NAMES.items()
        for path in files.named(*names)[:1]
    ]
    candidates += [
        Found(kind, packages[name].where)
        for name, kind in _PACKAGES.items()
        if name in packages and _serves(kind, framework)
    ]
    other = launch.server.other if launch is not None else None
    if not candidates:
        runs = (
            f"{launch.where} runs {other}, which the harness does not run; "
            if launch and other
            else ""
        )
        raise ConfigError(
            f"init: {runs}found no server for the app: add {KNOWN_SERVERS} to the requirements "
            'and start it in the Dockerfile\'s CMD (e.g. CMD ["gunicorn", "mysite.wsgi"])'
        )
    chosen = candidates[0]
    notes = []
    if launch is not None and other:
        notes.append(
            f"{launch.where} runs {other}, which the harness does not run: the stack runs "
            f"{chosen.value} instead (server_args); start it in CMD yourself to test your own line"
        )
    names = [c.where for c in candidates[1:] if c.value != chosen.value]
    return Found(chosen.value, chosen.where + (f" (also: {names[0]})" if names else "")), notes


def _serves(server: ServerKind, framework: AppFramework | None) -> bool:
    interface = framework.interface if framework is not None else None
    if interface == Interface.ASGI:
        return server not in _WSGI_ONLY
    return interface != Interface.WSGI or server not in _ASGI_ONLY


def server_config(
    files: ProjectFiles, server: ServerKind, launch: Launch | None
) -> tuple[Found[Path] | None, str | None]:
    """The server's config file in the project, and the path the command names it by."""
    if server not in CONFIG_NAMES:
        return None, None
    named = config_path_in(launch.server) if launch is not None else None
    if named is not None:
        matches = files.named(Path(named).name)
        if matches:
            said = f"found: {matches[0].as_posix()}, named by {launch.where if launch else ''}"
            return Found(matches[0], said), named
        return None, named
    candidates = files.named(*CONFIG_NAMES[server])
    if candidates:
        chosen = candidates[0]
        return Found(chosen, f"found: {chosen.as_posix()}{also(chosen, candidates)}"), None
    return None, None


def literal_settings(files: ProjectFiles, config: Path | None) -> dict[str, Found[object]]:
    """gunicorn.conf.py's top-level `name = literal` assignments; a computed value is kept as
    Found(None, ...) so that it is not taken for gunicorn's default."""
    if config is None or config.suffix != ".py":
        return {}
    tree = files.syntax(config)
    found: dict[str, Found[object]] = {}
    for node in tree.body if tree is not None else []:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            try:
                value: object = ast.literal_eval(node.value)
                said = f"{name} = {value!r}"
            except ValueError:
                value, said = None, f"{name} is computed, not a literal"
            found[name] = Found(value, where(config, node.lineno, said))
    return found


def gunicorn_worker(
    settings: dict[str, Found[object]], launch: Launch | None, framework: AppFramework | None
) -> Found[WorkerClass]:
    """gunicorn's worker class as gunicorn decides it: the command line over the config file
    over its default (sync); sync with more than one thread runs as gthread."""
    words = launch.server.words if launch is not None and launch.server.server else ()
    given = option_values(words, ("-k", "--worker-class"))
    threads = option_values(words, ("--threads",))
    if given and launch is not None:
        chosen: Found[object] = Found(given[-1], f"{launch.where}: --worker-class {given[-1]}")
    else:
        default: Found[object] = Found("sync", "no worker_class given: gunicorn's default, sync")
        chosen = settings.get("worker_class", default)
    one_thread: Found[object] = Found(1, "")
    threads_set = settings.get("threads", one_thread)
    thread_count = threads[-1] if threads else threads_set.value
    threads_where = f"--threads {threads[-1]}" if threads else threads_set.where
    if chosen.value is None:
        assumed = (
            WorkerClass.UVICORN
            if framework and framework.interface == Interface.ASGI
            else WorkerClass.GTHREAD
        )
        return Found(assumed, f"{chosen.where}: assumed {assumed}")
    name = str(chosen.value)
    if "uvicorn" in name.lower():
        return Found(WorkerClass.UVICORN, chosen.where)
    if name in ("sync", "gthread"):
        many = str(thread_count).isdigit() and int(str(thread_count)) > 1
        kind = WorkerClass.GTHREAD if name == "gthread" or many else WorkerClass.SYNC
        extra = f"; {threads_where}: gunicorn runs gthread" if name == "sync" and many else ""
        return Found(kind, chosen.where + extra)
    raise ConfigError(
        f"init: {chosen.where}: gunicorn's {name} worker is not one the harness runs; use sync, "
        "gthread or uvicorn.workers.UvicornWorker (ASGI)"
    )


def interface_of(
    server: ServerKind,
    worker: WorkerClass | None,
    launch: Launch | None,
    framework: Found[AppFramework] | None,
) -> Found[Interface]:
    if server in _ASGI_ONLY or worker == WorkerClass.UVICORN:
        return Found(Interface.ASGI, f"{server} serves ASGI")
    if server != ServerKind.GRANIAN:
        return Found(Interface.WSGI, f"{server} serves WSGI")
    given = option_values(launch.server.words, ("--interface",)) if launch else []
    if given and given[-1] in ("asgi", "wsgi") and launch is not None:
        return Found(Interface(given[-1]), f"{launch.where}: --interface {given[-1]}")
    if given:
        raise ConfigError(
            f"init: granian's --interface {given[-1]} is not one the harness runs; use asgi or wsgi"
        )
    wsgi = framework is not None and framework.value == AppFramework.FLASK
    return Found(Interface.WSGI if wsgi else Interface.ASGI, "granian, for the framework")


@dataclass(frozen=True, slots=True)
class ServerLine:
    """The stack's server command line, and what init changed in the image's own."""

    words: tuple[str, ...]
    where: str


def server_line(
    server: ServerKind,
    launch: Launch | None,
    config: Found[Path] | None,
    named_config: str | None,
    settings: dict[str, Found[object]],
    built: tuple[str, ...] | None,
) -> ServerLine | None:
    """The image's command made fit for a stack, or init's own for the app (`built`)."""
    if launch is not None and launch.server.server == server and not launch.rewritable:
        return ServerLine(launch.cmd, f"{launch.where}, as written")
    if launch is None or launch.server.server != server:
        return ServerLine(built, "built for the app object found") if built else None
    start = launch.server.name_index - launch.offset
    # `exec` is the shell's (a shell-form CMD, a script's line), not a program to run.
    head = [word for word in launch.cmd[:start] if word != "exec"]
    words = list(launch.cmd[start:])
    changes = []
    if config is not None and server in CONFIG_NAMES:
        words = with_harness_config(server, words, named_config)
        changes.append(f"reads {harness_config_path(server)}, the harness's copy of "
                       f"{config.value.as_posix()}")  # fmt: skip
    bind = settings.get("bind")
    config_bind = _first_address(bind.value) if bind is not None else None
    words, change = rebound(server, words, config_bind)
    if change:
        changes.append(change)
    said = launch.where + (f"; {'; '.join(changes)}" if changes else "")
    return ServerLine(tuple(head + words), said)


def _first_address(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and value and isinstance(value[0], str):
        return value[0]
    return None


def built_command(
    server: ServerKind,
    target: str,
    interface: Interface,
    worker: WorkerClass | None,
    config: bool,
) -> tuple[str, ...]:
    """A server command line for the app object, listening where the proxy reaches it."""
    port = str(APP_PORT)
    with_config = ["-c", harness_config_path(server)] if config else []
    lines = {
        ServerKind.GUNICORN: ["gunicorn", *with_config, "--bind", LISTEN,
                              *(["-k", "uvicorn.workers.UvicornWorker"]
                                if worker == WorkerClass.UVICORN else []), target],
        ServerKind.UVICORN: ["uvicorn", "--host", "0.0.0.0", "--port", port, target],
        ServerKind.DAPHNE: ["daphne", "-b", "0.0.0.0", "-p", port, target],
        ServerKind.HYPERCORN: ["hypercorn", "--bind", LISTEN, target],
        ServerKind.GRANIAN: ["granian", "--interface", str(interface), "--host", "0.0.0.0",
                             "--port", port, target.removesuffix("()")],
        ServerKind.WAITRESS: ["waitress-serve", f"--listen={LISTEN}",
                              *(["--call", target[:-2]] if target.endswith("()") else [target])],
        ServerKind.UWSGI: (["uwsgi", "--ini", harness_config_path(server)] if config else
                           ["uwsgi", "--http-socket", f":{port}", "--module", target]),
    }  # fmt: skip
    return tuple(lines[server])


_UWSGI_SOCKETS = {"socket": "uwsgi", "uwsgi-socket": "uwsgi", "http-socket": "http", "http": "http"}


def uwsgi_sockets(files: ProjectFiles, config: Path | None) -> list[Found[tuple[str, str]]]:
    """The sockets a uwsgi.ini's [uwsgi] section opens: (protocol, address) with its line."""
    if config is None or config.suffix != ".ini":
        return []
    found, section = [], ""
    for number, line in enumerate(files.lines(config), start=1):
        text = line.split(";", 1)[0].split("#", 1)[0].strip()
        if text.startswith("["):
            section = text.strip("[]").strip()
            continue
        key, equals, value = (part.strip() for part in text.partition("="))
        if section == "uwsgi" and equals and key in _UWSGI_SOCKETS:
            found.append(Found((_UWSGI_SOCKETS[key], value), where(config, number, text)))
    return found
