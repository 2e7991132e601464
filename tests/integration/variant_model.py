"""Broken variants: one misconfiguration each, and the scenarios that must catch it.

A variant is built the way a user tests their own config: `harness render` a built-in stack,
change one line, and run the scenarios with `--stack-file`. `edit` is (old, new) applied to
the rendered file; the old text must be present, so template drift cannot silently turn a
variant into the healthy stack. `fields` are stack-file settings applied to the base before it
is rendered (e.g. `balancing = "sticky"`), for a misconfiguration of a setting no built-in
stack has.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variant:
    name: str
    base: str
    misconfiguration: str
    catches: tuple[str, ...]
    # What the edit applies to: the rendered "proxy" or "server" config file, or "args", the
    # server's command line (one argument replaced; an empty replacement removes it).
    file: str = "proxy"
    edit: tuple[str, str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str | bool | int] = field(default_factory=dict)
