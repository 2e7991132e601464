"""`harness render`: the effective configs of a stack, and a stack file that reuses them.

Run values (published ports) stay as `{{ placeholders }}`, so the written files work
unchanged in a later run through `--stack-file DIR/stack.toml`: edit one line, and the
scenarios test your edit.

The written `stack.toml` stands alone: it extends nothing and writes out every field of the
stack file's schema (harness/spec/stackfile.py), the timeouts and limits the scenarios hold the
configs to included, so loading it gives the same stack as the one rendered, built-in or from
a file, and a user sees every setting instead of inheriting it unseen.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.building.configs import render_stack
from harness.spec.model import StackSpec

# The stack file's one schema: what it reads, this writes back, field for field.
from harness.spec.stackfile_fields import (
    LIMIT_FIELDS,
    OVERRIDE_FIELDS,
    TIMEOUT_FIELDS,
    TOP_FIELDS,
)
from harness.spec.toml_writing import toml_key, toml_value

# Stack-file names that differ from the spec's attribute names.
_SPEC_ATTRIBUTE = {"app": "framework"}
_HEADER = """\
# Effective configs of the deploy-harness stack {id} ({origin}),
# written by `harness render`. Every setting is written out: nothing is inherited.
# Edit the files or the settings, then:
#   pytest scenarios/ --stack-file {path}
[[stacks]]
"""
_TIMEOUTS_NOTE = """\
# What the scenarios hold the configs to. The configs are files now: a change here changes
# what the scenarios expect, not the files, so change both (proxy_read is nginx's
# proxy_read_timeout, for one). Limits likewise.
"""
_UNSET_OVERRIDES = {
    "django_settings": '# django_settings = "mysite.settings"   # your Django settings module',
    "image": '# image = "my-app:latest"   # your own app image, implementing apps/CONTRACT.md',
    "env": '# env = { MY_SETTING = "on" }   # extra environment for every replica',
}


def write_effective_configs(spec: StackSpec, out: Path) -> list[Path]:
    """Write the proxy and server configs and `stack.toml`; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    rendered = render_stack(spec)
    written: list[Path] = []
    overrides: dict[str, object] = {}
    for key, configs in (
        ("proxy_config", rendered.proxy.files),
        ("server_config", rendered.app.files),
    ):
        for index, file in enumerate(configs):
            target = out / posixpath.basename(file.path)
            target.write_text(file.content, encoding="utf-8")
            written.append(target)
            if index == 0:  # the main config; helper files (HAProxy's Lua) are for reference
                overrides[key] = target.name
    # Servers without a config file get their command line; a stack's own arguments stay.
    if not rendered.app.files or spec.overrides.server_args is not None:
        overrides["server_args"] = list(rendered.app.command)
    stack_file = out / "stack.toml"
    text = stacktoml_value(spec, overrides, rendered.app.command, stack_file)
    stack_file.write_text(text, encoding="utf-8")
    written.append(stack_file)
    return written


def stacktoml_value(
    spec: StackSpec, overrides: Mapping[str, object], command: Sequence[str], path: Path
) -> str:
    """The stack file for `spec`: every field, with the `overrides` given (the config files
    written beside it) in place of the spec's own; `command` is the server's command line."""
    origin = "built-in" if spec.source == "built-in" else f"from {spec.source}"
    lines = [_HEADER.format(id=spec.id, origin=origin, path=path).rstrip("\n")]
    lines += _assignments(spec, TOP_FIELDS)
    lines += ["", "[stacks.timeouts]", _TIMEOUTS_NOTE.rstrip("\n")]
    lines += _assignments(spec.timeouts, TIMEOUT_FIELDS)
    lines += ["", "[stacks.limits]", *_assignments(spec.limits, LIMIT_FIELDS)]
    lines += ["", "[stacks.overrides]"]
    for name in OVERRIDE_FIELDS:
        value = overrides[name] if name in overrides else getattr(spec.overrides, name)
        if value is not None and value != {}:
            lines.append(f"{name} = {toml_value(value)}")
        elif name == "server_args":
            line = toml_value(list(command))
            lines.append(f"# server_args = {line}   # the command line it runs")
        elif name in _UNSET_OVERRIDES:
            lines.append(_UNSET_OVERRIDES[name])
    if spec.packages:
        lines += ["", "[stacks.packages]"]
        lines += [f"{toml_key(pin.name)} = {toml_value(pin.version)}" for pin in spec.packages]
    return "\n".join(lines) + "\n"


def _assignments(source: object, schema: Mapping[str, object]) -> list[str]:
    """`name = value` for each schema field that has a value (None: not set, left out)."""
    lines = []
    for name in schema:
        value = getattr(source, _SPEC_ATTRIBUTE.get(name, name))
        if value is not None:
            lines.append(f"{name} = {toml_value(value)}")
    return lines
