"""stack.toml as init writes it: every value with where it was read, in a comment beside it
(or above it, when the line would run long); the values the user's configs decide stated as
declared values, top-level ones (`compression`) among the parts, the rest under
[stacks.timeouts] and [stacks.limits].
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from harness.commands.init.advice import contract_steps, environment, hosts_variable, proxy_steps
from harness.commands.init.layout import CONTRACT_PREFIX, Layout
from harness.spec.expectations import UNLIMITED, Reading
from harness.spec.stackfile_fields import LIMIT_FIELDS, TIMEOUT_FIELDS, TOP_FIELDS, Invalid
from harness.spec.toml_writing import toml_value

COMMENT_COLUMN = 48
LINE_LENGTH = 100
GENERATED_DOCKERFILE = "harness.Dockerfile"
# Each stack-file table ("": the top level) and its fields' parsers.
_TABLES: Mapping[str, Mapping[str, Callable[[Any], Any]]] = {
    "": TOP_FIELDS,
    "timeouts": TIMEOUT_FIELDS,
    "limits": LIMIT_FIELDS,
}


# Values a proxy config decides that the harness's own config does not take from the stack:
# declared only when the user's config runs verbatim.
_VERBATIM_ONLY = frozenset({"resolve", "timeout_status"})


def entry(key: str, value: Any, comment: str) -> list[str]:
    """`key = value   # comment`, the comment above the line when it would run long."""
    line = f"{key} = {toml_value(value)}" if value is not None else key
    if len(line) < COMMENT_COLUMN - 1 and COMMENT_COLUMN + len(comment) + 2 <= LINE_LENGTH:
        return [f"{line:<{COMMENT_COLUMN}}# {comment}"]
    if len(line) > LINE_LENGTH and isinstance(value, list | tuple):
        items = textwrap.wrap(", ".join(toml_value(v) for v in value), LINE_LENGTH - 4,
                              break_long_words=False, break_on_hyphens=False)  # fmt: skip
        return [*comment_lines(comment), f"{key} = [", *(f"    {i}" for i in items), "]"]
    return [*comment_lines(comment), line]


def comment_lines(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        text, LINE_LENGTH - 2, initial_indent=f"# {indent}",
        subsequent_indent="# " + " " * len(indent), break_on_hyphens=False,
    )  # fmt: skip


def stack_toml(layout: Layout, dockerfile: str, declare: bool = True) -> str:
    """The whole stack file for the layout; `dockerfile` is the one overrides.dockerfile names.
    Without `declare`, the values read from the user's configs stay comments."""
    readings = _by_table(layout, declare)
    lines = [
        f"# {layout.name}'s deployment on deploy-harness, written by `harness init` from what it",
        "# found in this folder; each value says where it was read. Check them, then run:",
        "#   harness test --stack-file stack.toml deploy_tests/",
        "[[stacks]]",
        *_parts(layout),
        *readings.get("", []),
        "",
    ]
    for table in ("timeouts", "limits"):
        if readings.get(table):
            lines += [f"[stacks.{table}]", *readings[table], ""]
    lines += _unread_note(layout)
    lines += ["[stacks.overrides]", *_overrides(layout, dockerfile)]
    return "\n".join(lines) + "\n"


def _parts(layout: Layout) -> list[str]:
    spec = layout.spec
    lines = entry("id", layout.name, "the folder's name")
    if layout.extends:
        parts = f"{spec.proxy}, {spec.server_label}, {spec.app_mode}"
        said = f"the built-in stack of these parts ({parts}; `harness stacks`)"
        lines += entry("extends", layout.extends, said)
    lines += entry("proxy", str(spec.proxy), layout.proxy.kind.where)
    lines += entry("server", str(spec.server), layout.server.where)
    if layout.worker_class is not None:
        lines += entry("worker_class", str(layout.worker_class.value), layout.worker_class.where)
    lines += entry("app", str(spec.framework), layout.app_mode.where)
    lines += entry("interface", str(spec.interface), layout.interface.where)
    if layout.protocol is not None:
        lines += entry("protocol", str(layout.protocol.value), layout.protocol.where)
    lines += entry("tls", spec.tls, layout.proxy.tls.where)
    replicas = layout.proxy.replicas
    if replicas is not None and layout.uses_proxy_config:
        lines += entry("replicas", replicas.value, replicas.where)
    return lines


def _by_table(layout: Layout, declare: bool) -> dict[str, list[str]]:
    """Each table's lines for the values read from the user's configs, in the table's order.
    A top-level value (`compression`) of a proxy config that does not run is left out: it
    would describe the harness's own config."""
    found: dict[str, list[str]] = {}
    for table, parsers in _TABLES.items():
        readings = [r for r in layout.readings if _table_of(r) == table and _name_of(r) in parsers]
        if not layout.uses_proxy_config:  # what the harness's proxy config does not take
            readings = [r for r in readings if table and _name_of(r) not in _VERBATIM_ONLY]
        order = list(parsers)
        lines: list[str] = []
        for reading in sorted(readings, key=lambda r: order.index(_name_of(r))):
            lines += _declared(reading, parsers, declare)
        if lines and table:
            said = "Read from your configs: the scenarios hold the stack to these values."
            lines = [*comment_lines(said), *lines]
        if lines:
            found[table] = lines
    return found


def _table_of(reading: Reading) -> str:
    return reading.expectation.table


def _name_of(reading: Reading) -> str:
    return reading.expectation.field_name


def _declared(
    reading: Reading, parsers: Mapping[str, Callable[[Any], Any]], declare: bool
) -> list[str]:
    name = _name_of(reading)
    value = reading.expectation.as_field(reading.value)
    if not isinstance(value, bool) and value >= UNLIMITED:
        return comment_lines(
            f"{name}: not declared: {reading.where} (no limit); the run reads it from your "
            "config and skips the cases it cannot prove"
        )
    try:
        parsers[name](value)
    except Invalid:
        return comment_lines(f"{name}: not declared, {reading.where} gives no usable value")
    said = reading.where
    if not declare:
        return comment_lines(f"{name} = {toml_value(value)}: {said}")
    return entry(name, value, said)


def _unread_note(layout: Layout) -> list[str]:
    parts = []
    proxy = layout.proxy.config
    if proxy is not None and str(layout.proxy.kind.value) != "nginx":
        parts.append(proxy.value.as_posix())
    if str(layout.server.value) != "gunicorn":
        parts.append(f"{layout.server.value}'s settings")
    if not parts:
        return []
    return [
        *comment_lines(
            f"Not read: {' and '.join(parts)} (harness/spec/reading reads nginx and gunicorn). "
            "Declare what they set under [stacks.timeouts] and [stacks.limits], or the run "
            "says at its start which values it assumed."
        ),
        "",
    ]


def _overrides(layout: Layout, dockerfile: str) -> list[str]:
    lines: list[str] = []
    built = layout.dockerfile.where if layout.dockerfile else "written by init: none was found"
    lines += entry("dockerfile", dockerfile, built)
    if layout.requirements is not None:
        requirements = layout.requirements
        lines += entry("requirements", requirements.value.as_posix(), requirements.where)
    if layout.django is not None and layout.django.settings is not None:
        settings = layout.django.settings
        lines += entry("django_settings", settings.value, settings.where)
    lines += _proxy_config(layout)
    if layout.server_config is not None:
        config = layout.server_config
        lines += entry("server_config", config.value.as_posix(), config.where)
    lines += entry("server_args", list(layout.server_args.words), layout.server_args.where)
    lines += comment_lines(
        "Your app answers the contract below this prefix, with harness_contract:"
    )
    lines += [line for step in contract_steps(layout) for line in comment_lines(step, "  - ")]
    lines += entry("contract_prefix", CONTRACT_PREFIX, "always: where harness_contract answers")
    return lines + _environment(layout)


def _environment(layout: Layout) -> list[str]:
    """[stacks.overrides.env]: what the settings require to start, and ALLOWED_HOSTS's
    variable; all comments while a variable has no value init can give."""
    values = environment(layout)
    if not values:
        return []
    said = {
        f.value: f"{f.where.split(':', 1)[0]}: read with no default" for f in layout.required_env
    }
    hosts = hosts_variable(layout)
    if hosts is not None:
        said[hosts.value] = hosts.where
    unknown = [name for name, value in values.items() if value is None]
    lines = ["", *entry("[stacks.overrides.env]", None, "what your settings need to start")]
    for name, value in values.items():
        known = "" if value is not None else " (no value known: give one)"
        lines += entry(name, value or "", said[name] + known)
    if not unknown:
        return lines
    text = f"Give {', '.join(unknown)} a value, then uncomment this table:"
    return ["", *comment_lines(text), *(f"# {line}" if line else line for line in lines[1:])]


def _proxy_config(layout: Layout) -> list[str]:
    config = layout.proxy.config
    if config is None:
        return comment_lines(
            f"No proxy config found: the harness's own {layout.spec.proxy} config runs "
            f"(`harness render {layout.extends or layout.name} --out DIR` writes it out)."
        )
    path = config.value.as_posix()
    if layout.uses_proxy_config:
        return entry("proxy_config", path, config.where)
    lines = comment_lines(
        f"{path} cannot run verbatim in a stack yet, so the harness's {layout.spec.proxy} "
        "config runs, with the values read from yours. To run yours, fix this and uncomment:"
    )
    lines += [line for problem in proxy_steps(layout) for line in comment_lines(problem, "  - ")]
    return [*lines, f"# proxy_config = {toml_value(path)}"]
