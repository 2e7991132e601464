"""A stack's pin set, resolved: its requirements, its own wheelhouse, its resolved versions.

Before a pin set's wheelhouse is first downloaded, each pin is checked against PyPI for the
image's Python, so that a version that does not exist, or has no wheel for that Python, is
one error naming the stack file, the stack, the field, the value and the versions there are,
rather than pip's resolver output. Pins that each exist but cannot be installed together
(gunicorn pinned where Django needs another asgiref ...) fail with pip's own explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from harness.building.hashing import content_hash
from harness.building.pypi import PipIndex, VersionIndex
from harness.building.wheelhouse import (
    ensure_wheelhouse,
    is_complete,
    wheel_versions,
    wheelhouse_folder,
)
from harness.errors import ConfigError, ImageBuildError
from harness.parts import server_kit
from harness.paths import DOCKER_DIR, cache_dir
from harness.progress import Progress
from harness.spec.model import StackSpec
from harness.spec.pins import Pin, describe_pins, pinned_requirements

__all__ = [
    "PinSet",
    "installed_version",
    "pin_problems",
    "pin_set",
    "resolve_pin_set",
    "server_package",
    "versions_line",
]

REQUIREMENTS_FILE = DOCKER_DIR / "requirements.txt"
SHOWN_VERSIONS = 25  # the newest versions an error lists; the rest are counted


@dataclass(frozen=True, slots=True)
class PinSet:
    """The requirements a stack's image installs: ours, with the stack's pins applied."""

    pins: tuple[Pin, ...]
    requirements: Path
    python_version: str

    @property
    def wheelhouse(self) -> Path:
        return wheelhouse_folder(self.requirements, self.python_version)

    def resolved(self) -> dict[str, str] | None:
        """Each package's version as pip resolved it, or None before the wheelhouse is made."""
        folder = self.wheelhouse
        return wheel_versions(folder) if is_complete(folder) else None


def pin_set(spec: StackSpec) -> PinSet:
    """The stack's requirements file, written once per distinct content (no network)."""
    python_version = spec.suite.python_version
    if not spec.packages:
        return PinSet((), REQUIREMENTS_FILE, python_version)
    text = pinned_requirements(REQUIREMENTS_FILE.read_text(encoding="utf-8"), spec.packages)
    folder = cache_dir() / "requirements"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"requirements-{content_hash([text])}.txt"
    if not path.exists():
        path.write_text(text, encoding="utf-8")
    return PinSet(spec.packages, path, python_version)


def pin_problems(
    pins: tuple[Pin, ...], python_version: str, index: VersionIndex
) -> list[tuple[str, str, str]]:
    """Every pin that names no version installable on this Python, as (field, given,
    allowed), the allowed side listing the versions that are."""
    problems: list[tuple[str, str, str]] = []
    for pin in pins:
        installable = index.versions(pin.name, python_version)
        if Version(pin.version) in {Version(v) for v in installable}:
            continue
        field, given = f"packages.{pin.name}", repr(pin.version)
        published = index.versions(pin.name, None)
        if not published and not installable:
            problems.append((field, given, f"a project on PyPI: there is no {pin.name!r}"))
            continue
        if Version(pin.version) in {Version(v) for v in published}:
            given += f" (on PyPI, but with no wheel for CPython {python_version} on linux x86_64)"
        allowed = (
            f"a version with a wheel for CPython {python_version}: {_listed(installable)}"
            if installable
            else f"none: no version of {pin.name} has a wheel for CPython {python_version}"
        )
        problems.append((field, given, allowed))
    return problems


def resolve_pin_set(
    spec: StackSpec, progress: Progress, index: VersionIndex | None = None
) -> PinSet:
    """The stack's pin set with its wheelhouse downloaded, or one ConfigError naming the stack
    file, the stack and each bad pin."""
    pins = pin_set(spec)
    if pins.pins and not is_complete(pins.wheelhouse):
        problems = pin_problems(pins.pins, pins.python_version, index or PipIndex())
        if problems:
            raise ConfigError(_describe(spec, problems))
        try:
            ensure_wheelhouse(pins.requirements, pins.python_version, progress)
        except ImageBuildError as error:
            raise ConfigError(
                f"{spec.source}: stack {spec.id!r}, field 'packages': the pins "
                f"{describe_pins(pins.pins)} exist, but pip cannot install them together with "
                f"the image's other requirements ({pins.requirements}). Hint: pin the packages "
                f"pip names below too.\n{error}"
            ) from None
    ensure_wheelhouse(pins.requirements, pins.python_version, progress)  # at once when made
    return pins


def _describe(spec: StackSpec, problems: list[tuple[str, str, str]]) -> str:
    lines = [f"{spec.source}: {len(problems)} problem(s) with the stack's package pins:"]
    lines += [
        f"  stack {spec.id!r}, field {field!r}: got {given}; allowed: {allowed}"
        for field, given, allowed in problems
    ]
    return "\n".join(lines)


def _listed(versions: tuple[str, ...]) -> str:
    shown = ", ".join(versions[:SHOWN_VERSIONS])
    rest = len(versions) - SHOWN_VERSIONS
    return f"{shown} and {rest} older" if rest > 0 else shown


def server_package(spec: StackSpec) -> str:
    """The PyPI project that installs the stack's server (uWSGI comes as pyuwsgi wheels)."""
    return server_kit(spec.server).package


def versions_line(spec: StackSpec) -> str:
    """The server's and each pinned package's version, as resolved by the stack's wheelhouse
    (`gunicorn 21.2.0 (pinned), h11 0.14.0 (pinned)`); a pin not resolved yet shows as
    `==21.2.0 (unresolved)` until `harness build` (or `harness stacks --resolve`) downloads it."""
    pins = pin_set(spec)
    resolved = pins.resolved()
    pinned = {pin.name: pin.version for pin in pins.pins}
    names = [server_package(spec), *(name for name in pinned if name != server_package(spec))]
    shown: list[str] = []
    for name in names:
        mark = " (pinned)" if name in pinned else ""
        if resolved is not None and name in resolved:
            shown.append(f"{name} {resolved[name]}{mark}")
        elif name in pinned:
            shown.append(f"{name} =={pinned[name]} (unresolved)")
        else:
            shown.append(f"{name} {_required_version(name) or '(unresolved)'}")
    return ", ".join(shown)


def _required_version(name: str) -> str | None:
    """The exact version our requirements file pins `name` to, if it does."""
    for line in REQUIREMENTS_FILE.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        project, separator, version = text.partition("==")
        if separator and canonicalize_name(project.split("[", 1)[0]) == name:
            return version.strip()
    return None


def installed_version(spec: StackSpec, package: str) -> Version | None:
    """The version of a package the stack's image installs, known before a run: the stack's
    own pin, else our requirements file's; None if neither names it."""
    name = canonicalize_name(package)
    for pin in spec.packages:
        if canonicalize_name(pin.name) == name:
            return Version(pin.version)
    required = _required_version(name)
    return Version(required) if required else None
