"""Night against night: which cells changed, and which versions changed under them.

A cell is (stack, case). Between an OLD and a NEW results.json the diff lists:
- newly failing cells: in both runs, not a failure before, failed or error now;
- newly passing cells: a failure, or an expected failure, before, and a pass now; an
  incompatibility fixed upstream shows here as xfailed -> xpassed;
- added and removed cells (the selection or the scenarios changed);
- per stack present in both, the versions and config digests that changed.
Only newly failing cells make a night red; the rest is information.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.matrix.schema import CaseRecord, MatrixResults, Outcome, StackRecord

# From an expected failure or a failure to one of these is "newly passing".
_PASSING = (Outcome.PASSED, Outcome.XPASSED, Outcome.FLAKY)
_NOT_PASSING = (Outcome.FAILED, Outcome.ERROR, Outcome.XFAILED)


@dataclass(frozen=True, slots=True)
class CellChange:
    """One cell whose outcome changed between two runs."""

    stack: str
    case: str
    old: Outcome
    new: Outcome
    reason: str  # the new run's one-line reason

    def describe(self) -> str:
        because = f": {self.reason}" if self.reason else ""
        return f"{self.stack} {self.case}: {self.old} -> {self.new}{because}"


@dataclass(frozen=True, slots=True)
class VersionChange:
    """One version or config digest of a stack that differs between two runs."""

    stack: str
    what: str  # `proxy`, `python`, `package gunicorn`, `config /etc/nginx/nginx.conf`
    old: str
    new: str

    def describe(self) -> str:
        return f"{self.stack} {self.what}: {self.old} -> {self.new}"


@dataclass(frozen=True, slots=True)
class MatrixDiff:
    newly_failing: tuple[CellChange, ...]
    newly_passing: tuple[CellChange, ...]
    added: tuple[CaseRecord, ...]
    removed: tuple[CaseRecord, ...]
    version_changes: tuple[VersionChange, ...]

    @property
    def has_new_failures(self) -> bool:
        return bool(self.newly_failing)

    @property
    def is_empty(self) -> bool:
        return not (
            self.newly_failing
            or self.newly_passing
            or self.added
            or self.removed
            or self.version_changes
        )

    def lines(self) -> list[str]:
        """The diff as plain lines, most important first."""
        out: list[str] = []
        sections: tuple[tuple[str, list[str]], ...] = (
            ("newly failing", [change.describe() for change in self.newly_failing]),
            ("newly passing", [change.describe() for change in self.newly_passing]),
            ("added", [f"{case.stack} {case.case}: {case.outcome}" for case in self.added]),
            ("removed", [f"{case.stack} {case.case}: {case.outcome}" for case in self.removed]),
            ("versions changed", [change.describe() for change in self.version_changes]),
        )
        for title, entries in sections:
            out.append(f"{title}: {len(entries)}")
            out.extend(f"  {entry}" for entry in entries)
        return out


def diff_results(old: MatrixResults, new: MatrixResults) -> MatrixDiff:
    """Compare two runs cell by cell, and stack by stack for versions and configs."""
    old_cells, new_cells = old.cells(), new.cells()
    failing: list[CellChange] = []
    passing: list[CellChange] = []
    for key in sorted(old_cells.keys() & new_cells.keys()):
        before, after = old_cells[key], new_cells[key]
        change = CellChange(key[0], key[1], before.outcome, after.outcome, after.reason)
        if after.outcome.is_failure and not before.outcome.is_failure:
            failing.append(change)
        elif before.outcome in _NOT_PASSING and after.outcome in _PASSING:
            passing.append(change)
    versions = [
        change
        for stack_id in sorted(old.stacks.keys() & new.stacks.keys())
        for change in _stack_changes(old.stacks[stack_id], new.stacks[stack_id])
    ]
    return MatrixDiff(
        newly_failing=tuple(failing),
        newly_passing=tuple(passing),
        added=tuple(new_cells[key] for key in sorted(new_cells.keys() - old_cells.keys())),
        removed=tuple(old_cells[key] for key in sorted(old_cells.keys() - new_cells.keys())),
        version_changes=tuple(versions),
    )


def _stack_changes(old: StackRecord, new: StackRecord) -> list[VersionChange]:
    before, after = _flat_versions(old), _flat_versions(new)
    return [
        VersionChange(new.id, what, before.get(what, "(none)"), after.get(what, "(none)"))
        for what in sorted(before.keys() | after.keys())
        if before.get(what) != after.get(what)
    ]


def _flat_versions(record: StackRecord) -> dict[str, str]:
    """Versions and config digests as `what -> value`, one level deep."""
    flat: dict[str, str] = {}
    for name, value in record.versions.items():
        if isinstance(value, Mapping):
            flat.update({f"{_singular(name)} {key}": str(inner) for key, inner in value.items()})
        else:
            flat[name] = str(value)
    flat.update({f"config {digest.path}": digest.sha256[:12] for digest in record.configs})
    return flat


def _singular(name: str) -> str:
    return {"packages": "package", "debian_packages": "debian package"}.get(name, name)


def as_json(diff: MatrixDiff) -> dict[str, Any]:
    """The diff as JSON-ready data (for tools that read the diff rather than the page)."""
    return {
        "newly_failing": [c.describe() for c in diff.newly_failing],
        "newly_passing": [c.describe() for c in diff.newly_passing],
        "added": [f"{c.stack} {c.case}" for c in diff.added],
        "removed": [f"{c.stack} {c.case}" for c in diff.removed],
        "version_changes": [c.describe() for c in diff.version_changes],
    }
