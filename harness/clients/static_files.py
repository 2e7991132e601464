"""The static files the static scenarios ask for: our reference apps' collected files, or, on
your own app, the ones your stack file names (`overrides.static_files`: the public URL of each
and the file it must serve, beside the stack file).

A scenario asks for a file of a kind (by its suffix: text, CSS, JavaScript, JSON, PNG); your
app has the kinds it names, and a case for a kind it does not name skips, saying so.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from harness.paths import APPS_DIR
from harness.run.stack import Stack

OUR_STATIC = APPS_DIR / "static"


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file the proxy must serve: its path on the site and the bytes it must serve."""

    url: str
    source: Path

    @property
    def content(self) -> bytes:
        return self.source.read_bytes()


def site_url(stack: Stack, path: str) -> str:
    """`path` on the site itself: static files are at the site's root, not below the
    contract's prefix where your app's scenario URLs end."""
    parts = urlsplit(stack.url)
    return f"{parts.scheme}://{parts.netloc}{path}"


def declared_files(stack: Stack) -> list[StaticFile]:
    return [StaticFile(url, source) for url, source in stack.spec.overrides.static_files.items()]


def static_file(stack: Stack, name: str) -> StaticFile | None:
    """Our `/static/<name>`, or on your own app the first file it names with that suffix."""
    if stack.spec.overrides.contract_prefix is None:
        return StaticFile(f"/static/{name}", OUR_STATIC / name)
    suffix = PurePosixPath(name).suffix
    return next((f for f in declared_files(stack) if f.url.endswith(suffix)), None)


def static_root(stack: Stack) -> str:
    """The folder the static files are served from, as a URL path without its slash."""
    if stack.spec.overrides.contract_prefix is None:
        return "/static"
    folders = [posixpath.dirname(f.url) for f in declared_files(stack)]
    return posixpath.commonpath(folders) if folders else "/static"


def static_folder(stack: Stack) -> str | None:
    """A folder below the static root, without its slash: ours has an index file."""
    if stack.spec.overrides.contract_prefix is None:
        return "/static/guide"
    files = declared_files(stack)
    return posixpath.dirname(files[0].url) if files else None
