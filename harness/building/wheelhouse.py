"""A wheelhouse downloaded on the host for the image's Python, so image builds stay offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from harness.building.hashing import content_hash
from harness.errors import ImageBuildError
from harness.paths import cache_dir, file_lock, logs_dir
from harness.progress import Progress

PLATFORMS = (
    "manylinux_2_28_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux_2_5_x86_64",
    "manylinux1_x86_64",
)
_COMPLETE = ".complete"


def wheelhouse_folder(requirements: Path, python_version: str) -> Path:
    """Where the wheelhouse for these requirements and this Python lives (downloaded or not):
    each set of requirements, so each pin set, has its own."""
    key = content_hash([requirements, python_version, "\n".join(PLATFORMS)])
    return cache_dir() / "wheelhouse" / f"py{python_version}-{key}"


def is_complete(folder: Path) -> bool:
    """Whether every wheel of the folder's requirements was downloaded (pip succeeded)."""
    return (folder / _COMPLETE).exists()


def wheel_versions(folder: Path) -> dict[str, str]:
    """The version of each package in a wheelhouse, by PyPI's normalised name: what pip
    resolved the requirements to, so what the image installs."""
    versions: dict[str, str] = {}
    for wheel in sorted(folder.glob("*.whl")):
        try:
            name, version, _, _ = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            continue
        versions[str(name)] = str(version)
    return versions


def _pip_download(requirements: Path, python_version: str, folder: Path) -> list[str]:
    """pip's command that downloads the requirements' wheels for that Python and our
    platforms, binaries only (a build in a container has no compiler and no network)."""
    return [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        str(requirements),
        "-d",
        str(folder),
        "--only-binary=:all:",
        "--python-version",
        python_version,
        "--implementation",
        "cp",
        *(f"--platform={platform}" for platform in PLATFORMS),
    ]


def ensure_wheelhouse(requirements: Path, python_version: str, progress: Progress) -> Path:
    """A folder of wheels for these requirements and this Python, downloaded once and reused."""
    folder = wheelhouse_folder(requirements, python_version)
    with file_lock(f"wheelhouse-{folder.name}"):
        if is_complete(folder):
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        log_path = logs_dir() / f"wheelhouse-{folder.name}.log"
        command = _pip_download(requirements, python_version, folder)
        with (
            progress.task(f"downloading wheels for Python {python_version}"),
            open(log_path, "w", encoding="utf-8") as log,
        ):
            result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
        if result.returncode != 0:
            tail = "\n".join(log_path.read_text(encoding="utf-8").splitlines()[-15:])
            raise ImageBuildError(
                f"Downloading the wheelhouse for Python {python_version} failed "
                f"(pip exit {result.returncode}).\nLog {log_path}, last lines:\n{tail}\n"
                "Hint: the host needs to reach the Python package index; check the pins in "
                f"{requirements}."
            )
        (folder / _COMPLETE).write_text("\n".join(sorted(p.name for p in folder.glob("*.whl"))))
    return folder
