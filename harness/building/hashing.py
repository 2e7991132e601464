"""Content hashes that make image tags: an unchanged input never causes a rebuild."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo", ".sqlite3"}


def tree_files(root: Path) -> Iterator[Path]:
    """Files below root that belong in an image, in a stable order (caches left out)."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (
            path.is_file()
            and not (_SKIPPED_PARTS & set(relative.parts))
            and (path.suffix not in _SKIPPED_SUFFIXES)
        ):
            yield path


def content_hash(parts: Iterable[str | bytes | Path], length: int = 12) -> str:
    """A short sha256 over text, bytes, files (name and content) and folders (every file)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            files = tree_files(part) if part.is_dir() else iter([part])
            for file in files:
                digest.update(str(file.relative_to(part) if part.is_dir() else file.name).encode())
                digest.update(b"\0")
                digest.update(file.read_bytes())
        else:
            digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x1f")
    return digest.hexdigest()[:length]
