"""A wheelhouse downloaded on the host for the image's Python, so image builds stay offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.errors import ImageBuildError
from harness.hashing import content_hash
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


def ensure_wheelhouse(requirements: Path, python_version: str, progress: Progress) -> Path:
    """A folder of wheels for these requirements and this Python, downloaded once and reused."""
    key = content_hash([requirements, python_version, "\n".join(PLATFORMS)])
    folder = cache_dir() / "wheelhouse" / f"py{python_version}-{key}"
    with file_lock(f"wheelhouse-{folder.name}"):
        if (folder / _COMPLETE).exists():
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        log_path = logs_dir() / f"wheelhouse-py{python_version}.log"
        command = [
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
