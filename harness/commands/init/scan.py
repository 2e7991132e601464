"""What is in a user's project folder, read once: its files a few folders deep (not the
virtualenvs, node_modules, version control or caches), their text, and where a value was found.

Every value `harness init` writes is a `Found`: the value and where it was read from, in the
words the stack file's comment and the summary use (`nginx.conf line 37: proxy_read_timeout 5s`).
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

# Folders below the project's root that are searched: `docker/nginx/default.conf` is two deep,
# cookiecutter-django's `compose/production/django/Dockerfile` three.
MAX_DEPTH = 3
# A project with more files than this is searched among its first ones (shallowest first).
MAX_FILES = 20_000
# Larger files are not read: configs, settings and requirements are small.
MAX_BYTES = 512 * 1024
SKIPPED_FOLDERS = frozenset(
    {
        "node_modules", "venv", "env", "__pycache__", "site-packages", "dist", "build",
        "htmlcov", "staticfiles", "media", "harness-support",
    }
)  # fmt: skip
# Words in a path that make a file less (or more) likely the one that runs in production.
_LESS_LIKELY = frozenset(
    {"test", "tests", "dev", "develop", "development", "local", "example", "examples",
     "sample", "samples", "docs", "doc", "ci", "debug"}
)  # fmt: skip
_MORE_LIKELY = frozenset({"prod", "production", "deploy", "deployment", "release", "live"})


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    """A value init found, and where it was read from."""

    value: T
    where: str


@dataclass(frozen=True, slots=True)
class ProjectFiles:
    """The project's files (paths relative to its root, shallowest and likeliest first)."""

    root: Path
    files: tuple[Path, ...]
    _texts: dict[Path, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def scan(cls, root: Path) -> ProjectFiles:
        found: list[Path] = []
        for folder, subfolders, names in os.walk(root, onerror=lambda error: None):
            relative = Path(folder).relative_to(root)
            depth = len(relative.parts)
            subfolders[:] = sorted(
                name
                for name in subfolders
                if depth < MAX_DEPTH and not name.startswith(".") and name not in SKIPPED_FOLDERS
            )
            found += [relative / name for name in sorted(names)]
            if len(found) > MAX_FILES:
                break
        return cls(root, tuple(sorted(found, key=likeliest_first)))

    def named(self, *names: str) -> list[Path]:
        """Files with one of these names (case-insensitive), likeliest first."""
        wanted = {name.lower() for name in names}
        return [path for path in self.files if path.name.lower() in wanted]

    def matching(self, pattern: str) -> list[Path]:
        """Files whose name matches a regular expression (case-insensitive), likeliest first."""
        regex = re.compile(pattern, re.IGNORECASE)
        return [path for path in self.files if regex.fullmatch(path.name)]

    def python_files(self) -> list[Path]:
        return [path for path in self.files if path.suffix == ".py"]

    def text(self, path: Path) -> str:
        """The file's text ("" when it cannot be read or is too large); read once."""
        if path not in self._texts:
            full = self.root / path
            try:
                too_large = full.stat().st_size > MAX_BYTES
                text = "" if too_large else full.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._texts[path] = text
        return self._texts[path]

    def lines(self, path: Path) -> list[str]:
        return self.text(path).splitlines()

    def syntax(self, path: Path) -> ast.Module | None:
        """The Python file's syntax tree; None when it does not parse (init never runs it)."""
        try:
            return ast.parse(self.text(path), filename=str(path))
        except (SyntaxError, ValueError):
            return None

    def exists(self, path: Path) -> bool:
        return path in self.files


def likeliest_first(path: Path) -> tuple[int, int, str]:
    """Shallow before deep; `production` before `local` or `tests`; then by name."""
    words = set(re.split(r"[^a-z0-9]+", str(path).lower()))
    return (len(path.parts), len(words & _LESS_LIKELY) - len(words & _MORE_LIKELY), str(path))


def line_of(text: str, needle: str) -> int | None:
    """The 1-based number of the first line holding `needle`, if any."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def where(path: Path, line: int | None, what: str = "") -> str:
    """`nginx.conf line 37: proxy_read_timeout 5s`, or `nginx.conf` alone."""
    place = f"{path.as_posix()} line {line}" if line else path.as_posix()
    return f"{place}: {what}" if what else place


def also(chosen: Path, candidates: list[Path]) -> str:
    """` (also: a, b)` naming the other candidates a choice was made among, or ""."""
    others = [p.as_posix() for p in candidates if p != chosen]
    return f" (also: {', '.join(others[:3])}{', ...' if len(others) > 3 else ''})" if others else ""


def module_name(path: Path, base: Path = Path()) -> str | None:
    """The dotted module a Python file is imported as, from the folder `base` on the path
    (`config/settings/production.py` -> `config.settings.production`); a `src/` layout's
    `src` is the path's root."""
    try:
        relative = path.with_suffix("").relative_to(base)
    except ValueError:
        return None
    parts = list(relative.parts)
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)
