"""Manifests read from a folder: every YAML document of every *.yaml and *.yml file in it.

A folder that cannot be read, or a file that is not YAML, is the user's input: a ConfigError
naming the file and line (exit 2). A document that is YAML but no Kubernetes object is a
problem the checks report (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.errors import ConfigError

__all__ = ["ManifestDocument", "read_manifests"]


@dataclass(frozen=True, slots=True)
class ManifestDocument:
    """One YAML document: its file's name, its place in the file (1 for the first), and body."""

    file: str
    index: int
    body: Any

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", "")) if isinstance(self.body, dict) else ""

    @property
    def name(self) -> str:
        if not isinstance(self.body, dict):
            return ""
        metadata = self.body.get("metadata")
        return str(metadata.get("name", "")) if isinstance(metadata, dict) else ""

    @property
    def where(self) -> str:
        """`deployment-app.yaml` for a file's only document; `service-app.yaml#2` else."""
        return self.file if self.index == 1 else f"{self.file}#{self.index}"


def read_manifests(folder: Path) -> list[ManifestDocument]:
    """Every non-empty document in the folder's YAML files, files by name."""
    if not folder.is_dir():
        raise ConfigError(
            f"check-manifests: {str(folder)!r} is not a folder that can be read; expected a "
            "folder of Kubernetes manifests (*.yaml, *.yml). Hint: `harness render STACK "
            "--kubernetes DIR` writes one."
        )
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not paths:
        raise ConfigError(
            f"check-manifests: no *.yaml or *.yml file in {str(folder)!r}; expected Kubernetes "
            "manifests. Hint: `harness render STACK --kubernetes DIR` writes them."
        )
    documents: list[ManifestDocument] = []
    for path in paths:
        for index, body in enumerate(_load(path), start=1):
            if body is not None:
                documents.append(ManifestDocument(path.name, index, body))
    return documents


def _load(path: Path) -> list[Any]:
    try:
        return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except OSError as error:
        raise ConfigError(
            f"check-manifests: cannot read {path}: {error.strerror or error}; expected a "
            "readable file. Hint: check its permissions."
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"check-manifests: {path} is not UTF-8 text ({error.reason} at byte {error.start}); "
            "expected YAML manifests."
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        what = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(
            f"check-manifests: {path}{line}: invalid YAML: {what}; expected Kubernetes "
            "manifests. Hint: `python -c 'import yaml,sys; list(yaml.safe_load_all(sys.stdin))'"
            f" < {path.name}` shows the same."
        ) from None
