"""The grid as the page draws it: columns grouped by family, one row per stack, safe ids.

Columns are the run's cases grouped by family, families in name order and cases in name
order within a family, so two nights' pages line up column for column. Rows are stacks in
name order. A cell a stack did not run is kept, empty, so every row has every column.

Every id on the page (a stack's section, a cell's detail) comes from `PageIds`: a slug of
letters, digits and dashes, unique on the page, stable for the same results.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from harness.matrix.report.summary import DETAILED, format_seconds, one_line, stack_ids
from harness.matrix.schema import CaseRecord, MatrixResults, StackRecord

AXES: tuple[str, ...] = ("proxy", "server", "app", "suite", "tls")
UNKNOWN_AXES: Mapping[str, str] = dict.fromkeys(AXES, "?")


def slug(text: str) -> str:
    """`text` as lowercase letters, digits and single dashes; `x` if nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


class PageIds:
    """Hands out HTML ids: one per key, never the same id for two keys."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._by_key: dict[tuple[str, ...], str] = {}
        self._taken: set[str] = set(reserved)

    def get(self, kind: str, *names: str) -> str:
        """The id of (`kind`, *`names`), e.g. `stack-nginx-gunicorn`; made on first use."""
        key = (kind, *names)
        if key not in self._by_key:
            base = "-".join(slug(part) for part in key)
            candidate, number = base, 1
            while candidate in self._taken:
                number += 1
                candidate = f"{base}-{number}"
            self._taken.add(candidate)
            self._by_key[key] = candidate
        return self._by_key[key]

    def find(self, kind: str, *names: str) -> str | None:
        """The id of a key already handed out, or None."""
        return self._by_key.get((kind, *names))


LABEL_LIMIT = 32  # characters: about 210px of 11px text written vertically


def short_name(case: str) -> str:
    """A column's name: the case without its file and `test_` prefix, parameters kept."""
    name = case.split("::", 1)[-1]
    return name.removeprefix("test_")


def column_label(short: str, limit: int = LABEL_LIMIT) -> str:
    """`short` cut to `limit` characters in the middle of the name, so that the parameters,
    which tell neighbouring columns apart, stay readable: `smuggling_probe_is_r…[cl-te]`."""
    if len(short) <= limit:
        return short
    name, bracket, params = short.partition("[")
    params = bracket + params
    if len(params) > limit // 2:
        params = params[: limit // 2 - 2] + "…]"
    room = limit - len(params)
    return (name if len(name) <= room else name[: room - 1] + "…") + params


@dataclass(frozen=True, slots=True)
class Column:
    case: str
    family: str
    short: str
    label: str  # `short`, cut to fit the header
    family_start: bool  # the first column of its family: drawn with a separator
    protocol: str  # the client protocol its cases spoke: h1, h2, h3


@dataclass(frozen=True, slots=True)
class FamilySpan:
    name: str
    span: int


@dataclass(frozen=True, slots=True)
class Cell:
    """One td of the grid; `record` is None where the stack did not run the case."""

    record: CaseRecord | None
    href: str
    tooltip: str
    family_start: bool

    @property
    def css(self) -> str:
        return f"o-{self.record.outcome}" if self.record else "o-none"


@dataclass(frozen=True, slots=True)
class Row:
    stack_id: str
    record: StackRecord | None  # None if only the cases name the stack
    anchor: str
    axes: Mapping[str, str]
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Grid:
    columns: tuple[Column, ...]
    families: tuple[FamilySpan, ...]
    rows: tuple[Row, ...]


def build_grid(results: MatrixResults, ids: PageIds) -> Grid:
    """The grid of `results`; ids for stacks and detailed cells are taken from `ids`."""
    columns = _columns(results.cases)
    cells = results.cells()
    for stack_id in stack_ids(results):
        ids.get("stack", stack_id)
    rows = tuple(_row(results, stack_id, columns, cells, ids) for stack_id in stack_ids(results))
    return Grid(columns=columns, families=_families(columns), rows=rows)


def _columns(cases: tuple[CaseRecord, ...]) -> tuple[Column, ...]:
    family_of: dict[str, str] = {}
    protocol_of: dict[str, str] = {}
    for case in cases:
        family_of.setdefault(case.case, case.family)
        protocol_of.setdefault(case.case, case.protocol)
    ordered = sorted(family_of, key=lambda name: (family_of[name], name))
    return tuple(
        Column(
            case=name,
            family=family_of[name],
            short=short_name(name),
            label=column_label(short_name(name)),
            family_start=index == 0 or family_of[ordered[index - 1]] != family_of[name],
            protocol=protocol_of[name],
        )
        for index, name in enumerate(ordered)
    )


def _families(columns: tuple[Column, ...]) -> tuple[FamilySpan, ...]:
    spans: list[FamilySpan] = []
    for column in columns:
        if column.family_start:
            spans.append(FamilySpan(column.family, 0))
        spans[-1] = FamilySpan(spans[-1].name, spans[-1].span + 1)
    return tuple(spans)


def _row(
    results: MatrixResults,
    stack_id: str,
    columns: tuple[Column, ...],
    cells: Mapping[tuple[str, str], CaseRecord],
    ids: PageIds,
) -> Row:
    record = results.stacks.get(stack_id)
    stack_anchor = ids.get("stack", stack_id)
    row_cells = []
    for column in columns:
        case = cells.get((stack_id, column.case))
        if case is None:
            row_cells.append(Cell(None, "", "", column.family_start))
            continue
        detailed = case.outcome in DETAILED
        href = "#" + (ids.get("cell", stack_id, case.case) if detailed else stack_anchor)
        row_cells.append(Cell(case, href, tooltip(case), column.family_start))
    return Row(
        stack_id=stack_id,
        record=record,
        anchor=stack_anchor,
        axes=record.axes if record else UNKNOWN_AXES,
        cells=tuple(row_cells),
    )


def tooltip(case: CaseRecord) -> str:
    """A cell's title: stack, case, outcome, duration and the reason, one per line."""
    lines = [case.stack, case.case, f"{case.outcome} · {format_seconds(case.duration)}"]
    if case.attempts > 1:
        lines[-1] += f" · {case.attempts} attempts"
    if case.reason:
        lines.append(one_line(case.reason, 300))
    return "\n".join(lines)
