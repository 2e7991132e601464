"""The end of a run of our scenarios, for people: pytest's own failure sections first, then ONE
line per distinct skip reason with its count, then one per expected-failure (xfail) reason,
then pytest's result line:

    =================== skipped and xfailed, by reason ===================
    skipped 42: WSGI stack: no WebSocket routes
    skipped 6: needs a TLS-terminating proxy
    skipped 11 on 4 stacks: the proxy's cache is off (stack setting cache = false)
    xfailed 3: haproxy-gunicorn-sync-flask: HAProxy buffers no request body ...
    ============ 2 failed, 310 passed, 48 skipped, 3 xfailed in 95.1s ============

A run of the scenarios skips hundreds of cases for a few reasons (a WSGI stack has no
WebSocket routes, a plain stack no TLS), and pytest's `-rs`/`-rx` list each case, an xfail's
reason as a paragraph. The lines here group them instead. Asked for explicitly (`-rs`, `-rx`,
`-ra`), pytest's own per-case lines show, and the grouped lines of that kind are left out:
they would say the same twice. pyproject.toml sets no `-r` for this reason. A reason that
starts with the stack's own id (`nginx-uwsgi-flask: the proxy's cache is off`) is the same
reason on every stack: the stacks' cases are counted together, and the line says on how many.

Registered by the plugin (hooks.py) only for a run of our scenarios, and only on the xdist
controller (or the only process), which receives every report; any other pytest run in the
same virtualenv ends as pytest ends it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterable
from typing import Any

import pytest

__all__ = ["ReasonSummary", "reason_lines"]

TITLE = "skipped and xfailed, by reason"
NO_REASON = "(no reason given)"


class ReasonSummary:
    """A pytest plugin object: the grouped reasons, after pytest's short test summary."""

    # tryfirst: outside the terminal reporter's own wrapper, whose short test summary (the
    # FAILED lines, and -r's per-case lines) is written after its yield; these lines follow.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None]:
        result = yield
        lines = reason_lines(terminalreporter.stats, terminalreporter.reportchars)
        if lines:
            terminalreporter.write_sep("=", TITLE)
            for line in lines:
                terminalreporter.write_line(line)
        return result


def reason_lines(stats: dict[str, list[Any]], reportchars: str) -> list[str]:
    """`skipped N: reason` and `xfailed N: reason` lines, most frequent first, for the kinds
    pytest does not list itself (`s`, `x` absent from its resolved -r characters)."""
    lines = []
    if "s" not in reportchars:
        reasons = (_split(report, _skip_reason(report)) for report in stats.get("skipped", []))
        lines += _counted("skipped", reasons)
    if "x" not in reportchars:
        reasons = (_split(report, _xfail_reason(report)) for report in stats.get("xfailed", []))
        lines += _counted("xfailed", reasons)
    return lines


def _split(report: Any, reason: str) -> tuple[str, str, str]:
    """(the stack the reason names first, the reason without it, the reason as given); the
    stack is "" when the reason starts with no stack id of this case (its parameter id)."""
    head, separator, rest = reason.partition(" ")
    stack = head.removesuffix(":")
    if separator and stack and f"[{stack}" in report.nodeid:
        return stack, rest, reason
    return "", reason, reason


def _counted(outcome: str, reasons: Iterable[tuple[str, str, str]]) -> list[str]:
    cases: Counter[str] = Counter()
    stacks: dict[str, set[str]] = {}
    as_given: dict[str, str] = {}
    for stack, reason, given in reasons:
        cases[reason] += 1
        stacks.setdefault(reason, set()).add(stack)
        as_given.setdefault(reason, given)
    lines = []
    for reason, count in sorted(cases.items(), key=lambda item: (-item[1], item[0])):
        named = stacks[reason] - {""}
        if len(named) > 1:
            lines.append(f"{outcome} {count} on {len(named)} stacks: {reason}")
        else:
            lines.append(f"{outcome} {count}: {as_given[reason]}")
    return lines


def _skip_reason(report: Any) -> str:
    """The reason a skip was given, without pytest's `Skipped: ` prefix; its first line."""
    longrepr = report.longrepr
    reason = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
    return _headline("" if reason == "Skipped" else reason.removeprefix("Skipped: "))


def _xfail_reason(report: Any) -> str:
    """An expected failure's reason (the xfail mark's, or pytest.xfail's); its first line."""
    return _headline(str(getattr(report, "wasxfail", "")).removeprefix("reason: "))


def _headline(reason: str) -> str:
    first = reason.strip().splitlines()[0].strip() if reason.strip() else ""
    return first or NO_REASON
