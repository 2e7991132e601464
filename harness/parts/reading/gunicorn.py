"""The expected values gunicorn's settings decide, read from a gunicorn.conf.py and the
command line, as gunicorn applies them: the command line over the file, the file over
gunicorn's documented defaults.

The file is Python that gunicorn executes; the harness does not run it. Only plain
top-level assignments of a literal (`timeout = 8`) are read; a computed value
(`timeout = int(os.environ["T"])`) is not, and the run then says which value it assumed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

from harness.parts.expectation import UNLIMITED, Expectation, Reading

# setting -> (expectation, gunicorn's default, its command-line flags)
_SETTINGS = {
    "timeout": (Expectation.WORKER, 30, ("-t", "--timeout")),
    "graceful_timeout": (Expectation.GRACEFUL, 30, ("--graceful-timeout",)),
    "keepalive": (Expectation.KEEPALIVE, 2, ("--keep-alive",)),
    "limit_request_field_size": (
        Expectation.MAX_HEADER_BYTES,
        8190,
        ("--limit-request-field_size",),
    ),
}
# gunicorn 27 counts a header line with its CRLF (http/message.py), as the stack's limit
# does; older versions counted it without, so there the value is two bytes short of theirs:
# a case at it passes on either.


class Unread(Exception):
    """A value the harness does not read (not a literal)."""


def read_gunicorn(config: Path | None, args: Sequence[str]) -> Iterator[Reading]:
    """The values gunicorn runs with, given its config file and command line. Without the
    file (None: the image's own, if any) only the command line is read: a setting it does
    not give is not known to be gunicorn's default."""
    statements = _top_level(config) if config is not None else None
    file_name = config.name if config is not None else ""
    assigned = _literal_assignments(file_name, statements) if statements else {}
    for setting, (expectation, default, flags) in _SETTINGS.items():
        flag_value = _flag(args, flags)
        value: object
        if flag_value is not None:
            value, where = flag_value, f"gunicorn's command line: {flags[-1]} {flag_value}"
        elif setting in assigned:
            value, where = assigned[setting]
        elif statements is None or setting in _assigned_names(statements):
            continue  # no file, an unreadable one, or a computed value: assumed
        else:
            value, where = default, f"no {setting} in {file_name}: gunicorn's default {default}"
        try:
            number = float(str(value))
        except (TypeError, ValueError):
            continue
        if expectation == Expectation.MAX_HEADER_BYTES:
            number = number if number > 0 else float(UNLIMITED)
        yield Reading(expectation, number, where)


def _literal_assignments(name: str, statements: list[ast.stmt]) -> dict[str, tuple[object, str]]:
    """`name = literal` at the file's top level: {name: (value, "gunicorn.conf.py line 4: ...")}."""
    found: dict[str, tuple[object, str]] = {}
    for node in statements:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                where = f"{name} line {node.lineno}: {target.id} = {value!r}"
                found[target.id] = (value, where)
    return found


def _assigned_names(statements: list[ast.stmt]) -> set[str]:
    return {
        target.id
        for node in statements
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _top_level(config: Path) -> list[ast.stmt] | None:
    """The file's statements; None when it cannot be read or parsed."""
    try:
        return ast.parse(config.read_text(encoding="utf-8"), filename=str(config)).body
    except (OSError, SyntaxError, ValueError):
        return None


def _flag(args: Sequence[str], flags: tuple[str, ...]) -> str | None:
    """The last value given for one of `flags` (`--timeout 8` or `--timeout=8`)."""
    value = None
    for index, arg in enumerate(args):
        name, equals, inline = arg.partition("=")
        if name in flags:
            value = inline if equals else (args[index + 1] if index + 1 < len(args) else None)
    return value
