"""docs/compatibility.md: what a merged matrix run says of each proxy x server x app mode.

Made from one results.json alone. A row is one proxy, one server (as apps report it:
`gunicorn-gthread`, `granian-asgi`) and one app mode (`django-asgi`), over every stack of the
run that has them (each Debian suite, with and without TLS, the balancing variants); a stack
that pins other package versions is a row of its own, named by its pins. A column is a
scenario family. Each cell is one typed verdict (Verdict) over the cases of that family on
those stacks, with the known incompatibilities that applied linked to their entries, and the
page ends with the framing probes' direct results per server version and the advisory
findings. Nothing here is written by hand: every sentence is a count over the run.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from harness.known.incompatibilities import KNOWN
from harness.matrix.report.framing import FramingView, framing_view
from harness.matrix.report.summary import format_seconds, one_line, partial_run, run_seconds
from harness.matrix.schema import CaseRecord, MatrixResults, Outcome, StackRecord

__all__ = ["Verdict", "render_compatibility", "write_compatibility"]

PROXY_ORDER = ("nginx", "apache", "haproxy", "caddy")
# Where the hand-written findings live, relative to docs/compatibility.md.
FINDINGS_PAGE = "findings.md"


class Verdict(Enum):
    """A family on a row, worst first: what the cell says."""

    FAILS = "✗"  # a case failed or errored on some stack of the row
    FLAKY = "~"  # a case failed once and passed when run again
    KNOWN = "K"  # every case held but for known incompatibilities (strict xfails)
    HOLDS = "✓"  # every case that ran passed
    NOT_RUN = "n/a"  # every case was skipped: the family does not apply to the row


@dataclass(frozen=True, slots=True)
class RowKey:
    proxy: str
    server: str
    app: str
    pins: str  # "" for the versions our requirements file pins

    @property
    def label(self) -> str:
        return f"{self.server} {self.app}" + (f" ({self.pins})" if self.pins else "")


@dataclass(slots=True)
class Tally:
    """The outcomes of one family's cases on one row, and the incompatibilities that applied."""

    outcomes: Counter[Outcome] = field(default_factory=Counter)
    known: set[int] = field(default_factory=set)
    failing: list[CaseRecord] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        ran = {o: n for o, n in self.outcomes.items() if n and o != Outcome.SKIPPED}
        if not ran:
            return Verdict.NOT_RUN
        if self.outcomes[Outcome.FAILED] or self.outcomes[Outcome.ERROR]:
            return Verdict.FAILS
        if self.outcomes[Outcome.FLAKY]:
            return Verdict.FLAKY
        if self.outcomes[Outcome.XFAILED]:
            return Verdict.KNOWN
        return Verdict.HOLDS


@dataclass(frozen=True, slots=True)
class KnownEntry:
    """One known incompatibility as the run met it: its reason and where it applied."""

    number: int
    reason: str
    rows: tuple[RowKey, ...]
    cells: int
    xpassed: int  # cells where it no longer showed (a strict xfail that passed)

    @property
    def title(self) -> str:
        """The reason's first sentence, the part a reader scans for."""
        first = re.split(r"(?<=\.)\s(?=[A-Z])", self.reason, maxsplit=1)[0]
        return one_line(first, 160)


def write_compatibility(results: MatrixResults, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_compatibility(results), "utf-8")
    return path


def render_compatibility(results: MatrixResults) -> str:
    families = _families(results.cases)
    known = _known_entries(results)
    numbers = {entry.reason: entry.number for entry in known}
    tallies = _tallies(results, numbers)
    rows = sorted({key for key, _ in tallies}, key=_row_order)
    lines = [
        "# Compatibility of Python web stacks",
        "",
        *_provenance(results),
        "",
        "## What to choose",
        "",
        *_choices(rows, families, tallies, known),
        "",
        "## Versions that ran",
        "",
        *_versions(results),
        "",
        "## By proxy",
        "",
        "Each cell is one family over every stack of the row (Debian suites, with and without",
        f"TLS, balancing variants). {_legend()}",
        "",
    ]
    for proxy in _proxies(rows):
        lines += _proxy_table(proxy, [r for r in rows if r.proxy == proxy], families, tallies)
    lines += ["## Known incompatibilities", ""]
    lines += _known_section(known)
    lines += ["## Findings", ""]
    lines += _findings(framing_view(results))
    return "\n".join(lines).rstrip() + "\n"


def _row_key(record: StackRecord | None, stack: str) -> RowKey:
    spec = record.spec if record is not None else {}
    pins = spec.get("packages") or ()
    pinned = ", ".join(
        f"{pin['name']} {pin['version']}" for pin in pins if isinstance(pin, Mapping)
    )
    return RowKey(
        proxy=str(spec.get("proxy", "?")),
        server=str(spec.get("server_label", spec.get("server", stack))),
        app=str(spec.get("app_mode", "?")),
        pins=pinned,
    )


def _row_order(key: RowKey) -> tuple[int, str, str, str]:
    rank = PROXY_ORDER.index(key.proxy) if key.proxy in PROXY_ORDER else len(PROXY_ORDER)
    return (rank, key.server, key.app, key.pins)


def _proxies(rows: Iterable[RowKey]) -> list[str]:
    seen = {row.proxy for row in rows}
    return sorted(seen, key=lambda p: (PROXY_ORDER.index(p) if p in PROXY_ORDER else 9, p))


def _families(cases: Iterable[CaseRecord]) -> list[str]:
    """The families in the order the run met them (the order of scenarios/)."""
    return list(dict.fromkeys(case.family for case in cases if case.family))


def _known_entries(results: MatrixResults) -> list[KnownEntry]:
    """Each incompatibility that applied somewhere, most cells first, numbered K1, K2, ..."""
    rows: dict[str, set[RowKey]] = defaultdict(set)
    cells: Counter[str] = Counter()
    xpassed: Counter[str] = Counter()
    for case in results.cases:
        if not case.incompatibility:
            continue
        for reason in _reasons(case.incompatibility):
            rows[reason].add(_row_key(results.stacks.get(case.stack), case.stack))
            cells[reason] += 1
            xpassed[reason] += case.outcome == Outcome.XPASSED
    ranked = sorted(cells, key=lambda reason: (-cells[reason], reason))
    return [
        KnownEntry(n, reason, tuple(sorted(rows[reason], key=_row_order)), cells[reason],
                   xpassed[reason])
        for n, reason in enumerate(ranked, start=1)
    ]  # fmt: skip


def _reasons(recorded: str) -> list[str]:
    """The known incompatibilities a cell recorded (the plugin joins their reasons with `; `,
    which reasons hold too): each entry of harness/known/incompatibilities.py whose reason is
    in the text; the text whole when none is (an entry since changed or removed)."""
    found = [entry.reason for entry in KNOWN if entry.reason in recorded]
    return found or [recorded]


def _tallies(results: MatrixResults, numbers: Mapping[str, int]) -> dict[tuple[RowKey, str], Tally]:
    tallies: dict[tuple[RowKey, str], Tally] = defaultdict(Tally)
    for case in results.cases:
        tally = tallies[(_row_key(results.stacks.get(case.stack), case.stack), case.family)]
        tally.outcomes[case.outcome] += 1
        if case.incompatibility and case.outcome == Outcome.XFAILED:
            tally.known.update(numbers[r] for r in _reasons(case.incompatibility))
        if case.outcome.is_failure or case.outcome == Outcome.FLAKY:
            tally.failing.append(case)
    return tallies


def _provenance(results: MatrixResults) -> list[str]:
    run = results.run
    shards = len(run.shards) or 1
    shown = partial_run(run)
    partial = f" **A partial run: {shown}**; the others are not run yet." if shown else ""
    day = run.started[:10]
    commit = f", commit `{run.harness_commit[:12]}`" if run.harness_commit else ""
    ran = sum(1 for case in results.cases if case.outcome != Outcome.SKIPPED)
    return [
        f"Generated by `harness matrix compatibility` from the matrix run of **{day}** "
        f"(`{run.selection}`; harness {run.harness_version}{commit}): {len(results.stacks)} "
        f"stacks, {len(results.cases):,} cells of which {ran:,} ran, in {shards} shard(s) "
        f"on {run.host_cores}-core machines, {format_seconds(run_seconds(run))} from the "
        "first shard's start to the last one's end. Regenerate it from a merged results.json "
        f"(docs/matrix.md); do not edit it by hand.{partial}",
        "",
        "Totals: "
        + ", ".join(f"{results.count(o):,} {o.value}" for o in Outcome if results.count(o))
        + ".",
    ]


def _choices(
    rows: list[RowKey],
    families: list[str],
    tallies: Mapping[tuple[RowKey, str], Tally],
    known: list[KnownEntry],
) -> list[str]:
    """Counts a person choosing a stack reads first: the rows where everything holds, what
    each proxy cannot do on any of its rows, and per family only the rows where it failed."""
    plain = [row for row in rows if not row.pins]
    verdicts = {row: {tallies[(row, f)].verdict for f in families} for row in plain}
    clean = [row for row in plain if verdicts[row] <= {Verdict.HOLDS, Verdict.NOT_RUN}]
    no_failure = [row for row in plain if not verdicts[row] & {Verdict.FAILS, Verdict.FLAKY}]
    lines = [
        f"- **Every family holds, with no known incompatibility,** on {len(clean)} of the "
        f"{len(plain)} proxy x server x app rows run at our pinned versions"
        + (": " + "; ".join(_row_names(clean)) if clean else "."),
        f"- **Every family holds but for known incompatibilities** on {len(no_failure)} of "
        f"them: " + ("; ".join(_row_names(no_failure)) or "none") + ".",
        "- **What each proxy cannot do on any of its rows** (the known incompatibilities that "
        "apply to every row of the proxy that runs the family):",
    ]
    titles = {entry.number: entry.title for entry in known}
    for proxy in _proxies(plain):
        own = [row for row in plain if row.proxy == proxy]
        shared: set[int] = set()
        for family in families:
            ran = [r for r in own if tallies[(r, family)].verdict != Verdict.NOT_RUN]
            if len(ran) > 1:
                shared |= set.intersection(*(tallies[(r, family)].known for r in ran))
        found = "; ".join(f"[K{n}](#k{n}) {titles[n]}" for n in sorted(shared)) or "nothing"
        lines.append(f"  - {proxy} ({len(own)} rows): {found}")
    lines.append("- **Where a family failed** (✗ failed, ~ flaky; K rows held but for known "
                 "incompatibilities):")  # fmt: skip
    for family in families:
        ran = [row for row in rows if tallies[(row, family)].verdict != Verdict.NOT_RUN]
        if not ran:
            continue
        failed = [r for r in ran if tallies[(r, family)].verdict in (Verdict.FAILS, Verdict.FLAKY)]
        known_rows = [r for r in ran if tallies[(r, family)].verdict == Verdict.KNOWN]
        counts = f"{family}: {len(ran) - len(failed) - len(known_rows)} of {len(ran)} rows hold"
        counts += f", {len(known_rows)} K" if known_rows else ""
        shown = "; ".join(
            f"{row.proxy} + {row.label} {_cell_text(tallies[(row, family)])}" for row in failed
        )
        lines.append(f"  - {counts}" + (f"; failed on {shown}" if failed else ""))
    return lines


def _row_names(rows: list[RowKey]) -> list[str]:
    """Rows grouped by proxy: `nginx: uvicorn (django-asgi), uwsgi (flask-wsgi)`."""
    return [
        f"{proxy}: " + ", ".join(f"{r.server} ({r.app})" for r in rows if r.proxy == proxy)
        for proxy in _proxies(rows)
    ]


def _cell_text(tally: Tally) -> str:
    verdict = tally.verdict
    if verdict == Verdict.FAILS:
        count = tally.outcomes[Outcome.FAILED] + tally.outcomes[Outcome.ERROR]
        text = f"✗ {count}"
    elif verdict == Verdict.FLAKY:
        text = f"~ {tally.outcomes[Outcome.FLAKY]}"
    else:
        text = verdict.value
    links = " ".join(f"[K{n}](#k{n})" for n in sorted(tally.known))
    return f"{text} {links}".strip() if verdict != Verdict.HOLDS or links else text


def _legend() -> str:
    return (
        "✓ every case that ran passed; K*n* it held but for known incompatibility *n* "
        "(a strict xfail, linked); ✗ *n* cases failed; ~ *n* cases failed once and passed "
        "when run again; n/a the family does not apply (every case skipped, with its reason in "
        "the HTML report)."
    )


def _proxy_table(
    proxy: str, rows: list[RowKey], families: list[str], tallies: Mapping[tuple[RowKey, str], Tally]
) -> list[str]:
    lines = [f"### {proxy}", "", "| server | app | " + " | ".join(families) + " |"]
    lines.append("|---|---|" + "---|" * len(families))
    for row in rows:
        server = row.server + (f" ({row.pins})" if row.pins else "")
        cells = [_cell_text(tallies[(row, family)]) for family in families]
        lines.append(f"| {server} | {row.app} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _versions(results: MatrixResults) -> list[str]:
    proxies: dict[str, set[str]] = defaultdict(set)
    pythons: dict[str, set[str]] = defaultdict(set)
    servers: set[str] = set()
    frameworks: set[str] = set()
    for record in results.stacks.values():
        suite = str(record.versions.get("debian_suite", record.spec.get("suite", "?")))
        if "proxy" in record.versions:
            proxies[suite].add(one_line(str(record.versions["proxy"]), 90))
        if "python" in record.versions:
            pythons[suite].add(str(record.versions["python"]))
        for name in ("server", "framework"):
            if name in record.versions:
                (servers if name == "server" else frameworks).add(str(record.versions[name]))
    lines = ["| Debian suite | proxies | Python |", "|---|---|---|"]
    for suite in sorted(proxies):
        shown = "<br>".join(f"`{line}`" for line in sorted(proxies[suite]))
        lines.append(f"| {suite} | {shown} | {', '.join(sorted(pythons[suite]))} |")
    lines += [
        "",
        "Servers: " + ", ".join(f"`{s}`" for s in sorted(servers)) + ".",
        "",
        "Frameworks: " + ", ".join(f"`{f}`" for f in sorted(frameworks)) + ".",
    ]
    return lines


def _known_section(known: list[KnownEntry]) -> list[str]:
    if not known:
        return ["No known incompatibility applied in this run.", ""]
    lines = [
        "Each is an entry of harness/known/incompatibilities.py, with its evidence; the run "
        "marks its cases strict xfail, so the night a new version fixes one, its cells turn "
        "xpassed and the entry is removed.",
        "",
    ]
    for entry in known:
        rows = ", ".join(f"{row.proxy} + {row.label}" for row in entry.rows)
        fixed = f" It no longer showed on {entry.xpassed} of them." if entry.xpassed else ""
        lines += [
            f'<a id="k{entry.number}"></a>**K{entry.number}.** {one_line(entry.reason, 2000)}',
            "",
            f"Applied to {entry.cells} cell(s), on: {rows}.{fixed}",
            "",
        ]
    return lines


def _findings(view: FramingView | None) -> list[str]:
    lines = [
        f"Findings written up with versions, specification text and a reproduction are in "
        f"[{FINDINGS_PAGE}]({FINDINGS_PAGE}).",
        "",
    ]
    if view is None:
        return [*lines, "This run recorded no framing probes."]
    lines += [
        "### Framing probes straight to the server",
        "",
        "What each server's own parser did with each framing probe sent from a container on",
        "the stack's network, without a proxy (the `direct` hop; the proxied hop is the",
        "`framing` column above). A server that accepts an invalid probe relies on its proxy",
        "to refuse it.",
        "",
    ]
    by_parser: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in view.rows:
        for probe, cell in zip(view.probes, row.cells, strict=True):
            if cell is not None and cell.direct is not None:
                by_parser[row.parser][probe].add(cell.direct)
    probes = [p for p in view.probes if any(p in seen for seen in by_parser.values())]
    lines.append("| server parser | " + " | ".join(probes) + " |")
    lines.append("|---|" + "---|" * len(probes))
    for parser in sorted(by_parser):
        seen = by_parser[parser]
        cells = [" / ".join(sorted(seen[p])) if p in seen else "" for p in probes]
        lines.append(f"| {parser} | " + " | ".join(cells) + " |")
    lines.append("")
    if view.findings:
        lines += ["Results that disagree with a published advisory:", ""]
        for check in view.findings:
            lines.append(
                f"- {check.stack}: {check.advisory.id} on {check.advisory.package} "
                f"{check.version}, probe {check.probe}: {check.direct} ({check.verdict.value})"
            )
    else:
        lines.append("Every direct result agrees with the advisories the harness knows.")
    return [*lines, ""]
