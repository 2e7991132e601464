"""From what the recorder wrote (reports.jsonl, stacks/*.json) to cases and stack records.

Each case has up to three phase reports (setup, call, teardown); its outcome follows pytest's
own reading of them: a failed setup is an error, a skip is a skip, an `xfail` that failed is
xfailed, one that passed is xpassed (a strict xfail that passed is reported by pytest as a
failure `[XPASS(strict)]`: here it is xpassed, because the matrix reports it as a known
incompatibility that no longer shows, not as a broken deployment).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from harness.matrix.recorder import REPORTS_FILE, STACKS_DIR
from harness.matrix.schema import (
    OBSERVATION_KINDS,
    CaseRecord,
    ConfigDigest,
    Outcome,
    StackRecord,
)
from harness.spec.model import StackSpec

_STRICT_XPASS = "[XPASS(strict)]"


@dataclass(frozen=True, slots=True)
class RecordedCase:
    """A case as one attempt saw it, with the node id that runs it again."""

    nodeid: str
    record: CaseRecord


def rerunnable(nodeid: str) -> str:
    """The node id as a command line can name it again: pytest-xdist's loadgroup appends
    `@<group>` to the ids its workers report (`...[stack]@stack/outages`), which no command
    line matches ("not found": the matrix's retry ran nothing and exited 4)."""
    name_starts = max(nodeid.rfind("]"), nodeid.rfind("::"))
    group = nodeid.find("@", name_starts + 1)
    return nodeid if group < 0 else nodeid[:group]


def read_reports(folder: Path) -> list[dict[str, Any]]:
    """The phase reports of one attempt, in arrival order (none if it wrote nothing)."""
    path = folder / REPORTS_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def recorded_cases(reports: Iterable[Mapping[str, Any]]) -> list[RecordedCase]:
    """One case per node id, from its phase reports."""
    phases: dict[str, dict[str, Mapping[str, Any]]] = {}
    for report in reports:
        phases.setdefault(report["nodeid"], {})[report["when"]] = report
    return [RecordedCase(nodeid, _case(nodeid, by_when)) for nodeid, by_when in phases.items()]


def _case(nodeid: str, by_when: Mapping[str, Mapping[str, Any]]) -> CaseRecord:
    first = next(iter(by_when.values()))
    properties: Mapping[str, str] = first["properties"]
    outcome, deciding = _outcome(by_when)
    case = properties.get("harness.case", nodeid)
    reason = deciding["wasxfail"] if outcome == Outcome.XFAILED else deciding["crash"]
    failed = outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.XPASSED)
    return CaseRecord(
        stack=properties.get("harness.stack", ""),
        case=case,
        scenario=case.split("[", 1)[0],
        family=properties.get("harness.family", ""),
        protocol=properties.get("harness.protocol", "h1"),
        outcome=outcome,
        duration=round(sum(report["duration"] for report in by_when.values()), 3),
        reason=_one_line(str(reason or "")),
        incompatibility=properties.get("harness.incompatibility") or None,
        evidence=deciding["longrepr"] if failed else "",
        log_tail=deciding["log_tail"] if failed else "",
        observations=_observations(by_when),
    )


def _observations(by_when: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What the case recorded as `harness.<kind>` JSON properties during its call (the
    framing probes' hop-by-hop results), by kind."""
    found: dict[str, Any] = {}
    for report in by_when.values():
        for name, value in report["properties"].items():
            kind = name.removeprefix("harness.")
            if kind in OBSERVATION_KINDS and isinstance(value, str):
                found[kind] = json.loads(value)
    return found


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _outcome(by_when: Mapping[str, Mapping[str, Any]]) -> tuple[Outcome, Mapping[str, Any]]:
    """The case's outcome, and the phase report that decided it."""
    setup, call, teardown = (by_when.get(when) for when in ("setup", "call", "teardown"))
    if setup is not None and setup["outcome"] == "failed":
        return Outcome.ERROR, setup
    if setup is not None and setup["outcome"] == "skipped":
        return (Outcome.XFAILED if setup["wasxfail"] else Outcome.SKIPPED), setup
    if call is None:
        return Outcome.ERROR, teardown or setup or {"crash": "no report", "longrepr": ""}
    outcome = _call_outcome(call)
    if teardown is not None and teardown["outcome"] == "failed" and not outcome.is_failure:
        return Outcome.ERROR, teardown
    return outcome, call


def _call_outcome(call: Mapping[str, Any]) -> Outcome:
    if call["outcome"] == "passed":
        return Outcome.XPASSED if call["wasxfail"] is not None else Outcome.PASSED
    if call["outcome"] == "skipped":
        return Outcome.XFAILED if call["wasxfail"] is not None else Outcome.SKIPPED
    if str(call["longrepr"]).startswith(_STRICT_XPASS):
        return Outcome.XPASSED
    return Outcome.FAILED


def after_retry(first: CaseRecord, retried: CaseRecord) -> CaseRecord:
    """A failed case retried once: flaky when the retry passed, else the retry's failure.

    A flaky case keeps the first failure's evidence, so it is shown, never hidden."""
    if retried.outcome == Outcome.PASSED:
        return CaseRecord(
            **{
                **_fields(first),
                "outcome": Outcome.FLAKY,
                "attempts": 2,
                "first_failure": first.reason,
                "duration": retried.duration,
            }
        )
    return CaseRecord(**{**_fields(retried), "attempts": 2, "first_failure": first.reason})


def _fields(record: CaseRecord) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


def stack_record(spec: StackSpec, folder: Path, cases: Iterable[CaseRecord]) -> StackRecord:
    """A stack's record from its spec and the facts its worker wrote."""
    path = folder / STACKS_DIR / f"{spec.id}.json"
    facts: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    measured = sum(case.duration for case in cases if case.stack == spec.id)
    return StackRecord(
        id=spec.id,
        spec=spec_as_dict(spec),
        source=spec.source,
        startup_seconds=facts.get("startup_seconds"),
        seconds=round(measured, 2),
        versions=facts.get("versions", {"error": "the stack never started"}),
        images=facts.get("images", {}),
        configs=tuple(ConfigDigest(**digest) for digest in facts.get("configs", [])),
    )


def spec_as_dict(spec: StackSpec) -> dict[str, Any]:
    """A spec as JSON-ready data, with the derived names the report filters by."""
    data = {f.name: _plain(getattr(spec, f.name)) for f in fields(spec)}
    data.update(server_label=spec.server_label, app_mode=spec.app_mode)
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _plain(inner) for key, inner in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(inner) for inner in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(inner) for inner in value)
    return value
