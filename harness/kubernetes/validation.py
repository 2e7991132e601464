"""Manifests validated offline against Kubernetes' own schemas (the kubernetes-validate
package ships them, one set per minor version), strictly: a misspelled field is refused.

By default every minor from OLDEST_VALIDATED to the newest the installed package ships: the
oldest minor still in providers' extended support when this was written, and each newer one,
so that a field removed or added between them shows. One line per problem; the same error
in several versions is one line naming them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import kubernetes_validate
from kubernetes_validate import utils as validate_utils
from packaging.version import Version

from harness.errors import ConfigError
from harness.kubernetes.reading import ManifestDocument

OLDEST_VALIDATED = "1.30"

__all__ = ["OLDEST_VALIDATED", "bundled_versions", "default_versions", "schema_problems"]


def bundled_versions() -> list[str]:
    """The minor versions whose schemas the installed kubernetes-validate ships: `1.30`..."""
    minors = {".".join(version.split(".")[:2]) for version in validate_utils.all_versions()}
    return sorted(minors, key=Version)


def default_versions() -> list[str]:
    """Every bundled minor from OLDEST_VALIDATED on."""
    return [v for v in bundled_versions() if Version(v) >= Version(OLDEST_VALIDATED)]


def checked_versions(asked: Sequence[str]) -> list[str]:
    """The versions asked for (`1.31`, `v1.31`, `1.31.4`), as minors; a ConfigError names one
    the installed package has no schemas for."""
    bundled = bundled_versions()
    chosen = []
    for text in asked:
        minor = ".".join(text.removeprefix("v").split(".")[:2])
        if minor not in bundled:
            raise ConfigError(
                f"check-manifests: --kubernetes-version {text!r} has no schemas here; allowed: "
                f"{', '.join(bundled)} (kubernetes-validate {_package_version()}). "
                "Hint: choose one of those; a newer kubernetes-validate ships newer ones."
            )
        chosen.append(minor)
    return sorted(set(chosen), key=Version)


def _package_version() -> str:
    return str(kubernetes_validate.version.__version__)


def schema_problems(documents: Iterable[ManifestDocument], versions: Sequence[str]) -> list[str]:
    """One line per document and error: its file, object, field, the error, the versions."""
    lines: list[str] = []
    for document in documents:
        if not isinstance(document.body, dict) or "kind" not in document.body:
            lines.append(
                f"{document.where}: not a Kubernetes object (no apiVersion and kind); "
                "expected a mapping with apiVersion, kind and metadata"
            )
            continue
        found: dict[str, list[str]] = {}
        for version in versions:
            for error in _errors(document, version):
                found.setdefault(error, []).append(version)
        for error, where in found.items():
            lines.append(f"{error} (Kubernetes {', '.join(where)})")
    return lines


def _errors(document: ManifestDocument, version: str) -> list[str]:
    name = f"{document.where}: {document.kind}/{document.name}"
    try:
        kubernetes_validate.validate(document.body, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        field = ".".join(str(part) for part in error.path) or "(the object)"
        return [f"{name}: {field}: {error.message}"]
    except validate_utils.SchemaNotFoundError as error:
        return [f"{name}: {error.message}; not validated"]
    except KeyError as error:  # no apiVersion: the library indexes it unchecked
        return [f"{name}: missing field {error}"]
    return []
