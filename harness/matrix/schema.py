"""results.json: one matrix run (or a merge of shards), as frozen data with a versioned schema.

The file is the only input of every report (HTML grid, Markdown summary, JUnit) and of the
night-to-night diff, so everything a person needs to judge a cell is in it:

    {
      "schema": "deploy-harness/matrix-results",
      "schema_version": 1,
      "run":    {harness_version, harness_commit, started, ended, engine_version, host_cores,
                 workers, selection, shards: [{index, count, started, ended, seconds, stacks}]},
      "stacks": {stack id: {spec, source, startup_seconds, seconds, versions, images, configs}},
      "cases":  [{stack, case, scenario, family, protocol, outcome, duration, reason,
                  incompatibility, evidence, log_tail, attempts, first_failure, observations}]
    }

`versions` holds what actually ran: the proxy's own `-v` line, Debian's package versions, the
Python version and every Python package from the image's `pip freeze`. `configs` maps each
effective config file to its sha256 and its copy under the results folder. Times are
seconds; instants are ISO 8601 in UTC. docs/matrix.md describes every field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from harness.errors import ConfigError

SCHEMA = "deploy-harness/matrix-results"
SCHEMA_VERSION = 2
# Versions this harness reads: 1 had no `protocol` per case (every case spoke HTTP/1.1).
READABLE_VERSIONS = (1, 2)
RESULTS_FILE = "results.json"
# The kinds of data a case may record beside its outcome (CaseRecord.observations).
OBSERVATION_KINDS = ("framing",)


class Outcome(StrEnum):
    """What one case did on one stack. FLAKY: failed, then passed when retried once."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    XFAILED = "xfailed"
    XPASSED = "xpassed"
    FLAKY = "flaky"

    @property
    def is_failure(self) -> bool:
        """A failure of the deployment or the run: what turns a night red."""
        return self in (Outcome.FAILED, Outcome.ERROR)


@dataclass(frozen=True, slots=True)
class ShardInfo:
    """One shard's part of the run: which stacks it ran and how long it took."""

    index: int
    count: int
    started: str
    ended: str
    seconds: float
    stacks: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Who ran what, where and when."""

    harness_version: str
    harness_commit: str | None
    started: str
    ended: str
    engine_version: str
    host_cores: int
    workers: int
    selection: str
    shards: tuple[ShardInfo, ...]


@dataclass(frozen=True, slots=True)
class ConfigDigest:
    """One effective config file: where it lives in the container, its digest, its copy."""

    path: str
    sha256: str
    copy: str


@dataclass(frozen=True, slots=True)
class StackRecord:
    """A stack as it ran: its spec, the versions inside its images, its configs' digests."""

    id: str
    spec: Mapping[str, Any]
    source: str
    startup_seconds: float | None
    seconds: float
    versions: Mapping[str, Any]
    images: Mapping[str, str]
    configs: tuple[ConfigDigest, ...]

    @property
    def axes(self) -> Mapping[str, str]:
        """The values the report filters by: proxy, server, app, suite, tls."""
        spec = self.spec
        return {
            "proxy": str(spec.get("proxy", "?")),
            "server": str(spec.get("server_label", spec.get("server", "?"))),
            "app": str(spec.get("app_mode", "?")),
            "suite": str(spec.get("suite", "?")),
            "tls": "tls" if spec.get("tls") else "plain",
        }


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One scenario case on one stack: a cell of the grid."""

    stack: str
    case: str  # `test_file.py::test_name[params]`, the stack left out
    scenario: str  # `test_file.py::test_name`
    family: str
    outcome: Outcome
    duration: float
    reason: str = ""
    incompatibility: str | None = None
    evidence: str = ""
    log_tail: str = ""
    attempts: int = 1
    # For a flaky case: what the first attempt failed with.
    first_failure: str = ""
    # What the case observed beside its outcome, by kind (OBSERVATION_KINDS): `framing`, a
    # probe's result hop by hop (harness/clients/framing/verdicts.py ProbeResult.as_data()).
    observations: Mapping[str, Any] = field(default_factory=dict)
    # The HTTP version the case spoke to the proxy (harness.parts.kinds.ClientProtocol): h1,
    # h2 or h3; the report filters its columns by it.
    protocol: str = "h1"

    @property
    def key(self) -> tuple[str, str]:
        return (self.stack, self.case)


@dataclass(frozen=True, slots=True)
class MatrixResults:
    """Everything one results.json holds."""

    run: RunInfo
    stacks: Mapping[str, StackRecord]
    cases: tuple[CaseRecord, ...]
    schema_version: int = SCHEMA_VERSION
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def cells(self) -> dict[tuple[str, str], CaseRecord]:
        return {case.key: case for case in self.cases}

    def count(self, outcome: Outcome) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)

    @property
    def failures(self) -> list[CaseRecord]:
        return [case for case in self.cases if case.outcome.is_failure]


def to_json(results: MatrixResults) -> dict[str, Any]:
    """The results as the JSON document described above."""
    return {
        "schema": SCHEMA,
        "schema_version": results.schema_version,
        "run": asdict(results.run),
        "stacks": {stack_id: asdict(record) for stack_id, record in results.stacks.items()},
        "cases": [asdict(case) for case in results.cases],
    }


def write_results(results: MatrixResults, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RESULTS_FILE
    path.write_text(json.dumps(to_json(results), indent=1, sort_keys=False) + "\n", "utf-8")
    return path


def results_path(path: Path) -> Path:
    """A results.json, given the file itself or the folder that holds it."""
    return path / RESULTS_FILE if path.is_dir() else path


def load_results(path: Path) -> MatrixResults:
    """Read a results.json (or the folder holding one), checking its schema and version."""
    path = results_path(path)
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no matrix results here. Hint: `harness matrix run --out DIR` writes "
            "DIR/results.json."
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ConfigError(
            f"{path}: field 'schema': got {_got(document, 'schema')}; allowed: {SCHEMA!r}"
        )
    if document.get("schema_version") not in READABLE_VERSIONS:
        allowed = ", ".join(map(str, READABLE_VERSIONS))
        raise ConfigError(
            f"{path}: field 'schema_version': got {_got(document, 'schema_version')}; allowed: "
            f"{allowed}. Hint: it was written by another version of deploy-harness."
        )
    try:
        return _from_document(document)
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(
            f"{path}: malformed matrix results: {type(error).__name__}: {error}"
        ) from None


def _got(document: object, name: str) -> str:
    return repr(document.get(name)) if isinstance(document, dict) else "not a JSON object"


def _from_document(document: Mapping[str, Any]) -> MatrixResults:
    run = dict(document["run"])
    run["shards"] = tuple(
        ShardInfo(**{**shard, "stacks": tuple(shard["stacks"])}) for shard in run["shards"]
    )
    stacks = {
        stack_id: StackRecord(
            **{
                **record,
                "configs": tuple(ConfigDigest(**digest) for digest in record["configs"]),
            }
        )
        for stack_id, record in document["stacks"].items()
    }
    cases = tuple(
        CaseRecord(**{**case, "outcome": Outcome(case["outcome"])}) for case in document["cases"]
    )
    return MatrixResults(run=RunInfo(**run), stacks=stacks, cases=cases)


def sorted_cases(cases: Iterable[CaseRecord]) -> tuple[CaseRecord, ...]:
    """Cases in a stable order: by stack, then by case name."""
    return tuple(sorted(cases, key=lambda case: case.key))
