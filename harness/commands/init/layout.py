"""A project's deployment as a stack: every part init found, each with where it was read,
decided together and checked as the harness checks a stack (StackSpec.problems()).

A layout the harness cannot run (no Dockerfile and no requirements; a proxy, server, worker
class or combination it does not run) is one ConfigError saying what to add.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harness.commands.init.app import (
    AdapterUse,
    AppFramework,
    adapter_use,
    app_object,
    framework_of,
)
from harness.commands.init.django import (
    SETTINGS_VARIABLE,
    DjangoProject,
    read_django,
    required_environment,
)
from harness.commands.init.dockerfile import DockerfileFacts, find_dockerfile, read_dockerfile
from harness.commands.init.launch import Launch, find_launch
from harness.commands.init.proxy import ProxyFacts, find_proxy
from harness.commands.init.requirements import Packages, chosen_requirements, packages_of
from harness.commands.init.scan import MAX_DEPTH, Found, ProjectFiles
from harness.commands.init.server import (
    ServerLine,
    built_command,
    choose_server,
    gunicorn_worker,
    interface_of,
    literal_settings,
    server_config,
    server_line,
    uwsgi_sockets,
)
from harness.errors import ConfigError
from harness.parts.reading.gunicorn import read_gunicorn
from harness.spec.catalog import STACKS
from harness.spec.expectations import Expectation, Reading
from harness.spec.model import (
    Framework,
    Interface,
    Protocol,
    ProxyKind,
    ServerKind,
    StackSpec,
    WorkerClass,
)
from harness_contract.model import PREFIX as CONTRACT_PREFIX

__all__ = ["CONTRACT_PREFIX", "Layout", "decide"]


@dataclass(frozen=True, slots=True)
class Layout:
    """What init found in a project and the stack it makes of it."""

    root: Path
    name: str  # the stack's id and the starter test's name
    files: ProjectFiles
    dockerfile: Found[Path] | None
    docker: DockerfileFacts | None
    requirements: Found[Path] | None
    packages: Packages
    framework: Found[AppFramework] | None
    app_mode: Found[Framework]
    server: Found[ServerKind]
    worker_class: Found[WorkerClass] | None
    interface: Found[Interface]
    protocol: Found[Protocol] | None
    proxy: ProxyFacts
    server_config: Found[Path] | None
    server_args: ServerLine
    django: DjangoProject | None
    readings: tuple[Reading, ...]
    adapter: AdapterUse
    spec: StackSpec  # the parts as decided, checked
    extends: str | None
    notes: tuple[str, ...]  # what init found it cannot make right itself

    @property
    def uses_proxy_config(self) -> bool:
        """The user's proxy config runs verbatim (else the harness's, with its values)."""
        return self.proxy.config is not None and not self.proxy.problems

    @property
    def required_env(self) -> list[Found[str]]:
        return required_environment(self.files, self.django.settings_file) if self.django else []


def decide(root: Path) -> Layout:
    files = ProjectFiles.scan(root)
    dockerfile = find_dockerfile(files)
    docker = read_dockerfile(files, dockerfile.value) if dockerfile else None
    requirements = chosen_requirements(files, docker.installed_requirements if docker else ())
    if dockerfile is None and requirements is None:
        raise ConfigError(
            f"init: found neither a Dockerfile nor a requirements.txt in {root} (searched "
            f"{MAX_DEPTH} folders deep); add the requirements.txt your app installs (naming its "
            "framework and server), or the Dockerfile that builds its image"
        )
    installed = docker.installed_packages if docker else ()
    packages = packages_of(files, requirements.value if requirements else None, installed)
    proxy = find_proxy(files, CONTRACT_PREFIX)
    framework = framework_of(files, packages)
    kind = framework.value if framework else None
    launch = find_launch(files, docker)
    server, notes = choose_server(files, launch, packages, kind)
    config, named_config = server_config(files, server.value, launch)
    settings = literal_settings(files, config.value if config else None)
    worker = (
        gunicorn_worker(settings, launch, kind) if server.value == ServerKind.GUNICORN else None
    )
    interface = interface_of(server.value, worker.value if worker else None, launch, framework)
    env_settings = docker.env.get(SETTINGS_VARIABLE) if docker else None
    target = launch.target if launch and launch.server.server == server.value else None
    django = read_django(files, env_settings, target) if kind == AppFramework.DJANGO else None
    if django is not None and django.settings is None:
        raise ConfigError(
            f"init: found Django ({framework.where if framework else ''}) but no settings "
            "module: add manage.py beside your project's package, or set "
            f"{SETTINGS_VARIABLE} in the Dockerfile (ENV)"
        )
    line = _server_line(files, server.value, launch, config, named_config, settings, django,
                        interface.value, worker.value if worker else None, kind)  # fmt: skip
    protocol = _protocol(files, server.value, proxy, config)
    app_mode = _app_mode(framework, interface.value)
    spec = _checked_spec(proxy, server, worker, app_mode, interface, protocol, framework)
    return Layout(
        root=root,
        name=project_name(root),
        files=files,
        dockerfile=dockerfile,
        docker=docker,
        requirements=requirements,
        packages=packages,
        framework=framework,
        app_mode=app_mode,
        server=server,
        worker_class=worker,
        interface=interface,
        protocol=protocol,
        proxy=proxy,
        server_config=config,
        server_args=line,
        django=django,
        readings=_readings(files, proxy, server.value, config, line),
        adapter=adapter_use(files),
        spec=spec,
        extends=spec.id if spec.id in STACKS else None,
        notes=tuple(notes) + tuple(_socket_notes(files, server.value, config)),
    )


def project_name(root: Path) -> str:
    """The folder's name as a stack id: lower case, words joined by `-`."""
    return re.sub(r"[^a-z0-9]+", "-", root.name.lower()).strip("-") or "app"


def _server_line(
    files: ProjectFiles,
    server: ServerKind,
    launch: Launch | None,
    config: Found[Path] | None,
    named_config: str | None,
    settings: dict[str, Found[object]],
    django: DjangoProject | None,
    interface: Interface,
    worker: WorkerClass | None,
    framework: AppFramework | None,
) -> ServerLine:
    target: Found[str] | None
    if django is not None:
        target = django.asgi_entry_point if interface == Interface.ASGI else django.entry_point
    else:
        found = app_object(files, framework)
        target = Found(found.value[0], found.where) if found else None
    built = (
        built_command(server, target.value, interface, worker, config is not None)
        if target
        else None
    )
    line = server_line(server, launch, config, named_config, settings, built)
    if line is None:
        raise ConfigError(
            f"init: found no command that starts {server} and no app object for it to import; "
            f'add a CMD to the Dockerfile that starts it (e.g. CMD ["{server}", "main:app"])'
        )
    if target is not None and line.where.startswith("built"):
        return ServerLine(line.words, f"built for {target.where}")
    return line


def _protocol(
    files: ProjectFiles, server: ServerKind, proxy: ProxyFacts, config: Found[Path] | None
) -> Found[Protocol] | None:
    """uWSGI's own protocol when the proxy passes with it (or the ini opens only its socket)."""
    if server != ServerKind.UWSGI:
        return None
    if proxy.protocol is not None and proxy.kind.value != ProxyKind.HAPROXY:
        return proxy.protocol
    sockets = uwsgi_sockets(files, config.value if config else None)
    if sockets and all(s.value[0] == "uwsgi" for s in sockets) and proxy.config is None:
        return Found(Protocol.UWSGI, sockets[0].where)
    return Found(Protocol.HTTP, sockets[0].where) if sockets else None


def _socket_notes(files: ProjectFiles, server: ServerKind, config: Found[Path] | None) -> list[str]:
    if server != ServerKind.UWSGI:
        return []
    sockets = uwsgi_sockets(files, config.value if config else None)
    return [
        f"{s.where}: the proxy reaches replicas on port 8000; open the socket on :8000"
        for s in sockets
        if not s.value[1].endswith(":8000")
    ]


def _app_mode(framework: Found[AppFramework] | None, interface: Interface) -> Found[Framework]:
    """The stack's `app` field: Django or Flask as found; another framework by its interface
    (the harness's ASGI app mode is django-asgi, its WSGI one flask-wsgi). With the user's own
    image and server_args it decides only which scenario families apply (WebSockets: ASGI)."""
    if framework is not None and framework.value in (AppFramework.DJANGO, AppFramework.FLASK):
        return Found(Framework(framework.value.value), framework.where)
    mode = Framework.DJANGO if interface == Interface.ASGI else Framework.FLASK
    what = (
        f"{framework.where}: {framework.value.label}" if framework else "neither Django nor Flask"
    )
    return Found(
        mode,
        f"{what}, served over {interface}: the harness's {interface} app mode is "
        f"{mode}-{interface} (with your image, it decides only which scenarios apply)",
    )


def _checked_spec(
    proxy: ProxyFacts,
    server: Found[ServerKind],
    worker: Found[WorkerClass] | None,
    app_mode: Found[Framework],
    interface: Found[Interface],
    protocol: Found[Protocol] | None,
    framework: Found[AppFramework] | None,
) -> StackSpec:
    spec = StackSpec(
        proxy=proxy.kind.value,
        server=server.value,
        framework=app_mode.value,
        worker_class=worker.value if worker else None,
        interface=interface.value,
        protocol=protocol.value if protocol else Protocol.HTTP,
        tls=proxy.tls.value,
    )
    problems = spec.problems()
    if problems:
        field, given, allowed = problems[0]
        found = "; ".join(f.where for f in (framework, server, proxy.kind) if f is not None)
        raise ConfigError(
            f"init: the parts found ({found}) do not make a stack the harness runs: {field} "
            f"{given}; allowed: {allowed}"
        )
    return spec


def _readings(
    files: ProjectFiles,
    proxy: ProxyFacts,
    server: ServerKind,
    config: Found[Path] | None,
    line: ServerLine,
) -> tuple[Reading, ...]:
    """The values the proxy's and gunicorn's configs decide; where both limit a value (a
    request header line) the stricter decides, as harness.spec.reading combines them."""
    found: list[Reading] = list(proxy.readings)
    if server == ServerKind.GUNICORN:
        path = config.value if config is not None and config.value.suffix == ".py" else None
        for reading in read_gunicorn(files.root / path if path else None, line.words):
            said = reading.where
            if path is not None and said.startswith(path.name):
                said = path.as_posix() + said[len(path.name) :]
            found.append(Reading(reading.expectation, reading.value, said))
    return tuple(_stricter(found))


def _stricter(readings: Iterable[Reading]) -> list[Reading]:
    chosen: dict[Expectation, Reading] = {}
    for reading in readings:
        earlier = chosen.get(reading.expectation)
        if earlier is None or reading.value < earlier.value:
            chosen[reading.expectation] = reading
    return list(chosen.values())
