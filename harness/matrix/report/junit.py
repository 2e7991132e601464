"""junit.xml: the run for CI tools that read JUnit, one testsuite per stack.

A testcase is a cell: classname is the stack id, name the case, time its duration.
- failed  -> <failure message=reason> with the evidence and the log tail
- error   -> <error message=reason>, the same body
- skipped, xfailed -> <skipped message=reason> (an expected failure is not a failure)
- flaky   -> a passed testcase whose <system-out> says so and shows the first failure
- xpassed -> a passed testcase with an `outcome=xpassed` property and a <system-out> line
Each testsuite carries the stack's one-line versions as <properties>. Characters XML 1.0
cannot hold (terminal escapes in a log tail) are replaced, so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import assert_never

from harness.matrix.report.summary import key_versions, stack_ids, strip_terminal_escapes
from harness.matrix.schema import CaseRecord, MatrixResults, Outcome, sorted_cases

JUNIT_FILE = "junit.xml"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_junit(results: MatrixResults, out: Path) -> Path:
    """Write junit.xml into `out` (which must exist) and return its path."""
    path = out / JUNIT_FILE
    ET.ElementTree(junit_tree(results)).write(path, encoding="utf-8", xml_declaration=True)
    return path


def junit_tree(results: MatrixResults) -> ET.Element:
    """The <testsuites> element of the run."""
    root = ET.Element("testsuites", name="deploy-harness matrix")
    by_stack: dict[str, list[CaseRecord]] = {stack_id: [] for stack_id in stack_ids(results)}
    for case in sorted_cases(results.cases):
        by_stack[case.stack].append(case)
    for stack_id, cases in by_stack.items():
        root.append(_suite(results, stack_id, cases))
    _count(root, root.findall("testsuite"))
    return root


def _suite(results: MatrixResults, stack_id: str, cases: list[CaseRecord]) -> ET.Element:
    record = results.stacks.get(stack_id)
    seconds = record.seconds if record else sum(case.duration for case in cases)
    suite = ET.Element("testsuite", name=stack_id, timestamp=results.run.started)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(case.outcome == Outcome.FAILED for case in cases)))
    suite.set("errors", str(sum(case.outcome == Outcome.ERROR for case in cases)))
    skipped = (Outcome.SKIPPED, Outcome.XFAILED)
    suite.set("skipped", str(sum(case.outcome in skipped for case in cases)))
    suite.set("time", f"{seconds:.3f}")
    properties = ET.SubElement(suite, "properties")
    for name, value in (key_versions(record) if record else {}).items():
        ET.SubElement(properties, "property", name=name, value=_clean(value))
    for case in cases:
        suite.append(_testcase(case))
    return suite


def _count(root: ET.Element, suites: Iterable[ET.Element]) -> None:
    """Sum the suites' counts and times onto <testsuites>."""
    suites = list(suites)
    for name in ("tests", "failures", "errors", "skipped"):
        root.set(name, str(sum(int(suite.get(name, "0")) for suite in suites)))
    root.set("time", f"{sum(float(suite.get('time', '0')) for suite in suites):.3f}")


def _testcase(case: CaseRecord) -> ET.Element:
    element = ET.Element("testcase", classname=case.stack, name=case.case)
    element.set("time", f"{case.duration:.3f}")
    message = _clean(case.reason)
    match case.outcome:
        case Outcome.PASSED:
            pass
        case Outcome.FAILED | Outcome.ERROR:
            tag = "failure" if case.outcome == Outcome.FAILED else "error"
            body = ET.SubElement(element, tag, message=message, type=str(case.outcome))
            body.text = _clean(strip_terminal_escapes(_failure_text(case)))
        case Outcome.SKIPPED:
            ET.SubElement(element, "skipped", message=message)
        case Outcome.XFAILED:
            ET.SubElement(element, "skipped", message=_clean(f"xfailed: {case.reason}"))
        case Outcome.XPASSED:
            properties = ET.SubElement(element, "properties")
            ET.SubElement(properties, "property", name="outcome", value="xpassed")
            _system_out(element, f"xpassed: expected to fail, but passed. {case.reason}")
        case Outcome.FLAKY:
            _system_out(
                element,
                f"flaky: passed after {case.attempts} attempts; the first attempt failed:\n"
                f"{case.first_failure or case.reason}",
            )
        case _:
            assert_never(case.outcome)
    return element


def _failure_text(case: CaseRecord) -> str:
    parts = [case.evidence.rstrip()]
    if case.incompatibility:
        parts.append(f"known incompatibility: {case.incompatibility}")
    if case.log_tail:
        parts.append(f"--- log tail ---\n{case.log_tail.rstrip()}")
    return "\n\n".join(part for part in parts if part)


def _system_out(element: ET.Element, text: str) -> None:
    ET.SubElement(element, "system-out").text = _clean(strip_terminal_escapes(text.strip()))


def _clean(text: str) -> str:
    """`text` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)
