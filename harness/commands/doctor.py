"""`harness doctor`: what the harness needs on this machine, checked one by one."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass

from harness.building.images import base_mode, debian_mirror
from harness.engine import engine
from harness.errors import HarnessError
from harness.paths import cache_dir

MIN_FREE_BYTES = 10 * 1024**3


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""


def _engine() -> Check:
    try:
        version = engine().version()
    except HarnessError as error:
        return Check(
            "docker engine",
            False,
            str(error).split(". Hint")[0],
            "start the engine or set DOCKER_HOST",
        )
    return Check(
        "docker engine", True, f"Docker {version.get('Version')}, API {version.get('ApiVersion')}"
    )


def _registry_mode() -> Check:
    try:
        mode = base_mode()
    except HarnessError as error:
        return Check("registry mode", False, str(error), "unset HARNESS_BASE or fix its value")
    if mode == "official":
        return Check("registry mode", True, "official Debian images (needs a registry)")
    tool = shutil.which("mmdebstrap")
    if tool is None:
        return Check(
            "registry mode",
            False,
            "no registry mode needs mmdebstrap: not found",
            "apt-get install mmdebstrap",
        )
    return Check("registry mode", True, f"no registry: bases from Debian packages ({tool})")


def _mirror() -> Check:
    try:
        return Check("debian mirror", True, debian_mirror())
    except HarnessError as error:
        return Check("debian mirror", False, str(error), "set HARNESS_DEBIAN_MIRROR")


def _disk() -> Check:
    free = shutil.disk_usage(cache_dir()).free
    ok = free >= MIN_FREE_BYTES
    return Check(
        "disk space",
        ok,
        f"{free / 1024**3:.1f} GiB free for caches and images",
        "free at least 10 GiB (images and wheelhouses take about 3 GiB)",
    )


def _ports() -> Check:
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
    except OSError as error:
        return Check(
            "free ports",
            False,
            f"cannot bind 127.0.0.1: {error}",
            "the harness publishes proxies on free 127.0.0.1 ports",
        )
    return Check("free ports", True, "127.0.0.1 has free ports to publish proxies on")


CHECKS: tuple[Callable[[], Check], ...] = (_engine, _registry_mode, _mirror, _disk, _ports)


def run_checks() -> list[Check]:
    return [check() for check in CHECKS]
