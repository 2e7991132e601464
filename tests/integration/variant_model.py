"""Broken variants: one misconfiguration each, and the scenario cases that must catch it.

A variant is built the way a user tests their own config: `harness render` a built-in stack,
change one line, and run the scenarios with `--stack-file`. `edit` is (old, new) applied to
the rendered file; the old text must be present, so template drift cannot silently turn a
variant into the healthy stack. `fields` are stack-file settings applied to the base before it
is rendered (e.g. `balancing = "sticky"`), for a misconfiguration of a setting no built-in
stack has.

Each catch names one scenario case, `test_file.py::test_name[params]` as the harness names it
(the stack left out), and the failure it must show: a variant counts as caught only where that
case failed on an assertion whose message matches `expect`, never on an error, a skip or a
timeout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Catch:
    """A case the variant must fail, and `expect`: a regex searched (`^` and `$` at line ends)
    in the failure message."""

    case: str
    expect: str


def catching(expect: str, *cases: str) -> tuple[Catch, ...]:
    """Several cases that fail the same way."""
    return tuple(Catch(case, expect) for case in cases)


def cases_of(scenario: str, params: Iterable[str]) -> tuple[str, ...]:
    """`test_file.py::test_name[param]` for each parameter id."""
    return tuple(f"{scenario}[{param}]" for param in params)


@dataclass(frozen=True)
class Variant:
    name: str
    base: str
    misconfiguration: str
    catches: tuple[Catch, ...]
    # What the edit applies to: the rendered "proxy" or "server" config file, or "args", the
    # server's command line (one argument, or a run of them joined by spaces, replaced; an
    # empty replacement removes it).
    file: str = "proxy"
    edit: tuple[str, str] | None = None
    every: bool = False  # the edit replaces every occurrence, not the first only
    env: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str | bool | int] = field(default_factory=dict)
    # Where users meet it: an issue, a question or the directive's documentation.
    evidence: str = ""

    @property
    def scenarios(self) -> tuple[str, ...]:
        """The scenarios (`test_file.py::test_name`) its catches belong to, each once."""
        return tuple(dict.fromkeys(catch.case.split("[", 1)[0] for catch in self.catches))
