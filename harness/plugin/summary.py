"""The end of a run of our scenarios, for people: pytest's own failure sections first, then ONE
line per distinct skip reason with its count, then one per expected-failure (xfail) reason,
then pytest's result line:

    =================== skipped and xfailed, by reason ===================
    skipped 42: WSGI stack: no WebSocket routes
    skipped 6: needs a TLS-terminating proxy
    xfailed 3: haproxy-gunicorn-sync-flask: HAProxy buffers no request body ...
    ============ 2 failed, 310 passed, 48 skipped, 3 xfailed in 95.1s ============

A run of the scenarios skips hundreds of cases for a few reasons (a WSGI stack has no
WebSocket routes, a plain stack no TLS), and pytest's `-rs`/`-rx` list each case, an xfail's
reason as a paragraph. The lines here group them instead. Asked for explicitly (`-rs`, `-rx`,
`-ra`), pytest's own per-case lines show, and the grouped lines of that kind are left out:
they would say the same twice. pyproject.toml sets no `-r` for this reason.

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
        reasons = (_skip_reason(report) for report in stats.get("skipped", []))
        lines += _counted("skipped", reasons)
    if "x" not in reportchars:
        reasons = (_xfail_reason(report) for report in stats.get("xfailed", []))
        lines += _counted("xfailed", reasons)
    return lines


def _counted(outcome: str, reasons: Iterable[str]) -> list[str]:
    counts = Counter(reasons)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [f"{outcome} {count}: {reason}" for reason, count in ordered]


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
