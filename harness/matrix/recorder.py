"""The pytest side of a matrix run: every test report and every stack's facts, as files.

With `--matrix-out DIR` the harness plugin registers a `ReportRecorder` in the process that
receives all reports (the xdist controller, or the only process), which appends one JSON line
per phase report to DIR/reports.jsonl as it arrives, so a crashed run keeps what it did. The
worker that starts a stack writes DIR/stacks/<id>.json (versions, images, config digests) and
the stack's effective configs under DIR/configs/<id>/. `harness matrix run` assembles these
into results.json (see assemble.py).

A case is named by user properties that the plugin sets at collection (xdist carries them to
the controller): `harness.run.stack`, `harness.case`, `harness.family`, `harness.incompatibility`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.matrix.facts import (
    stack_images,
    stack_versions,
    write_atomically,
    write_config_copies,
)
from harness.run.stack import Stack

REPORTS_FILE = "reports.jsonl"
STACKS_DIR = "stacks"
CONFIGS_DIR = "configs"
LOGS_SECTION = "container logs"
_EVIDENCE_CHARS = 6000


class ReportRecorder:
    """Appends every phase report (setup, call, teardown) to reports.jsonl."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._path = folder / REPORTS_FILE
        self._lock = threading.Lock()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        line = json.dumps(report_record(report)) + "\n"
        with self._lock, self._path.open("a", encoding="utf-8") as handle:
            handle.write(line)


def report_record(report: pytest.TestReport) -> dict[str, Any]:
    """The parts of a phase report that results.json needs, as JSON-ready data."""
    properties = {name: value for name, value in report.user_properties}
    logs = [text for title, text in report.sections if title.endswith(LOGS_SECTION)]
    return {
        "nodeid": report.nodeid,
        "when": report.when,
        "outcome": report.outcome,
        "wasxfail": getattr(report, "wasxfail", None),
        "duration": report.duration,
        "properties": properties,
        "crash": _crash_message(report),
        "longrepr": _tail(report.longreprtext, _EVIDENCE_CHARS) if report.longrepr else "",
        "log_tail": logs[-1] if logs else "",
    }


def _crash_message(report: pytest.TestReport) -> str:
    """The one-line reason pytest gives: the failing assertion, or the skip reason."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, reason)
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    message = getattr(crash, "message", "") if crash is not None else ""
    if not message and longrepr is not None:
        message = str(longrepr).strip().splitlines()[-1] if str(longrepr).strip() else ""
    return str(message)


def _tail(text: str, limit: int) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]


def record_stack_facts(stack: Stack, folder: Path) -> None:
    """Write what this stack runs (versions, images, config digests) beside the reports."""
    target = folder / STACKS_DIR / f"{stack.id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        digests = write_config_copies(stack.spec, folder / CONFIGS_DIR / stack.id, folder)
        facts: dict[str, Any] = {
            "versions": stack_versions(stack),
            "images": stack_images(stack),
            "configs": [asdict(digest) for digest in digests],
        }
    except HarnessError as error:
        facts = {"versions": {"error": str(error)}, "images": {}, "configs": []}
    facts.update(startup_seconds=round(stack.up_seconds, 2))
    write_atomically(target, json.dumps(facts, indent=1))
