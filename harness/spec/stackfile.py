"""Stack files: TOML that describes stacks, validated into StackSpecs.

```toml
[[stacks]]
id = "my-nginx"                          # optional; derived from the parts when absent
extends = "nginx-gunicorn-gthread-flask" # optional: start from a built-in or earlier stack
proxy = "nginx"
server = "gunicorn"
worker_class = "gthread"
app = "flask"
replicas = 2
tls = true
cache = true                             # the proxy caches what Cache-Control allows
prefix = "/app"                          # the app is published under /app

[stacks.timeouts]
proxy_read = 5

[stacks.overrides]
proxy_config = "my-nginx.conf"           # relative to this file

[stacks.packages]                        # exact PyPI versions of this stack's own
gunicorn = "21.2.0"                      # (a pin set is an app image of its own)
h11 = "0.14.0"
```

Every problem in a file is collected and reported together; each names the file, the stack,
the field, what was given and what is allowed.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from harness.errors import ConfigError
from harness.spec.catalog import STACKS
from harness.spec.model import (
    Limits,
    Overrides,
    StackSpec,
    Timeouts,
)
from harness.spec.pins import Pin, parse_pins
from harness.spec.reading import with_own_config_values
from harness.spec.stackfile_fields import (
    LIMIT_FIELDS,
    OVERRIDE_FIELDS,
    TIMEOUT_FIELDS,
    TOP_FIELDS,
    Invalid,
    path_prefix,
    text,
)

Problem = tuple[str, str, str, str]  # (stack, field, given, allowed)


_TABLES = ("timeouts", "limits", "overrides", "packages")
_FILE_OVERRIDES = (
    "proxy_config",
    "server_config",
    "dockerfile",
    "requirements",
    "tls_chain",
    "tls_key",
    "tls_ca",
)


def load_stack_file(path: Path) -> tuple[StackSpec, ...]:
    """Read a TOML stack file into validated specs, or raise one ConfigError with every problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: stack file not found. Hint: check the --stack-file path."
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    entries = data.get("stacks")
    if not isinstance(entries, list) or not entries or set(data) - {"stacks"}:
        raise ConfigError(
            f"{path}: expected one or more [[stacks]] tables and nothing else at the top level; "
            f"got keys {sorted(data)}"
        )
    known: dict[str, StackSpec] = dict(STACKS)
    specs: list[StackSpec] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        label = (
            str(entry.get("id", f"#{index + 1}")) if isinstance(entry, dict) else f"#{index + 1}"
        )
        spec, found = _parse_stack(entry, label, path, known)
        problems.extend(found)
        if spec is not None:
            known[spec.id] = spec
            specs.append(spec)
    if problems:
        raise ConfigError(_describe(path, problems))
    return tuple(specs)


def _describe(path: Path, problems: list[Problem]) -> str:
    lines = [f"{path}: {len(problems)} problem(s) in the stack file:"]
    lines += [
        f"  stack {stack!r}, field {field!r}: got {given}; allowed: {allowed}"
        for stack, field, given, allowed in problems
    ]
    return "\n".join(lines)


def _parse_stack(
    entry: Any, label: str, path: Path, known: Mapping[str, StackSpec]
) -> tuple[StackSpec | None, list[Problem]]:
    if not isinstance(entry, dict):
        return None, [(label, "[[stacks]]", repr(entry), "a table")]
    problems: list[Problem] = []
    base = _base_spec(entry, label, known, problems)
    allowed = set(TOP_FIELDS) | set(_TABLES) | {"extends"}
    problems += [
        (label, key, "an unknown field", ", ".join(sorted(allowed)))
        for key in entry
        if key not in allowed
    ]
    values = _fields(entry, TOP_FIELDS, label, "", problems)
    tables = _tables(entry, label, path, base, problems)
    if "app" in values:
        values["framework"] = values.pop("app")
    if base is None:
        problems += [
            (label, needed, "nothing", "required unless `extends` names a stack")
            for needed in ("proxy", "server", "app")
            if needed not in entry
        ]
    if problems:
        return None, problems
    values.update(tables, source=str(path), declared_fields=_declared_fields(entry))
    return _build(base, values, label, problems)


def _tables(
    entry: Mapping[str, Any],
    label: str,
    path: Path,
    base: StackSpec | None,
    problems: list[Problem],
) -> dict[str, Any]:
    """The stack's tables (timeouts, limits, overrides, packages), each over its base's."""
    return {
        "timeouts": dataclasses.replace(
            base.timeouts if base else Timeouts(),
            **_fields(entry.get("timeouts", {}), TIMEOUT_FIELDS, label, "timeouts.", problems),
        ),
        "limits": dataclasses.replace(
            base.limits if base else Limits(),
            **_fields(entry.get("limits", {}), LIMIT_FIELDS, label, "limits.", problems),
        ),
        "overrides": _overrides(entry.get("overrides", {}), label, path.parent, problems, base),
        "packages": _packages(entry.get("packages", {}), label, problems, base),
    }


def _declared_fields(entry: Mapping[str, Any]) -> frozenset[str]:
    """The dotted names this stack's own table sets (`tls`, `limits.max_body_bytes`)."""
    names = {key for key in entry if key not in _TABLES}
    for table in ("timeouts", "limits", "packages"):
        inner = entry.get(table, {})
        if isinstance(inner, dict):
            names |= {f"{table}.{key}" for key in inner}
    return frozenset(names)


def _base_spec(
    entry: Mapping[str, Any], label: str, known: Mapping[str, StackSpec], problems: list[Problem]
) -> StackSpec | None:
    name = entry.get("extends")
    if name is None:
        return None
    if name not in known:
        problems.append((label, "extends", repr(name), ", ".join(sorted(known))))
        return None
    return known[name]


def _fields(
    table: Any,
    parsers: Mapping[str, Callable[[Any], Any]],
    label: str,
    prefix: str,
    problems: list[Problem],
) -> dict[str, Any]:
    if not isinstance(table, dict):
        problems.append((label, prefix.rstrip("."), repr(table), "a table"))
        return {}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key in _TABLES or key == "extends":
            continue
        parser = parsers.get(key)
        if parser is None:
            if prefix:
                problems.append(
                    (label, prefix + key, "an unknown field", ", ".join(sorted(parsers)))
                )
            continue
        try:
            values[key] = parser(raw)
        except Invalid as invalid:
            given, allowed = invalid.args
            problems.append((label, prefix + key, given, allowed))
    return values


def _packages(
    table: Any, label: str, problems: list[Problem], base: StackSpec | None
) -> tuple[Pin, ...]:
    """The inherited pins with this stack's own pins over them, sorted by name."""
    if not isinstance(table, dict):
        problems.append(
            (label, "packages", repr(table), 'a table of exact versions: gunicorn = "21.2.0"')
        )
        return ()
    pins, found = parse_pins(table)
    problems += [(label, field, given, allowed) for field, given, allowed in found]
    merged = {pin.name: pin for pin in (base.packages if base else ())}
    merged.update({pin.name: pin for pin in pins})
    return tuple(sorted(merged.values()))


def _overrides(
    table: Any, label: str, base_dir: Path, problems: list[Problem], base: StackSpec | None
) -> Overrides:
    inherited = base.overrides if base else Overrides()
    if not isinstance(table, dict):
        problems.append((label, "overrides", repr(table), "a table"))
        return inherited
    changes: dict[str, Any] = {}
    for key, raw in table.items():
        try:
            changes[key] = _override_value(key, raw, base_dir, inherited)
        except Invalid as invalid:
            given, allowed = invalid.args
            problems.append((label, f"overrides.{key}", given, allowed))
    merged = dataclasses.replace(inherited, **changes)
    problems += [(label, *conflict) for conflict in _override_conflicts(merged)]
    return merged


def _override_value(key: str, raw: Any, base_dir: Path, inherited: Overrides) -> Any:
    """One override's value (files resolved beside the stack file, tables merged over the
    base's), or Invalid with what was given and what is allowed."""
    if key not in OVERRIDE_FIELDS:
        raise Invalid("an unknown field", ", ".join(OVERRIDE_FIELDS))
    if key in _FILE_OVERRIDES:
        file = (base_dir / str(raw)).resolve()
        if not isinstance(raw, str) or not file.is_file():
            raise Invalid(f"{raw!r} (looked for {file})", "an existing file")
        return file
    if key == "files":
        files = _image_files(raw, base_dir)
        if files is None:
            allowed = "a table of absolute image paths to existing files beside the stack file"
            raise Invalid(repr(raw), allowed)
        return MappingProxyType({**inherited.files, **files})
    if key == "server_args":
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise Invalid(repr(raw), "a list of strings")
        return tuple(raw)
    if key == "env":
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise Invalid(repr(raw), "a table of strings")
        return MappingProxyType({**inherited.env, **raw})
    if key == "contract_prefix":
        return path_prefix(raw)
    if key == "static_files":
        found = _static_files(raw, base_dir)
        if found is None:
            allowed = (
                'a table of URL paths to files beside the stack file: { "/static/a.css" = '
                '"static/a.css" }'
            )
            raise Invalid(repr(raw), allowed)
        return MappingProxyType(found)
    if key == "channel_layer":
        if not isinstance(raw, bool):
            raise Invalid(repr(raw), "true, false")
        return raw
    return text(raw)


def _override_conflicts(merged: Overrides) -> list[tuple[str, str, str]]:
    """Overrides that cannot go together: (field, given, allowed) for each."""
    conflicts = []
    if merged.dockerfile is not None and merged.image is not None:
        allowed = "one of overrides.dockerfile (built for you) and overrides.image (built by you)"
        conflicts.append(("overrides.image", repr(merged.image), allowed))
    tls = (merged.tls_chain, merged.tls_key, merged.tls_ca)
    if any(tls) and not all(tls):
        allowed = "tls_chain, tls_key and tls_ca together (the chain, its key, the root to trust)"
        conflicts.append(("overrides.tls_*", "only some of them", allowed))
    return conflicts


def _static_files(raw: Any, base_dir: Path) -> dict[str, Path] | None:
    """`static_files = { "/static/css/site.css" = "static/css/site.css" }`, checked."""
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        return None
    files = {str(url): (base_dir / source).resolve() for url, source in raw.items()}
    good = all(url.startswith("/") and ".." not in url.split("/") for url in files)
    return files if good and all(path.is_file() for path in files.values()) else None


def _image_files(raw: Any, base_dir: Path) -> dict[str, Path] | None:
    """`files = { "/srv/app/local_settings.py" = "ci_settings.py" }`, checked; None if bad."""
    if not isinstance(raw, dict):
        return None
    files = {str(target): (base_dir / str(source)).resolve() for target, source in raw.items()}
    good = all(
        target.startswith("/") and ".." not in target.split("/") and isinstance(source, str)
        for target, source in raw.items()
    )
    return files if good and all(path.is_file() for path in files.values()) else None


def _build(
    base: StackSpec | None, values: dict[str, Any], label: str, problems: list[Problem]
) -> tuple[StackSpec | None, list[Problem]]:
    if base is not None:
        changes = {"id": values.pop("id", ""), **values}
        if "server" in values and "worker_class" not in values:
            changes["worker_class"] = None
        if {"server", "framework", "worker_class"} & set(values) and "interface" not in values:
            changes["interface"] = None
        # A different server (or protocol) brings its own recommended trust layer.
        if {"server", "worker_class", "protocol"} & set(values) and "trust" not in values:
            changes["trust"] = None
        spec = base.with_changes(**changes)
    else:
        spec = StackSpec(**values)
    problems += [(spec.id, name, given, allowed) for name, given, allowed in spec.problems()]
    return (None if problems else with_own_config_values(spec)), problems
