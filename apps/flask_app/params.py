"""Query parameters of the app contract: parsed strictly, clamped to the contract's limits.

A value that is not a plain non-negative decimal integer raises `BadParameter`, which the
app answers with 400 and a JSON `{"error": ...}`; a value above the limit is clamped.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "MAX_BYTES",
    "MAX_COUNT",
    "MAX_HEADER_SIZE",
    "MAX_INTERVAL_MS",
    "MAX_SEEN_LIMIT",
    "MAX_SLEEP_MS",
    "BadParameter",
    "bounded_int",
    "required_text",
]

MAX_COUNT = 1000
MAX_INTERVAL_MS = 10_000
MAX_SLEEP_MS = 120_000
MAX_HEADER_SIZE = 1024 * 1024
MAX_BYTES = 64 * 1024 * 1024
# The seen log holds no more than this, so a larger limit could not return more.
MAX_SEEN_LIMIT = 1000


class BadParameter(ValueError):
    """A query parameter is missing or malformed; the message says which and why."""


def bounded_int(args: Mapping[str, str], name: str, *, default: int, maximum: int) -> int:
    """Return the integer parameter `name`, `default` when absent, at most `maximum`.

    Only ASCII digits are accepted: no sign, no space, no underscore, no fraction, all of
    which Python's `int()` would otherwise let through or misread.
    """
    raw = args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise BadParameter(f"query parameter {name!r} must be a non-negative integer, got {raw!r}")
    try:
        value = int(raw)
    except ValueError as error:  # more digits than int() converts
        raise BadParameter(f"query parameter {name!r} is too long: {len(raw)} digits") from error
    return min(value, maximum)


def required_text(args: Mapping[str, str], name: str) -> str:
    """Return the non-empty text parameter `name`."""
    value = args.get(name)
    if not value:
        raise BadParameter(f"query parameter {name!r} is required, e.g. ?{name}=demo")
    return value
