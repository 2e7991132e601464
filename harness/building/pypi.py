"""Which versions of a package PyPI has, asked through pip itself (`pip index versions`).

Only the host asks, and only when a pin set's wheelhouse is not downloaded yet: the answer
turns a bad pin into an error that lists the versions a user can choose from, including only
those with a wheel the image's Python can install.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Protocol

from packaging.version import InvalidVersion, Version

from harness.building.wheelhouse import PLATFORMS
from harness.errors import ImageBuildError

__all__ = ["PipIndex", "VersionIndex"]

_NO_MATCH = "No matching distribution found"


class VersionIndex(Protocol):
    """Answers which versions of a project exist, newest first."""

    def versions(self, name: str, python_version: str | None) -> tuple[str, ...]:
        """Every version of `name`; with `python_version`, only those with a wheel for that
        CPython on the image's platforms. Empty when there are none (or no such project)."""
        ...


class PipIndex:
    """A VersionIndex that runs `pip index versions --json` with the wheelhouse's targets."""

    def __init__(self, timeout: float = 60) -> None:
        self.timeout = timeout
        self._answers: dict[tuple[str, str | None], tuple[str, ...]] = {}

    def versions(self, name: str, python_version: str | None) -> tuple[str, ...]:
        key = (name, python_version)
        if key not in self._answers:
            self._answers[key] = self._ask(name, python_version)
        return self._answers[key]

    def _ask(self, name: str, python_version: str | None) -> tuple[str, ...]:
        command = [
            sys.executable, "-m", "pip", "index", "versions", name, "--json", "--pre",
            "--disable-pip-version-check",
        ]  # fmt: skip
        if python_version is not None:
            command += [
                "--only-binary=:all:", "--python-version", python_version,
                "--implementation", "cp", *(f"--platform={p}" for p in PLATFORMS),
            ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=self.timeout, check=False
        )
        if result.returncode != 0 and _NO_MATCH in result.stderr:
            # pip says this for an unknown project and for one with no installable version
            # alike: both mean no version to choose from.
            return ()
        if result.returncode != 0:
            raise ImageBuildError(
                f"Asking the package index for the versions of {name} failed (pip exit "
                f"{result.returncode}): {result.stderr.strip()[-600:]}\n"
                "Hint: the host needs to reach the Python package index (pip's own settings, "
                "such as PIP_INDEX_URL, apply)."
            )
        listed = json.loads(result.stdout).get("versions", [])
        return tuple(sorted((str(v) for v in listed), key=_version_key, reverse=True))


def _version_key(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")
