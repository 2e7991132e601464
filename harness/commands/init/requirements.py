"""The packages a project installs, with the line that names each: its requirements file
(and the files it includes with `-r`), else the dependencies of its pyproject.toml.

The requirements file chosen is the one the Dockerfile installs, else `requirements.txt`,
else the likeliest under `requirements/` (production before base before local).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from harness.commands.init.scan import Found, ProjectFiles, also, likeliest_first, line_of, where

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDE = re.compile(r"^\s*(?:-r|--requirement)[\s=]+(\S+)")
_REQUIREMENTS_NAME = r"requirements.*\.(txt|in)|.*requirements\.txt"

Packages = Mapping[str, Found[str]]  # normalized name -> the line that names it


def normalized(name: str) -> str:
    """A package name as PyPI compares them: `Django` -> `django`, `uvicorn_worker` ->
    `uvicorn-worker`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements_files(files: ProjectFiles) -> list[Path]:
    """Requirements files (`requirements.txt`, `requirements-prod.txt`, any `.txt` in a
    `requirements/` folder), likeliest first, `.in` sources after the compiled `.txt`."""
    named = set(files.matching(_REQUIREMENTS_NAME))
    found = [
        path
        for path in files.files
        if path in named or (path.parent.name == "requirements" and path.suffix in (".txt", ".in"))
    ]
    return sorted(found, key=lambda path: (path.suffix == ".in", likeliest_first(path)))


def chosen_requirements(files: ProjectFiles, installed: Iterable[str]) -> Found[Path] | None:
    """The requirements file the image installs: one the Dockerfile names (`-r path`), else
    the likeliest found."""
    candidates = requirements_files(files)
    installed = list(installed)
    for same in (_same_path, _same_name):
        for named in installed:
            for path in candidates:
                if same(named, path):
                    shown = "it" if named == path.as_posix() else named
                    said = f"found: {path.as_posix()} (the Dockerfile installs {shown})"
                    return Found(path, said)
    if not candidates:
        return None
    return Found(
        candidates[0], f"found: {candidates[0].as_posix()}{also(candidates[0], candidates)}"
    )


def _same_path(named: str, path: Path) -> bool:
    return named.endswith(path.as_posix())


def _same_name(named: str, path: Path) -> bool:
    return Path(named).name == path.name


def packages_of(
    files: ProjectFiles, requirements: Path | None, installed: Iterable[Found[str]] = ()
) -> Packages:
    """Every package the requirements file (with its `-r` includes), else pyproject.toml,
    names; then those the Dockerfile installs by name."""
    found: dict[str, Found[str]] = {}
    if requirements is not None:
        _read_requirements(files, requirements, found, set())
    else:
        found.update(_pyproject_packages(files))
    for package in installed:
        match = _NAME.match(package.value)
        if match:
            found.setdefault(normalized(match.group(1)), package)
    return MappingProxyType(found)


def _read_requirements(
    files: ProjectFiles, path: Path, found: dict[str, Found[str]], seen: set[Path]
) -> None:
    if path in seen:
        return
    seen.add(path)
    for number, line in enumerate(files.lines(path), start=1):
        text = line.split(" #", 1)[0].strip()
        include = _INCLUDE.match(text)
        if include:
            _read_requirements(files, Path(path.parent, include.group(1)), found, seen)
            continue
        egg = _EGG.search(text)
        name = egg.group(1) if egg else None
        if name is None and not text.startswith(("-", "#")) and "://" not in text:
            match = _NAME.match(text)
            name = match.group(1) if match else None
        if name:
            found.setdefault(normalized(name), Found(text, where(path, number, text)))


def _pyproject_packages(files: ProjectFiles) -> dict[str, Found[str]]:
    found: dict[str, Found[str]] = {}
    for path in files.named("pyproject.toml")[:1]:
        text = files.text(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return found
        project = data.get("project", {})
        poetry = data.get("tool", {}).get("poetry", {})
        listed = [str(d) for d in project.get("dependencies", []) if isinstance(d, str)]
        listed += [str(name) for name in poetry.get("dependencies", {}) if name != "python"]
        for entry in listed:
            match = _NAME.match(entry)
            if match:
                line = line_of(text, match.group(1))
                found.setdefault(normalized(match.group(1)), Found(entry, where(path, line, entry)))
    return found
