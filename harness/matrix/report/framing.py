"""The framing family, hop by hop: a table of probes x stacks, and the advisory verdicts.

Made from results.json alone: each framing case's `observations["framing"]` (what the proxied
and the direct hop did) and each stack's recorded `versions["packages"]` (what ran). Each
direct result on a stack whose parser an advisory names (harness/clients/framing/advisories.py) is
judged against what the advisory says of the version that ran; a disagreement is a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.clients.framing.advisories import (
    ADVISORIES,
    Advisory,
    AdvisoryVerdict,
    installed_version,
    judge,
)
from harness.clients.framing.h2probes import H2_PROBES
from harness.clients.framing.probes import PROBES
from harness.matrix.schema import MatrixResults, StackRecord

__all__ = ["AdvisoryCheck", "FramingCell", "FramingRow", "FramingView", "framing_view"]

_PARSER_OF_SERVER = {"hypercorn": "h11", "daphne": "twisted", "waitress": "waitress"}


@dataclass(frozen=True, slots=True)
class FramingCell:
    """One probe on one stack: each hop's outcome and the recorded details."""

    probe: str
    proxied: str
    direct: str | None
    server_lenient: bool | None
    proxy_protects: bool | None
    title: str


@dataclass(frozen=True, slots=True)
class FramingRow:
    stack: str
    parser: str  # `gunicorn 21.2.0`, `h11 0.14.0`, or the server where no advisory names it
    server: str  # the server running that parser (h11 runs under uvicorn and hypercorn)

    @property
    def server_if_not_named(self) -> str | None:
        """The server, where the parser's name does not already say it."""
        return None if self.parser.startswith(self.server) else self.server

    cells: tuple[FramingCell | None, ...]


@dataclass(frozen=True, slots=True)
class AdvisoryCheck:
    """One advisory judged on one stack, from its probes' direct results."""

    stack: str
    advisory: Advisory
    version: str
    probe: str
    direct: str
    verdict: AdvisoryVerdict


@dataclass(frozen=True, slots=True)
class FramingView:
    probes: tuple[str, ...]
    rows: tuple[FramingRow, ...]
    checks: tuple[AdvisoryCheck, ...]

    @property
    def findings(self) -> tuple[AdvisoryCheck, ...]:
        return tuple(check for check in self.checks if check.verdict.is_finding)


def framing_view(results: MatrixResults) -> FramingView | None:
    """The view, or None when no case recorded a framing observation."""
    observed: dict[str, dict[str, Mapping[str, Any]]] = {}
    for case in results.cases:
        data = case.observations.get("framing") if case.observations else None
        if isinstance(data, Mapping):
            observed.setdefault(case.stack, {})[str(data["probe"])] = data
    if not observed:
        return None
    names = (*PROBES, *H2_PROBES)  # HTTP/1.1's probes, then HTTP/2's downgrade probes
    probes = tuple(name for name in names if any(name in seen for seen in observed.values()))
    rows, checks = [], []
    for stack in sorted(observed):
        record = results.stacks.get(stack)
        package, version = _parser(record)
        cells = tuple(_cell(observed[stack].get(name)) for name in probes)
        server = str(record.spec.get("server", "?")) if record is not None else "?"
        parser = f"{package} {version}" if version else package
        rows.append(FramingRow(stack, parser, server, cells))
        checks += _checks(stack, package, version, observed[stack])
    return FramingView(probes, tuple(rows), tuple(checks))


def _parser(record: StackRecord | None) -> tuple[str, str | None]:
    """The package whose parser the advisories judge, and the version that ran."""
    if record is None:
        return "?", None
    spec = record.spec
    server = str(spec.get("server", "?"))
    if server == "uvicorn":
        parser = "h11" if spec.get("http_parser") == "h11" else None
        package = parser or "uvicorn (httptools)"
    elif server == "gunicorn":
        package = "gunicorn" if spec.get("worker_class") != "uvicorn" else "uvicorn (httptools)"
    else:
        package = _PARSER_OF_SERVER.get(server, server)
    packages = record.versions.get("packages")
    name = package.split(" ")[0]
    version = installed_version(packages, name) if isinstance(packages, Mapping) else None
    return package, version


def _cell(data: Mapping[str, Any] | None) -> FramingCell | None:
    if data is None:
        return None
    proxied = data["proxied"]
    direct = data.get("direct")
    title = f"proxied: {_hop_text(proxied)}\ndirect: {_hop_text(direct)}"
    return FramingCell(
        probe=str(data["probe"]),
        proxied=str(proxied["outcome"]),
        direct=str(direct["outcome"]) if direct else None,
        server_lenient=data.get("server_lenient"),
        proxy_protects=data.get("proxy_protects"),
        title=title,
    )


def _hop_text(hop: Mapping[str, Any] | None) -> str:
    if not hop:
        return "not probed"
    return (
        f"{hop['outcome']}; statuses {hop['statuses']}; the app ran {hop['app_requests']} "
        f"request(s){' incl. the hidden one' if hop['hidden_ran'] else ''}, read "
        f"{'?' if hop['body_length'] is None else hop['body_length']} body bytes"
    )


def _checks(
    stack: str, package: str, version: str | None, seen: Mapping[str, Mapping[str, Any]]
) -> list[AdvisoryCheck]:
    if version is None:
        return []
    checks = []
    for advisory in ADVISORIES:
        if advisory.package != package:
            continue
        for probe in advisory.probes:
            data = seen.get(probe)
            lenient = data.get("server_lenient") if data else None
            if data is None or lenient is None:
                continue
            verdict = judge(advisory, version, bool(lenient))
            checks.append(
                AdvisoryCheck(
                    stack, advisory, version, probe, str(data["direct"]["outcome"]), verdict
                )
            )
    return checks
