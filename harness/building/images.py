"""Images built without a registry: a Debian base per suite, a wheelhouse, the app image.

The base comes from Debian packages (mmdebstrap, then `docker import`); with
HARNESS_BASE=official it comes from the official Debian image instead, fed by the same
package list. Python packages come from a wheelhouse downloaded on the host, installed in
the image with `--no-index`: no build step reaches the network. Tags are content hashes of
their inputs, so an unchanged image is reused, never rebuilt.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import docker.errors
import jinja2

from harness.building.committed import build_slug, commit_layer
from harness.building.hashing import content_hash, tree_files
from harness.building.pinned import REQUIREMENTS_FILE, PinSet, resolve_pin_set
from harness.building.wheelhouse import ensure_wheelhouse
from harness.engine import LABEL, LABEL_IMAGE, engine
from harness.errors import ConfigError, ImageBuildError
from harness.paths import APPS_DIR, DOCKER_DIR, file_lock, logs_dir
from harness.progress import Progress
from harness.spec.model import StackSpec, Suite

RECIPE_VERSION = "2"  # bump to rebuild every base when the recipe itself changes
PACKAGES_FILE = DOCKER_DIR / "base" / "packages.txt"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    """What ensuring one image did: its tag, whether it was built or reused, how long it took."""

    tag: str
    built: bool
    seconds: float

    def describe(self) -> str:
        verb = "built" if self.built else "reused"
        return f"{verb:6} {self.tag} ({self.seconds:.1f}s)"


def base_packages() -> list[str]:
    """The one package list every role's base image is made from."""
    lines = PACKAGES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def base_mode() -> str:
    mode = os.environ.get("HARNESS_BASE", "debootstrap")
    if mode not in ("debootstrap", "official"):
        raise ConfigError(
            f"HARNESS_BASE: got {mode!r}; allowed: debootstrap (no registry), official "
            "(pull debian:<suite>-slim)"
        )
    return mode


def debian_mirror() -> str:
    """The Debian mirror: HARNESS_DEBIAN_MIRROR, else the one this host's apt already uses."""
    if mirror := os.environ.get("HARNESS_DEBIAN_MIRROR"):
        return mirror
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        if not source.is_file():
            continue
        for line in source.read_text(encoding="utf-8", errors="replace").splitlines():
            words = line.replace("URIs:", " ").split()
            for word in words:
                if word.startswith("http") and word.rstrip("/").endswith("/debian"):
                    return word
    raise ImageBuildError(
        "No Debian mirror found in /etc/apt/sources.list(.d). "
        "Hint: set HARNESS_DEBIAN_MIRROR to the URL of a Debian mirror."
    )


def base_tag(suite: Suite) -> str:
    inputs = [RECIPE_VERSION, base_mode(), str(suite), "\n".join(base_packages())]
    return f"deploy-harness/base:{suite}-{content_hash(inputs)}"


def _exists(tag: str) -> bool:
    try:
        engine().images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def check_own_image(spec: StackSpec) -> None:
    """A stack's overrides.image exists on the engine, or one ConfigError says so."""
    image = spec.overrides.image
    if image is None or _exists(image):
        return
    raise ConfigError(
        f"{spec.source}: stack {spec.id!r}: field 'overrides.image': got {image!r}, which the "
        "engine does not have; allowed: an image in `docker images` (nothing is pulled). "
        "Hint: build it first, e.g. `docker build -t "
        f"{image} .`, or remove overrides.image to use the harness's app image."
    )


def ensure_base(suite: Suite, progress: Progress) -> BuildOutcome:
    """The base image for a suite, bootstrapped from Debian packages unless it exists."""
    tag = base_tag(suite)
    started = time.monotonic()
    with file_lock(f"base-{suite}"):
        if _exists(tag):
            return BuildOutcome(tag, built=False, seconds=time.monotonic() - started)
        with progress.task(f"bootstrapping Debian {suite} base image (about a minute)"):
            if base_mode() == "official":
                dockerfile = _render(
                    DOCKER_DIR / "base" / "Dockerfile.official.j2",
                    suite=str(suite),
                    packages=base_packages(),
                    labels=label_instruction("base"),
                )
                _build_context(tag, dockerfile, {})
            else:
                _bootstrap_and_import(suite, tag)
    return BuildOutcome(tag, built=True, seconds=time.monotonic() - started)


def _bootstrap_and_import(suite: Suite, tag: str) -> None:
    tool = shutil.which("mmdebstrap")
    if tool is None:
        raise ImageBuildError(
            "Building the base image without a registry needs mmdebstrap, which is not "
            "installed. Hint: apt-get install mmdebstrap, or set HARNESS_BASE=official on an "
            "engine that can pull debian images."
        )
    log_path = logs_dir() / f"base-{suite}.log"
    with tempfile.TemporaryDirectory(prefix="harness-rootfs-") as scratch:
        tarball = Path(scratch) / "rootfs.tar"
        command = [
            tool,
            "--variant=minbase",
            f"--include={','.join(base_packages())}",
            '--customize-hook=rm -rf "$1/var/lib/apt/lists/"* "$1/var/cache/apt/"*.bin',
            str(suite),
            str(tarball),
            debian_mirror(),
        ]
        with open(log_path, "w", encoding="utf-8") as log:
            result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
        if result.returncode != 0:
            raise ImageBuildError(
                f"mmdebstrap failed for Debian {suite} (exit {result.returncode}).\n"
                f"Log {log_path}, last lines:\n{_tail(log_path)}"
            )
        _add_policy_rc(tarball)
        engine().api.import_image(
            src=str(tarball),
            repository=tag.split(":")[0],
            tag=tag.split(":")[1],
            changes=[f"ENV {PATH_ENV}", f'LABEL {LABEL}="1" {LABEL_IMAGE}="base"', 'CMD ["bash"]'],
        )


def _add_policy_rc(tarball: Path) -> None:
    """Stop package scripts from starting services in containers (mmdebstrap removes its own)."""
    script = b"#!/bin/sh\nexit 101\n"
    info = tarfile.TarInfo("./usr/sbin/policy-rc.d")
    info.size, info.mode = len(script), 0o755
    with tarfile.open(tarball, "a") as tar:
        tar.addfile(info, io.BytesIO(script))


def app_tag_inputs(suite: Suite, wheels: Path) -> tuple[str, str]:
    """The app image's tag and Dockerfile, both derived from every input of the build."""
    base = base_tag(suite)
    dockerfile = _render(
        DOCKER_DIR / "app" / "Dockerfile.j2", base_image=base, labels=label_instruction("app")
    )
    wheel_names = "\n".join(sorted(p.name for p in wheels.glob("*.whl")))
    digest = content_hash([base, dockerfile, REQUIREMENTS_FILE, wheel_names, APPS_DIR])
    return f"deploy-harness/app:{suite}-{digest}", dockerfile


def ensure_app_image(suite: Suite, progress: Progress) -> BuildOutcome:
    """The app image for a suite (servers and reference apps), built only when inputs changed."""
    started = time.monotonic()
    wheels = ensure_wheelhouse(REQUIREMENTS_FILE, suite.python_version, progress)
    tag, dockerfile = app_tag_inputs(suite, wheels)
    with file_lock(f"app-{suite}"):
        if _exists(tag):
            return BuildOutcome(tag, built=False, seconds=time.monotonic() - started)
        with progress.task(f"building app image {tag}"):
            files = {"build/requirements.txt": REQUIREMENTS_FILE, "build/wheels": wheels,
                     "apps": APPS_DIR}  # fmt: skip
            _build_context(tag, dockerfile, files)
    return BuildOutcome(tag, built=True, seconds=time.monotonic() - started)


# The pinned image's one layer: the wheels the pin set adds, installed over the app's venv.
PIN_SCRIPT = (
    "/opt/venv/bin/pip install --no-index --find-links /tmp/build/wheels --no-cache-dir "
    "--disable-pip-version-check -r /tmp/build/requirements.txt "
    "&& /opt/venv/bin/pip check --disable-pip-version-check && rm -rf /tmp/build"
)


def pinned_tag(suite: Suite, app_tag: str, pins: PinSet) -> str:
    """A pinned image's tag: the app image it is built on, how, the pin set's requirements
    and every wheel they resolved to."""
    wheel_names = "\n".join(sorted(p.name for p in pins.wheelhouse.glob("*.whl")))
    digest = content_hash([app_tag, PIN_SCRIPT, pins.requirements, wheel_names])
    return f"deploy-harness/app:{suite}-pins-{digest}"


def ensure_stack_app_image(spec: StackSpec, progress: Progress) -> list[BuildOutcome]:
    """The app image a stack runs: its suite's, or, with package pins, one layer over it
    with the pinned versions (every layer below shared with it). Returns every image
    ensured, the one the stack runs last.

    A bad pin is a ConfigError naming the stack file, stack and pin (harness/building/pinned.py)."""
    pins = resolve_pin_set(spec, progress) if spec.packages else None
    app = ensure_app_image(spec.suite, progress)
    if pins is None:
        return [app]
    started = time.monotonic()
    tag = pinned_tag(spec.suite, app.tag, pins)
    with file_lock(f"app-{tag.rsplit(':', 1)[1]}"):
        if _exists(tag):
            return [app, BuildOutcome(tag, built=False, seconds=time.monotonic() - started)]
        shared = {
            p.name
            for p in ensure_wheelhouse(REQUIREMENTS_FILE, spec.suite.python_version, progress).glob(
                "*.whl"
            )
        }
        files = {"/tmp/build/requirements.txt": pins.requirements.read_bytes()}
        files.update(
            {f"/tmp/build/wheels/{wheel.name}": wheel.read_bytes()
             for wheel in pins.wheelhouse.glob("*.whl") if wheel.name not in shared}
        )  # fmt: skip
        with progress.task(f"building pinned app image {tag}"):
            commit_layer(tag, app.tag, files, PIN_SCRIPT, _log_path(tag))
    return [app, BuildOutcome(tag, built=True, seconds=time.monotonic() - started)]


def _render(template: Path, **values: object) -> str:
    text: str = jinja2.Template(
        template.read_text(encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    ).render(**values)
    return text


def _context_tar(
    dockerfile: str, files: dict[str, Path], out: IO[bytes], readable: bool = False
) -> None:
    def mode(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.mode |= 0o444 if readable else 0
        return info

    with tarfile.open(fileobj=out, mode="w") as tar:
        data = dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        for name, path in files.items():
            if path.is_dir():
                for file in tree_files(path):
                    tar.add(file, arcname=f"{name}/{file.relative_to(path)}", filter=mode)
            else:
                tar.add(path, arcname=name, filter=mode)
    out.seek(0)


def label_instruction(kind: str) -> str:
    """The one LABEL instruction that marks an image of ours (`harness clean` finds it).

    In the Dockerfile, not as the build's `labels` option: the legacy builder turns each of
    those into a step of its own at the end, and on this engine (fuse-overlayfs, whose diffs
    walk the whole image) every step, even one that only sets metadata, cost 9-10 s."""
    return f'LABEL {LABEL}="1" {LABEL_IMAGE}="{kind}"'


def _build_context(
    tag: str,
    dockerfile: str,
    files: dict[str, Path],
    buildargs: dict[str, str] | None = None,
    readable: bool = False,
    what: str | None = None,
) -> None:
    """Build `dockerfile` (which labels the image itself: label_instruction) with `files`
    as its context; `readable` makes every file of the context readable by every user.
    A failed build's error names `what` was built (default: the tag), the failing step and
    the tail of its log."""
    log_path = _log_path(tag)
    with tempfile.TemporaryFile() as context, open(log_path, "w", encoding="utf-8") as log:
        _context_tar(dockerfile, files, context, readable)
        stream = engine().api.build(
            fileobj=context,
            custom_context=True,
            tag=tag,
            buildargs=buildargs or {},
            rm=True,
            forcerm=True,
            decode=True,
        )
        step, error = _follow(stream, log)
    if error:
        raise ImageBuildError(
            f"Building {what or tag} failed at {step or 'the first step'}: {error}\n"
            f"Log {log_path}, last lines:\n{_tail(log_path)}"
        )


def _log_path(tag: str) -> Path:
    return logs_dir() / f"build-{build_slug(tag)}.log"


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _follow(stream: Iterator[dict[str, Any]], log: IO[str]) -> tuple[str, str]:
    """Write a build's output to its log; return the last step seen and the error, if any."""
    step, error = "", ""
    for chunk in stream:
        text = _ANSI_ESCAPE.sub("", chunk.get("stream") or chunk.get("status") or "")
        if text.startswith("Step "):
            step = text.strip()
        if "error" in chunk:
            error = str(chunk.get("error", "")).strip()
            text = json.dumps(chunk.get("errorDetail", chunk))
        log.write(text if text.endswith("\n") else text + "\n")
    return step, error


def _tail(path: Path, lines: int = 25) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
