"""A known incompatibility as data: which stacks and scenarios it concerns, the part that
causes it, and whether it applies to a stack as that stack runs. The entries themselves, with
their evidence, are in harness/known/incompatibilities.py.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from packaging.specifiers import SpecifierSet

from harness.building.pinned import installed_version
from harness.known.causes import Part, replaced_parts
from harness.spec.model import StackSpec
from harness.spec.suites import VersionRange

# The scenarios the entries name (`test_file.py::test_name[params]`).
CHUNKED_UPLOAD = "test_correctness.py::test_chunked_request_body_reaches_app_intact"
CHUNKED_AT_LIMIT = "test_limits.py::test_body_at_declared_maximum_is_accepted[chunked]"
CHUNKED_OVER_LIMIT = "test_limits.py::test_body_over_declared_maximum_gets_413_from_proxy[chunked]"
HEADER_LINE_OVER_LIMIT = "test_limits.py::test_header_line_over_declared_maximum_gets_4xx"
HEADER_LINE_AT_LIMIT = "test_limits.py::test_header_line_at_declared_maximum_passes"
TIMEOUT_STATUS = "test_limits.py::test_request_past_proxy_read_timeout_gets_timeout_status"
RECREATED_REPLICA = "test_lifecycle.py::test_recreated_replica_is_reached_again"
SLOW_CLIENTS = "test_streaming.py::test_slow_clients_do_not_hold_sync_workers"
SLOW_UPLOADS = "test_streaming.py::test_slow_uploads_do_not_hold_sync_workers"
SMALL_UNCOMPRESSED = "test_compression.py::test_small_answer_is_not_compressed"
STREAM_GZIP = "test_streaming.py::test_stream_lines_arrive_incrementally[gzip]"
CHUNKED_IN_BODY = "test_security.py::test_request_in_a_body_stays_in_the_body[chunked]"
PAUSED_REPLICA = "test_balancing.py::test_gets_keep_succeeding_with_replica_down[paused]"
ROLLING_RESTART = "test_lifecycle.py::test_rolling_restart_gives_no_errors"
FOREIGN_ORIGIN = "test_websocket.py::test_foreign_origin_refused_and_own_accepted"
IN_FLIGHT = "test_lifecycle.py::test_request_in_flight_finishes_when_its_replica_stops"
WEBSOCKET_STOP = "test_websocket.py::test_stopping_replica_closes_its_sockets_cleanly"


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """Scenarios that fail on the stacks this entry matches, and why (with evidence).

    `parts` are what cause the failure; a stack that replaced any of them with its own is not
    matched. `where` maps spec fields (dotted for nested ones: `timeouts.timeout_status`) to
    the values that match; `stack` is a glob over stack ids; `scenarios` are globs over
    scenario names; `versions`, when given, the proxy versions the failure is known for;
    `packages`, PyPI packages and the versions (PEP 440 specifiers) the failure is known for,
    read from the stack's pins or our requirements file; `when`, a further test on the spec
    for what `where` cannot say (a number above one).
    """

    scenarios: tuple[str, ...]
    reason: str
    parts: tuple[Part, ...]
    # Seen to fail only some of the time: an xfail that may pass, not a strict one.
    intermittent: bool = False
    stack: str = "*"
    where: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    versions: VersionRange | None = None
    packages: Mapping[str, SpecifierSet] = field(default_factory=lambda: MappingProxyType({}))
    when: Callable[[StackSpec], bool] | None = None
    # Whether an entry naming HTTP/1.1 cases (the names without `-h2`) marks the same cases
    # over HTTP/2 and HTTP/3 too: the cause lies behind the proxy, or in a rule of the proxy's
    # that no client protocol changes. False: the failure is HTTP/1.1's alone.
    over_every_protocol: bool = True

    def matches(self, spec: StackSpec, scenario: str) -> bool:
        """Whether the scenario, run on this stack, is expected to fail for this reason."""
        return self.covers(scenario) and self.applies_to(spec)

    def covers(self, scenario: str) -> bool:
        """Whether the scenario (`test_file.py::test_name[params]`) is one of the entry's."""
        return any(
            fnmatch.fnmatchcase(scenario, pattern.replace("[", "[[]")) for pattern in self.scenarios
        )

    def applies_to(self, spec: StackSpec) -> bool:
        """Whether the stack, as it runs, has what fails: its fields match, its suite ships a
        proxy version in range, and it still runs our part that causes the failure."""
        return (
            fnmatch.fnmatchcase(spec.id, self.stack)
            and all(_field(spec, name) in allowed for name, allowed in self.where.items())
            and (self.when is None or self.when(spec))
            and (self.versions is None or self.versions.holds_on(spec.suite))
            and all(_installs(spec, name, within) for name, within in self.packages.items())
            and not replaced_parts(spec).intersection(self.parts)
        )


def _installs(spec: StackSpec, package: str, within: SpecifierSet) -> bool:
    """Whether the stack's image installs a version of the package within the specifier."""
    version = installed_version(spec, package)
    return version is not None and within.contains(version, prereleases=True)


def _field(spec: StackSpec, name: str) -> str:
    """A spec field as text, by its dotted name."""
    value: object = spec
    for part in name.split("."):
        value = getattr(value, part)
    return str(value)


def where(**fields: str | tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    """Spec fields and the values that match: one value, or any of several. A nested field
    is written with `__` for its dot: `timeouts__timeout_status="504"`."""
    return MappingProxyType(
        {
            name.replace("__", "."): (value,) if isinstance(value, str) else value
            for name, value in fields.items()
        }
    )
