"""Package pins: a stack's own versions of PyPI packages, the version axis of the matrix.

A stack file pins packages by exact version (`packages = { gunicorn = "21.2.0" }`); each pin
set is a set of requirements of its own: our requirements file with the pinned lines
replaced (and pins for packages it does not name, such as h11, added). Checking that a pin
exists on PyPI needs the network, so it happens when the pin set's wheelhouse is downloaded
(harness/building/pinned.py); here the pins are plain values, checked only for their form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["Pin", "describe_pins", "parse_pins", "pinned_requirements"]


@dataclass(frozen=True, slots=True, order=True)
class Pin:
    """One package at one exact version; the name is PyPI's normalised form (`channels-redis`)."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


def parse_pins(table: Mapping[str, object]) -> tuple[tuple[Pin, ...], list[tuple[str, str, str]]]:
    """The pins of a `packages` table, sorted by name, and every problem as (field, given,
    allowed). Only exact versions are pins: a range would make the image depend on the day."""
    pins: dict[str, Pin] = {}
    problems: list[tuple[str, str, str]] = []
    for raw_name, raw_version in table.items():
        where = f"packages.{raw_name}"
        try:
            Requirement(raw_name)
        except InvalidRequirement:
            problems.append((where, repr(raw_name), "a PyPI project name"))
            continue
        name = canonicalize_name(raw_name)
        if name in pins:
            problems.append(
                (where, repr(raw_name), f"one pin per package ({name} is pinned twice)")
            )
            continue
        try:
            if not isinstance(raw_version, str):
                raise InvalidVersion(repr(raw_version))
            version = Version(raw_version)
        except InvalidVersion:
            problems.append(
                (where, repr(raw_version), 'one exact version as a string, e.g. "21.2.0"')
            )
            continue
        pins[name] = Pin(name, str(version))
    return tuple(sorted(pins.values())), problems


def pinned_requirements(requirements: str, pins: Iterable[Pin]) -> str:
    """The requirements text with each pinned package's line replaced by its pin (extras kept:
    `uvicorn[standard]==0.30.0`), and pins for packages it does not name appended."""
    by_name = {pin.name: pin for pin in pins}
    lines: list[str] = []
    for line in requirements.splitlines():
        requirement = _requirement(line)
        pin = by_name.pop(canonicalize_name(requirement.name), None) if requirement else None
        if requirement is None or pin is None:
            lines.append(line)
            continue
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        lines.append(f"{requirement.name}{extras}=={pin.version}  # pinned by the stack")
    if by_name:
        lines.append("# pinned by the stack, not named above")
        lines += [f"{pin}" for pin in sorted(by_name.values())]
    return "\n".join(lines) + "\n"


def describe_pins(pins: Iterable[Pin]) -> str:
    """Pins as a person reads them: `gunicorn 21.2.0, h11 0.14.0`."""
    return ", ".join(f"{pin.name} {pin.version}" for pin in pins)


def _requirement(line: str) -> Requirement | None:
    text = line.split("#", 1)[0].strip()
    if not text:
        return None
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None
