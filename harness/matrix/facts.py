"""What a running stack really runs: versions read from its containers, and config digests.

Versions are read, not assumed: the proxy's own `-v` line, Debian's package versions from
dpkg, the Python version and `pip freeze` from a replica. A user's own image reports its own.
Config digests are taken over the effective configs with the run's ports left as
placeholders (what `harness render` writes), so an unchanged config has the same digest every
night, and a copy of each file is kept beside results.json.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
from pathlib import Path
from typing import Any

import docker.errors
from packaging.utils import canonicalize_name
from packaging.version import Version

from harness.building.configs import render_stack
from harness.building.configs.model import ConfigFile
from harness.building.pinned import server_package
from harness.errors import ExecOutputLost, HarnessError
from harness.matrix.schema import ConfigDigest
from harness.parts import PROXY_KITS, proxy_kit
from harness.run.stack import Stack
from harness.spec.model import StackSpec

# Debian packages whose versions decide behaviour (besides each proxy kit's own); those absent
# from an image are left out.
_DEBIAN_PACKAGES = (
    *(package for kit in PROXY_KITS.values() for package in kit.debian_packages),
    "redis-server", "openssl", "python3", "libssl3", "libssl3t64",
)  # fmt: skip
_PIP_FREEZE = ["python3", "-m", "pip", "freeze", "--all", "--disable-pip-version-check"]
_PYTHON_VERSION = ["python3", "-c", "import platform; print(platform.python_version())"]


def _proxy_version(stack: Stack) -> str:
    """The proxy's version line, naming the proxy (`caddy version` prints the number only)."""
    kind = stack.spec.proxy
    line = _first_line(_run(stack, "proxy", list(proxy_kit(kind).version_command)))
    return line if str(kind) in line.lower() else f"{kind} {line}"


def stack_versions(stack: Stack) -> dict[str, Any]:
    """The versions that ran on this stack, each read from its container."""
    spec = stack.spec
    replica = stack.replicas[0]
    packages = _freeze(_run(stack, replica, _PIP_FREEZE))
    server = server_package(spec)
    framework = str(spec.framework)
    pins = {"pins": pins_line(spec, packages)} if spec.packages else {}
    return {
        "proxy": _proxy_version(stack),
        "python": _first_line(_run(stack, replica, _PYTHON_VERSION)),
        "server": f"{server} {packages.get(server, '(not installed)')}",
        "framework": f"{framework} {packages.get(framework, '(not installed)')}",
        **pins,
        "debian_suite": str(spec.suite),
        "debian_version": _first_line(_run(stack, "proxy", ["cat", "/etc/debian_version"])),
        "packages": packages,
        "debian_packages": _dpkg(_run(stack, "proxy", _dpkg_query())),
    }


def pins_line(spec: StackSpec, frozen: dict[str, str]) -> str:
    """Each pinned package as it ran, beside its pin: `gunicorn 21.2.0 (pinned 21.2.0)`; a
    version that differs from its pin says so, as does a pin that is not installed at all."""
    by_name: dict[str, str] = {canonicalize_name(n): v for n, v in frozen.items()}
    shown = []
    for pin in spec.packages:
        ran = by_name.get(pin.name)
        if ran is None:
            shown.append(f"{pin.name} (not installed; pinned {pin.version})")
        elif Version(ran) != Version(pin.version):
            shown.append(f"{pin.name} {ran} (NOT the pinned {pin.version})")
        else:
            shown.append(f"{pin.name} {ran} (pinned {pin.version})")
    return ", ".join(shown)


def stack_images(stack: Stack) -> dict[str, str]:
    """The image id each service ran, by service name."""
    images: dict[str, str] = {}
    for service, container in stack.containers.items():
        try:
            images[service] = str(container.image.id)
        except docker.errors.DockerException as error:
            images[service] = f"(unavailable: {error})"
    return images


def effective_files(spec: StackSpec) -> list[ConfigFile]:
    """The config files (and the server command line) a stack runs with, ports as
    placeholders."""
    rendered = render_stack(spec)
    files = [*rendered.proxy.files, *rendered.app.files]
    files.append(ConfigFile("proxy command", " ".join(rendered.proxy.command) + "\n"))
    files.append(ConfigFile("app command", " ".join(rendered.app.command) + "\n"))
    return files


def write_config_copies(spec: StackSpec, folder: Path, relative_to: Path) -> list[ConfigDigest]:
    """Copy each effective config file under `folder`; return their digests."""
    digests: list[ConfigDigest] = []
    folder.mkdir(parents=True, exist_ok=True)
    for file in effective_files(spec):
        name = posixpath.basename(file.path).replace(" ", "-")
        target = folder / name
        write_atomically(target, file.content)
        digest = hashlib.sha256(file.content.encode()).hexdigest()
        copy = target.relative_to(relative_to).as_posix()
        digests.append(ConfigDigest(path=file.path, sha256=digest, copy=copy))
    return digests


def write_atomically(target: Path, text: str) -> None:
    """Write a file whole or not at all: two lanes of one stack (harness/plugin/lanes.py), each on
    its own worker, record the same facts."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, target)


def _dpkg_query() -> list[str]:
    return ["dpkg-query", "-W", "-f", "${Package}=${Version}\\n", *_DEBIAN_PACKAGES]


_ATTEMPTS = 3  # each command only reads, and always prints: run again when the output is lost


def _run(stack: Stack, service: str, command: list[str]) -> str:
    """A command's output in a service's container, or why it could not be run. The engine
    sometimes loses a short exec's output under load (ExecOutputLost): a cell's proxy version
    was once recorded as "(no output)" in make test."""
    lost: ExecOutputLost | None = None
    for _ in range(_ATTEMPTS):
        try:
            return stack.exec(service, command, prints=True)[1]
        except ExecOutputLost as error:
            lost = error
        except (HarnessError, docker.errors.DockerException) as error:
            return f"(unavailable: {error})"
    return f"(unavailable: {lost}; {_ATTEMPTS} times)"


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "(no output)"


def _freeze(text: str) -> dict[str, str]:
    """`pip freeze` lines as name -> version (lower-case names, as PyPI normalises them)."""
    packages: dict[str, str] = {}
    for line in text.splitlines():
        name, separator, version = line.strip().partition("==")
        if separator:
            packages[name.lower().replace("_", "-")] = version
    return packages


def _dpkg(text: str) -> dict[str, str]:
    packages: dict[str, str] = {}
    for line in text.splitlines():
        name, separator, version = line.strip().partition("=")
        if separator and version:
            packages[name] = version
    return packages
