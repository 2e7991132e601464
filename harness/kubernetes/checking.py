"""`harness check-manifests`: schemas for each Kubernetes version, then the relations.

The declared values the relations hold the manifests to come from the stack when one is
named, else from the `deploy-harness.dev/` annotations `harness render --kubernetes` wrote,
else there are none, and the checks that need them say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.kubernetes.declared import (
    Declarations,
    declared_from_annotations,
    declared_from_spec,
)
from harness.kubernetes.reading import ManifestDocument, read_manifests
from harness.kubernetes.relations import Severity, check_relations
from harness.kubernetes.validation import checked_versions, default_versions, schema_problems
from harness.spec.model import StackSpec

__all__ = ["CheckOutcome", "check_manifests"]


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What the checks found: problems (exit 1), notes (what was not checked), and what ran."""

    problems: list[str]
    notes: list[str]
    documents: int
    versions: list[str]


def check_manifests(
    folder: Path, versions: Sequence[str] = (), spec: StackSpec | None = None
) -> CheckOutcome:
    """Every document of the folder's YAML files against the schemas of `versions` (default:
    harness/kubernetes/validation.py), then against each other and the declared values."""
    chosen = checked_versions(versions) if versions else default_versions()
    documents = read_manifests(folder)
    problems = schema_problems(documents, chosen)
    objects = [d for d in documents if isinstance(d.body, dict)]
    declared = declared_from_spec(spec) if spec is not None else _annotated(objects)
    findings = check_relations(objects, declared)
    problems += [f.line for f in findings if f.severity == Severity.PROBLEM]
    notes = [f.line for f in findings if f.severity == Severity.NOTE]
    return CheckOutcome(problems, notes, len(documents), chosen)


def _annotated(documents: list[ManifestDocument]) -> Declarations:
    """The declared values render wrote, the first document's where several carry one."""
    found: Declarations = {}
    for document in documents:
        metadata = document.body.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        if isinstance(annotations, dict):
            for expectation, value in declared_from_annotations(
                annotations, document.where
            ).items():
                found.setdefault(expectation, value)
    return found
