"""Facts every report shows the same way: totals per outcome, slow stacks, key versions.

The HTML page, the Markdown summary and the JUnit file all draw from here, so a number or a
version line reads the same in each of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from harness.matrix.schema import CaseRecord, MatrixResults, Outcome, RunInfo, StackRecord

# Worst first: the order of totals, legends and lists.
OUTCOME_ORDER: tuple[Outcome, ...] = (
    Outcome.FAILED,
    Outcome.ERROR,
    Outcome.FLAKY,
    Outcome.XPASSED,
    Outcome.XFAILED,
    Outcome.SKIPPED,
    Outcome.PASSED,
)

# The outcomes a person wants explained; a pass or a skip explains itself.
DETAILED: frozenset[Outcome] = frozenset(
    {Outcome.FAILED, Outcome.ERROR, Outcome.XFAILED, Outcome.XPASSED, Outcome.FLAKY}
)

# The scalar versions shown first, in this order; other scalars follow in name order.
KEY_VERSIONS: tuple[str, ...] = (
    "proxy",
    "python",
    "server",
    "framework",
    "pins",
    "debian_suite",
    "debian_version",
)


def outcome_totals(results: MatrixResults) -> list[tuple[Outcome, int]]:
    """Every outcome with its number of cells, worst first, zeros included."""
    return [(outcome, results.count(outcome)) for outcome in OUTCOME_ORDER]


def stack_ids(results: MatrixResults) -> list[str]:
    """Every stack of the run in name order, including any that only its cases mention."""
    return sorted(set(results.stacks) | {case.stack for case in results.cases})


def slowest_stacks(results: MatrixResults, count: int = 5) -> list[StackRecord]:
    """The `count` stacks that took longest, slowest first."""
    ranked = sorted(results.stacks.values(), key=lambda record: (-record.seconds, record.id))
    return ranked[:count]


def key_versions(record: StackRecord) -> dict[str, str]:
    """The stack's one-line versions (proxy, python, server, ...), without package lists."""
    scalars = {
        name: str(value)
        for name, value in record.versions.items()
        if not isinstance(value, Mapping)
    }
    first = [name for name in KEY_VERSIONS if name in scalars]
    rest = sorted(name for name in scalars if name not in KEY_VERSIONS)
    return {name: scalars[name] for name in first + rest}


def package_versions(record: StackRecord, kind: str) -> dict[str, str]:
    """One of the stack's package lists (`packages`, `debian_packages`) by name; {} if absent."""
    packages = record.versions.get(kind)
    if not isinstance(packages, Mapping):
        return {}
    return {str(name): str(version) for name, version in sorted(packages.items())}


def cases_with(results: MatrixResults, outcomes: frozenset[Outcome]) -> list[CaseRecord]:
    """The cells with one of `outcomes`, by stack then case."""
    return sorted((case for case in results.cases if case.outcome in outcomes), key=lambda c: c.key)


def one_line(text: str, limit: int = 200) -> str:
    """`text` on one line (whitespace collapsed), cut to `limit` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def format_seconds(seconds: float | None) -> str:
    """A duration for people: `0.12 s`, `42.0 s`, `12m 05s`; `-` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 600:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"


_TERMINAL_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def strip_terminal_escapes(text: str) -> str:
    """`text` without terminal colour and cursor sequences (as container logs often hold)."""
    return _TERMINAL_ESCAPE.sub("", text)


def run_seconds(run: RunInfo) -> float | None:
    """The wall time of the run from its start and end instants; None if either is unreadable."""
    try:
        ended, started = datetime.fromisoformat(run.ended), datetime.fromisoformat(run.started)
        return (ended - started).total_seconds()
    except (TypeError, ValueError):
        return None


def partial_run(run: RunInfo) -> str:
    """`5 of its 16 shards (1/16, ...)` for a run merged before all its shards ran, else ""."""
    planned = run.shards[0].count if run.shards else 1
    if len(run.shards) >= planned:
        return ""
    return (
        f"{len(run.shards)} of its {planned} shards "
        f"({', '.join(shard.label for shard in run.shards)})"
    )
